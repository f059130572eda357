// Attention heads scored against the toy language's gold arcs (after Clark et al. 2019 and Chen et al. 2024): for each
// relation, the share of words whose most-attended token is their gold partner, per head and per chain of heads in
// consecutive layers, beside positional baselines. Pure: attention in, scores out.
import type { TokenizerKind } from '../data/tokenizer';
import type { ToyRelation, ToySentence } from '../data/toyLanguage';
import { MASK_WORD, parseToySentence, wordStarts } from '../data/toyParse';
import { SPECIAL_IDS } from '../data/types';

/**
 * A directed relation, named "from_to": from each `from` word, does attention land on its gold `to` word? Both
 * directions of every arc are scored. verb_subject_attractor keeps the verbs whose nearest noun on the left is not
 * their subject (an attractor stands between them), where the nearest-noun baseline scores 0.
 */
export type SyntaxRelationId =
  | 'verb_subject'
  | 'verb_subject_attractor'
  | 'subject_verb'
  | 'det_noun'
  | 'noun_det'
  | 'adj_noun'
  | 'noun_adj'
  | 'verb_object'
  | 'object_verb'
  | 'prep_noun'
  | 'noun_prep'
  | 'that_verb'
  | 'verb_that';

interface RelationDef {
  id: SyntaxRelationId;
  /** Read as "from → to": attention from the first word lands on the second. */
  label: string;
  rel: ToyRelation;
  /** Whether attention starts at the arc's dependent (and should land on its head) or the reverse. */
  from: 'dep' | 'head';
  /** Scored beside "the nearest noun on the left" as well as the best fixed offset. */
  nearestNoun?: boolean;
  /** Only the words whose nearest noun on the left is not their gold partner. */
  attractorOnly?: boolean;
}

export const SYNTAX_RELATIONS: readonly RelationDef[] = [
  { id: 'verb_subject', label: 'verb → its subject', rel: 'nsubj', from: 'head', nearestNoun: true },
  {
    id: 'verb_subject_attractor',
    label: 'verb → its subject, past an attractor',
    rel: 'nsubj',
    from: 'head',
    nearestNoun: true,
    attractorOnly: true,
  },
  { id: 'subject_verb', label: 'subject → its verb', rel: 'nsubj', from: 'dep' },
  { id: 'det_noun', label: 'determiner → its noun', rel: 'det', from: 'dep' },
  { id: 'noun_det', label: 'noun → its determiner', rel: 'det', from: 'head' },
  { id: 'adj_noun', label: 'adjective → its noun', rel: 'amod', from: 'dep' },
  { id: 'noun_adj', label: 'noun → its adjective', rel: 'amod', from: 'head' },
  { id: 'verb_object', label: 'verb → its object', rel: 'obj', from: 'head' },
  { id: 'object_verb', label: 'object → its verb', rel: 'obj', from: 'dep' },
  { id: 'prep_noun', label: 'preposition → its noun', rel: 'case', from: 'dep' },
  { id: 'noun_prep', label: 'noun → its preposition', rel: 'case', from: 'head' },
  { id: 'that_verb', label: '"that" → its verb', rel: 'rel', from: 'dep' },
  { id: 'verb_that', label: 'verb → its "that"', rel: 'rel', from: 'head' },
];

export const relationDef = (id: SyntaxRelationId): RelationDef => SYNTAX_RELATIONS.find((r) => r.id === id)!;

/** The relation the onset is about: the verb finding its subject past an attractor (the "subject → verb"). */
export const ONSET_RELATION: SyntaxRelationId = 'verb_subject_attractor';
/** A head or path counts as syntactic for a relation when it is at least this far (a share) above both baselines. */
export const SYNTAX_MARGIN = 0.1;
/** Held-out sentences per group of minimal pairs (without attractor, with one, object relative clauses). */
export const SYNTAX_SENTENCES_PER_GROUP = 128;
/** Chains longer than two heads are searched from this many best chains per relation (deeper models). */
const PATH_BEAM = 8;

/** One word to score: in sentence s, attention from token `from` should land on one of `to`. */
export interface SyntaxUnit {
  s: number;
  from: number;
  to: number[];
  /** The nearest noun's token on the left of `from`, or -1. */
  nearestNoun: number;
}

/** Layer and head, from 0. */
export interface HeadRef {
  layer: number;
  head: number;
}

/** A fixed held-out set of toy sentences as engine rows, with the units of every relation. */
export interface SyntaxSet {
  T: number;
  count: number;
  /** (count, T) token ids and 1/0 valid flags: [CLS] sentence [SEP], padded, nothing masked. */
  ids: Int32Array;
  valid: Int32Array;
  /** Tokens of each row, [CLS] and [SEP] included. */
  lengths: number[];
  units: Record<SyntaxRelationId, SyntaxUnit[]>;
}

/** The units of every relation in one sentence whose words start at token `starts[w]` (sentence index s). */
export function sentenceUnits(
  sentence: ToySentence,
  starts: readonly number[],
  s: number,
): Record<SyntaxRelationId, SyntaxUnit[]> {
  const out = Object.fromEntries(SYNTAX_RELATIONS.map((r) => [r.id, [] as SyntaxUnit[]])) as Record<
    SyntaxRelationId,
    SyntaxUnit[]
  >;
  const nearestNounBefore = (w: number) => {
    for (let v = w - 1; v >= 0; v--) if (sentence.tags[v] === 'noun') return v;
    return -1;
  };
  for (const r of SYNTAX_RELATIONS) {
    const partners = new Map<number, number[]>();
    for (const a of sentence.arcs) {
      if (a.rel !== r.rel) continue;
      const [from, to] = r.from === 'dep' ? [a.dep, a.head] : [a.head, a.dep];
      partners.set(from, [...(partners.get(from) ?? []), to]);
    }
    for (const [from, to] of [...partners].sort((a, b) => a[0] - b[0])) {
      const near = nearestNounBefore(from);
      if (r.attractorOnly && (near < 0 || to.includes(near))) continue;
      out[r.id].push({
        s,
        from: starts[from],
        to: to.map((w) => starts[w]),
        nearestNoun: near < 0 ? -1 : starts[near],
      });
    }
  }
  return out;
}

/**
 * The held-out syntax set: up to `perGroup` sentences of each group of minimal pairs (in the order given), encoded
 * as [CLS] words [SEP] without masks, each word mapped to its first token (+1 for [CLS]). Sentences longer than T - 2
 * tokens, or whose words do not map to tokens, are left out.
 */
export function buildSyntaxSet(
  pairs: readonly (ToySentence & { attractor: boolean; kind: string })[],
  tokenizer: { encode(text: string): { ids: ArrayLike<number> } },
  T: number,
  perGroup = SYNTAX_SENTENCES_PER_GROUP,
): SyntaxSet {
  const group = (p: { attractor: boolean; kind: string }) => (p.kind === 'orc' ? 2 : p.attractor ? 1 : 0);
  const taken = [0, 0, 0];
  const rows: { ids: number[]; sentence: ToySentence; starts: number[] }[] = [];
  for (const p of pairs) {
    const g = group(p);
    if (taken[g] >= perGroup) continue;
    const ids = Array.from(tokenizer.encode(p.words.join(' ')).ids);
    const starts = wordStarts(p.words, tokenizer);
    if (!starts || ids.length > T - 2 || ids.includes(SPECIAL_IDS.unk)) continue;
    taken[g]++;
    rows.push({ ids, sentence: p, starts: starts.map((x) => x + 1) });
  }
  const count = rows.length;
  const ids = new Int32Array(count * T).fill(SPECIAL_IDS.pad);
  const valid = new Int32Array(count * T);
  const units = Object.fromEntries(SYNTAX_RELATIONS.map((r) => [r.id, [] as SyntaxUnit[]])) as SyntaxSet['units'];
  rows.forEach((r, s) => {
    const seq = [SPECIAL_IDS.cls, ...r.ids, SPECIAL_IDS.sep];
    seq.forEach((id, t) => {
      ids[s * T + t] = id;
      valid[s * T + t] = 1;
    });
    const u = sentenceUnits(r.sentence, r.starts, s);
    for (const def of SYNTAX_RELATIONS) units[def.id].push(...u[def.id]);
  });
  return { T, count, ids, valid, lengths: rows.map((r) => r.ids.length + 2), units };
}

/**
 * The most-attended token of query i in one attention row (keys 0..n-1 of `row` starting at `offset`), leaving out
 * [CLS] (0), [SEP] (n - 1) and i itself; the first of equal maxima. -1 when nothing is left.
 */
export function attendedToken(row: ArrayLike<number>, offset: number, n: number, i: number): number {
  let best = -1;
  let bestP = -Infinity;
  for (let j = 1; j < n - 1; j++) {
    if (j === i) continue;
    const p = row[offset + j];
    if (p > bestP) {
      bestP = p;
      best = j;
    }
  }
  return best;
}

/**
 * Most-attended tokens of every query of the syntax set, per layer and head: table[((l * NH + h) * count + s) * T + i].
 * Filled a chunk of rows at a time from attention laid out as the engine's (B, NH, T, T) per layer.
 */
export class AttendedTable {
  readonly table: Int16Array;

  constructor(
    readonly L: number,
    readonly NH: number,
    readonly set: Pick<SyntaxSet, 'count' | 'T' | 'lengths'>,
  ) {
    this.table = new Int16Array(L * NH * set.count * set.T).fill(-1);
  }

  /** Rows s0 .. s0 + rows - 1 of layer `layer` from its (B >= rows, NH, T, T) attention. */
  add(layer: number, s0: number, rows: number, att: ArrayLike<number>): void {
    const { T, count, lengths } = this.set;
    for (let b = 0; b < rows; b++) {
      const s = s0 + b;
      const n = lengths[s];
      for (let h = 0; h < this.NH; h++)
        for (let i = 1; i < n - 1; i++)
          this.table[((layer * this.NH + h) * count + s) * T + i] = attendedToken(
            att,
            ((b * this.NH + h) * T + i) * T,
            n,
            i,
          );
    }
  }

  at(layer: number, head: number, s: number, i: number): number {
    return this.table[((layer * this.NH + head) * this.set.count + s) * this.set.T + i];
  }
}

export interface RelationScore {
  id: SyntaxRelationId;
  /** Words scored. */
  units: number;
  /** The best fixed offset (always attend to i + offset) and its score. */
  offset: { offset: number; score: number };
  /** "Attend to the nearest noun on the left" (verb → subject only). */
  nearestNoun?: number;
  /** The best single head. */
  head: HeadRef & { score: number };
  /** The best chain of heads in consecutive layers, lowest layer first (two or more heads; none with one layer). */
  path?: { hops: HeadRef[]; score: number };
}

/**
 * Each head's best relation: the one it beats the baselines by most, or, when it beats none, the one it lands on
 * most often.
 */
export interface HeadBest extends HeadRef {
  relation: SyntaxRelationId;
  score: number;
  syntactic: boolean;
}

/** What an evaluation keeps of the syntax scores (EvalPoint.syntax): a few KB. */
export interface SyntaxScores {
  sentences: number;
  margin: number;
  relations: RelationScore[];
  heads: HeadBest[];
  /**
   * When asked for (the CLI): one relation's score for every head (layer-major) and every two-head path of
   * consecutive layers ("1·1 → 2·2" labels), to follow a fixed head or path over time.
   */
  detail?: { relation: SyntaxRelationId; heads: Record<string, number>; paths: Record<string, number> };
}

/** The better of the two baselines of a relation's score. */
export const baselineOf = (r: Pick<RelationScore, 'offset' | 'nearestNoun'>): number =>
  Math.max(r.offset.score, r.nearestNoun ?? 0);

/** Whether a score beats both baselines of a relation by the margin. */
export const beatsBaselines = (
  score: number,
  r: Pick<RelationScore, 'offset' | 'nearestNoun'>,
  margin = SYNTAX_MARGIN,
) => score >= baselineOf(r) + margin - 1e-12;

/** Share of units an offset (or the nearest noun) gets right, and the best offset. */
export function positionalBaselines(
  units: readonly SyntaxUnit[],
  T: number,
): Pick<RelationScore, 'offset' | 'nearestNoun'> {
  let offset = { offset: -1, score: 0 };
  if (units.length > 0) {
    for (let o = -(T - 1); o <= T - 1; o++) {
      if (o === 0) continue;
      const score = units.filter((u) => u.to.includes(u.from + o)).length / units.length;
      if (score > offset.score) offset = { offset: o, score };
    }
  }
  const near = units.length > 0 ? units.filter((u) => u.to.includes(u.nearestNoun)).length / units.length : 0;
  return { offset, nearestNoun: near };
}

/** Follows a chain of heads (lowest layer first) from a token: the top head first, down to the lowest. */
function trace(table: AttendedTable, hops: readonly HeadRef[], s: number, from: number): number {
  let at = from;
  for (let k = hops.length - 1; k >= 0 && at >= 0; k--) at = table.at(hops[k].layer, hops[k].head, s, at);
  return at;
}

function chainScore(table: AttendedTable, units: readonly SyntaxUnit[], hops: readonly HeadRef[]): number {
  if (units.length === 0) return 0;
  let right = 0;
  for (const u of units) if (u.to.includes(trace(table, hops, u.s, u.from))) right++;
  return right / units.length;
}

/** Better: higher score, then fewer hops, then lower layers and heads (a stable order). */
function better(a: { hops: HeadRef[]; score: number }, b: { hops: HeadRef[]; score: number } | undefined): boolean {
  if (!b) return true;
  if (a.score !== b.score) return a.score > b.score;
  if (a.hops.length !== b.hops.length) return a.hops.length < b.hops.length;
  return pathLabel(a.hops) < pathLabel(b.hops);
}

/** The best chain of two or more heads for one relation: all pairs of consecutive layers, then longer by a beam. */
function bestPath(table: AttendedTable, units: readonly SyntaxUnit[]): { hops: HeadRef[]; score: number } | undefined {
  const { L, NH } = table;
  let beam: { hops: HeadRef[]; score: number }[] = [];
  for (let l = 0; l + 1 < L; l++)
    for (let h1 = 0; h1 < NH; h1++)
      for (let h2 = 0; h2 < NH; h2++) {
        const hops = [
          { layer: l, head: h1 },
          { layer: l + 1, head: h2 },
        ];
        beam.push({ hops, score: chainScore(table, units, hops) });
      }
  let best: { hops: HeadRef[]; score: number } | undefined;
  for (let k = 2; beam.length > 0; k++) {
    for (const c of beam) if (better(c, best)) best = c;
    if (k >= L) break;
    beam.sort((a, b) => (better(a, b) ? -1 : 1));
    const next = new Map<string, { hops: HeadRef[]; score: number }>();
    for (const c of beam.slice(0, PATH_BEAM)) {
      const low = c.hops[0].layer;
      const high = c.hops[c.hops.length - 1].layer;
      for (let h = 0; h < NH; h++) {
        if (low > 0) {
          const hops = [{ layer: low - 1, head: h }, ...c.hops];
          next.set(pathLabel(hops), { hops, score: 0 });
        }
        if (high + 1 < L) {
          const hops = [...c.hops, { layer: high + 1, head: h }];
          next.set(pathLabel(hops), { hops, score: 0 });
        }
      }
    }
    beam = [...next.values()].map((c) => ({ ...c, score: chainScore(table, units, c.hops) }));
  }
  return best;
}

/** Every relation's best head and path with its baselines, and every head's best relation. */
export function scoreSyntax(
  set: SyntaxSet,
  table: AttendedTable,
  margin = SYNTAX_MARGIN,
  detail?: SyntaxRelationId,
): SyntaxScores {
  const { L, NH } = table;
  const relations: RelationScore[] = [];
  const perHead: { relation: SyntaxRelationId; score: number; excess: number }[][] = Array.from(
    { length: L * NH },
    () => [],
  );
  for (const def of SYNTAX_RELATIONS) {
    const units = set.units[def.id];
    if (units.length === 0) continue;
    const base = positionalBaselines(units, set.T);
    const r: RelationScore = {
      id: def.id,
      units: units.length,
      offset: base.offset,
      ...(def.nearestNoun ? { nearestNoun: base.nearestNoun } : {}),
      head: { layer: 0, head: 0, score: -1 },
    };
    for (let l = 0; l < L; l++)
      for (let h = 0; h < NH; h++) {
        const score = chainScore(table, units, [{ layer: l, head: h }]);
        if (score > r.head.score) r.head = { layer: l, head: h, score };
        // The attractor subset repeats verb → subject; a head's best relation is chosen among the others.
        if (!def.attractorOnly) perHead[l * NH + h].push({ relation: def.id, score, excess: score - baselineOf(r) });
      }
    const path = L > 1 ? bestPath(table, units) : undefined;
    if (path) r.path = path;
    relations.push(r);
  }
  const heads: HeadBest[] = [];
  perHead.forEach((list, i) => {
    const beats = list.some((x) => x.excess > 0);
    const key = (x: (typeof list)[number]) => (beats ? x.excess : x.score);
    const top = list.reduce<(typeof list)[number] | undefined>((a, b) => (!a || key(b) > key(a) ? b : a), undefined);
    if (!top) return;
    heads.push({
      layer: Math.floor(i / NH),
      head: i % NH,
      relation: top.relation,
      score: top.score,
      syntactic: top.excess >= margin - 1e-12,
    });
  });
  return {
    sentences: set.count,
    margin,
    relations: relations.map(roundRelation),
    heads: heads.map(roundHead),
    ...(detail ? { detail: detailOf(set, table, detail) } : {}),
  };
}

/** Every head's and every two-head path's score for one relation (SyntaxScores.detail). */
function detailOf(set: SyntaxSet, table: AttendedTable, relation: SyntaxRelationId): SyntaxScores['detail'] {
  const units = set.units[relation];
  const heads: Record<string, number> = {};
  const paths: Record<string, number> = {};
  for (let l = 0; l < table.L; l++)
    for (let h = 0; h < table.NH; h++) {
      const hop = { layer: l, head: h };
      heads[headLabel(hop)] = r4(chainScore(table, units, [hop]));
      if (l + 1 < table.L)
        for (let h2 = 0; h2 < table.NH; h2++) {
          const hops = [hop, { layer: l + 1, head: h2 }];
          paths[pathLabel(hops)] = r4(chainScore(table, units, hops));
        }
    }
  return { relation, heads, paths };
}

/** Scores kept to 4 decimals: shares of a few hundred words need no more, and saved runs stay small. */
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
const roundHead = (h: HeadBest): HeadBest => ({ ...h, score: r4(h.score) });
function roundRelation(r: RelationScore): RelationScore {
  return {
    ...r,
    offset: { offset: r.offset.offset, score: r4(r.offset.score) },
    ...(r.nearestNoun !== undefined ? { nearestNoun: r4(r.nearestNoun) } : {}),
    head: { ...r.head, score: r4(r.head.score) },
    ...(r.path ? { path: { hops: r.path.hops, score: r4(r.path.score) } } : {}),
  };
}

/** "1·2": layer 1, head 2, counted from 1 as the page shows them. */
export const headLabel = (h: HeadRef): string => `${h.layer + 1}·${h.head + 1}`;
/** "1·1 → 2·2": a chain of heads, lowest layer first (the order information flows in). */
export const pathLabel = (hops: readonly HeadRef[]): string => hops.map(headLabel).join(' → ');

/** Whether the relation's best single head or best path beats both baselines by the margin at this evaluation. */
export function relationSyntactic(s: SyntaxScores, id: SyntaxRelationId): { head: boolean; path: boolean } {
  const r = s.relations.find((x) => x.id === id);
  if (!r) return { head: false, path: false };
  return {
    head: beatsBaselines(r.head.score, r, s.margin),
    path: r.path !== undefined && beatsBaselines(r.path.score, r, s.margin),
  };
}

/**
 * The syntax onset: the first evaluation where a head or a path for verb → subject beats both baselines by the
 * margin on the sentences with an attractor; null when none did.
 */
export function syntaxOnsetStep(evals: readonly { step: number; syntax?: SyntaxScores }[]): number | null {
  const e = [...evals]
    .sort((a, b) => a.step - b.step)
    .find((x) => {
      if (!x.syntax) return false;
      const v = relationSyntactic(x.syntax, ONSET_RELATION);
      return v.head || v.path;
    });
  return e ? e.step : null;
}

/** One relation in the CLI's JSON: best head and path by their labels, scores and baselines. */
export function syntaxJson(s: SyntaxScores): Record<string, unknown> {
  return Object.fromEntries(
    s.relations.map((r) => [
      r.id,
      {
        units: r.units,
        best_head: headLabel(r.head),
        head_score: r.head.score,
        best_path: r.path ? pathLabel(r.path.hops) : null,
        path_score: r.path?.score ?? null,
        offset_baseline: r.offset,
        nearest_noun_baseline: r.nearestNoun ?? null,
        syntactic: (({ head, path }) => head || path)(relationSyntactic(s, r.id)),
      },
    ]),
  );
}

/** A row of the page's table: a head, or a chain of heads, and the relation it tracks best at one evaluation. */
export interface SyntaxRow {
  hops: HeadRef[];
  relation: SyntaxRelationId;
  score: number;
  /** The better of the relation's two baselines. */
  baseline: number;
  syntactic: boolean;
}

/**
 * The table at one evaluation: every head with the relation it beats the baselines by most, then the paths that do
 * better on some relation than its best single head and beat both baselines by the margin (best first).
 */
export function syntaxRows(s: SyntaxScores): SyntaxRow[] {
  const rel = new Map(s.relations.map((r) => [r.id, r]));
  const heads = s.heads.map((h) => ({
    hops: [{ layer: h.layer, head: h.head }],
    relation: h.relation,
    score: h.score,
    baseline: rel.has(h.relation) ? baselineOf(rel.get(h.relation)!) : 0,
    syntactic: h.syntactic,
  }));
  const paths = s.relations
    .filter((r) => r.path && r.path.score > r.head.score && beatsBaselines(r.path.score, r, s.margin))
    .map((r) => ({
      hops: r.path!.hops,
      relation: r.id,
      score: r.path!.score,
      baseline: baselineOf(r),
      syntactic: true,
    }))
    .sort((a, b) => b.score - b.baseline - (a.score - a.baseline));
  return [...heads, ...paths];
}

// ------------------------------------------------------------------------------------------- the probe sentence

/**
 * The words of a probe sequence's tokens ([CLS] ... [SEP]) and the token each word starts at: word-level tokens are
 * words; WordPiece pieces after the first carry "##"; characters are grouped between spaces.
 */
export function probeWords(tokens: readonly string[], kind: TokenizerKind): { words: string[]; starts: number[] } {
  const words: string[] = [];
  const starts: number[] = [];
  // Characters: whether the next character continues the current word.
  let inWord = false;
  for (let t = 1; t < tokens.length - 1; t++) {
    const tok = tokens[t];
    if (kind === 'char' && tok.trim() === '') {
      inWord = false;
      continue;
    }
    const glue = kind === 'wordpiece' ? tok.startsWith('##') : kind === 'char' ? inWord && tok !== MASK_WORD : false;
    if (glue && words.length > 0) words[words.length - 1] += kind === 'wordpiece' ? tok.slice(2) : tok;
    else {
      words.push(tok);
      starts.push(t);
    }
    inWord = kind === 'char' && tok !== MASK_WORD;
  }
  return { words, starts };
}

/** The probe sentence's gold arcs in token positions, when it is a sentence of the toy language (else undefined). */
export function probeParse(
  tokens: readonly string[],
  kind: TokenizerKind,
): { sentence: ToySentence; starts: number[]; units: Record<SyntaxRelationId, SyntaxUnit[]> } | undefined {
  const { words, starts } = probeWords(tokens, kind);
  const sentence = parseToySentence(words);
  if (!sentence) return undefined;
  return { sentence, starts, units: sentenceUnits(sentence, starts, 0) };
}

/**
 * A chain of heads (one head: a chain of one) traced on the probe's attention (L * NH * n * n, row = query): the
 * tokens visited from `from`, the top head first.
 */
export function traceProbe(
  attention: ArrayLike<number>,
  NH: number,
  n: number,
  hops: readonly HeadRef[],
  from: number,
): number[] {
  const out = [from];
  let at = from;
  for (let k = hops.length - 1; k >= 0 && at >= 0; k--) {
    at = attendedToken(attention, ((hops[k].layer * NH + hops[k].head) * n + at) * n, n, at);
    if (at >= 0) out.push(at);
  }
  return out;
}

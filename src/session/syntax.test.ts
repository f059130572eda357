// Head scores on hand-made attention: a head that attends to the gold target scores 1, a previous-token head scores
// the i-1 baseline exactly, a previous-token head then a head to the word after the subject scores 1 as a path and 0
// as single heads; deeper models chain further; the probe sentence's words, arcs and traced hops.
import { describe, expect, it } from 'vitest';
import { generateToyLanguage } from '../data/toyLanguage';
import { trainWordLevel } from '../data/wordLevel';
import {
  AttendedTable,
  attendedToken,
  buildSyntaxSet,
  pathLabel,
  positionalBaselines,
  probeParse,
  probeWords,
  scoreSyntax,
  SYNTAX_MARGIN,
  SYNTAX_RELATIONS,
  syntaxJson,
  syntaxOnsetStep,
  syntaxRows,
  traceProbe,
  type SyntaxRelationId,
  type SyntaxSet,
} from './syntax';

const toy = generateToyLanguage({ sentences: 2000, seed: 3, pairsPerKind: 40 });
const tok = trainWordLevel(toy.text, { vocabSize: 200 });
const T = 20;
const set = buildSyntaxSet(toy.pairs, tok, T, 40);

/** Attention of L layers (count, NH, T, T) where query i of head h in layer l puts all its weight on target(l, h, s, i). */
function attention(
  s: SyntaxSet,
  L: number,
  NH: number,
  target: (l: number, h: number, sentence: number, i: number) => number,
): Float32Array[] {
  return Array.from({ length: L }, (_, l) => {
    const a = new Float32Array(s.count * NH * T * T);
    for (let b = 0; b < s.count; b++)
      for (let h = 0; h < NH; h++)
        for (let i = 0; i < s.lengths[b]; i++) {
          const j = target(l, h, b, i);
          if (j >= 0 && j < s.lengths[b]) a[((b * NH + h) * T + i) * T + j] = 1;
        }
    return a;
  });
}

function tableOf(s: SyntaxSet, att: Float32Array[], NH: number): AttendedTable {
  const table = new AttendedTable(att.length, NH, s);
  att.forEach((a, l) => table.add(l, 0, s.count, a));
  return table;
}

/** Target of each scored word of a relation, by sentence and token. */
function goldTargets(id: SyntaxRelationId): Map<string, number> {
  return new Map(set.units[id].map((u) => [`${u.s}:${u.from}`, u.to[0]]));
}

describe('syntax set', () => {
  it('holds each group of held-out sentences unmasked, [CLS] first and [SEP] last, with units for every relation', () => {
    expect(set.count).toBe(120);
    for (let s = 0; s < set.count; s++) {
      expect(set.ids[s * T]).toBe(2);
      expect(set.ids[s * T + set.lengths[s] - 1]).toBe(3);
      expect(Array.from(set.ids.subarray(s * T, s * T + set.lengths[s]))).not.toContain(4);
    }
    for (const r of SYNTAX_RELATIONS) expect(set.units[r.id].length, r.id).toBeGreaterThan(10);
  });

  it('the attractor subset is where the nearest noun on the left is not the subject: that baseline scores 0 there', () => {
    const attractor = positionalBaselines(set.units.verb_subject_attractor, T);
    expect(attractor.nearestNoun).toBe(0);
    // Object relative clauses and attractor pairs give one main verb each.
    expect(set.units.verb_subject_attractor.length).toBe(80);
    // Over all verbs, bare subjects and relative-clause verbs make the nearest noun right most of the time.
    expect(positionalBaselines(set.units.verb_subject, T).nearestNoun).toBeGreaterThan(0.5);
  });
});

describe('head scores', () => {
  it('a head that attends to the gold target scores 1 on every relation', () => {
    for (const r of SYNTAX_RELATIONS) {
      const gold = goldTargets(r.id);
      const att = attention(set, 1, 1, (_l, _h, s, i) => gold.get(`${s}:${i}`) ?? i);
      const scores = scoreSyntax(set, tableOf(set, att, 1));
      const rel = scores.relations.find((x) => x.id === r.id)!;
      expect(rel.head, r.id).toEqual({ layer: 0, head: 0, score: 1 });
    }
  });

  it('a head that attends to i - 1 scores the i - 1 baseline exactly, and is not syntactic', () => {
    const att = attention(set, 1, 2, (_l, h, _s, i) => (h === 0 ? i - 1 : i + 1));
    const scores = scoreSyntax(set, tableOf(set, att, 2));
    for (const rel of scores.relations) {
      const units = set.units[rel.id];
      const prev = units.filter((u) => u.to.includes(u.from - 1)).length / units.length;
      const next = units.filter((u) => u.to.includes(u.from + 1)).length / units.length;
      expect(rel.head.score, rel.id).toBeCloseTo(Math.max(prev, next), 4);
      if (rel.offset.offset === -1) expect(rel.head.score).toBe(rel.offset.score);
    }
    // Determiners and adjectives: the offset baseline is +1 or more and the i + 1 head scores it exactly.
    const det = scores.relations.find((r) => r.id === 'noun_det')!;
    expect(det.offset.offset).toBe(-1);
    expect(det.head).toMatchObject({ layer: 0, head: 0, score: det.offset.score });
    expect(scores.heads.every((h) => !h.syntactic)).toBe(true);
  });

  it('[CLS], [SEP] and the token itself never count as the most-attended token', () => {
    const row = [0.5, 0.1, 0.6, 0.2, 0.9];
    // n = 5: [CLS] = 0, [SEP] = 4; query 2 attends most to itself.
    expect(attendedToken(row, 0, 5, 2)).toBe(3);
    expect(attendedToken([0, 0, 0, 0], 0, 4, 1)).toBe(2);
    expect(attendedToken([1, 1, 1], 0, 3, 1)).toBe(-1);
  });
});

describe('two-hop paths', () => {
  // Layer 1 head 1 attends to the previous token; layer 2 head 2 sends each main verb with an attractor to the word
  // after its subject ("near" in "the dogs near the cat run"); the other heads attend to the next token.
  const afterSubject = new Map(set.units.verb_subject_attractor.map((u) => [`${u.s}:${u.from}`, u.to[0] + 1]));
  const att = attention(set, 2, 2, (l, h, s, i) =>
    l === 0 && h === 0 ? i - 1 : l === 1 && h === 1 ? (afterSubject.get(`${s}:${i}`) ?? i) : i + 1,
  );
  const scores = scoreSyntax(set, tableOf(set, att, 2), SYNTAX_MARGIN, 'verb_subject_attractor');
  const rel = scores.relations.find((r) => r.id === 'verb_subject_attractor')!;

  it('a previous-token head then a head to the word after the subject scores 1 as a path and 0 as single heads', () => {
    expect(rel.path).toEqual({
      hops: [
        { layer: 0, head: 0 },
        { layer: 1, head: 1 },
      ],
      score: 1,
    });
    expect(pathLabel(rel.path!.hops)).toBe('1·1 → 2·2');
    expect(rel.head.score).toBe(0);
    expect(rel.nearestNoun).toBe(0);
    expect(rel.offset.score).toBeLessThan(1 - SYNTAX_MARGIN);
    // Every head and two-head path, to follow one over time.
    expect(scores.detail?.heads).toEqual({ '1·1': 0, '1·2': 0, '2·1': 0, '2·2': 0 });
    expect(scores.detail?.paths['1·1 → 2·2']).toBe(1);
    expect(Object.keys(scores.detail!.paths)).toHaveLength(4);
  });

  it("the table lists every head, then the path that beats its relation's best single head", () => {
    const rows = syntaxRows(scores);
    expect(rows.slice(0, 4).map((r) => pathLabel(r.hops))).toEqual(['1·1', '1·2', '2·1', '2·2']);
    const path = rows.find((r) => r.hops.length === 2 && r.relation === 'verb_subject_attractor');
    expect(path).toMatchObject({ score: 1, syntactic: true, baseline: rel.offset.score });
    // The previous-token head (1·1) is listed with a relation whose gold partner is mostly the word before.
    const units = set.units[rows[0].relation];
    expect(units.filter((u) => u.to.includes(u.from - 1)).length / units.length).toBeGreaterThan(0.5);
  });

  it('the onset is the first evaluation where a head or a path beats both baselines on attractor sentences', () => {
    const flat = scoreSyntax(
      set,
      tableOf(
        set,
        attention(set, 2, 2, (_l, _h, _s, i) => i + 1),
        2,
      ),
    );
    expect(syntaxOnsetStep([{ step: 0, syntax: flat }])).toBeNull();
    expect(syntaxOnsetStep([{ step: 500, syntax: scores }, { step: 0, syntax: flat }, { step: 250 }])).toBe(500);
    const json = syntaxJson(scores).verb_subject_attractor as Record<string, unknown>;
    expect(json).toMatchObject({ best_path: '1·1 → 2·2', path_score: 1, head_score: 0, syntactic: true });
  });

  it('deeper models chain further: three previous-token hops from a head two words past the subject', () => {
    const twoAfter = new Map(set.units.verb_subject_attractor.map((u) => [`${u.s}:${u.from}`, u.to[0] + 2]));
    const deep = attention(set, 3, 1, (l, _h, s, i) => (l < 2 ? i - 1 : (twoAfter.get(`${s}:${i}`) ?? i)));
    const r = scoreSyntax(set, tableOf(set, deep, 1)).relations.find((x) => x.id === 'verb_subject_attractor')!;
    expect(r.path && pathLabel(r.path.hops)).toBe('1·1 → 2·1 → 3·1');
    expect(r.path?.score).toBe(1);
  });
});

describe('the probe sentence', () => {
  it('reads words from WordPiece, word-level and character tokens', () => {
    const wp = ['[CLS]', 'the', 'fox', '##es', 'near', 'the', 'cat', '[MASK]', '.', '[SEP]'];
    expect(probeWords(wp, 'wordpiece')).toEqual({
      words: ['the', 'foxes', 'near', 'the', 'cat', '[MASK]', '.'],
      starts: [1, 2, 4, 5, 6, 7, 8],
    });
    const chars = ['[CLS]', ...'the cat'.split(''), ' ', '[MASK]', ' ', '.', '[SEP]'];
    expect(probeWords(chars, 'char')).toEqual({ words: ['the', 'cat', '[MASK]', '.'], starts: [1, 5, 9, 11] });
    expect(probeWords(['[CLS]', 'the', 'dog', 'runs', '[SEP]'], 'word').starts).toEqual([1, 2, 3]);
  });

  it('gives a toy sentence its arcs in token positions and traces a chain of heads on its attention', () => {
    const tokens = ['[CLS]', 'the', 'fox', '##es', 'near', 'the', 'cat', '[MASK]', '.', '[SEP]'];
    const p = probeParse(tokens, 'wordpiece')!;
    expect(p.units.verb_subject_attractor).toEqual([{ s: 0, from: 7, to: [2], nearestNoun: 6 }]);
    expect(probeParse(['[CLS]', 'once', 'upon', '[SEP]'], 'word')).toBeUndefined();
    // Layer 1: previous token; layer 2: the [MASK] attends to "near" (4).
    const n = tokens.length;
    const att = new Float32Array(2 * n * n);
    for (let i = 1; i < n; i++) att[i * n + i - 1] = 1;
    att[n * n + 7 * n + 4] = 1;
    const hops = [
      { layer: 0, head: 0 },
      { layer: 1, head: 0 },
    ];
    // From the [MASK] to "near", then to "##es": the subject's last piece, not its first, which the scores count.
    expect(traceProbe(att, 1, n, hops, 7)).toEqual([7, 4, 3]);
    // [CLS] is never a hop's end: from the first word the previous-token head goes elsewhere.
    expect(traceProbe(att, 1, n, [{ layer: 0, head: 0 }], 1)[1]).not.toBe(0);
  });
});

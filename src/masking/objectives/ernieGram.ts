// ERNIE-Gram's explicitly n-gram masked language modeling (Xiao et al. 2021): a masked n-gram found in an n-gram
// vocabulary drawn from the training split becomes ONE [MASK] (the row is shortened, as in the paper) and is
// predicted as one class among tokens and n-grams together; masked n-grams outside the vocabulary fall back to
// token-by-token prediction. Also the n-gram vocabulary itself: word n-grams ranked by a t-test, as the paper's.
import type { Encoding } from '../../data/types';
import { gatherSelected, corruptWithSplit, type Objective } from '../objective';
import { num } from '../params';
import { REFS } from '../papers';
import { wordText } from '../pmiLexicon';
import { specialMask } from '../sampling';
import { Tag, type CorpusTable, type MaskedBatch, type VocabInfo } from '../types';

declare module '../types' {
  interface ObjectiveIds {
    'ernie-gram': true;
  }
}

/** One n-gram of the vocabulary: its tokens' ids joined by ',', its words for display, its count and t-score. */
export interface NgramEntry {
  key: string;
  text: string;
  count: number;
  score: number;
}

export interface NgramVocabularyOptions {
  /** Entries kept at most (the head's n-gram classes). */
  size: number;
  /** An n-gram enters only if seen at least this often in the training split. */
  minCount: number;
  /** Longest n-gram, in words (a single word made of two or more tokens is an n-gram of its tokens). */
  maxWords: number;
}

/**
 * The n-gram vocabulary: target class V + g is entry g. Built from the training split only (fromTrainingSplit).
 * A masked unit whose tokens form an entry is predicted as that class; any other falls back to its tokens.
 */
export class NgramVocabulary implements CorpusTable {
  private readonly byKey: Map<string, number>;

  constructor(
    readonly entries: readonly NgramEntry[],
    readonly V: number,
    readonly options: NgramVocabularyOptions,
  ) {
    this.byKey = new Map(entries.map((e, g) => [e.key, g]));
  }

  /** The entry index of the tokens ids[start, end), or -1. */
  index(ids: ArrayLike<number>, start: number, end: number): number {
    let key = String(ids[start]);
    for (let i = start + 1; i < end; i++) key += ',' + ids[i];
    return this.byKey.get(key) ?? -1;
  }

  className(target: number): string | undefined {
    return this.entries[target - this.V]?.text;
  }

  get summary(): string {
    const e = this.entries;
    if (e.length === 0)
      return `No n-gram of the training split occurs ${this.options.minCount} times or more: every masked n-gram falls back to its tokens. Lower the minimum count.`;
    const top = e.slice(0, 8).map((x) => `“${x.text}”`);
    return `${e.length.toLocaleString('en-US')} n-grams of the training split are classes of their own (at most ${this.options.size.toLocaleString('en-US')}), e.g. ${top.join(', ')}: a masked one becomes one [MASK] and is predicted whole; other masked n-grams are predicted token by token.`;
  }
}

/** Words of an encoding: [start, end) token ranges (one word id, or one token of word id -1); -1 entries break. */
function wordsOf(enc: Encoding, special: Uint8Array): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  const { ids, wordIds } = enc;
  for (let i = 0; i < ids.length;) {
    let j = i + 1;
    if (!special[ids[i]]) while (j < ids.length && wordIds[i] >= 0 && wordIds[j] === wordIds[i]) j++;
    out.push(special[ids[i]] ? { start: -1, end: -1 } : { start: i, end: j });
    i = j;
  }
  return out;
}

/**
 * Word n-grams (1..maxWords adjacent words, at least two tokens) of the training split, counted level by level (an
 * n-gram only when both its (n-1)-word halves are frequent, as the PMI lexicon does), scored by ERNIE-Gram's t-test
 * of "the n-gram is its tokens by chance": t = (f - mu0) / sqrt(f / N), f its frequency among the N tokens, mu0 the
 * product of its tokens' frequencies; the `size` best with at least `minCount` occurrences are kept.
 */
export function buildNgramVocabulary(
  encodings: Iterable<Encoding>,
  vocab: VocabInfo,
  o: NgramVocabularyOptions,
): NgramVocabulary {
  const special = specialMask(vocab);
  const tokenCount = new Float64Array(vocab.size);
  let N = 0;
  // Words as indices of their token sequences; sequences of word indices (-1: a break).
  const wordIndex = new Map<string, number>();
  const wordTokens: number[][] = [];
  const seqs: Int32Array[] = [];
  for (const enc of encodings) {
    for (const id of enc.ids) {
      if (special[id]) continue;
      tokenCount[id]++;
      N++;
    }
    const seq = wordsOf(enc, special).map((w) => {
      if (w.start < 0) return -1;
      const toks = Array.from(enc.ids.subarray(w.start, w.end));
      const key = toks.join(',');
      let k = wordIndex.get(key);
      if (k === undefined) wordIndex.set(key, (k = wordTokens.push(toks) - 1));
      return k;
    });
    seqs.push(Int32Array.from(seq));
  }
  const counts = new Map<string, number>();
  const wordCount = new Float64Array(wordTokens.length);
  for (const s of seqs) for (const w of s) if (w >= 0) wordCount[w]++;
  wordTokens.forEach((t, w) => {
    if (t.length >= 2 && wordCount[w] >= o.minCount) counts.set(String(w), wordCount[w]);
  });
  let prev = seqs.map((s) => Array.from(s, (w) => (w >= 0 && wordCount[w] >= o.minCount ? String(w) : null)));
  for (let n = 2; n <= o.maxWords; n++) {
    const level = new Map<string, number>();
    const keys = seqs.map((s, si) =>
      Array.from({ length: Math.max(0, s.length - n + 1) }, (_, i) => {
        const a = prev[si][i];
        if (a === null || prev[si][i + 1] === null) return null;
        const key = a + ' ' + s[i + n - 1];
        level.set(key, (level.get(key) ?? 0) + 1);
        return key;
      }),
    );
    for (const [k, c] of level) if (c >= o.minCount) counts.set(k, c);
    prev = keys.map((row) => row.map((k) => (k !== null && (level.get(k) ?? 0) >= o.minCount ? k : null)));
  }
  const scored = [...counts].map(([k, c]) => {
    const words = k.split(' ').map(Number);
    const toks = words.flatMap((w) => wordTokens[w]);
    const f = c / N;
    const mu0 = toks.reduce((p, id) => p * (tokenCount[id] / N), 1);
    const texts = words.map((w) => wordText(vocab, wordTokens[w], 0, wordTokens[w].length));
    // Words join with a space, except where a word is itself whitespace (character tokenizers).
    const text = texts.reduce((s, w, i) => (i > 0 && w.trim() && texts[i - 1].trim() ? `${s} ${w}` : s + w), '');
    return { key: toks.join(','), text, count: c, score: (f - mu0) / Math.sqrt(f / N) };
  });
  scored.sort((a, b) => b.score - a.score || b.count - a.count || (a.key < b.key ? -1 : 1));
  return new NgramVocabulary(scored.slice(0, o.size), vocab.size, o);
}

/**
 * One row shortened as ERNIE-Gram's input: each masked unit (a run of selected tokens of one strategy unit) whose
 * tokens are an entry of the vocabulary becomes one [MASK] with target V + g; other selected tokens keep their
 * corruption and their own token as target; the rest of the row moves up and padding fills its end. Every
 * per-position array of the batch is rewritten in that frame; returns the target of each new position (-1: none).
 */
function collapseRow(mb: MaskedBatch, b: number, table: NgramVocabulary, maskId: number, padId: number): Int32Array {
  const { T } = mb;
  const lo = b * T;
  const row = <A extends Int32Array | Uint8Array>(a: A) => a.slice(lo, lo + T) as A;
  const src = {
    ids: row(mb.inputIds),
    orig: row(mb.originalIds),
    valid: row(mb.valid),
    tags: row(mb.tags),
    selected: row(mb.selected),
    units: row(mb.units),
  };
  const target = new Int32Array(T).fill(-1);
  let out = 0;
  const put = (ids: number, orig: number, valid: number, tag: number, sel: number, unit: number, tg: number) => {
    mb.inputIds[lo + out] = ids;
    mb.originalIds[lo + out] = orig;
    mb.valid[lo + out] = valid;
    mb.tags[lo + out] = tag;
    mb.selected[lo + out] = sel;
    mb.units[lo + out] = unit;
    target[out++] = tg;
  };
  const copy = (t: number, tg: number) =>
    put(src.ids[t], src.orig[t], src.valid[t], src.tags[t], src.selected[t], src.units[t], tg);
  for (let t = 0; t < T;) {
    if (!src.selected[t]) {
      copy(t++, -1);
      continue;
    }
    let e = t + 1;
    while (e < T && src.selected[e] && src.units[e] === src.units[t]) e++;
    const g = e - t >= 2 ? table.index(src.orig, t, e) : -1;
    if (g >= 0) put(maskId, src.orig[t], 1, Tag.MASKED, 1, src.units[t], table.V + g);
    else for (let k = t; k < e; k++) copy(k, src.orig[k]);
    t = e;
  }
  while (out < T) put(padId, padId, 0, Tag.UNTOUCHED, 0, -1, -1);
  return target;
}

export const ernieGramObjective: Objective = {
  id: 'ernie-gram',
  name: 'Explicitly n-gram MLM (ERNIE-Gram)',
  explanation:
    'Whole n-grams are masked, and an n-gram found in an n-gram vocabulary drawn from the training text becomes a ' +
    'single [MASK] (the row gets shorter): the model names the n-gram as one choice among all tokens and n-grams, ' +
    'instead of guessing its tokens one by one without knowing how many there are. Masked n-grams outside the ' +
    'vocabulary are predicted token by token, as in MLM. Xiao et al. (2021) report that ERNIE-Gram beat XLNet and ' +
    'RoBERTa on 19 English and Chinese tasks with BERT-base-size models (12 layers, width 768) pre-trained on large ' +
    'corpora; those results are for their full method, which adds comprehensive n-gram prediction and a generator ' +
    'that MaskLab does not implement. A toy run shows the head learning the frequent phrases of its text and its ' +
    'own loss falling; it cannot show those downstream gains, and its own loss is not comparable with MLM’s (other ' +
    'targets, more classes): compare runs with the shared probe.',
  references: [REFS.erniegram],
  params: [
    {
      key: 'ngramVocab',
      label: 'N-gram vocabulary size',
      kind: 'integer',
      default: 1000,
      min: 1,
      max: 20000,
      help: 'How many n-grams of the training split become classes of their own (the best by their t-test score); the output layer has V + this many rows.',
    },
    {
      key: 'ngramMinCount',
      label: 'N-gram vocabulary: minimum count',
      kind: 'integer',
      default: 3,
      min: 1,
      max: 1000,
      help: 'An n-gram must occur at least this often in the training split to enter the vocabulary.',
    },
    {
      key: 'ngramWords',
      label: 'Longest n-gram (words)',
      kind: 'integer',
      default: 3,
      min: 1,
      max: 5,
      help: 'Longest n-gram of the vocabulary, in words; a single word of several tokens counts as an n-gram of its tokens.',
    },
  ],
  core: false,
  defaultStrategy: 'ngram',
  strategies: ['ngram', 'pmi'],
  causal: false,
  head: 'ernie-gram',
  evaluation: 'classes',
  heads: (vocab, _T, params) => [
    {
      name: 'n-gram',
      kind: 'ernie-gram',
      classes: vocab.size + num(params, 'ngramVocab'),
      targets: 'gathered',
      lossWeight: 1,
    },
  ],
  fromTrainingSplit: (train, vocab, params) =>
    buildNgramVocabulary(train, vocab, {
      size: num(params, 'ngramVocab'),
      minCount: num(params, 'ngramMinCount'),
      maxWords: num(params, 'ngramWords'),
    }),
  corruptRow(row, sel, env) {
    corruptWithSplit(row, sel, env, env.split, env.splitPer, env.replacement);
  },
  targets(mb, env) {
    const table = env.table;
    if (!(table instanceof NgramVocabulary))
      throw new Error(
        'objective "ernie-gram" needs its n-gram vocabulary, built from the training split (Objective.fromTrainingSplit)',
      );
    const { mask, pad } = env.vocab.specialIds;
    const target = new Int32Array(mb.B * mb.T);
    for (let b = 0; b < mb.B; b++) target.set(collapseRow(mb, b, table, mask, pad), b * mb.T);
    mb.gathered = gatherSelected(mb, env.capacity, env.vocab.size + num(env.params, 'ngramVocab'), (i) => target[i]);
  },
};

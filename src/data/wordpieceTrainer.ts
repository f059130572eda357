// WordPiece vocabulary training: a port of Hugging Face's WordPieceTrainer (its BPE trainer with a "##"
// continuation prefix), made deterministic: words are visited in order of first appearance instead of hash order.

import {
  bertNormalize,
  bertPreTokenize,
  splitSpecialTokens,
  DEFAULT_BERT_NORMALIZER,
  type BertNormalizerOptions,
} from './bert';
import { SPECIAL_TOKENS } from './types';
import { WordPieceTokenizer } from './wordpiece';

export interface TrainProgress {
  phase: 'count' | 'alphabet' | 'merge' | 'done';
  /** 0..1 within the phase. */
  fraction: number;
  message: string;
}

export interface WordPieceTrainOptions {
  /** Target vocabulary size including the 5 special tokens (HF vocab_size). */
  vocabSize: number;
  /** Merges of pairs seen fewer times than this are not made (HF min_frequency, default 0). */
  minFrequency?: number;
  /** Keep only this many most frequent characters in the initial alphabet (HF limit_alphabet). */
  limitAlphabet?: number;
  normalizer?: BertNormalizerOptions;
  maxInputCharsPerWord?: number;
  onProgress?: (p: TrainProgress) => void;
}

const PREFIX = '##';

/** Word frequencies after BERT normalization and pre-tokenization, in order of first appearance. */
export function countWords(
  text: string,
  normalizer: BertNormalizerOptions = DEFAULT_BERT_NORMALIZER,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const piece of splitSpecialTokens(text)) {
    if (piece.special >= 0) continue;
    for (const w of bertPreTokenize(bertNormalize(piece.text, normalizer))) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return counts;
}

/** Trains a WordPiece tokenizer on a text. */
export function trainWordPiece(text: string, options: WordPieceTrainOptions): WordPieceTokenizer {
  const normalizer = options.normalizer ?? DEFAULT_BERT_NORMALIZER;
  options.onProgress?.({ phase: 'count', fraction: 0, message: 'Counting words' });
  const counts = countWords(text, normalizer);
  const vocab = trainWordPieceVocab(counts, options);
  options.onProgress?.({ phase: 'done', fraction: 1, message: `Vocabulary of ${vocab.length} tokens` });
  return new WordPieceTokenizer({ vocab, normalizer, maxInputCharsPerWord: options.maxInputCharsPerWord });
}

/**
 * The vocabulary (tokens by id) HF's trainer builds from word counts: special tokens, the alphabet in code point
 * order, "##"-prefixed characters in order of first use, then one token per merge, most frequent pair first (ties:
 * the pair with the smaller ids). `initialOrder` (tests only) fixes the order of the non-special initial tokens,
 * e.g. to the order a HF run happened to produce, which makes the result comparable token for token.
 */
export function trainWordPieceVocab(
  counts: Map<string, number>,
  options: WordPieceTrainOptions,
  initialOrder?: readonly string[],
): string[] {
  const { vocabSize, minFrequency = 0, onProgress } = options;
  const idToWord: string[] = [...SPECIAL_TOKENS];
  const wordToId = new Map<string, number>(idToWord.map((t, i) => [t, i]));
  const add = (t: string): number => {
    let id = wordToId.get(t);
    if (id === undefined) {
      id = idToWord.length;
      idToWord.push(t);
      wordToId.set(t, id);
    }
    return id;
  };

  // 2. Alphabet: every character, weighted by word counts; optionally only the most frequent ones.
  const alphabet = new Map<number, number>();
  for (const [w, c] of counts)
    for (const ch of w) {
      const cp = ch.codePointAt(0)!;
      alphabet.set(cp, (alphabet.get(cp) ?? 0) + c);
    }
  let kept = [...alphabet.entries()];
  if (options.limitAlphabet !== undefined && kept.length > options.limitAlphabet) {
    kept.sort((a, b) => a[1] - b[1] || b[0] - a[0]);
    kept = kept.slice(kept.length - options.limitAlphabet);
  }
  kept.sort((a, b) => a[0] - b[0]);
  const allowed = new Set(kept.map(([cp]) => String.fromCodePoint(cp)));
  if (initialOrder) for (const t of initialOrder) add(t);
  for (const ch of allowed) add(ch);
  onProgress?.({ phase: 'alphabet', fraction: 1, message: `Alphabet of ${allowed.size} characters` });

  // 3. Words as symbol ids: first character plain, the others with the continuation prefix.
  const words: number[][] = [];
  const wordCounts: number[] = [];
  for (const [w, c] of counts) {
    const syms: number[] = [];
    let first = true;
    for (const ch of w) {
      if (allowed.has(ch)) syms.push(add(first ? ch : PREFIX + ch));
      first = false;
    }
    words.push(syms);
    wordCounts.push(c);
  }

  // 4. Pair counts and where each pair occurs.
  const pairCounts = new Map<number, number>();
  let where = new Map<number, Set<number>>();
  words.forEach((syms, i) => {
    for (let j = 0; j + 1 < syms.length; j++) {
      const p = pairKey(syms[j], syms[j + 1]);
      pairCounts.set(p, (pairCounts.get(p) ?? 0) + wordCounts[i]);
      let s = where.get(p);
      if (!s) where.set(p, (s = new Set()));
      s.add(i);
    }
  });
  const queue = new MergeQueue();
  for (const [pair, pos] of where) {
    const count = pairCounts.get(pair)!;
    if (count > 0) queue.push({ pair, count, pos });
  }
  where = new Map();

  // 5. Merges until the vocabulary is big enough or nothing is left to merge.
  const target = Math.max(vocabSize, 0);
  const startSize = idToWord.length;
  let merges = 0;
  while (idToWord.length < target && queue.size > 0) {
    const top = queue.pop()!;
    const current = pairCounts.get(top.pair)!;
    if (top.count !== current) {
      top.count = current;
      queue.push(top);
      continue;
    }
    if (top.count < 1 || minFrequency > top.count) break;
    const a = Math.floor(top.pair / PAIR_SHIFT);
    const b = top.pair % PAIR_SHIFT;
    let partB = idToWord[b];
    if (partB.startsWith(PREFIX)) partB = partB.slice(PREFIX.length);
    const newId = add(idToWord[a] + partB);
    merges++;

    for (const iw of top.pos) {
      const syms = words[iw];
      const c = wordCounts[iw];
      mergeWord(syms, a, b, newId, (pair, change) => {
        pairCounts.set(pair, (pairCounts.get(pair) ?? 0) + change * c);
        if (change > 0) {
          let s = where.get(pair);
          if (!s) where.set(pair, (s = new Set()));
          s.add(iw);
        }
      });
    }
    for (const [pair, pos] of where) {
      const count = pairCounts.get(pair)!;
      if (count > 0) queue.push({ pair, count, pos });
    }
    where.clear();
    if (onProgress && merges % 256 === 0) {
      const fraction = Math.min(1, (idToWord.length - startSize) / Math.max(1, target - startSize));
      onProgress({ phase: 'merge', fraction, message: `${idToWord.length} of ${target} tokens` });
    }
  }
  return idToWord;
}

/** Pairs of ids packed in one number, ordered as (a, b) tuples compare. */
const PAIR_SHIFT = 2 ** 24;
function pairKey(a: number, b: number): number {
  return a * PAIR_SHIFT + b;
}

/** HF Word::merge: replaces every (c1, c2) left to right and reports pair-count changes around each merge. */
function mergeWord(
  syms: number[],
  c1: number,
  c2: number,
  rep: number,
  change: (pair: number, delta: number) => void,
): void {
  for (let i = 0; i < syms.length; i++) {
    if (syms[i] === c1 && i + 1 < syms.length && syms[i + 1] === c2) {
      if (i > 0) {
        change(pairKey(syms[i - 1], c1), -1);
        change(pairKey(syms[i - 1], rep), 1);
      }
      syms.splice(i, 2, rep);
      if (i < syms.length - 1) {
        change(pairKey(c2, syms[i + 1]), -1);
        change(pairKey(rep, syms[i + 1]), 1);
      }
    }
  }
}

interface Merge {
  pair: number;
  count: number;
  pos: Set<number>;
}

/** Max-heap on count, then the smaller pair first (HF's Merge ordering). */
class MergeQueue {
  private heap: Merge[] = [];

  get size(): number {
    return this.heap.length;
  }

  private above(x: Merge, y: Merge): boolean {
    return x.count !== y.count ? x.count > y.count : x.pair < y.pair;
  }

  push(m: Merge): void {
    const h = this.heap;
    h.push(m);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.above(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  pop(): Merge | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < h.length && this.above(h[l], h[best])) best = l;
        if (r < h.length && this.above(h[r], h[best])) best = r;
        if (best === i) break;
        [h[i], h[best]] = [h[best], h[i]];
        i = best;
      }
    }
    return top;
  }
}

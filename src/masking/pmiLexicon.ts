// PMI collocation lexicon (Levine et al. 2021): word n-grams of the training corpus scored by PMI_n, and the
// segmentation of a sequence into lexicon units (longest match wins when entries nest, random pick on overlap).
import type { Encoding } from '../data/types';
import type { Rng } from '../data/rng';
import { specialMask } from './sampling';
import type { RowView } from './row';
import type { PmiEntry, PmiLexicon, VocabInfo } from './types';

export interface PmiLexiconOptions {
  /** An n-gram enters only if seen at least this often (paper: 10; lower it for small corpora). */
  minCount?: number;
  /** Entries kept in all (about 1/2 bigrams, 1/4 trigrams, 1/8 4-grams, 1/8 5-grams). */
  size?: number;
  /** Longest n-gram, 2..5. */
  maxN?: number;
}

const SHARE: Record<number, number> = { 2: 1 / 2, 3: 1 / 4, 4: 1 / 8, 5: 1 / 8 };

/** Display form of a word made of pieces: continuation prefixes removed. */
export function wordText(vocab: VocabInfo, ids: ArrayLike<number>, start: number, end: number): string {
  const prefix = vocab.continuationPrefix ?? '';
  let s = '';
  for (let i = start; i < end; i++) {
    const tok = vocab.tokens[ids[i]] ?? '';
    s += prefix && tok.startsWith(prefix) ? tok.slice(prefix.length) : tok;
  }
  return s;
}

function pieceKey(ids: ArrayLike<number>, start: number, end: number): string {
  let k = String(ids[start]);
  for (let i = start + 1; i < end; i++) k += ',' + ids[i];
  return k;
}

const WORDLIKE = /[\p{L}\p{N}]/u;

/**
 * Builds the lexicon from tokenized corpus text (encodings without [CLS]/[SEP], as Tokenizer.encode gives them).
 * N-grams never cross punctuation or special tokens. Counting is level by level: an n-gram is counted only when
 * its two (n-1)-word halves are frequent, which keeps memory small. Only entries with PMI_n > 0 are kept.
 */
export function buildPmiLexicon(
  encodings: Iterable<Encoding>,
  vocab: VocabInfo,
  options: PmiLexiconOptions = {},
): PmiLexicon {
  const minCount = options.minCount ?? 10;
  const size = options.size ?? 1000;
  const maxN = options.maxN ?? 5;
  if (!(maxN >= 2 && maxN <= 5) || !Number.isInteger(maxN))
    throw new Error(`PMI lexicon: maxN must be 2..5, got ${maxN}`);
  if (!(minCount >= 1)) throw new Error(`PMI lexicon: minCount must be >= 1, got ${minCount}`);
  const special = specialMask(vocab);

  // 1. Corpus as sequences of word indices (-1 = a break: punctuation or a special token).
  const wordIndex = new Map<string, number>();
  const wordKeys: string[] = [];
  const wordTexts: string[] = [];
  const seqs: Int32Array[] = [];
  for (const enc of encodings) {
    const out: number[] = [];
    const { ids, wordIds } = enc;
    let i = 0;
    while (i < ids.length) {
      let j = i + 1;
      while (j < ids.length && wordIds[i] >= 0 && wordIds[j] === wordIds[i]) j++;
      let isBreak = false;
      for (let t = i; t < j; t++) if (special[ids[t]]) isBreak = true;
      const text = isBreak ? '' : wordText(vocab, ids, i, j);
      if (isBreak || !WORDLIKE.test(text)) {
        out.push(-1);
      } else {
        const key = pieceKey(ids, i, j);
        let w = wordIndex.get(key);
        if (w === undefined) {
          w = wordKeys.length;
          wordIndex.set(key, w);
          wordKeys.push(key);
          wordTexts.push(text);
        }
        out.push(w);
      }
      i = j;
    }
    seqs.push(Int32Array.from(out));
  }

  // 2. Counts: unigrams in an array, n-grams (2..maxN) in maps keyed by word indices joined with ' '.
  const unigram = new Float64Array(wordKeys.length);
  const windows = new Float64Array(maxN + 1); // windows[n]: n-gram positions in the corpus (probability denominators)
  for (const s of seqs)
    for (const w of s)
      if (w >= 0) {
        unigram[w]++;
        windows[1]++;
      }
  const frequent: Map<string, number>[] = [];
  let prevKeys: (string | null)[][] = seqs.map((s) =>
    Array.from(s, (w) => (w >= 0 && unigram[w] >= minCount ? String(w) : null)),
  );
  for (let n = 2; n <= maxN; n++) {
    const counts = new Map<string, number>();
    const keys: (string | null)[][] = [];
    for (let si = 0; si < seqs.length; si++) {
      const s = seqs[si];
      const prev = prevKeys[si];
      const cur: (string | null)[] = new Array(Math.max(0, s.length - n + 1)).fill(null);
      for (let i = 0; i + n <= s.length; i++) {
        let ok = true;
        for (let m = 0; m < n; m++) if (s[i + m] < 0) ok = false;
        if (!ok) continue;
        windows[n]++;
        const a = prev[i];
        const b = prev[i + 1];
        if (a === null || b === null) continue; // an (n-1)-word half is rare, so this n-gram is rare too
        const key = a + ' ' + s[i + n - 1];
        counts.set(key, (counts.get(key) ?? 0) + 1);
        cur[i] = key;
      }
      keys.push(cur);
    }
    const freq = new Map<string, number>();
    for (const [k, c] of counts) if (c >= minCount) freq.set(k, c);
    frequent[n] = freq;
    prevKeys = keys.map((arr) => arr.map((k) => (k !== null && freq.has(k) ? k : null)));
  }

  // 3. PMI_n = min over cuts into >= 2 contiguous parts of log p(ngram) - sum log p(part).
  const logP = (words: number[], a: number, b: number): number => {
    const len = b - a;
    const c = len === 1 ? unigram[words[a]] : (frequent[len].get(words.slice(a, b).join(' ')) ?? 0);
    return Math.log(c / windows[len]);
  };
  const scored: PmiEntry[][] = [];
  for (let n = 2; n <= maxN; n++) {
    const list: PmiEntry[] = [];
    for (const [k, c] of frequent[n]) {
      const words = k.split(' ').map(Number);
      const whole = Math.log(c / windows[n]);
      let best = Infinity;
      for (let mask = 1; mask < 1 << (n - 1); mask++) {
        let sum = 0;
        let a = 0;
        for (let cut = 1; cut <= n; cut++) {
          if (cut === n || mask & (1 << (cut - 1))) {
            sum += logP(words, a, cut);
            a = cut;
          }
        }
        best = Math.min(best, whole - sum);
      }
      if (best > 0) {
        list.push({
          text: words.map((w) => wordTexts[w]).join(' '),
          n,
          count: c,
          score: best,
          key: words.map((w) => wordKeys[w]).join(' '),
        });
      }
    }
    list.sort((x, y) => y.score - x.score || y.count - x.count || (x.text < y.text ? -1 : 1));
    scored[n] = list;
  }

  // 4. Keep the best of each length by quota; quota a length cannot fill goes to the others, shortest first.
  const lengths = [...Array(maxN - 1).keys()].map((i) => i + 2);
  const shareSum = lengths.reduce((a, n) => a + SHARE[n], 0);
  const take = new Map<number, number>();
  let left = size;
  for (const n of lengths) {
    const q = Math.min(scored[n].length, Math.floor((size * SHARE[n]) / shareSum));
    take.set(n, q);
    left -= q;
  }
  for (const n of lengths) {
    const extra = Math.min(left, scored[n].length - (take.get(n) ?? 0));
    take.set(n, (take.get(n) ?? 0) + extra);
    left -= extra;
  }
  const entries: PmiEntry[] = [];
  for (const n of lengths) entries.push(...scored[n].slice(0, take.get(n)));
  return { entries, byKey: new Map(entries.map((e) => [e.key, e])), maxN, minCount, corpusWords: windows[1] };
}

/** A unit of a row: words [start, end) of row.words. */
export interface WordRange {
  start: number;
  end: number;
}

/**
 * Splits a row's words into PMI units. Lexicon matches contained in a longer match are dropped (longest wins);
 * matches that still overlap are taken in random order, each kept if it overlaps none kept so far; every other
 * word is a unit of its own. Returns the units in order of position.
 */
export function segmentRow(row: RowView, lexicon: PmiLexicon, rng: Rng): WordRange[] {
  const W = row.words.length;
  const keys = row.words.map((w) => pieceKey(row.ids, w.start, w.end));
  const matches: WordRange[] = [];
  for (let i = 0; i < W; i++) {
    let key = keys[i];
    for (let n = 2; n <= lexicon.maxN && i + n <= W; n++) {
      if (row.words[i + n - 2].end !== row.words[i + n - 1].start) break;
      key += ' ' + keys[i + n - 1];
      if (lexicon.byKey.has(key)) matches.push({ start: i, end: i + n });
    }
  }
  const outer = matches.filter(
    (m) => !matches.some((o) => o !== m && o.start <= m.start && m.end <= o.end && o.end - o.start > m.end - m.start),
  );
  rng.shuffle(outer);
  const owner = new Int32Array(W).fill(-1);
  const chosen: WordRange[] = [];
  for (const m of outer) {
    let free = true;
    for (let w = m.start; w < m.end; w++) if (owner[w] >= 0) free = false;
    if (!free) continue;
    for (let w = m.start; w < m.end; w++) owner[w] = chosen.length;
    chosen.push(m);
  }
  const units: WordRange[] = [];
  for (let w = 0; w < W;) {
    if (owner[w] >= 0) {
      const m = chosen[owner[w]];
      units.push(m);
      w = m.end;
    } else {
      units.push({ start: w, end: w + 1 });
      w++;
    }
  }
  return units;
}

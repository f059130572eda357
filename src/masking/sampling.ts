// Draws masking needs on top of src/data/rng.ts: categorical laws (clipped geometric span lengths, 1/n n-gram
// sizes), random replacement tokens (uniform or corpus unigram), and per-vocabulary lookups cached per VocabInfo.
import type { Rng } from '../data/rng';
import type { ReplacementLaw, VocabInfo } from './types';

/** A discrete law over 0..k-1 given by non-negative weights; draws by binary search on the cumulative sum. */
export class Categorical {
  readonly probs: Float64Array;
  /** Cumulative probabilities (the last is exactly 1); the scale-up export writes them out for Python. */
  readonly cdf: Float64Array;

  constructor(weights: ArrayLike<number>) {
    const k = weights.length;
    if (k === 0) throw new Error('Categorical: no outcomes');
    let total = 0;
    for (let i = 0; i < k; i++) {
      const w = weights[i];
      if (!(w >= 0) || !Number.isFinite(w))
        throw new Error(`Categorical: weight ${i} is ${w}, expected a finite number >= 0`);
      total += w;
    }
    if (!(total > 0)) throw new Error('Categorical: all weights are 0');
    this.probs = new Float64Array(k);
    this.cdf = new Float64Array(k);
    let acc = 0;
    for (let i = 0; i < k; i++) {
      this.probs[i] = weights[i] / total;
      acc += weights[i];
      this.cdf[i] = acc / total;
    }
    this.cdf[k - 1] = 1;
  }

  draw(rng: Rng): number {
    const u = rng.float();
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (u < this.cdf[mid]) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** SpanBERT's span-length law: P(l) ∝ p (1-p)^(l-1) for l = 1..maxLen (index l-1). */
export function clippedGeometric(p: number, maxLen: number): Categorical {
  if (!(p > 0 && p <= 1)) throw new Error(`geometric p must be in (0, 1], got ${p}`);
  if (!(maxLen >= 1) || !Number.isInteger(maxLen))
    throw new Error(`max span length must be an integer >= 1, got ${maxLen}`);
  const w = new Float64Array(maxLen);
  for (let l = 1; l <= maxLen; l++) w[l - 1] = p * Math.pow(1 - p, l - 1);
  return new Categorical(w);
}

/** ALBERT's n-gram size law: P(n) ∝ 1/n for n = 1..maxN (index n-1). */
export function inverseNLaw(maxN: number): Categorical {
  let law = inverseCache.get(maxN);
  if (!law) {
    const w = new Float64Array(maxN);
    for (let n = 1; n <= maxN; n++) w[n - 1] = 1 / n;
    inverseCache.set(maxN, (law = new Categorical(w)));
  }
  return law;
}
const inverseCache = new Map<number, Categorical>();

const specialCache = new WeakMap<VocabInfo, Uint8Array>();

/** 1 for the ids of special tokens ([PAD] [UNK] [CLS] [SEP] [MASK]), 0 otherwise; length V. */
export function specialMask(vocab: VocabInfo): Uint8Array {
  let m = specialCache.get(vocab);
  if (!m) {
    m = new Uint8Array(vocab.size);
    const s = vocab.specialIds;
    for (const id of [s.pad, s.unk, s.cls, s.sep, s.mask]) {
      if (id >= 0 && id < vocab.size) m[id] = 1;
    }
    specialCache.set(vocab, m);
  }
  return m;
}

/** Draws random replacement tokens among the non-special ids, uniformly or by corpus frequency. */
export class ReplacementSampler {
  private readonly ids: Int32Array;
  private readonly law: Categorical | null;

  private constructor(ids: Int32Array, law: Categorical | null) {
    this.ids = ids;
    this.law = law;
  }

  /** A token different from `avoid` when the vocabulary allows it (so "replaced" always changes the token). */
  draw(rng: Rng, avoid = -1): number {
    let id = this.drawOnce(rng);
    for (let tries = 0; id === avoid && tries < 64; tries++) id = this.drawOnce(rng);
    return id;
  }

  private drawOnce(rng: Rng): number {
    return this.ids[this.law ? this.law.draw(rng) : rng.int(this.ids.length)];
  }

  /** The sampler for a vocabulary and law, built once per VocabInfo object. */
  static for(vocab: VocabInfo, law: ReplacementLaw): ReplacementSampler {
    let perVocab = samplerCache.get(vocab);
    if (!perVocab) {
      perVocab = new Map();
      samplerCache.set(vocab, perVocab);
    }
    let s = perVocab.get(law);
    if (!s) {
      s = ReplacementSampler.build(vocab, law);
      perVocab.set(law, s);
    }
    return s;
  }

  private static build(vocab: VocabInfo, law: ReplacementLaw): ReplacementSampler {
    const special = specialMask(vocab);
    const ids: number[] = [];
    for (let id = 0; id < vocab.size; id++) if (!special[id]) ids.push(id);
    if (ids.length === 0) throw new Error('random replacement needs at least one non-special token in the vocabulary');
    if (law === 'uniform') return new ReplacementSampler(Int32Array.from(ids), null);
    const counts = vocab.unigramCounts;
    if (!counts || counts.length !== vocab.size) {
      throw new Error('unigram replacement needs vocab.unigramCounts (one corpus count per id)');
    }
    // Add-one smoothing keeps every non-special token possible.
    const w = ids.map((id) => Math.max(0, counts[id]) + 1);
    return new ReplacementSampler(Int32Array.from(ids), new Categorical(w));
  }
}

const samplerCache = new WeakMap<VocabInfo, Map<ReplacementLaw, ReplacementSampler>>();

/** A 32-bit hash of a row's real tokens: static masks seed each sequence's generator with it. */
export function hashTokens(ids: ArrayLike<number>, valid: ArrayLike<number>): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < ids.length; i++) {
    if (!valid[i]) continue;
    h = Math.imul(h ^ (ids[i] + 1), 0x01000193);
    h = Math.imul(h ^ (i & 0xffff), 0x01000193);
  }
  return h >>> 0;
}

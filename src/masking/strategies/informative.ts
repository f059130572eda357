// Rare-token masking (id 'informative', kept for saved links): rare tokens are masked more often than frequent
// ones, each with a probability from -log corpus frequency averaging r. A simple baseline, NOT InforMask (which
// scores tokens by PMI with their context); MASKING.md part 1, item 6.
import { budget, finishUnits } from '../row';
import { bernoulliCapacity, budgetCapacity, type Strategy } from '../strategy';
import { REFS } from '../papers';
import { num, rateParam, replacementParam, splitParams, str } from '../params';
import type { VocabInfo } from '../types';

export const informativeStrategy: Strategy = {
  id: 'informative',
  name: 'Rare-token masking (frequency baseline)',
  explanation:
    'Masking "the" or "of" teaches little: they are easy to guess. Here every token gets its own masking ' +
    'probability from how rare it is in the corpus (-log frequency), scaled so that on average the rate is still ' +
    'r: rare words are hidden more often, frequent function words less. This is a simple frequency baseline, not ' +
    'InforMask: Sadeq et al. (2022) score each token by its PMI with the rest of the sentence and mask the most ' +
    'informative ones, which MaskLab does not implement. No paper measured this baseline; treat any toy result as ' +
    'yours alone.',
  references: [REFS.informask],
  params: [
    rateParam(0.15),
    {
      key: 'sharpness',
      label: 'Sharpness',
      kind: 'number',
      default: 1,
      min: 0,
      max: 4,
      step: 0.1,
      help: 'Weights are (-log frequency)^sharpness: 0 gives plain random masking, higher values favour rare tokens more.',
    },
    {
      key: 'counting',
      label: 'Counting',
      kind: 'choice',
      default: 'bernoulli',
      options: [
        { value: 'bernoulli', label: 'per-token probability (mean r over the corpus)' },
        { value: 'exact', label: 'exact: K = round(r n) per sequence, drawn by weight' },
      ],
      help: "Bernoulli uses each token's own probability; exact picks K tokens per sequence with chances proportional to their weights.",
    },
    ...splitParams(0.8, 0.1),
    replacementParam('uniform'),
  ],
  needs: ['unigramCounts'],
  splitPer: () => 'token',
  replacement: (p) => (str(p, 'replacement') === 'unigram' ? 'unigram' : 'uniform'),
  capacity(p, T, rMax) {
    // A sequence of only rare tokens can exceed r; allow twice the mean before truncating.
    return str(p, 'counting') === 'bernoulli' ? bernoulliCapacity(T, Math.min(1, 2 * rMax)) : budgetCapacity(T, rMax);
  },
  select(row, sel, env) {
    const sharp = num(env.params, 'sharpness');
    if (str(env.params, 'counting') === 'bernoulli') {
      const prob = informativeProbabilities(env.vocab, env.rate, sharp);
      for (const t of row.candidates) if (env.rng.float() < prob[row.ids[t]]) sel.selected[t] = 1;
    } else {
      // Weighted sampling without replacement (Efraimidis-Spirakis): keep the K largest u^(1/w).
      const w = informationWeights(env.vocab, sharp);
      const k = Math.min(budget(env.rate, row.n), env.capacity);
      const keyed = Array.from(row.candidates, (t) => ({ t, key: Math.log(env.rng.float() + 1e-300) / w[row.ids[t]] }));
      keyed.sort((a, b) => b.key - a.key || a.t - b.t);
      for (let i = 0; i < k; i++) sel.selected[keyed[i].t] = 1;
    }
    for (const t of row.candidates) sel.units[t] = t;
    finishUnits(row, sel.units);
  },
};

const weightCache = new WeakMap<VocabInfo, Map<number, Float64Array>>();
const probCache = new WeakMap<VocabInfo, Map<string, Float64Array>>();

/** w(id) = (-log p(id))^sharpness with add-one smoothed corpus frequencies, normalized to mean 1 over the corpus. */
export function informationWeights(vocab: VocabInfo, sharpness: number): Float64Array {
  let perVocab = weightCache.get(vocab);
  if (!perVocab) weightCache.set(vocab, (perVocab = new Map()));
  let w = perVocab.get(sharpness);
  if (w) return w;
  const counts = vocab.unigramCounts;
  if (!counts || counts.length !== vocab.size)
    throw new Error('informative strategy needs vocab.unigramCounts (one corpus count per id)');
  const V = vocab.size;
  let total = 0;
  for (let i = 0; i < V; i++) total += Math.max(0, counts[i]);
  w = new Float64Array(V);
  let mean = 0;
  for (let i = 0; i < V; i++) {
    w[i] = Math.pow(-Math.log((Math.max(0, counts[i]) + 1) / (total + V)), sharpness);
    mean += Math.max(0, counts[i]) * w[i];
  }
  mean = total > 0 ? mean / total : 1;
  for (let i = 0; i < V; i++) w[i] = mean > 0 ? w[i] / mean : 1;
  perVocab.set(sharpness, w);
  return w;
}

/**
 * p(id) = min(1, s * r * w(id)) with s found by bisection so that the corpus-weighted mean of p is r
 * (s = 1 unless some probabilities hit 1).
 */
export function informativeProbabilities(vocab: VocabInfo, rate: number, sharpness: number): Float64Array {
  let perVocab = probCache.get(vocab);
  if (!perVocab) probCache.set(vocab, (perVocab = new Map()));
  const key = `${rate}/${sharpness}`;
  let p = perVocab.get(key);
  if (p) return p;
  const w = informationWeights(vocab, sharpness);
  const counts = vocab.unigramCounts as ArrayLike<number>;
  let total = 0;
  for (let i = 0; i < w.length; i++) total += Math.max(0, counts[i]);
  const meanAt = (s: number) => {
    let m = 0;
    for (let i = 0; i < w.length; i++) m += Math.max(0, counts[i]) * Math.min(1, s * rate * w[i]);
    return total > 0 ? m / total : Math.min(1, s * rate);
  };
  let lo = 1;
  let hi = 1;
  if (rate > 0 && meanAt(1) < rate - 1e-12) {
    while (meanAt(hi) < rate - 1e-12 && hi < 1e9) hi *= 2;
    for (let it = 0; it < 60; it++) {
      const mid = (lo + hi) / 2;
      if (meanAt(mid) < rate) lo = mid;
      else hi = mid;
    }
  }
  p = new Float64Array(w.length);
  for (let i = 0; i < w.length; i++) p[i] = rate >= 1 ? 1 : Math.min(1, hi * rate * w[i]);
  if (perVocab.size > 64) perVocab.clear(); // schedules change the rate every step: keep the cache small
  perVocab.set(key, p);
  return p;
}

// SpanBERT masking: the clipped geometric length law (chi-square), run lengths on long text, one
// [MASK]/random/keep draw per span, unigram replacement, and n-gram sizes following ALBERT's 1/n law.
import { describe, expect, it } from 'vitest';
import { Rng } from '../data/rng';
import type { Batch } from '../data/types';
import { applyMasking } from './apply';
import { Categorical, inverseNLaw } from './sampling';
import { spanLengthLaw } from './strategies/span';
import { MaskStats } from './stats';
import { randomBatch, testVocab } from './testkit';
import { Tag, type VocabInfo } from './types';

const vocab = testVocab();

/** Chi-square statistic of observed counts against a law's probabilities. */
function chiSquare(counts: number[], law: Categorical): number {
  const total = counts.reduce((a, b) => a + b, 0);
  let x2 = 0;
  counts.forEach((c, i) => {
    const e = total * law.probs[i];
    x2 += ((c - e) * (c - e)) / e;
  });
  return x2;
}

/** B rows of T single-piece words between [CLS] and [SEP]. */
function longRows(B: number, T: number, seed: number): Batch {
  const r = Rng.from(seed);
  const ids = new Int32Array(B * T);
  const wordIds = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      ids[b * T + t] = 5 + r.int(40);
      wordIds[b * T + t] = t - 1;
    }
    ids[b * T] = vocab.specialIds.cls;
    wordIds[b * T] = -1;
    ids[b * T + T - 1] = vocab.specialIds.sep;
    wordIds[b * T + T - 1] = -1;
  }
  return { B, T, ids, wordIds, valid: new Int32Array(B * T).fill(1) };
}

describe('span lengths', () => {
  it('the length sampler follows P(l) ∝ p(1-p)^(l-1) on 1..10 (chi-square, 9 dof)', () => {
    const law = spanLengthLaw(0.2, 10);
    const counts = new Array(10).fill(0);
    const rng = Rng.from(17);
    for (let i = 0; i < 20000; i++) counts[law.draw(rng)]++;
    // 27.88 is the 0.999 quantile of chi-square with 9 degrees of freedom.
    expect(chiSquare(counts, law)).toBeLessThan(27.88);
    let mean = 0;
    law.probs.forEach((p, i) => (mean += p * (i + 1)));
    expect(mean).toBeCloseTo(3.797, 2);
  });

  it('maximal runs of masked words on long text follow the law (per-bin within 0.03, mean within 0.25)', () => {
    const batch = longRows(100, 1024, 5);
    const stats = new MaskStats(vocab);
    stats.add(
      applyMasking({ strategy: 'span', objective: 'mlm', strategyParams: { rate: 0.05 } }, batch, {
        vocab,
        rng: Rng.from(3),
      }),
      batch,
    );
    const s = stats.summary();
    const law = spanLengthLaw(0.2, 10);
    const total = Object.values(s.span_length_words_histogram).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(1000);
    for (let l = 1; l <= 10; l++) {
      const frac = (s.span_length_words_histogram[String(l)] ?? 0) / total;
      expect(Math.abs(frac - law.probs[l - 1]), `length ${l}: ${frac} vs ${law.probs[l - 1]}`).toBeLessThan(0.03);
    }
    expect(Math.abs(s.mean_span_length_words - 3.797)).toBeLessThan(0.25);
    // Runs longer than 10 words come only from merged neighbours: rare.
    const long = Object.entries(s.span_length_words_histogram)
      .filter(([l]) => Number(l) > 10)
      .reduce((a, [, c]) => a + c, 0);
    expect(long / total).toBeLessThan(0.01);
  });

  it('a shorter maximum and a larger p give shorter spans', () => {
    const batch = longRows(40, 512, 6);
    const run = (params: Record<string, number>) => {
      const stats = new MaskStats(vocab);
      stats.add(
        applyMasking({ strategy: 'span', objective: 'mlm', strategyParams: { rate: 0.05, ...params } }, batch, {
          vocab,
          rng: Rng.from(1),
        }),
        batch,
      );
      return stats.summary();
    };
    const max3 = run({ maxSpan: 3 });
    const hist = Object.entries(max3.span_length_words_histogram);
    const total = hist.reduce((a, [, c]) => a + c, 0);
    const over3 = hist.filter(([l]) => Number(l) > 3).reduce((a, [, c]) => a + c, 0);
    expect(over3 / total).toBeLessThan(0.03); // only merged neighbours exceed the maximum
    expect(max3.mean_span_length_words).toBeLessThan(2.3);
    expect(run({ p: 0.6 }).mean_span_length_words).toBeLessThan(2);
  });
});

describe('span replacement', () => {
  it('draws [MASK] / random / keep once per span', () => {
    const data = Rng.from(8);
    const rng = Rng.from(9);
    let spans = 0;
    for (let i = 0; i < 20; i++) {
      const batch = randomBatch(data, 8, 128, 100);
      const mb = applyMasking({ strategy: 'span', objective: 'mlm' }, batch, { vocab, rng });
      for (let b = 0; b < batch.B; b++) {
        const lo = b * batch.T;
        const tagOfUnit = new Map<number, number>();
        for (let t = 0; t < batch.T; t++) {
          if (!mb.selected[lo + t]) continue;
          const u = mb.units[lo + t];
          const tag = mb.tags[lo + t];
          expect(tag).not.toBe(Tag.UNTOUCHED);
          if (!tagOfUnit.has(u)) spans++;
          expect(tagOfUnit.get(u) ?? tag).toBe(tag);
          tagOfUnit.set(u, tag);
          // A unit is a maximal run: its neighbours are unselected.
          if (t > 0 && !mb.selected[lo + t - 1]) expect(u).not.toBe(mb.units[lo + t - 1]);
        }
      }
    }
    expect(spans).toBeGreaterThan(500);
  });

  it('draws random tokens from the corpus unigram law by default, uniformly when asked', () => {
    const counts = new Float64Array(vocab.size).fill(1);
    const king = vocab.tokens.indexOf('king');
    counts[king] = 1e6;
    const skewed: VocabInfo = { ...vocab, unigramCounts: counts };
    const batch = randomBatch(Rng.from(10), 16, 128, 100);
    const shareOfKing = (replacement: string) => {
      let replaced = 0;
      let kings = 0;
      const rng = Rng.from(11);
      for (let i = 0; i < 10; i++) {
        const mb = applyMasking(
          { strategy: 'span', objective: 'mlm', strategyParams: { maskFrac: 0, randomFrac: 1, replacement } },
          batch,
          { vocab: skewed, rng },
        );
        for (let j = 0; j < mb.tags.length; j++) {
          if (mb.tags[j] !== Tag.REPLACED) continue;
          replaced++;
          if (mb.inputIds[j] === king) kings++;
        }
      }
      return kings / replaced;
    };
    expect(shareOfKing('unigram')).toBeGreaterThan(0.9);
    expect(shareOfKing('uniform')).toBeLessThan(0.1);
  });
});

describe('n-gram sizes (ALBERT)', () => {
  it('P(n) ∝ 1/n: 0.545, 0.273, 0.182', () => {
    const law = inverseNLaw(3);
    expect(Array.from(law.probs).map((p) => +p.toFixed(3))).toEqual([0.545, 0.273, 0.182]);
    const counts = [0, 0, 0];
    const rng = Rng.from(4);
    for (let i = 0; i < 10000; i++) counts[law.draw(rng)]++;
    expect(chiSquare(counts, law)).toBeLessThan(13.82); // 0.999 quantile, 2 dof
  });

  it('masked n-grams on long text are mostly 1-3 words and never split a word', () => {
    const batch = randomBatch(Rng.from(12), 32, 256, 250);
    const stats = new MaskStats(vocab);
    stats.add(
      applyMasking({ strategy: 'ngram', objective: 'mlm', strategyParams: { rate: 0.1 } }, batch, {
        vocab,
        rng: Rng.from(2),
      }),
      batch,
    );
    const s = stats.summary();
    expect(s.words_split).toBe(0);
    expect(s.mean_span_length_words).toBeGreaterThan(1.3);
    expect(s.mean_span_length_words).toBeLessThan(2.2);
  });
});

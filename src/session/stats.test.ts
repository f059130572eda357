// Comparison statistics on synthetic numbers: bootstrap intervals cover the mean and shrink with n; the paired
// verdict says better / worse / inside noise from seed differences and from test noise; baseline labels.
import { describe, expect, it } from 'vitest';
import { Rng } from '../data/rng';
import {
  baselineLabel,
  bootstrapMean,
  pairedDifference,
  smallTestWarning,
  t975,
  verdictOf,
  type SeedFigure,
} from './stats';

const seeds = (values: number[], se = 0): Map<number, SeedFigure> =>
  new Map(values.map((v, i) => [i + 1, { value: v, se }]));

describe('bootstrapMean', () => {
  it('brackets the mean, matches the binomial standard error, is seeded, and narrows with more examples', () => {
    const rng = Rng.from(1);
    const xs = Float64Array.from({ length: 1000 }, () => (rng.float() < 0.7 ? 1 : 0));
    const e = bootstrapMean(xs, 's');
    expect(e.lo).toBeLessThan(e.value);
    expect(e.hi).toBeGreaterThan(e.value);
    const binomial = Math.sqrt((e.value * (1 - e.value)) / 1000);
    expect(e.se).toBeGreaterThan(0.85 * binomial);
    expect(e.se).toBeLessThan(1.15 * binomial);
    expect(e.hi - e.lo).toBeCloseTo(2 * 1.96 * binomial, 2);
    expect(bootstrapMean(xs, 's')).toEqual(e);
    const small = bootstrapMean(xs.subarray(0, 100), 's');
    expect(small.hi - small.lo).toBeGreaterThan(2.5 * (e.hi - e.lo));
  });
});

describe('pairedDifference', () => {
  it('better / worse when every seed agrees by far more than the noise; inside noise otherwise', () => {
    // Accuracy, higher is better: +3 points at each of 3 seeds, tiny spread, small test noise.
    const ref = seeds([0.5, 0.52, 0.51], 0.005);
    const up = pairedDifference(ref, seeds([0.53, 0.551, 0.539], 0.005), true)!;
    expect(up.mean).toBeCloseTo(0.03, 3);
    expect(up.n).toBe(3);
    expect(up.verdict).toBe('better');
    expect(up.lo).toBeGreaterThan(0);
    // Loss, lower is better: a higher loss is "worse".
    expect(pairedDifference(seeds([2.0, 2.1, 2.05]), seeds([2.3, 2.41, 2.36]), false)!.verdict).toBe('worse');
    // Seeds disagree in sign: inside noise, the interval from the seed spread.
    const mixed = pairedDifference(ref, seeds([0.53, 0.5, 0.52], 0.001), true)!;
    expect(mixed.verdict).toBe('inside noise');
    expect(mixed.basis).toBe('seeds');
    expect(mixed.lo).toBeLessThan(0);
    expect(mixed.hi).toBeGreaterThan(0);
  });

  it('test noise bounds the interval: one seed, or two seeds that agree by luck, cannot beat the test set', () => {
    // The teacher's case: 6.767 vs 6.764 with a test-set error of 0.02 each: inside noise.
    const one = pairedDifference(seeds([6.767], 0.02), seeds([6.764], 0.02), false)!;
    expect(one.n).toBe(1);
    expect(one.basis).toBe('test examples');
    expect(one.hi - one.lo).toBeCloseTo(2 * 1.96 * Math.sqrt(0.02 ** 2 * 2), 9);
    expect(one.verdict).toBe('inside noise');
    // Two seeds differing by exactly 0.01 each (zero spread) with a test error of 0.02: still inside noise.
    const lucky = pairedDifference(seeds([0.5, 0.6], 0.02), seeds([0.51, 0.61], 0.02), true)!;
    expect(lucky.basis).toBe('test examples');
    expect(lucky.verdict).toBe('inside noise');
    // Seeds missing on one side are left out; no common seed: undefined.
    expect(pairedDifference(seeds([0.5, 0.6]), new Map([[2, { value: 0.9 }]]), true)!.n).toBe(1);
    expect(pairedDifference(new Map([[1, { value: 1 }]]), new Map([[2, { value: 1 }]]), true)).toBeUndefined();
  });

  it('t quantiles and the verdict rule', () => {
    expect(t975(1)).toBe(12.706);
    expect(t975(4)).toBe(2.776);
    expect(t975(1000)).toBeCloseTo(1.96, 2);
    expect(verdictOf(0.01, 0.02, true)).toBe('better');
    expect(verdictOf(0.01, 0.02, false)).toBe('worse');
    expect(verdictOf(-0.01, 0.02, true)).toBe('inside noise');
  });
});

describe('baselineLabel', () => {
  it('labels figures whose interval reaches chance or the frequency baseline', () => {
    expect(baselineLabel({ lo: 0.48, hi: 0.53 }, { chance: 0.5 })).toBe('at chance');
    expect(baselineLabel({ lo: 0.55, hi: 0.6 }, { chance: 0.5 })).toBeUndefined();
    expect(baselineLabel({ lo: 0.05, hi: 0.07 }, { frequency: 0.066, chance: 0.001 })).toBe('at frequency baseline');
    // Loss: lower is better; at the baseline when the interval reaches up to it.
    expect(baselineLabel({ lo: 6.7, hi: 6.8 }, { frequency: 6.76 }, false)).toBe('at frequency baseline');
    expect(baselineLabel({ lo: 5.0, hi: 5.2 }, { frequency: 6.76 }, false)).toBeUndefined();
  });
});

describe('smallTestWarning', () => {
  it('warns below 1,000 test examples and names the figure; not from 1,000 up', () => {
    expect(smallTestWarning('word order', 384)).toBe(
      'word order: only 384 test examples (fewer than 1,000), so its interval is wide and a difference may be noise.',
    );
    expect(smallTestWarning('word order', 1000)).toBeUndefined();
    expect(smallTestWarning('word order', undefined)).toBeUndefined();
  });
});

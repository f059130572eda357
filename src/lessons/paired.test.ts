// Paired differences over seeds: the t-interval against a hand computation, verdicts both ways, missing seeds.
import { describe, expect, it } from 'vitest';
import { pairedDifference, tQuantile975, verdictOf } from './paired';

describe('paired differences', () => {
  it('mean and 95% t-interval of per-seed differences', () => {
    // differences 0.02, 0.04, 0.03: mean 0.03, sd 0.01, half-width 4.303 * 0.01 / sqrt(3)
    const d = pairedDifference(
      new Map([
        [1, 0.1],
        [2, 0.1],
        [3, 0.1],
      ]),
      new Map([
        [1, 0.12],
        [2, 0.14],
        [3, 0.13],
      ]),
    )!;
    expect(d.mean).toBeCloseTo(0.03, 12);
    expect(d.hi! - d.mean).toBeCloseTo((4.303 * 0.01) / Math.sqrt(3), 9);
    expect(d.verdict).toBe('better');
    expect(d.n).toBe(3);
  });

  it('lower-is-better metrics flip the verdict', () => {
    expect(verdictOf(0.1, 0.2, false)).toBe('worse');
    expect(verdictOf(-0.2, -0.1, false)).toBe('better');
    expect(verdictOf(-0.1, 0.1, false)).toBe('inside noise');
  });

  it('pairs by seed and leaves out seeds one side lacks', () => {
    const d = pairedDifference(
      new Map([
        [1, 0.1],
        [2, 0.2],
        [5, 0.3],
      ]),
      new Map([
        [2, 0.25],
        [5, 0.35],
        [9, 1],
      ]),
    )!;
    expect(d.n).toBe(2);
    expect(d.mean).toBeCloseTo(0.05, 12);
    expect(pairedDifference(new Map([[1, 0.1]]), new Map([[2, 0.1]]))).toBeUndefined();
  });

  it('t quantiles', () => {
    expect(tQuantile975(1)).toBeCloseTo(12.706, 3);
    expect(tQuantile975(30)).toBeCloseTo(2.042, 3);
    expect(tQuantile975(1000)).toBeCloseTo(1.96, 2);
  });
});

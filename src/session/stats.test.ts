// Comparison statistics on synthetic numbers: bootstrap intervals cover the mean and shrink with n, and resample
// passages, not windows; the paired verdict says better / worse / inside noise from seed differences and test noise
// (shared test units resampled together), never from one seed; baseline labels; the small-test warning counts units.
import { describe, expect, it } from 'vitest';
import { Rng } from '../data/rng';
import {
  baselineLabel,
  bootstrapMean,
  bootstrapUnits,
  meanOverSeeds,
  multipleComparisons,
  pairedDifference,
  smallTestWarning,
  t975,
  unitTotals,
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

  it('one seed gives no verdict, however far apart; test noise bounds the interval of seeds that agree by luck', () => {
    // One seed, the difference 100 times its test noise: still no verdict (two trained models, not two schemes).
    const one = pairedDifference(seeds([6.767], 0.002), seeds([6.0], 0.002), false)!;
    expect(one.n).toBe(1);
    expect(one.basis).toBe('test units');
    expect(one.hi - one.lo).toBeCloseTo(2 * 1.96 * Math.sqrt(0.002 ** 2 * 2), 9);
    expect(one.verdict).toBeNull();
    // Two seeds differing by exactly 0.01 each (zero spread) with a test error of 0.02: still inside noise.
    const lucky = pairedDifference(seeds([0.5, 0.6], 0.02), seeds([0.51, 0.61], 0.02), true)!;
    expect(lucky.basis).toBe('test units');
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
  it('warns below 1,000 independent units (not examples) and names the figure; not from 1,000 up', () => {
    expect(smallTestWarning('word order', 102, 1122)).toBe(
      'word order: only 102 independent held-out passages (1,122 test examples), fewer than 1,000, so its interval is wide and a difference may be noise.',
    );
    expect(smallTestWarning('agreement', 556, 1112, 'minimal pairs')).toMatch(
      /^agreement: only 556 independent minimal/,
    );
    expect(smallTestWarning('word order', 1000, 11000)).toBeUndefined();
    expect(smallTestWarning('word order', undefined)).toBeUndefined();
  });
});

/** Per-example 0/1 values of `P` passages with `k` windows each; `copies`: every window of a passage the same. */
function passages(P: number, k: number, seed: number, copies = false) {
  const rng = Rng.from(seed);
  const values: number[] = [];
  const units: number[] = [];
  for (let p = 0; p < P; p++) {
    const q = rng.float();
    // The same draws whatever k is: 16 per passage.
    const draws = Array.from({ length: 16 }, () => (rng.float() < q ? 1 : 0));
    for (let w = 0; w < k; w++) {
      values.push(copies ? draws[0] : draws[w]);
      units.push(p);
    }
  }
  return { values, units };
}

describe('bootstrapUnits: intervals resample passages, not windows', () => {
  it('a task whose windows repeat one passage gets the interval of one example per passage', () => {
    const one = passages(120, 1, 5);
    const eleven = passages(120, 11, 5, true);
    const a = bootstrapUnits(unitTotals(one.values, one.units, 'a'), 'seed');
    const b = bootstrapUnits(unitTotals(eleven.values, eleven.units, 'b'), 'seed');
    expect(b.value).toBe(a.value);
    expect([b.lo, b.hi, b.se]).toEqual([a.lo, a.hi, a.se]);
    expect([a.units, b.units, a.n, b.n]).toEqual([120, 120, 120, 1320]);
    // Resampling the 1,320 windows as if independent gives an interval about sqrt(11) times too narrow.
    const windows = bootstrapMean(eleven.values, 'seed');
    expect((a.hi - a.lo) / (windows.hi - windows.lo)).toBeGreaterThan(2.8);
    expect(windows.units).toBe(1320);
    // With one example per unit, bootstrapUnits is bootstrapMean.
    expect(bootstrapMean(one.values, 'seed')).toEqual({ ...a });
  });

  it('unitTotals sums per unit in unit order; the value is the mean over examples', () => {
    const t = unitTotals([1, 0, 1, 1, 0], [7, 3, 7, 3, 9], 'k');
    expect(t).toEqual({ key: 'k', sums: [1, 2, 0], counts: [2, 2, 1] });
    expect(bootstrapUnits(t).value).toBeCloseTo(0.6, 12);
  });
});

describe('intervals over seeds with per-passage totals', () => {
  const totals = (sums: number[], key = 'k') => ({ key, sums, counts: sums.map(() => 10) });

  it('pairs the two runs of a seed on their shared passages: common passage difficulty cancels', () => {
    // 60 passages of very different difficulty; scheme B is right on exactly one more window in every passage.
    const base = Array.from({ length: 60 }, (_, u) => u % 11);
    const ref = new Map([[1, { value: 0, totals: totals(base) }]]);
    const sch = new Map([[1, { value: 0, totals: totals(base.map((x) => x + 1)) }]]);
    ref.get(1)!.value = base.reduce((a, b) => a + b, 0) / 600;
    sch.get(1)!.value = ref.get(1)!.value + 0.1;
    const d = pairedDifference(ref, sch, true)!;
    expect(d.mean).toBeCloseTo(0.1, 12);
    // The per-passage differences are all equal: no test noise left, though each run alone has plenty.
    expect(d.testSe).toBeLessThan(1e-9);
    expect(meanOverSeeds(ref)!.testSe).toBeGreaterThan(0.03);
    expect(d.units).toBe(60);
  });

  it('test units shared between seeds add to the seed spread (quadrature); private ones only floor it', () => {
    const a = Array.from({ length: 50 }, (_, u) => (u * 7) % 10);
    const mk = (key: (s: number) => string) =>
      new Map(
        [1, 2, 3].map((s): [number, SeedFigure] => [
          s,
          {
            value: 0.45 + 0.01 * s,
            totals: totals(
              a.map((x) => x + (s === 2 ? 1 : 0)),
              key(s),
            ),
          },
        ]),
      );
    const shared = meanOverSeeds(mk(() => 'same'))!;
    const own = meanOverSeeds(mk((s) => `seed${s}`))!;
    expect(shared.sharedAcrossSeeds).toBe(true);
    expect(shared.basis).toBe('seeds and test units');
    expect(own.sharedAcrossSeeds).toBe(false);
    const seedHalf = (t975(2) * 0.01) / Math.sqrt(3);
    expect(shared.hi - shared.mean).toBeCloseTo(Math.hypot(seedHalf, 1.96 * shared.testSe), 9);
    expect(own.hi - own.mean).toBeCloseTo(Math.max(seedHalf, 1.96 * own.testSe), 9);
    // Three seeds on one shared test set have one set's noise; on three private sets, a third of its variance.
    expect(own.testSe).toBeLessThan(0.65 * shared.testSe);
  });

  it('counts verdicts and the better/worse verdicts chance alone would give', () => {
    expect(multipleComparisons(['better', 'inside noise', null, 'worse', undefined, 'inside noise'])).toEqual({
      made: 4,
      decided: 2,
      byChance: 4 * 0.05,
    });
  });
});

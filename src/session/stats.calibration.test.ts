// Calibration of the comparison's statistics: 1,000 simulated comparisons per setting with MaskLab's data structure
// (102 test passages of 11 correlated windows, a per-seed effect, per-run noise, test passages shared by the schemes
// at a seed or by every seed), through the product's own estimator (bootstrapUnits over passages) and summary
// (summarize: intervals over seeds, paired differences, verdicts). 95% intervals must cover the truth at least 93% of
// the time and an A/A comparison may read better or worse at most 6% of the time. Monte Carlo error with 1,000
// comparisons: +-0.7 points on a 95% coverage, +-0.7 points on a 5% false-alarm rate (one standard error).
import { describe, expect, it } from 'vitest';
import { simulateComparisons, type RunEstimator, type SimulationOptions } from './calibrationSim';
import { bootstrapUnits, unitTotals } from './stats';

const PRODUCT: RunEstimator = (values, units, key, resamples) => {
  const totals = unitTotals(values, units, key);
  return { estimate: bootstrapUnits(totals, 'calibration', resamples), totals };
};

const MASKLAB: Omit<SimulationOptions, 'sharedTestSet' | 'effect' | 'schemePassageSd' | 'runIntervals' | 'seed'> = {
  comparisons: 1000,
  seeds: 3,
  passages: 102,
  windows: 11,
  base: 0.4,
  passageSd: 1,
  modelPassageSd: 0.4,
  seedSd: 0.15,
  runSd: 0.1,
};

const share = (c: { covered: number; total: number }) => c.covered / c.total;
const alarms = (v: Record<string, number>, total: number) => (v.better + v.worse) / total;
const mcError = (p: number, n: number) => Math.sqrt((p * (1 - p)) / n);

describe('calibration of intervals and verdicts (simulated A/A and A/B comparisons)', () => {
  const report: string[] = [];

  it.each([
    ['own test passages per seed (the split follows the seed)', false],
    ['the same test passages at every seed (as the agreement task)', true],
  ])('A/A, %s: coverage >= 93%, better/worse <= 6%, none from one seed', { timeout: 300_000 }, (_, sharedTestSet) => {
    const r = simulateComparisons(
      {
        ...MASKLAB,
        sharedTestSet,
        effect: 0,
        schemePassageSd: 0,
        runIntervals: !sharedTestSet,
        seed: `aa-${sharedTestSet}`,
      },
      PRODUCT,
    );
    const n = MASKLAB.comparisons;
    const fa = alarms(r.paired.verdicts, r.paired.total);
    report.push(
      `A/A ${sharedTestSet ? 'shared' : 'own'} test sets: run intervals ${r.runs.total ? (100 * share(r.runs)).toFixed(1) + '%' : '-'}, scheme ` +
        `intervals ${(100 * share(r.schemes)).toFixed(1)}%, paired ${(100 * share(r.paired)).toFixed(1)}% cover; ` +
        `better/worse ${(100 * fa).toFixed(1)}% +- ${(100 * mcError(Math.max(fa, 0.05), n)).toFixed(1)} of ${n}; ` +
        `one seed: ${r.oneSeed.verdicts.none} of ${n} without a verdict`,
    );
    if (!sharedTestSet) {
      expect(r.runs.total).toBe(n);
      expect(share(r.runs)).toBeGreaterThanOrEqual(0.93);
    }
    expect(share(r.schemes)).toBeGreaterThanOrEqual(0.93);
    expect(share(r.paired)).toBeGreaterThanOrEqual(0.93);
    expect(fa).toBeLessThanOrEqual(0.06);
    // One seed compares two trained models: never a verdict about the schemes.
    expect(r.oneSeed.verdicts.none).toBe(n);
  });

  it(
    'A/B with a scheme x passage effect on test passages shared by every seed: the difference is covered >= 93%',
    { timeout: 300_000 },
    () => {
      const r = simulateComparisons(
        { ...MASKLAB, sharedTestSet: true, effect: 0.25, schemePassageSd: 0.5, runIntervals: false, seed: 'ab' },
        PRODUCT,
      );
      report.push(
        `A/B (logit +0.25, scheme x passage sd 0.5, shared test set): paired ${(100 * share(r.paired)).toFixed(1)}% cover, ` +
          `${r.paired.verdicts.better} better, ${r.paired.verdicts.worse} worse of ${r.paired.total}`,
      );
      expect(share(r.schemes)).toBeGreaterThanOrEqual(0.93);
      expect(share(r.paired)).toBeGreaterThanOrEqual(0.93);
      // A real difference is found some of the time, and never reversed.
      expect(r.paired.verdicts.better).toBeGreaterThan(0);
      expect(r.paired.verdicts.worse).toBe(0);
      console.log(
        `calibration (Monte Carlo error of a 95% coverage with 1,000 comparisons: +-0.7 points)\n  ${report.join('\n  ')}`,
      );
    },
  );
});

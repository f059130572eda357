// Simulated comparisons with the structure MaskLab's data has (test passages of several correlated windows, a
// per-seed effect shared by the schemes at a seed, per-run training noise, the same test passages for both schemes
// at a seed or for every seed), run through the comparison's own summary (summarize) to measure how often its 95%
// intervals cover the truth and how often an A/A comparison reads better or worse. Used by stats.calibration.test.ts.
import { Rng, type SeedKey } from '../data/rng';
import type { MaskingConfig } from '../masking/types';
import type { ComparisonEntry, ComparisonRecord, RunResult } from './comparisonRecord';
import { summarize } from './comparisonSummary';
import type { DownstreamTaskResult } from './downstream';
import type { Estimate, UnitTotals, Verdict } from './stats';

/** What the simulated data looks like (a logistic model of each window being right). */
export interface SimulationOptions {
  /** Comparisons simulated. */
  comparisons: number;
  seeds: number;
  /** Test passages per seed, and windows (examples) per passage. */
  passages: number;
  windows: number;
  /** The same test passages at every seed (as the agreement task); otherwise each seed has its own (MaskLab's split). */
  sharedTestSet: boolean;
  /** Logit of a typical window being right. */
  base: number;
  /** Standard deviations on the logit scale: passage difficulty, model x passage, per-seed (shared by the schemes at a
   * seed: init and data), per-run training noise, scheme x passage (A/B only). */
  passageSd: number;
  modelPassageSd: number;
  seedSd: number;
  runSd: number;
  schemePassageSd: number;
  /** Scheme B's logit shift over scheme A (0 with schemePassageSd 0: an A/A comparison). */
  effect: number;
  /** Check per-run intervals too (a 1,000-resample bootstrap of one run per comparison: the simulation's main cost). */
  runIntervals: boolean;
  seed: SeedKey;
}

/** How a run's per-window results become its figure: the product's estimator, or another one to compare with. */
export type RunEstimator = (
  values: number[],
  units: number[],
  key: string,
  resamples: number,
) => { estimate: Estimate; totals?: UnitTotals };

export interface Coverage {
  covered: number;
  total: number;
}

export interface SimulationResult {
  /** Per-run 95% intervals (the first run of each comparison) covering the run's accuracy on all passages. */
  runs: Coverage;
  /** Per-scheme intervals (scheme A) covering the scheme's expected accuracy. */
  schemes: Coverage;
  /** Paired differences B - A over all seeds: coverage of the true difference and the verdicts. */
  paired: Coverage & { verdicts: Record<Verdict | 'none', number> };
  /** The same at the first seed alone (a one-seed comparison). */
  oneSeed: Coverage & { verdicts: Record<Verdict | 'none', number> };
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** E[sigmoid(c + sd Z)], Z standard normal (Simpson's rule over +-8 sd). */
export function expectedSigmoid(c: number, sd: number): number {
  if (sd === 0) return sigmoid(c);
  const n = 800;
  const h = 16 / n;
  let s = 0;
  for (let i = 0; i <= n; i++) {
    const z = -8 + i * h;
    const w = i === 0 || i === n ? 1 : i % 2 ? 4 : 2;
    s += w * sigmoid(c + sd * z) * Math.exp(-0.5 * z * z);
  }
  return (s * h) / 3 / Math.sqrt(2 * Math.PI);
}

const SCHEME: MaskingConfig = { strategy: 'random', objective: 'mlm' };

function result(task: { estimate: Estimate; totals?: UnitTotals }, examples: number, units: number): RunResult {
  const t: DownstreamTaskResult = {
    id: 'word-order',
    name: 'Word order',
    closeTo: '',
    accuracy: task.estimate,
    trainAccuracy: NaN,
    chance: 0.5,
    majority: 0.5,
    trainExamples: 0,
    testExamples: examples,
    ...(task.totals ? { totals: task.totals, units } : {}),
  };
  return { evalKind: 'mlm', steps: 1, tokens: 1, tokensPerS: 0, msPerStep: 0, probes: { ms: 0, tasks: [t] } };
}

const tally = () => ({ covered: 0, total: 0, verdicts: { better: 0, worse: 0, 'inside noise': 0, none: 0 } });

/**
 * Simulates `o.comparisons` comparisons of scheme A and scheme B at `o.seeds` seeds, each run scored on its seed's
 * test passages, and reads intervals and verdicts from summarize (the comparison table's own code).
 */
export function simulateComparisons(o: SimulationOptions, estimator: RunEstimator): SimulationResult {
  const rng = Rng.from(o.seed, 'calibration');
  const out: SimulationResult = {
    runs: { covered: 0, total: 0 },
    schemes: { covered: 0, total: 0 },
    paired: tally(),
    oneSeed: tally(),
  };
  const popSd = Math.hypot(o.passageSd, o.modelPassageSd, o.schemePassageSd);
  const schemeSd = Math.hypot(popSd, o.seedSd, o.runSd);
  const truthA = expectedSigmoid(o.base, schemeSd);
  const truthDiff = expectedSigmoid(o.base + o.effect, schemeSd) - truthA;
  const P = o.passages;
  for (let c = 0; c < o.comparisons; c++) {
    const difficulty = () => Array.from({ length: P }, () => o.passageSd * rng.normal());
    const shared = difficulty();
    // Scheme x passage effects belong to the passage population: drawn per passage, the same at every seed that shares it.
    const schemePassage = () => [0, 1].map(() => Array.from({ length: P }, () => o.schemePassageSd * rng.normal()));
    const sharedSchemePassage = schemePassage();
    const entries: ComparisonEntry[] = [];
    for (let s = 1; s <= o.seeds; s++) {
      const u = o.sharedTestSet ? shared : difficulty();
      const g = o.sharedTestSet ? sharedSchemePassage : schemePassage();
      const seedEffect = o.seedSd * rng.normal();
      const key = o.sharedTestSet ? 'test' : `test-${s}`;
      for (let scheme = 0; scheme < 2; scheme++) {
        const offset = o.base + scheme * o.effect + seedEffect + o.runSd * rng.normal();
        const values: number[] = [];
        const units: number[] = [];
        for (let p = 0; p < P; p++) {
          const logit = offset + u[p] + g[scheme][p] + o.modelPassageSd * rng.normal();
          for (let w = 0; w < o.windows; w++) {
            values.push(rng.float() < sigmoid(logit) ? 1 : 0);
            units.push(p);
          }
        }
        const first = o.runIntervals && s === 1 && scheme === 0;
        const task = estimator(values, units, key, first ? 1000 : 100);
        if (first) {
          const truth = expectedSigmoid(offset, popSd);
          out.runs.total++;
          if (task.estimate.lo <= truth && truth <= task.estimate.hi) out.runs.covered++;
        }
        entries.push({ scheme, seed: s, state: 'done', result: result(task, values.length, P) });
      }
    }
    const record = (seeds: number): Pick<ComparisonRecord, 'schemes' | 'entries'> => ({
      schemes: [SCHEME, SCHEME],
      entries: entries.filter((e) => e.seed <= seeds),
    });
    const [a, b] = summarize(record(o.seeds));
    const fa = a.tasks[0].accuracy;
    out.schemes.total++;
    if (fa?.lo !== undefined && fa.lo <= truthA && truthA <= fa.hi!) out.schemes.covered++;
    const count = (t: ReturnType<typeof tally>, d: (typeof b.tasks)[0]['paired']) => {
      t.total++;
      if (d && d.lo <= truthDiff && truthDiff <= d.hi) t.covered++;
      t.verdicts[d?.verdict ?? 'none']++;
    };
    count(out.paired, b.tasks[0].paired);
    count(out.oneSeed, summarize(record(1))[1].tasks[0].paired);
  }
  return out;
}

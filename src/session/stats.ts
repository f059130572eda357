// Comparison statistics: percentile-bootstrap 95% intervals of a mean over test examples, and paired differences
// between two schemes over seeds (same init and data per seed) with a 95% interval and a verdict in words.
import { Rng, type SeedKey } from '../data/rng';

/** A figure with its 95% interval and standard error (percentile bootstrap over test examples). */
export interface Estimate {
  value: number;
  lo: number;
  hi: number;
  /** Bootstrap standard error of the value. */
  se: number;
  /** Test examples it is a mean over. */
  n: number;
}

export const BOOTSTRAP_RESAMPLES = 1000;

/** Mean of `xs` with a seeded percentile-bootstrap 95% interval (the same seed gives the same interval). */
export function bootstrapMean(
  xs: ArrayLike<number>,
  seed: SeedKey = 'masklab-bootstrap',
  resamples = BOOTSTRAP_RESAMPLES,
): Estimate {
  const n = xs.length;
  if (n === 0) return { value: NaN, lo: NaN, hi: NaN, se: NaN, n: 0 };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += xs[i];
  const value = sum / n;
  const rng = Rng.from(seed, 'bootstrap', n);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += xs[rng.int(n)];
    means[r] = s / n;
  }
  means.sort();
  let m = 0;
  for (const x of means) m += x;
  m /= resamples;
  let v = 0;
  for (const x of means) v += (x - m) ** 2;
  const q = (p: number) => means[Math.min(resamples - 1, Math.max(0, Math.floor(p * resamples)))];
  return { value, lo: q(0.025), hi: q(0.975), se: Math.sqrt(v / Math.max(1, resamples - 1)), n };
}

export type Verdict = 'better' | 'worse' | 'inside noise';

export interface PairedDifference {
  /** Mean over seeds of (scheme - reference). */
  mean: number;
  lo: number;
  hi: number;
  /** Seeds both finished. */
  n: number;
  /**
   * What the interval's width comes from: 'seeds' (Student's t over the seed differences: training noise and
   * test noise) or 'test examples' (the two runs' bootstrap errors: test noise only, as with one seed), the wider.
   */
  basis: 'seeds' | 'test examples';
  verdict: Verdict;
}

// Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom.
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function t975(df: number): number {
  if (df < 1) return Infinity;
  return df <= 30 ? T975[df - 1] : 1.96 + 2.4 / df;
}

/** "better" when the interval lies above 0 (below, when lower is better), "worse" the other way, else inside noise. */
export function verdictOf(lo: number, hi: number, higherIsBetter: boolean): Verdict {
  if (lo > 0) return higherIsBetter ? 'better' : 'worse';
  if (hi < 0) return higherIsBetter ? 'worse' : 'better';
  return 'inside noise';
}

/** One run's figure at one seed: the value and its bootstrap standard error (0 when unknown). */
export interface SeedFigure {
  value: number;
  se?: number;
}

/**
 * The paired difference scheme - reference over the seeds both have. Half-width: the larger of Student's t over the
 * seed differences (n >= 2) and 1.96 x the standard error the two runs' own test noise gives the mean difference
 * (sqrt(mean(se_s^2 + se_r^2) / n)); so one seed still gets an interval, and a lucky agreement of two seeds
 * cannot make a difference smaller than the test set can resolve look significant.
 */
export function pairedDifference(
  reference: ReadonlyMap<number, SeedFigure>,
  scheme: ReadonlyMap<number, SeedFigure>,
  higherIsBetter: boolean,
): PairedDifference | undefined {
  const d: number[] = [];
  let v = 0;
  for (const [seed, r] of reference) {
    const s = scheme.get(seed);
    if (!s || !Number.isFinite(s.value) || !Number.isFinite(r.value)) continue;
    d.push(s.value - r.value);
    v += (s.se ?? 0) ** 2 + (r.se ?? 0) ** 2;
  }
  const n = d.length;
  if (n === 0) return undefined;
  const mean = d.reduce((a, b) => a + b, 0) / n;
  const testHalf = 1.96 * Math.sqrt(v / n / n);
  let seedHalf = 0;
  if (n >= 2) {
    const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    seedHalf = (t975(n - 1) * sd) / Math.sqrt(n);
  }
  const half = Math.max(seedHalf, testHalf);
  const basis = n >= 2 && seedHalf >= testHalf ? 'seeds' : 'test examples';
  const lo = mean - half;
  const hi = mean + half;
  return { mean, lo, hi, n, basis, verdict: verdictOf(lo, hi, higherIsBetter) };
}

/**
 * Whether a figure is at chance or at the frequency baseline: its 95% interval reaches the baseline (or is on the
 * wrong side of it). Returns the label to show, or undefined when the figure is clearly better than both.
 */
export function baselineLabel(
  e: Pick<Estimate, 'lo' | 'hi'>,
  baselines: { chance?: number; frequency?: number },
  higherIsBetter = true,
): 'at frequency baseline' | 'at chance' | undefined {
  const reaches = (b: number | undefined) =>
    b !== undefined && Number.isFinite(b) && (higherIsBetter ? e.lo <= b : e.hi >= b);
  if (reaches(baselines.frequency)) return 'at frequency baseline';
  if (reaches(baselines.chance)) return 'at chance';
  return undefined;
}

/** Test sets smaller than this get a warning in the results: their intervals are wide. */
export const SMALL_TEST_EXAMPLES = 1000;

/** The warning for a figure measured on `n` test examples (or targets), or undefined from SMALL_TEST_EXAMPLES up. */
export function smallTestWarning(what: string, n: number | undefined): string | undefined {
  if (n === undefined || !(n < SMALL_TEST_EXAMPLES)) return undefined;
  return `${what}: only ${n} test examples (fewer than ${SMALL_TEST_EXAMPLES.toLocaleString('en-US')}), so its interval is wide and a difference may be noise.`;
}

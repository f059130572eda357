// Comparison statistics that count independent evidence: a test set's examples come in independent units (held-out
// passages; a passage's windows or masked targets are correlated), so intervals resample units, not examples; a
// figure over seeds and a paired difference between schemes combine the seed spread with the test noise of the
// units the runs share; a verdict about schemes needs two seeds. stats.calibration.test.ts checks it on A/A data.
import { Rng, type SeedKey } from '../data/rng';

/** A figure with its 95% interval and standard error (percentile bootstrap over independent units). */
export interface Estimate {
  value: number;
  lo: number;
  hi: number;
  /** Bootstrap standard error of the value. */
  se: number;
  /** Test examples (targets, windows) it is a mean over. */
  n: number;
  /** Independent units (held-out passages) the examples come from: what the bootstrap resamples. Older records: absent. */
  units?: number;
}

/**
 * One figure's test set in independent units: per unit, the sum of its examples' values and their count (a figure is
 * Σ sums / Σ counts). `key` names the test set: two runs with the same key were scored on the same units in the same
 * order, so their test noise is shared and is resampled together (paired).
 */
export interface UnitTotals {
  key: string;
  sums: number[];
  counts: number[];
}

export const BOOTSTRAP_RESAMPLES = 1000;

/** A short content hash (FNV-1a, hex) of integer arrays: the key of a test set built from them. */
export function fingerprint(...arrays: ArrayLike<number>[]): string {
  let h = 0x811c9dc5;
  for (const a of arrays) {
    h = Math.imul(h ^ a.length, 0x01000193);
    for (let i = 0; i < a.length; i++) h = Math.imul(h ^ (a[i] | 0), 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** Per-unit totals of per-example `values` whose unit is `units[i]` (units in ascending id order). */
export function unitTotals(values: ArrayLike<number>, units: ArrayLike<number>, key: string): UnitTotals {
  if (values.length !== units.length) throw new Error('unitTotals: one unit per value');
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < units.length; i++) {
    if (!Number.isInteger(units[i])) throw new Error(`unitTotals: unit ids are integers, got ${units[i]}`);
    lo = Math.min(lo, units[i]);
    hi = Math.max(hi, units[i]);
  }
  const span = units.length ? hi - lo + 1 : 0;
  const sum = new Float64Array(span);
  const count = new Float64Array(span);
  for (let i = 0; i < units.length; i++) {
    sum[units[i] - lo] += values[i];
    count[units[i] - lo]++;
  }
  const out: UnitTotals = { key, sums: [], counts: [] };
  for (let u = 0; u < span; u++) {
    if (count[u] === 0) continue;
    out.sums.push(sum[u]);
    out.counts.push(count[u]);
  }
  return out;
}

const total = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** Σ sums / Σ counts: the figure's value. */
export function totalsValue(t: UnitTotals): number {
  return total(t.sums) / total(t.counts);
}

/**
 * The figure of `t` with a seeded percentile-bootstrap 95% interval that resamples whole units (a cluster
 * bootstrap): a unit's examples stay together, so correlated examples count as the one unit they are.
 */
export function bootstrapUnits(t: UnitTotals, seed: SeedKey = 'masklab-bootstrap', resamples = BOOTSTRAP_RESAMPLES) {
  const U = t.sums.length;
  const n = total(t.counts);
  if (U === 0 || n === 0) return { value: NaN, lo: NaN, hi: NaN, se: NaN, n: 0, units: 0 } satisfies Estimate;
  const value = total(t.sums) / n;
  const rng = Rng.from(seed, 'bootstrap', U);
  const sums = Float64Array.from(t.sums);
  const counts = Float64Array.from(t.counts);
  // Uniform unit indices without modulo bias (as Rng.int), inlined: this loop is the bootstrap's whole cost.
  const threshold = (4294967296 - U) % U;
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    let c = 0;
    for (let i = 0; i < U; i++) {
      let x = rng.u32();
      while (x < threshold) x = rng.u32();
      const u = x % U;
      s += sums[u];
      c += counts[u];
    }
    means[r] = c > 0 ? s / c : value;
  }
  means.sort();
  let m = 0;
  for (const x of means) m += x;
  m /= resamples;
  let v = 0;
  for (const x of means) v += (x - m) ** 2;
  const q = (p: number) => means[Math.min(resamples - 1, Math.max(0, Math.floor(p * resamples)))];
  const se = Math.sqrt(v / Math.max(1, resamples - 1));
  return { value, lo: q(0.025), hi: q(0.975), se, n, units: U } satisfies Estimate;
}

/** Mean of `xs`, each example its own unit, with a seeded percentile-bootstrap 95% interval. */
export function bootstrapMean(
  xs: ArrayLike<number>,
  seed: SeedKey = 'masklab-bootstrap',
  resamples = BOOTSTRAP_RESAMPLES,
): Estimate {
  return bootstrapUnits({ key: '', sums: Array.from(xs), counts: Array.from(xs, () => 1) }, seed, resamples);
}

export type Verdict = 'better' | 'worse' | 'inside noise';

/** Where an interval over seeds gets its width: the seed spread, the test noise, or both added (shared test units). */
export type IntervalBasis = 'seeds' | 'test units' | 'seeds and test units';

/** A figure averaged over seeds (or a paired difference averaged over seeds) with its 95% interval. */
export interface SeedInterval {
  mean: number;
  lo: number;
  hi: number;
  /** Seeds. */
  n: number;
  basis: IntervalBasis;
  /** Standard error of the mean that test noise alone gives (units shared between runs resampled together). */
  testSe: number;
  /** Some test units are shared between seeds (the same test set at every seed). */
  sharedAcrossSeeds: boolean;
  /** Independent test units per seed (the fewest), when the runs recorded them. */
  units?: number;
}

export interface PairedDifference extends SeedInterval {
  /**
   * better / worse / inside noise; null with fewer than 2 seeds: one seed compares two trained models, not two
   * schemes (training noise is not measured).
   */
  verdict: Verdict | null;
}

/** The message for a paired difference without a verdict because it has one seed. */
export const ONE_SEED_MESSAGE = 'one seed: this compares two trained models, not two schemes; add seeds for a verdict';

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

/** One run's figure at one seed: the value, and its test noise (per-unit totals; older records: a standard error). */
export interface SeedFigure {
  value: number;
  se?: number;
  totals?: UnitTotals;
}

/** A signed part of a seed's figure: +1 the scheme's run, -1 the reference's (a paired difference). */
interface Term {
  sign: number;
  fig: SeedFigure;
}

/**
 * The test-noise variance of mean over seeds of Σ sign x figure: the variance a bootstrap that resamples each test
 * set's units gives, to first order (the ratio estimator linearized: the cluster-robust variance, with the U/(U-1)
 * small-sample factor). Terms whose test sets have the same key share one resample (the two runs of a seed, and seeds
 * scored on the same test set), so their common noise cancels or adds as it really does. Figures without totals
 * (older records) add their se^2, independent.
 */
function testVariance(perSeed: readonly Term[][]): { variance: number; shared: boolean; units?: number } {
  const n = perSeed.length;
  const byKey = new Map<string, { Z: Float64Array; seeds: Set<number> }>();
  let variance = 0;
  let units: number | undefined;
  perSeed.forEach((terms, s) => {
    for (const { sign, fig } of terms) {
      const t = fig.totals;
      if (!t || t.sums.length === 0) {
        variance += (sign / n) ** 2 * (fig.se ?? 0) ** 2;
        continue;
      }
      const U = t.sums.length;
      units = units === undefined ? U : Math.min(units, U);
      const C = total(t.counts);
      const R = total(t.sums) / C;
      // A key names a test set; the same key with another unit count is another set (kept apart).
      const k = `${t.key}#${U}`;
      let g = byKey.get(k);
      if (!g) byKey.set(k, (g = { Z: new Float64Array(U), seeds: new Set() }));
      g.seeds.add(s);
      for (let u = 0; u < U; u++) g.Z[u] += ((sign / n) * (t.sums[u] - R * t.counts[u])) / C;
    }
  });
  let shared = false;
  for (const { Z, seeds } of byKey.values()) {
    if (seeds.size > 1) shared = true;
    const U = Z.length;
    if (U < 2) continue;
    let s = 0;
    let s2 = 0;
    for (const z of Z) {
      s += z;
      s2 += z * z;
    }
    variance += ((s2 - (s * s) / U) * U) / (U - 1);
  }
  return { variance, shared, units };
}

/**
 * The mean over seeds of Σ sign x figure with its 95% interval. Half-width: with test sets private to each seed,
 * the larger of Student's t over the seeds' values (which already holds their test noise) and 1.96 x the test-noise
 * standard error (a floor: two seeds that agree by luck cannot resolve less than the test set can); with test units
 * shared between seeds (their noise is common to every seed, so the seed spread cannot see it), both added in
 * quadrature. One seed: the test noise alone.
 */
function overSeeds(perSeed: readonly Term[][]): SeedInterval | undefined {
  const n = perSeed.length;
  if (n === 0) return undefined;
  const values = perSeed.map((terms) => terms.reduce((a, t) => a + t.sign * t.fig.value, 0));
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const test = testVariance(perSeed);
  const testSe = Math.sqrt(test.variance);
  const testHalf = 1.96 * testSe;
  let seedHalf = 0;
  if (n >= 2) {
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    seedHalf = (t975(n - 1) * sd) / Math.sqrt(n);
  }
  let half: number;
  let basis: IntervalBasis;
  if (n < 2) [half, basis] = [testHalf, 'test units'];
  else if (test.shared) [half, basis] = [Math.hypot(seedHalf, testHalf), 'seeds and test units'];
  else [half, basis] = seedHalf >= testHalf ? [seedHalf, 'seeds'] : [testHalf, 'test units'];
  return {
    mean,
    lo: mean - half,
    hi: mean + half,
    n,
    basis,
    testSe,
    sharedAcrossSeeds: test.shared,
    ...(test.units !== undefined ? { units: test.units } : {}),
  };
}

/** A scheme's figure over its seeds: the mean with a 95% interval for the scheme (seed spread and test noise). */
export function meanOverSeeds(bySeed: ReadonlyMap<number, SeedFigure>): SeedInterval | undefined {
  const perSeed = [...bySeed.values()].filter((f) => Number.isFinite(f.value)).map((fig) => [{ sign: 1, fig }]);
  return overSeeds(perSeed);
}

/**
 * The paired difference scheme - reference over the seeds both have (same initial weights and data at a seed, and
 * the same test units, resampled together), with its 95% interval (overSeeds) and a verdict; no verdict (null) with
 * fewer than 2 seeds.
 */
export function pairedDifference(
  reference: ReadonlyMap<number, SeedFigure>,
  scheme: ReadonlyMap<number, SeedFigure>,
  higherIsBetter: boolean,
): PairedDifference | undefined {
  const perSeed: Term[][] = [];
  for (const [seed, r] of reference) {
    const s = scheme.get(seed);
    if (!s || !Number.isFinite(s.value) || !Number.isFinite(r.value)) continue;
    perSeed.push([
      { sign: 1, fig: s },
      { sign: -1, fig: r },
    ]);
  }
  const d = overSeeds(perSeed);
  if (!d) return undefined;
  return { ...d, verdict: d.n >= 2 ? verdictOf(d.lo, d.hi, higherIsBetter) : null };
}

/** The nominal rate of better/worse verdicts between schemes that do not differ (the intervals are 95%). */
export const CHANCE_VERDICT_RATE = 0.05;

/** How many verdicts a table gave, and how many better/worse ones chance alone would give at that count. */
export function multipleComparisons(verdicts: readonly (Verdict | null | undefined)[]): {
  made: number;
  decided: number;
  byChance: number;
} {
  const made = verdicts.filter((v) => v !== null && v !== undefined).length;
  const decided = verdicts.filter((v) => v === 'better' || v === 'worse').length;
  return { made, decided, byChance: made * CHANCE_VERDICT_RATE };
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

/** Test sets with fewer independent units than this get a warning in the results: their intervals are wide. */
export const SMALL_TEST_UNITS = 1000;

/**
 * The warning for a figure measured on `units` independent units (named `unitName`; `examples` examples in all,
 * named `exampleName`), or undefined from SMALL_TEST_UNITS up. Older records without units pass their example count.
 */
export function smallTestWarning(
  what: string,
  units: number | undefined,
  examples?: number,
  unitName = 'held-out passages',
  exampleName = 'test examples',
): string | undefined {
  if (units === undefined || !(units < SMALL_TEST_UNITS)) return undefined;
  const of =
    examples !== undefined && examples !== units ? ` (${examples.toLocaleString('en-US')} ${exampleName})` : '';
  return `${what}: only ${units.toLocaleString('en-US')} independent ${unitName}${of}, fewer than ${SMALL_TEST_UNITS.toLocaleString('en-US')}, so its interval is wide and a difference may be noise.`;
}

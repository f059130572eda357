// Paired differences between two schemes over seeds (same init and data per seed): mean, a 95% t-interval and a
// verdict in words. The lessons use it on a comparison's per-seed figures.
import type { Verdict } from './types';

export interface PairedDiff {
  /** Mean of (scheme - reference) over the seeds both finished. */
  mean: number;
  /** 95% interval of the mean; absent with one seed. */
  lo?: number;
  hi?: number;
  n: number;
  verdict?: Verdict;
}

// Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom.
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function tQuantile975(df: number): number {
  if (df < 1) return Infinity;
  return df <= 30 ? T975[df - 1] : 1.96 + 2.4 / df;
}

/** "better" when the interval lies above zero (below, when lower is better), "worse" the other way, else inside noise. */
export function verdictOf(lo: number, hi: number, higherIsBetter = true): Verdict {
  if (lo > 0) return higherIsBetter ? 'better' : 'worse';
  if (hi < 0) return higherIsBetter ? 'worse' : 'better';
  return 'inside noise';
}

/** Differences seed by seed (a seed missing on either side is left out). */
export function pairedDifference(
  reference: ReadonlyMap<number, number>,
  scheme: ReadonlyMap<number, number>,
  higherIsBetter = true,
): PairedDiff | undefined {
  const d: number[] = [];
  for (const [seed, r] of reference) {
    const s = scheme.get(seed);
    if (s !== undefined && Number.isFinite(s) && Number.isFinite(r)) d.push(s - r);
  }
  if (d.length === 0) return undefined;
  const mean = d.reduce((a, b) => a + b, 0) / d.length;
  if (d.length < 2) return { mean, n: 1 };
  const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (d.length - 1));
  const half = (tQuantile975(d.length - 1) * sd) / Math.sqrt(d.length);
  const lo = mean - half;
  const hi = mean + half;
  return { mean, lo, hi, n: d.length, verdict: verdictOf(lo, hi, higherIsBetter) };
}

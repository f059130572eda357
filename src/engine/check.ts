// Comparisons against the float64 reference and seeded test data, with no test framework: the Vitest GPU suites
// (through testing.ts) and the in-page kernel self-test (selftest/) use the same code.

/** Deterministic PRNG (mulberry32) for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (r() * 2 - 1) * scale;
  return out;
}

export interface Diff {
  maxAbs: number;
  maxRel: number;
  at: number;
}

export function diff(actual: ArrayLike<number>, expected: ArrayLike<number>): Diff {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != expected ${expected.length}`);
  let maxAbs = 0;
  let maxRel = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const d = Math.abs(a - e);
    if (!(d <= maxAbs) || Number.isNaN(a)) {
      maxAbs = Number.isNaN(a) ? Infinity : d;
      at = i;
    }
    const r = d / Math.max(Math.abs(e), 1e-6);
    if (r > maxRel) maxRel = r;
  }
  return { maxAbs, maxRel, at };
}

export interface Tolerance {
  atol: number;
  rtol?: number;
}

/** One comparison: max errors, and the first element outside atol + rtol*|expected| (-1: none). */
export interface Closeness extends Diff {
  atol: number;
  rtol: number;
  /** Largest |actual - expected| / (atol + rtol*|expected|): at most 1 when every element is inside. */
  ratio: number;
  firstBad: number;
  message?: string;
}

/** Compares like expectClose (testing.ts) without throwing: firstBad >= 0 and a message when an element is out. */
export function closeness(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: Tolerance,
  what = 'values',
): Closeness {
  const d = diff(actual, expected);
  const rtol = tol.rtol ?? 0;
  let firstBad = -1;
  let ratio = 0;
  for (let i = 0; i < actual.length; i++) {
    const lim = tol.atol + rtol * Math.abs(expected[i]);
    const err = Math.abs(actual[i] - expected[i]);
    const r = lim > 0 ? err / lim : err > 0 ? Infinity : 0;
    if (!(r <= ratio)) ratio = Number.isNaN(r) ? Infinity : r;
    if (firstBad < 0 && !(err <= lim)) firstBad = i;
  }
  const c: Closeness = { ...d, atol: tol.atol, rtol, ratio, firstBad };
  if (firstBad >= 0) {
    c.message =
      `${what}: element ${firstBad} is ${actual[firstBad]}, expected ${expected[firstBad]} (atol ${tol.atol}, rtol ${rtol}); ` +
      `max abs err ${d.maxAbs.toExponential(3)} at ${d.at}, max rel err ${d.maxRel.toExponential(3)}`;
  }
  return c;
}

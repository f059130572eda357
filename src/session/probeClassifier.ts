// The downstream tasks' classifier (downstream.ts builds the tasks): a seeded train/test split by source sequence,
// and L2 logistic regression (Newton).
import { Rng, type SeedKey } from '../data/rng';

/** Example indices for training and testing: whole source sequences go to one side (no pair is split). */
export function splitBySource(
  source: ArrayLike<number>,
  testFraction: number,
  seed: SeedKey,
): { train: number[]; test: number[] } {
  const sources = [...new Set(Array.from(source))].sort((a, b) => a - b);
  Rng.from(seed, 'probe-split').shuffle(sources);
  const nTest = Math.min(sources.length - 1, Math.max(1, Math.round(sources.length * testFraction)));
  const testSet = new Set(sources.slice(0, nTest));
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < source.length; i++) (testSet.has(source[i]) ? test : train).push(i);
  return { train, test };
}

// ------------------------------------------------------------------------------------------ logistic regression

export interface LogisticModel {
  d: number;
  /** Standardization from the training rows: x' = (x - mean) / std (std = Infinity for constant features: x' = 0). */
  mean: Float64Array;
  std: Float64Array;
  w: Float64Array;
  b: number;
  /** Newton iterations used. */
  iterations: number;
}

export interface LogisticOptions {
  /** L2 penalty on the weights (not the bias), on standardized features; the loss is the mean log-loss. */
  l2?: number;
  maxIterations?: number;
  /** Stop when the largest Newton step is below this. */
  tol?: number;
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Solves A x = r in place for a symmetric positive definite A (n x n, row-major) by Cholesky; returns x. */
export function choleskySolve(A: Float64Array, r: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      if (i === j) {
        if (!(s > 0)) throw new Error('logistic regression: the Hessian is not positive definite');
        L[i * n + i] = Math.sqrt(s);
      } else L[i * n + j] = s / L[j * n + j];
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = r[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * y[k];
    y[i] = s / L[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}

/** Standardized copy of rows `idx` of X (n_all x d) with a trailing 1 for the bias: (idx.length, d + 1). */
function design(
  X: ArrayLike<number>,
  d: number,
  idx: readonly number[],
  mean: Float64Array,
  std: Float64Array,
): Float64Array {
  const D = d + 1;
  const Z = new Float64Array(idx.length * D);
  idx.forEach((r, i) => {
    for (let j = 0; j < d; j++) Z[i * D + j] = (X[r * d + j] - mean[j]) / std[j];
    Z[i * D + d] = 1;
  });
  return Z;
}

/**
 * L2-regularized logistic regression on rows `idx` of X (rows of d features) with labels y in {0,1}: features
 * standardized on those rows, then Newton's method (full batch, float64, fixed order: deterministic).
 */
export function fitLogistic(
  X: ArrayLike<number>,
  d: number,
  y: ArrayLike<number>,
  idx: readonly number[],
  opts: LogisticOptions = {},
): LogisticModel {
  const l2 = opts.l2 ?? 1e-2;
  const n = idx.length;
  if (n === 0) throw new Error('logistic regression needs at least one training example');
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (const r of idx) for (let j = 0; j < d; j++) mean[j] += X[r * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  for (const r of idx) for (let j = 0; j < d; j++) std[j] += (X[r * d + j] - mean[j]) ** 2;
  for (let j = 0; j < d; j++) {
    const sd = Math.sqrt(std[j] / n);
    std[j] = sd > 1e-9 * (1 + Math.abs(mean[j])) ? sd : Infinity;
  }
  const D = d + 1;
  const Z = design(X, d, idx, mean, std);
  const beta = new Float64Array(D);
  let it = 0;
  for (; it < (opts.maxIterations ?? 50); it++) {
    const g = new Float64Array(D);
    const H = new Float64Array(D * D);
    for (let i = 0; i < n; i++) {
      const z = Z.subarray(i * D, (i + 1) * D);
      let s = 0;
      for (let j = 0; j < D; j++) s += z[j] * beta[j];
      const p = sigmoid(s);
      const e = (p - y[idx[i]]) / n;
      const w = (p * (1 - p)) / n;
      for (let j = 0; j < D; j++) {
        g[j] += e * z[j];
        const wz = w * z[j];
        for (let k = 0; k <= j; k++) H[j * D + k] += wz * z[k];
      }
    }
    for (let j = 0; j < D; j++) {
      const reg = j < d ? l2 : 1e-9;
      g[j] += reg * beta[j];
      H[j * D + j] += reg;
      for (let k = 0; k < j; k++) H[k * D + j] = H[j * D + k];
    }
    const step = choleskySolve(H, g, D);
    let maxStep = 0;
    for (let j = 0; j < D; j++) {
      beta[j] -= step[j];
      maxStep = Math.max(maxStep, Math.abs(step[j]));
    }
    if (maxStep < (opts.tol ?? 1e-8)) {
      it++;
      break;
    }
  }
  return { d, mean, std, w: beta.slice(0, d), b: beta[d], iterations: it };
}

/** P(label 1) for rows `idx` of X. */
export function predictLogistic(m: LogisticModel, X: ArrayLike<number>, idx: readonly number[]): Float64Array {
  const D = m.d + 1;
  const Z = design(X, m.d, idx, m.mean, m.std);
  return Float64Array.from(idx, (_, i) => {
    let s = m.b;
    for (let j = 0; j < m.d; j++) s += Z[i * D + j] * m.w[j];
    return sigmoid(s);
  });
}

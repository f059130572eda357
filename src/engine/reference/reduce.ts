// CPU reference (float64) of the reductions: global gradient norm and clip scale (as torch.nn.utils.
// clip_grad_norm_ with norm_type 2), sums, weighted sums and accuracy counts. The oracle for shaders/reduce.wgsl.

export function sumSquares(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s;
}

export interface GradNormResult {
  norm: number;
  /** min(1, maxNorm / (norm + 1e-6)); 1 when maxNorm <= 0 (clipping off). */
  scale: number;
}

/** The L2 norm over all gradient tensors together and the factor that clips it to maxNorm. */
export function gradNorm(grads: readonly ArrayLike<number>[], maxNorm: number): GradNormResult {
  let total = 0;
  for (const g of grads) total += sumSquares(g);
  const norm = Math.sqrt(total);
  const scale = maxNorm > 0 ? Math.min(1, maxNorm / (norm + 1e-6)) : 1;
  return { norm, scale };
}

export function sum(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s;
}

export function weightedSum(x: ArrayLike<number>, w: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * w[i];
  return s;
}

export interface Count {
  correct: number;
  total: number;
}

/** Rows with target >= 0 (total) and among them those whose prediction equals the target (correct). */
export function countCorrect(pred: ArrayLike<number>, target: ArrayLike<number>): Count {
  let correct = 0;
  let total = 0;
  for (let i = 0; i < target.length; i++) {
    if (target[i] < 0) continue;
    total++;
    if (pred[i] === target[i]) correct++;
  }
  return { correct, total };
}

/** Tokens with weight != 0 (total) and among them those whose 0/1 prediction equals (label > 0.5). */
export function countBinaryCorrect(
  pred: ArrayLike<number>,
  labels: ArrayLike<number>,
  weights: ArrayLike<number>,
): Count {
  let correct = 0;
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    if (weights[i] === 0) continue;
    total++;
    if (pred[i] === (labels[i] > 0.5 ? 1 : 0)) correct++;
  }
  return { correct, total };
}

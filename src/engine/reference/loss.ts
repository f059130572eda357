// CPU reference (float64) for the loss kernels: softmax cross-entropy over gathered rows, binary cross-entropy,
// and the top-k probe. The test oracle for shaders/mlm_loss.wgsl and shaders/binary_loss.wgsl.

export interface XentResult {
  /** (M) unweighted per-row loss, 0 for rows without a target. */
  losses: Float64Array;
  /** (M) first index of the row maximum, -1 for rows without a target. */
  argmax: Int32Array;
  /** (M, V) weight * (softmax - onehot), 0 for rows without a target. */
  dlogits: Float64Array;
}

/** A target in [0, V) is a target; anything else (-1 by convention) means the row carries none. */
export function hasTarget(t: number, V: number): boolean {
  return t >= 0 && t < V;
}

/** Forward and backward of softmax cross-entropy. logits (M, V), targets (M), weights (M). */
export function crossEntropy(
  logits: ArrayLike<number>,
  targets: ArrayLike<number>,
  weights: ArrayLike<number>,
  M: number,
  V: number,
): XentResult {
  const losses = new Float64Array(M);
  const argmax = new Int32Array(M).fill(-1);
  const dlogits = new Float64Array(M * V);
  for (let r = 0; r < M; r++) {
    const t = targets[r];
    if (!hasTarget(t, V)) continue;
    const base = r * V;
    let m = -Infinity;
    let idx = -1;
    for (let j = 0; j < V; j++) {
      if (logits[base + j] > m) {
        m = logits[base + j];
        idx = j;
      }
    }
    let s = 0;
    for (let j = 0; j < V; j++) s += Math.exp(logits[base + j] - m);
    losses[r] = m - logits[base + t] + Math.log(s);
    argmax[r] = idx;
    const w = weights[r];
    for (let j = 0; j < V; j++) {
      const prob = Math.exp(logits[base + j] - m) / s;
      dlogits[base + j] = w * (prob - (j === t ? 1 : 0));
    }
  }
  return { losses, argmax, dlogits };
}

/** The scalar whose gradient crossEntropy's dlogits is: sum over rows of weight * loss. */
export function crossEntropyObjective(
  logits: ArrayLike<number>,
  targets: ArrayLike<number>,
  weights: ArrayLike<number>,
  M: number,
  V: number,
): number {
  const { losses } = crossEntropy(logits, targets, weights, M, V);
  let total = 0;
  for (let r = 0; r < M; r++) total += weights[r] * losses[r];
  return total;
}

export interface TopKResult {
  /** (R, K) ids in order of decreasing probability (ties: lower id first); -1 past V or for rows < 0. */
  ids: Int32Array;
  /** (R, K) softmax probabilities of those ids; 0 where the id is -1. */
  probs: Float64Array;
}

/** Top-K of softmax(logits[rows[r]]) for each probe row. */
export function topK(logits: ArrayLike<number>, rows: ArrayLike<number>, V: number, K: number): TopKResult {
  const R = rows.length;
  const ids = new Int32Array(R * K).fill(-1);
  const probs = new Float64Array(R * K);
  for (let r = 0; r < R; r++) {
    const row = rows[r];
    if (row < 0) continue;
    const base = row * V;
    let m = -Infinity;
    for (let j = 0; j < V; j++) m = Math.max(m, logits[base + j]);
    let s = 0;
    for (let j = 0; j < V; j++) s += Math.exp(logits[base + j] - m);
    const order = Array.from({ length: V }, (_, j) => j);
    order.sort((a, b) => logits[base + b] - logits[base + a] || a - b);
    for (let k = 0; k < Math.min(K, V); k++) {
      ids[r * K + k] = order[k];
      probs[r * K + k] = Math.exp(logits[base + order[k]] - m) / s;
    }
  }
  return { ids, probs };
}

export interface BceResult {
  /** (N) unweighted loss, 0 where weight is 0. */
  losses: Float64Array;
  /** (N) weight * (sigmoid(x) - y). */
  dlogits: Float64Array;
  /** (N) 1 where x > 0, else 0. */
  preds: Int32Array;
}

/** Binary cross-entropy with logits: max(x,0) - x*y + log1p(exp(-|x|)). */
export function binaryCrossEntropy(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  weights: ArrayLike<number>,
): BceResult {
  const N = logits.length;
  const losses = new Float64Array(N);
  const dlogits = new Float64Array(N);
  const preds = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    const x = logits[i];
    const y = labels[i];
    const w = weights[i];
    // sigmoid(x) and sigmoid(-x) without cancellation: sigmoid(x) - y = (1 - y) sigmoid(x) - y sigmoid(-x).
    const z = Math.exp(-Math.abs(x));
    const big = 1 / (1 + z);
    const small = z / (1 + z);
    const [pos, neg] = x >= 0 ? [big, small] : [small, big];
    losses[i] = w === 0 ? 0 : Math.max(x, 0) - x * y + Math.log1p(z);
    dlogits[i] = w === 0 ? 0 : w * ((1 - y) * pos - y * neg);
    preds[i] = x > 0 ? 1 : 0;
  }
  return { losses, dlogits, preds };
}

/** The scalar whose gradient binaryCrossEntropy's dlogits is: sum of weight * loss. */
export function binaryCrossEntropyObjective(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  weights: ArrayLike<number>,
): number {
  const { losses } = binaryCrossEntropy(logits, labels, weights);
  let total = 0;
  for (let i = 0; i < losses.length; i++) total += weights[i] * losses[i];
  return total;
}

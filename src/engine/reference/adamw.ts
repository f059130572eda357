// CPU reference (float64) of one AdamW step exactly as PyTorch's torch.optim.AdamW computes it (single-tensor
// path, amsgrad = maximize = false): the oracle for shaders/adamw.wgsl.

export interface AdamWHyperparams {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/**
 * Updates param, m and v in place for step `step` (1 for the first update). `decay` switches weight decay for
 * this tensor; the gradient is multiplied by clipScale first (the global-norm clip factor).
 *
 *   param *= 1 - lr * weightDecay                  (decoupled decay, applied BEFORE the Adam step, as PyTorch)
 *   m = m + (1 - beta1) * (g - m)                  (= beta1 m + (1 - beta1) g)
 *   v = beta2 v + (1 - beta2) g^2
 *   param -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 */
export function adamwStep(
  param: Float64Array,
  grad: ArrayLike<number>,
  m: Float64Array,
  v: Float64Array,
  hp: AdamWHyperparams,
  step: number,
  decay: boolean,
  clipScale = 1,
): void {
  const bc1 = 1 - hp.beta1 ** step;
  const bc2 = 1 - hp.beta2 ** step;
  const stepSize = hp.lr / bc1;
  const bc2Sqrt = Math.sqrt(bc2);
  for (let i = 0; i < param.length; i++) {
    const g = grad[i] * clipScale;
    if (decay) param[i] *= 1 - hp.lr * hp.weightDecay;
    m[i] = m[i] + (1 - hp.beta1) * (g - m[i]);
    v[i] = v[i] * hp.beta2 + (1 - hp.beta2) * g * g;
    const denom = Math.sqrt(v[i]) / bc2Sqrt + hp.eps;
    param[i] -= (stepSize * m[i]) / denom;
  }
}

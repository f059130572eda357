// CPU reference for LayerNorm over the last dim, exactly as PyTorch/Hugging Face BERT compute it (biased variance,
// eps inside the square root): forward with saved mean/rstd, and backward for x, gamma and beta. float64 throughout.

export const BERT_LAYER_NORM_EPS = 1e-12;

export interface LayerNormForward {
  /** (N, C) normalized, scaled and shifted rows. */
  out: Float64Array;
  /** (N) row means. */
  mean: Float64Array;
  /** (N) 1 / sqrt(var + eps), biased variance. */
  rstd: Float64Array;
}

export function layerNormForward(
  x: ArrayLike<number>,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  N: number,
  C: number,
  eps = BERT_LAYER_NORM_EPS,
): LayerNormForward {
  const out = new Float64Array(N * C);
  const mean = new Float64Array(N);
  const rstd = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    const o = n * C;
    let s = 0;
    for (let c = 0; c < C; c++) s += x[o + c];
    const m = s / C;
    let v = 0;
    for (let c = 0; c < C; c++) v += (x[o + c] - m) ** 2;
    const r = 1 / Math.sqrt(v / C + eps);
    for (let c = 0; c < C; c++) out[o + c] = (x[o + c] - m) * r * gamma[c] + beta[c];
    mean[n] = m;
    rstd[n] = r;
  }
  return { out, mean, rstd };
}

export interface LayerNormGrads {
  dx: Float64Array;
  dgamma: Float64Array;
  dbeta: Float64Array;
}

/** Gradients of sum(dy * out) with respect to x, gamma and beta (fresh arrays; the GPU op accumulates the last two). */
export function layerNormBackward(
  dy: ArrayLike<number>,
  x: ArrayLike<number>,
  gamma: ArrayLike<number>,
  mean: ArrayLike<number>,
  rstd: ArrayLike<number>,
  N: number,
  C: number,
): LayerNormGrads {
  const dx = new Float64Array(N * C);
  const dgamma = new Float64Array(C);
  const dbeta = new Float64Array(C);
  for (let n = 0; n < N; n++) {
    const o = n * C;
    const m = mean[n];
    const r = rstd[n];
    let sdn = 0;
    let sdnx = 0;
    for (let c = 0; c < C; c++) {
      const xh = (x[o + c] - m) * r;
      const dn = dy[o + c] * gamma[c];
      sdn += dn;
      sdnx += dn * xh;
      dgamma[c] += dy[o + c] * xh;
      dbeta[c] += dy[o + c];
    }
    const mdn = sdn / C;
    const mdnx = sdnx / C;
    for (let c = 0; c < C; c++) {
      const xh = (x[o + c] - m) * r;
      dx[o + c] = r * (dy[o + c] * gamma[c] - mdn - xh * mdnx);
    }
  }
  return { dx, dgamma, dbeta };
}

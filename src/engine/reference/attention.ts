// CPU reference (float64) of BERT multi-head self-attention on a packed qkv, forward and backward: the test oracle
// for shaders/attention.wgsl. Masked logits are replaced by the same constants the GPU uses, so edge cases agree.

export interface AttentionDims {
  B: number;
  T: number;
  C: number;
  NH: number;
  /** Keys after the query (j > i) are masked: decoder-style attention. */
  causal: boolean;
}

/**
 * A padding key's logit. Far below any real logit (exact for logits up to 1e4), so it gets probability 0, yet a
 * row whose keys are all padding still has a finite softmax: uniform over its visible keys (as Hugging Face's
 * additive finfo.min mask gives).
 */
export const PAD_MASKED = -1e30;
/** A future key's logit (causal): below PAD_MASKED, so the future gets probability 0 even in an all-padding row. */
export const CAUSAL_MASKED = -3e38;

export interface AttentionForwardResult {
  /** (B*T, C), heads concatenated. */
  out: Float64Array;
  /** (B, NH, T, T) probabilities. */
  att: Float64Array;
}

function headSize(d: AttentionDims): number {
  if (d.C % d.NH !== 0) throw new Error(`attention: C=${d.C} is not a multiple of NH=${d.NH}`);
  return d.C / d.NH;
}

/** The logit of query i for key j in sequence b, or null when it is replaced by a mask constant. */
function masked(valid: ArrayLike<number>, d: AttentionDims, b: number, i: number, j: number): number | null {
  if (d.causal && j > i) return CAUSAL_MASKED;
  if (valid[b * d.T + j] === 0) return PAD_MASKED;
  return null;
}

/**
 * qkv: (B*T, 3C) rows [Q | K | V]; valid: (B*T) 1 for a real token, 0 for padding.
 * att = softmax(Q K^T / sqrt(HS) with masked logits), out = att V per head.
 */
export function attentionForwardRef(
  qkv: ArrayLike<number>,
  valid: ArrayLike<number>,
  d: AttentionDims,
): AttentionForwardResult {
  const { B, T, C, NH } = d;
  const HS = headSize(d);
  const scale = 1 / Math.sqrt(HS);
  const C3 = 3 * C;
  const out = new Float64Array(B * T * C);
  const att = new Float64Array(B * NH * T * T);
  const row = new Float64Array(T);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      for (let i = 0; i < T; i++) {
        const q = (b * T + i) * C3 + h * HS;
        let max = -Infinity;
        for (let j = 0; j < T; j++) {
          let s = masked(valid, d, b, i, j);
          if (s === null) {
            const k = (b * T + j) * C3 + C + h * HS;
            s = 0;
            for (let e = 0; e < HS; e++) s += qkv[q + e] * qkv[k + e];
            s *= scale;
          }
          row[j] = s;
          if (s > max) max = s;
        }
        let sum = 0;
        for (let j = 0; j < T; j++) {
          row[j] = Math.exp(row[j] - max);
          sum += row[j];
        }
        const a = ((b * NH + h) * T + i) * T;
        const o = (b * T + i) * C + h * HS;
        for (let j = 0; j < T; j++) {
          const p = row[j] / sum;
          att[a + j] = p;
          if (p === 0) continue;
          const v = (b * T + j) * C3 + 2 * C + h * HS;
          for (let e = 0; e < HS; e++) out[o + e] += p * qkv[v + e];
        }
      }
    }
  }
  return { out, att };
}

/**
 * Gradient of a scalar loss with respect to qkv, given dout = dloss/dout (B*T, C) and the forward's att.
 * dP = dout V^T, dS = P * (dP - rowsum(dP * P)) / sqrt(HS) where the logit was computed (0 where it was a mask
 * constant), dQ = dS K, dK = dS^T Q, dV = P^T dout.
 */
export function attentionBackwardRef(
  qkv: ArrayLike<number>,
  valid: ArrayLike<number>,
  att: ArrayLike<number>,
  dout: ArrayLike<number>,
  d: AttentionDims,
): Float64Array {
  const { B, T, C, NH } = d;
  const HS = headSize(d);
  const scale = 1 / Math.sqrt(HS);
  const C3 = 3 * C;
  const dqkv = new Float64Array(B * T * C3);
  const dp = new Float64Array(T);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < NH; h++) {
      for (let i = 0; i < T; i++) {
        const a = ((b * NH + h) * T + i) * T;
        const go = (b * T + i) * C + h * HS;
        let dot = 0;
        for (let j = 0; j < T; j++) {
          const v = (b * T + j) * C3 + 2 * C + h * HS;
          let s = 0;
          for (let e = 0; e < HS; e++) s += dout[go + e] * qkv[v + e];
          dp[j] = s;
          dot += s * att[a + j];
          // dV_j += P_ij * dout_i
          const p = att[a + j];
          if (p !== 0) for (let e = 0; e < HS; e++) dqkv[v + e] += p * dout[go + e];
        }
        const q = (b * T + i) * C3 + h * HS;
        for (let j = 0; j < T; j++) {
          if (masked(valid, d, b, i, j) !== null) continue;
          const ds = att[a + j] * (dp[j] - dot) * scale;
          if (ds === 0) continue;
          const k = (b * T + j) * C3 + C + h * HS;
          for (let e = 0; e < HS; e++) {
            dqkv[q + e] += ds * qkv[k + e];
            dqkv[k + e] += ds * qkv[q + e];
          }
        }
      }
    }
  }
  return dqkv;
}

// CPU reference (float64) for the Linear blocks the fused matmul epilogues compute: a Linear with the residual
// stream added, and a Linear followed by GELU, forward and backward. The oracle for the fused kernels
// (shaders/matmul.wgsl's matmul_residual, matmul_gelu, matmul_gelu_grad, matmul_bias_grad and their CPU twins).
import { geluBackward, geluForward } from './gelu';
import { biasGradRef, matmulBackward, matmulForward } from './matmul';

/** rows x inp inputs through W (out, inp) and b (out): PyTorch's nn.Linear. */
export interface LinearShape {
  rows: number;
  inp: number;
  out: number;
}

function shape(s: LinearShape) {
  return { M: s.rows, N: s.out, K: s.inp, transB: true };
}

/** y = x W^T + b (+ res): (rows, out). */
export function linearForward(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  b: ArrayLike<number>,
  s: LinearShape,
  res?: ArrayLike<number>,
): Float64Array {
  return matmulForward(x, w, shape(s), b, res);
}

export interface LinearGrads {
  /** (rows, inp). */
  dx: Float64Array;
  /** (out, inp). */
  dw: Float64Array;
  /** (out). */
  db: Float64Array;
}

/** Gradients of y = x W^T + b (+ res) from dY (rows, out); the residual's gradient is dY itself. */
export function linearBackward(
  dy: ArrayLike<number>,
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  s: LinearShape,
): LinearGrads {
  const g = matmulBackward(dy, x, w, shape(s));
  return { dx: g.da, dw: g.db, db: biasGradRef(dy, s.rows, s.out) };
}

/** f = x W^T + b (the pre-activation) and y = gelu(f), both (rows, out). */
export function linearGeluForward(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  b: ArrayLike<number>,
  s: LinearShape,
): { pre: Float64Array; out: Float64Array } {
  const pre = linearForward(x, w, b, s);
  return { pre, out: geluForward(pre) };
}

/** Gradients of y = gelu(x W^T + b) from dY, with df = dY * gelu'(f) (what matmul_gelu_grad writes). */
export function linearGeluBackward(
  dy: ArrayLike<number>,
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  pre: ArrayLike<number>,
  s: LinearShape,
): LinearGrads & { dpre: Float64Array } {
  const dpre = geluBackward(dy, pre);
  return { ...linearBackward(dpre, x, w, s), dpre };
}

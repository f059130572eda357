// CPU reference for GELU in its tanh form (Hugging Face "gelu_new"):
// gelu(x) = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), forward and backward, float64.

export const GELU_K = Math.sqrt(2 / Math.PI);
export const GELU_A = 0.044715;

export function gelu(x: number): number {
  return 0.5 * x * (1 + Math.tanh(GELU_K * (x + GELU_A * x * x * x)));
}

/** d gelu / dx. */
export function geluGrad(x: number): number {
  const t = Math.tanh(GELU_K * (x + GELU_A * x * x * x));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_K * (1 + 3 * GELU_A * x * x);
}

export function geluForward(x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = gelu(x[i]);
  return out;
}

/** dx = dy * gelu'(x). */
export function geluBackward(dy: ArrayLike<number>, x: ArrayLike<number>): Float64Array {
  const dx = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) dx[i] = dy[i] * geluGrad(x[i]);
  return dx;
}

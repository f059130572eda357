// CPU reference for the elementwise ops: residual add, scaled add (out += s a), scale, and bias add over the last dim
// (with its backward, the column sum that gives dbias). float64.

export function add(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
  return out;
}

/** out + s * a (the GPU's in-place `out += s * a`). */
export function addScaled(out: ArrayLike<number>, a: ArrayLike<number>, s = 1): Float64Array {
  const r = new Float64Array(out.length);
  for (let i = 0; i < out.length; i++) r[i] = out[i] + s * a[i];
  return r;
}

/** out[i] * a[i] (mul_inplace). */
export function mul(out: ArrayLike<number>, a: ArrayLike<number>): Float64Array {
  return Float64Array.from(out, (x, i) => x * a[i]);
}

export function scale(a: ArrayLike<number>, s: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] * s;
  return out;
}

/** (N, C) a + bias broadcast over rows. */
export function biasAdd(a: ArrayLike<number>, bias: ArrayLike<number>, N: number, C: number): Float64Array {
  const out = new Float64Array(N * C);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) out[n * C + c] = a[n * C + c] + bias[c];
  return out;
}

/** Backward of add: both inputs get dout. */
export function addBackward(dout: ArrayLike<number>): { da: Float64Array; db: Float64Array } {
  return { da: Float64Array.from(dout), db: Float64Array.from(dout) };
}

/** Backward of scale: s * dout. */
export function scaleBackward(dout: ArrayLike<number>, s: number): Float64Array {
  return scale(dout, s);
}

/** Backward of biasAdd: da = dout, dbias = sum of dout over rows. */
export function biasAddBackward(
  dout: ArrayLike<number>,
  N: number,
  C: number,
): { da: Float64Array; dbias: Float64Array } {
  const dbias = new Float64Array(C);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) dbias[c] += dout[n * C + c];
  return { da: Float64Array.from(dout), dbias };
}

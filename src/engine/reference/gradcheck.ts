// Finite-difference gradient checks for the CPU reference: compares an analytic gradient with central differences.

export type Vec = Float64Array;

/**
 * Checks d(loss)/d(x) for a scalar loss of x. `loss` must not keep x between calls (x is perturbed in place and
 * restored). Returns the worst relative error, |a - n| / max(1e-8, |a| + |n|), over `samples` coordinates
 * (all when samples >= x.length), chosen deterministically.
 */
export function gradCheck(x: Vec, analytic: ArrayLike<number>, loss: () => number, samples = 64, eps = 1e-6): number {
  const n = x.length;
  const step = n <= samples ? 1 : n / samples;
  let worst = 0;
  for (let s = 0; s < Math.min(n, samples); s++) {
    const i = Math.floor(s * step);
    const old = x[i];
    x[i] = old + eps;
    const up = loss();
    x[i] = old - eps;
    const down = loss();
    x[i] = old;
    const num = (up - down) / (2 * eps);
    const a = analytic[i];
    const rel = Math.abs(a - num) / Math.max(1e-8, Math.abs(a) + Math.abs(num));
    // Tiny gradients on both sides are noise-dominated; judge them by absolute error instead.
    const err = Math.abs(a) + Math.abs(num) < 1e-7 ? Math.abs(a - num) : rel;
    if (err > worst) worst = err;
  }
  return worst;
}

/** A fixed random projection loss: sum_i w_i * y_i, so every output contributes to the gradient. */
export function projection(n: number, seed = 12345): Vec {
  let a = seed >>> 0;
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    w[i] = a / 4294967296 - 0.5;
  }
  return w;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

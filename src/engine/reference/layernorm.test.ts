// Finite-difference checks of the LayerNorm reference gradients, plus the forward's defining properties.
import { describe, expect, it } from 'vitest';
import { dot, gradCheck, projection } from './gradcheck';
import { layerNormBackward, layerNormForward } from './layernorm';

function rand(n: number, seed: number, scale = 1): Float64Array {
  let a = seed >>> 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    out[i] = (a / 4294967296 - 0.5) * 2 * scale;
  }
  return out;
}

describe('layerNorm reference', () => {
  it('normalizes each row to mean beta and std gamma (up to eps)', () => {
    const N = 3;
    const C = 10;
    const x = rand(N * C, 1, 3);
    const gamma = new Float64Array(C).fill(2);
    const beta = new Float64Array(C).fill(0.5);
    const { out } = layerNormForward(x, gamma, beta, N, C);
    for (let n = 0; n < N; n++) {
      const row = out.subarray(n * C, (n + 1) * C);
      const m = row.reduce((s, v) => s + v, 0) / C;
      const v = row.reduce((s, y) => s + (y - m) ** 2, 0) / C;
      expect(m).toBeCloseTo(0.5, 12);
      expect(Math.sqrt(v)).toBeCloseTo(2, 9);
    }
  });

  it.each([
    [4, 7, 1e-12],
    [3, 16, 1e-5],
    [2, 1, 1e-5],
  ])('gradients match finite differences at (N, C) = (%i, %i), eps %s', (N, C, eps) => {
    const x = rand(N * C, 2, 2);
    const gamma = rand(C, 3);
    const beta = rand(C, 4);
    const w = projection(N * C);
    const loss = (): number => dot(w, layerNormForward(x, gamma, beta, N, C, eps).out);
    const { mean, rstd } = layerNormForward(x, gamma, beta, N, C, eps);
    const g = layerNormBackward(w, x, gamma, mean, rstd, N, C);
    // C = 1 makes the output independent of x (xhat = 0): the gradient is ~0 and judged by absolute error.
    expect(gradCheck(x, g.dx, loss, 64, 1e-6)).toBeLessThan(1e-5);
    expect(gradCheck(gamma, g.dgamma, loss)).toBeLessThan(1e-6);
    expect(gradCheck(beta, g.dbeta, loss)).toBeLessThan(1e-6);
  });
});

// Finite-difference checks of the GELU (tanh form) reference, and known values of HF's gelu_new.
import { describe, expect, it } from 'vitest';
import { gelu, geluBackward, geluForward } from './gelu';
import { dot, gradCheck, projection } from './gradcheck';

describe('gelu reference', () => {
  it('matches known values of the tanh approximation', () => {
    expect(gelu(0)).toBe(0);
    // torch.nn.functional.gelu(torch.tensor(1.0, dtype=float64), approximate='tanh') = 0.8411919906082768
    expect(gelu(1)).toBeCloseTo(0.8411919906082768, 14);
    expect(gelu(-1)).toBeCloseTo(-0.15880800939172324, 14);
    expect(gelu(10)).toBeCloseTo(10, 12);
    expect(gelu(-10)).toBeCloseTo(0, 12);
  });

  it('gradient matches finite differences', () => {
    const n = 101;
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = -6 + (12 * i) / (n - 1) + 0.0123;
    const w = projection(n);
    const loss = (): number => dot(w, geluForward(x));
    // eps 1e-4: the tails' tiny gradients would otherwise drown in the loss's rounding noise.
    expect(gradCheck(x, geluBackward(w, x), loss, n, 1e-4)).toBeLessThan(1e-5);
  });
});

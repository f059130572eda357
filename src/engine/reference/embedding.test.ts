// Finite-difference checks of the embedding reference, including repeated and out-of-range ids.
import { describe, expect, it } from 'vitest';
import { embeddingBackward, embeddingForward } from './embedding';
import { dot, gradCheck, projection } from './gradcheck';

describe('embedding reference', () => {
  const shape = { B: 2, T: 5, C: 3, V: 4 };
  const { B, T, C, V } = shape;
  // Repeated ids, and two out-of-range ids (-1 and V) that must be skipped.
  const ids = Int32Array.from([0, 2, 2, -1, 3, 2, 0, 4, 1, 2]);
  const wte = Float64Array.from({ length: V * C }, (_, i) => Math.sin(i));
  const wpe = Float64Array.from({ length: T * C }, (_, i) => Math.cos(i));
  const wtt = Float64Array.from({ length: 2 * C }, (_, i) => i / 10);

  it('sums token, token-type-0 and position rows; skips out-of-range ids', () => {
    const out = embeddingForward(ids, wte, wpe, wtt, shape);
    // Row 1 (b=0, t=1, id 2).
    for (let c = 0; c < C; c++) expect(out[1 * C + c]).toBeCloseTo(wte[2 * C + c] + wtt[c] + wpe[1 * C + c], 14);
    // Row 3 (id -1) and row 7 (id V) carry no token embedding.
    for (let c = 0; c < C; c++) expect(out[3 * C + c]).toBeCloseTo(wtt[c] + wpe[3 * C + c], 14);
    for (let c = 0; c < C; c++) expect(out[7 * C + c]).toBeCloseTo(wtt[c] + wpe[2 * C + c], 14);
  });

  it('gradients match finite differences', () => {
    const w = projection(B * T * C);
    const loss = (): number => dot(w, embeddingForward(ids, wte, wpe, wtt, shape));
    const g = embeddingBackward(w, ids, shape);
    expect(gradCheck(wte, g.dwte, loss)).toBeLessThan(1e-7);
    expect(gradCheck(wpe, g.dwpe, loss)).toBeLessThan(1e-7);
    // Only row 0 of the token-type table is used; row 1 gets no gradient.
    const dwtt = new Float64Array(2 * C);
    dwtt.set(g.dwtt);
    expect(gradCheck(wtt, dwtt, loss)).toBeLessThan(1e-7);
  });
});

// Finite-difference checks of row gather and its scatter-add backward, with -1 and out-of-range indices.
import { describe, expect, it } from 'vitest';
import { gatherRows, gatherRowsBackward } from './gather';
import { dot, gradCheck, projection } from './gradcheck';

describe('gather reference', () => {
  const N = 6;
  const C = 4;
  const index = Int32Array.from([4, -1, 0, 5, 7, 2]);
  const src = Float64Array.from({ length: N * C }, (_, i) => Math.sin(2 * i + 1));

  it('picks rows and zeroes the ones with no valid index', () => {
    const out = gatherRows(src, index, N, C);
    expect(Array.from(out.subarray(0, C))).toEqual(Array.from(src.subarray(4 * C, 5 * C)));
    expect(Array.from(out.subarray(C, 2 * C))).toEqual([0, 0, 0, 0]);
    expect(Array.from(out.subarray(4 * C, 5 * C))).toEqual([0, 0, 0, 0]);
  });

  it('gradient matches finite differences', () => {
    const w = projection(index.length * C);
    const g = gatherRowsBackward(w, index, N, C);
    expect(gradCheck(src, g, () => dot(w, gatherRows(src, index, N, C)))).toBeLessThan(1e-7);
    // Rows 1 and 3 are never picked.
    expect(Array.from(g.subarray(1 * C, 2 * C))).toEqual([0, 0, 0, 0]);
  });
});

// The matmul CPU reference: forward against hand-computed products and layouts, backward by finite differences.
import { describe, expect, it } from 'vitest';
import { dot, gradCheck, projection } from './gradcheck';
import { biasGradRef, matmulBackward, matmulForward, transpose, type MatmulRefShape } from './matmul';

function random(n: number, seed: number): Float64Array {
  let a = seed >>> 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    out[i] = a / 4294967296 - 0.5;
  }
  return out;
}

describe('matmulForward', () => {
  it('computes a small product with bias and alpha', () => {
    // A (2,3), B (3,2)
    const a = [1, 2, 3, 4, 5, 6];
    const b = [7, 8, 9, 10, 11, 12];
    const out = matmulForward(a, b, { M: 2, N: 2, K: 3, alpha: 0.5 }, [1, -1]);
    expect(Array.from(out)).toEqual([0.5 * 58 + 1, 0.5 * 64 - 1, 0.5 * 139 + 1, 0.5 * 154 - 1]);
  });

  it('gives the same product for every storage layout, and adds the old out', () => {
    const M = 5;
    const N = 3;
    const K = 4;
    const a = random(M * K, 1);
    const b = random(K * N, 2);
    const init = random(M * N, 3);
    const plain = matmulForward(a, b, { M, N, K }, undefined, init);
    const at = transpose(a, M, K);
    const bt = transpose(b, K, N);
    for (const [transA, transB] of [
      [true, false],
      [false, true],
      [true, true],
    ]) {
      const got = matmulForward(transA ? at : a, transB ? bt : b, { M, N, K, transA, transB }, undefined, init);
      for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(plain[i], 12);
    }
  });
});

describe('matmulBackward', () => {
  const shapes: MatmulRefShape[] = [];
  for (const transA of [false, true]) {
    for (const transB of [false, true]) shapes.push({ M: 3, N: 5, K: 4, transA, transB, alpha: 0.7 });
  }

  it.each(shapes)('matches finite differences for %o', (s) => {
    const a = random(s.M * s.K, 11);
    const b = random(s.K * s.N, 12);
    const bias = random(s.N, 13);
    const w = projection(s.M * s.N);
    const loss = () => dot(w, matmulForward(a, b, s, bias));
    const g = matmulBackward(w, a, b, s);
    expect(gradCheck(a, g.da, loss)).toBeLessThan(1e-7);
    expect(gradCheck(b, g.db, loss)).toBeLessThan(1e-7);
    expect(gradCheck(bias, g.dbias, loss)).toBeLessThan(1e-7);
  });

  it('bias gradient is the column sum', () => {
    expect(Array.from(biasGradRef([1, 2, 3, 4, 5, 6], 2, 3))).toEqual([5, 7, 9]);
  });
});

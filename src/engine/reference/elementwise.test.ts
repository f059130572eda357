// Finite-difference checks of the elementwise references (add, scaled add, scale, bias add).
import { describe, expect, it } from 'vitest';
import { add, addBackward, addScaled, biasAdd, biasAddBackward, scale, scaleBackward } from './elementwise';
import { dot, gradCheck, projection } from './gradcheck';

const N = 5;
const C = 7;
const a = Float64Array.from({ length: N * C }, (_, i) => Math.sin(i + 1));
const b = Float64Array.from({ length: N * C }, (_, i) => Math.cos(3 * i));
const bias = Float64Array.from({ length: C }, (_, i) => i / 3 - 1);
const w = projection(N * C);

describe('elementwise reference', () => {
  it('computes the values', () => {
    expect(add([1, 2], [3, 4])).toEqual(Float64Array.from([4, 6]));
    expect(addScaled([1, 2], [3, 4], 0.5)).toEqual(Float64Array.from([2.5, 4]));
    expect(scale([1, -2], 3)).toEqual(Float64Array.from([3, -6]));
    expect(biasAdd([1, 2, 3, 4], [10, 20], 2, 2)).toEqual(Float64Array.from([11, 22, 13, 24]));
  });

  it('add gradients match finite differences', () => {
    const g = addBackward(w);
    expect(gradCheck(a, g.da, () => dot(w, add(a, b)))).toBeLessThan(1e-5);
    expect(gradCheck(b, g.db, () => dot(w, add(a, b)))).toBeLessThan(1e-5);
  });

  it('scale gradient matches finite differences', () => {
    expect(gradCheck(a, scaleBackward(w, -1.7), () => dot(w, scale(a, -1.7)))).toBeLessThan(1e-5);
  });

  it('bias add gradients match finite differences', () => {
    const g = biasAddBackward(w, N, C);
    const loss = (): number => dot(w, biasAdd(a, bias, N, C));
    expect(gradCheck(a, g.da, loss)).toBeLessThan(1e-5);
    expect(gradCheck(bias, g.dbias, loss)).toBeLessThan(1e-5);
  });
});

// The reduction references against hand-computed values (norm, clip scale, sums, accuracy counts).
import { describe, expect, it } from 'vitest';
import { countBinaryCorrect, countCorrect, gradNorm, sum, sumSquares, weightedSum } from './reduce';

describe('reduction references', () => {
  it('global norm over several tensors, clip scale as clip_grad_norm_', () => {
    const grads = [[3], [0, 4], [12]]; // norm 13
    expect(sumSquares([1, -2, 2])).toBe(9);
    const off = gradNorm(grads, 0);
    expect(off).toEqual({ norm: 13, scale: 1 });
    expect(gradNorm(grads, 1).scale).toBeCloseTo(1 / (13 + 1e-6), 15);
    expect(gradNorm(grads, 100).scale).toBe(1);
  });

  it('sums, weighted sums and counts', () => {
    expect(sum([1, 2, 3.5])).toBe(6.5);
    expect(weightedSum([1, 2, 3], [0.5, 0, 2])).toBe(6.5);
    expect(countCorrect([4, 1, 2, 7], [4, -1, 3, 7])).toEqual({ correct: 2, total: 3 });
    expect(countBinaryCorrect([1, 0, 1, 0], [1, 0, 0, 1], [1, 1, 0, 2])).toEqual({ correct: 2, total: 3 });
  });
});

// Finite-difference checks of the loss references' gradients, plus hand-computed values and edge cases.
import { describe, expect, it } from 'vitest';
import { gradCheck } from './gradcheck';
import { binaryCrossEntropy, binaryCrossEntropyObjective, crossEntropy, crossEntropyObjective, topK } from './loss';

function randn(n: number, seed: number, scale = 1): Float64Array {
  let a = seed >>> 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    out[i] = (a / 4294967296 - 0.5) * 2 * scale;
  }
  return out;
}

describe('softmax cross-entropy reference', () => {
  it('matches a hand-computed row', () => {
    // logits [0, ln 2, ln 5] -> softmax [1/8, 2/8, 5/8]; target 1 -> loss ln 4; weight 0.5.
    const { losses, argmax, dlogits } = crossEntropy([0, Math.log(2), Math.log(5)], [1], [0.5], 1, 3);
    expect(losses[0]).toBeCloseTo(Math.log(4), 12);
    expect(argmax[0]).toBe(2);
    expect(Array.from(dlogits)).toEqual([0.5 / 8, 0.5 * (2 / 8 - 1), 0.5 * (5 / 8)].map((x) => expect.closeTo(x, 12)));
  });

  it.each([
    [5, 7],
    [3, 29],
    [2, 103],
  ])('gradient matches finite differences (M=%i, V=%i)', (M, V) => {
    const logits = randn(M * V, M * 31 + V, 3);
    const targets = Array.from({ length: M }, (_, r) => (r === 1 ? -1 : (r * 7 + 3) % V));
    const weights = randn(M, 99).map((w) => 0.2 + Math.abs(w));
    const { dlogits } = crossEntropy(logits, targets, weights, M, V);
    const worst = gradCheck(logits, dlogits, () => crossEntropyObjective(logits, targets, weights, M, V), 200, 1e-4);
    expect(worst).toBeLessThan(1e-6);
  });

  it('gives loss 0, gradient 0 and argmax -1 for rows without a target, including out-of-range ones', () => {
    const { losses, argmax, dlogits } = crossEntropy(randn(12, 3), [-1, 4, 2], [1, 1, 1], 3, 4);
    expect(Array.from(losses.subarray(0, 2))).toEqual([0, 0]);
    expect(Array.from(argmax.subarray(0, 2))).toEqual([-1, -1]);
    expect(dlogits.subarray(0, 8).every((g) => g === 0)).toBe(true);
    expect(losses[2]).toBeGreaterThan(0);
  });

  it('stays finite for logits of 1e4', () => {
    const { losses, dlogits } = crossEntropy([1e4, -1e4, 9990], [2], [1], 1, 3);
    expect(losses[0]).toBeCloseTo(10 + Math.log1p(Math.exp(-10)), 9);
    expect(dlogits.every(Number.isFinite)).toBe(true);
  });

  it('takes the first index on ties', () => {
    expect(crossEntropy([1, 3, 3, 0], [0], [1], 1, 4).argmax[0]).toBe(1);
  });
});

describe('top-k reference', () => {
  it('orders by probability, ties by id, and marks ids past V and rows < 0 with -1', () => {
    const logits = [0, 2, 1, 2, /* row 1 */ 5, 4];
    const { ids, probs } = topK(logits, [0, -1], 4, 3);
    expect(Array.from(ids)).toEqual([1, 3, 2, -1, -1, -1]);
    const s = 1 + 2 * Math.exp(2) + Math.exp(1);
    expect(probs[0]).toBeCloseTo(Math.exp(2) / s, 12);
    expect(probs[2]).toBeCloseTo(Math.exp(1) / s, 12);
    const few = topK([5, 4], [0], 2, 3);
    expect(Array.from(few.ids)).toEqual([0, 1, -1]);
  });
});

describe('binary cross-entropy reference', () => {
  it('matches the naive formula where that is accurate', () => {
    const x = [-2, -0.3, 0, 0.7, 3];
    const y = [0, 1, 1, 0, 1];
    const { losses, preds } = binaryCrossEntropy(x, y, [1, 1, 1, 1, 1]);
    x.forEach((xi, i) => {
      const p = 1 / (1 + Math.exp(-xi));
      expect(losses[i]).toBeCloseTo(-(y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p)), 12);
    });
    expect(Array.from(preds)).toEqual([0, 0, 0, 1, 1]);
  });

  it('gradient matches finite differences', () => {
    const N = 40;
    const logits = randn(N, 5, 6);
    const labels = Array.from({ length: N }, (_, i) => ((i * 5) % 3 === 0 ? 1 : 0));
    const weights = Array.from({ length: N }, (_, i) => (i % 9 === 4 ? 0 : 0.5 + (i % 3)));
    const { dlogits } = binaryCrossEntropy(logits, labels, weights);
    expect(
      gradCheck(logits, dlogits, () => binaryCrossEntropyObjective(logits, labels, weights), N, 1e-4),
    ).toBeLessThan(1e-6);
  });

  it('is accurate for large |x| (no overflow, tiny losses keep their relative precision)', () => {
    const { losses, dlogits } = binaryCrossEntropy([1e4, -1e4, 30, -30], [0, 1, 1, 0], [1, 1, 1, 1]);
    expect(losses[0]).toBe(1e4);
    expect(losses[1]).toBe(1e4);
    expect(losses[2]).toBeCloseTo(Math.exp(-30), 25);
    expect(losses[2] / Math.exp(-30)).toBeCloseTo(1, 12);
    expect(Array.from(dlogits)).toEqual([1, -1, expect.closeTo(-Math.exp(-30), 20), expect.closeTo(Math.exp(-30), 20)]);
  });
});

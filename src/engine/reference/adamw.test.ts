// The AdamW reference against steps worked out by hand, decay on and off, and the clip scale.
import { describe, expect, it } from 'vitest';
import { adamwStep, type AdamWHyperparams } from './adamw';

const hp: AdamWHyperparams = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };

describe('AdamW reference', () => {
  it('first step with decay: p = p (1 - lr wd) - lr * g/|g| (up to eps)', () => {
    // m = 0.05, v = 0.00025, mhat = 0.5, vhat = 0.25, update = 0.5 / (0.5 + 1e-8).
    const p = Float64Array.of(1);
    const m = new Float64Array(1);
    const v = new Float64Array(1);
    adamwStep(p, [0.5], m, v, hp, 1, true);
    expect(m[0]).toBeCloseTo(0.05, 15);
    expect(v[0]).toBeCloseTo(0.00025, 15);
    expect(p[0]).toBeCloseTo(1 * (1 - 0.1 * 0.01) - 0.1 * (0.5 / (0.5 + 1e-8)), 14);
  });

  it('first step without decay leaves the decay term out', () => {
    const p = Float64Array.of(1);
    adamwStep(p, [-0.5], new Float64Array(1), new Float64Array(1), hp, 1, false);
    expect(p[0]).toBeCloseTo(1 + 0.1 * (0.5 / (0.5 + 1e-8)), 14);
  });

  it('second step uses the bias corrections for t = 2', () => {
    const p = Float64Array.of(2);
    const m = new Float64Array(1);
    const v = new Float64Array(1);
    adamwStep(p, [1], m, v, hp, 1, true);
    const p1 = 2 * 0.999 - 0.1 * (1 / (1 + 1e-8));
    expect(p[0]).toBeCloseTo(p1, 13);
    adamwStep(p, [3], m, v, hp, 2, true);
    const m2 = 0.9 * 0.1 + 0.1 * 3; // 0.39
    const v2 = 0.999 * 0.001 + 0.001 * 9; // 0.009999
    const mhat = m2 / (1 - 0.81);
    const vhat = v2 / (1 - 0.999 ** 2);
    expect(m[0]).toBeCloseTo(m2, 14);
    expect(v[0]).toBeCloseTo(v2, 14);
    expect(p[0]).toBeCloseTo(p1 * 0.999 - 0.1 * (mhat / (Math.sqrt(vhat) + 1e-8)), 13);
  });

  it('scales the gradient by the clip factor before both moments', () => {
    const a = Float64Array.of(0.3, -0.2);
    const b = Float64Array.of(0.3, -0.2);
    const [ma, va, mb, vb] = [0, 0, 0, 0].map(() => new Float64Array(2));
    adamwStep(a, [0.8, -0.4], ma, va, hp, 1, true, 0.25);
    adamwStep(b, [0.2, -0.1], mb, vb, hp, 1, true);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(ma)).toEqual(Array.from(mb));
    expect(Array.from(va)).toEqual(Array.from(vb));
  });
});

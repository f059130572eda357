// The downstream tasks' classifier: the split by source sequence, and logistic regression by Newton (separable data
// is learned, shuffled labels stay at chance, deterministic); downstream.test.ts runs it on the tasks themselves.
import { describe, expect, it } from 'vitest';
import { Rng } from '../data/rng';
import { choleskySolve, fitLogistic, predictLogistic, splitBySource, type LogisticModel } from './probeClassifier';

/** Share of rows `idx` whose predicted class (p >= 0.5) is their label. */
function logisticAccuracy(
  m: LogisticModel,
  X: ArrayLike<number>,
  y: ArrayLike<number>,
  idx: readonly number[],
): number {
  if (idx.length === 0) return NaN;
  const p = predictLogistic(m, X, idx);
  let right = 0;
  idx.forEach((r, i) => {
    if ((p[i] >= 0.5 ? 1 : 0) === y[r]) right++;
  });
  return right / idx.length;
}

describe('splitBySource', () => {
  it('keeps both examples of a pair on one side, covers every example once, and is seeded', () => {
    const source = Int32Array.from({ length: 40 }, (_, i) => Math.floor(i / 2));
    const s = splitBySource(source, 0.25, 3);
    expect(s.test).toHaveLength(10);
    expect([...s.train, ...s.test].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    for (const i of s.test) expect(s.test).toContain(i ^ 1);
    expect(splitBySource(source, 0.25, 3)).toEqual(s);
    expect(splitBySource(source, 0.25, 4)).not.toEqual(s);
  });
});

/** n rows of d features: label = [w . x > 0] (separable), features N(0,1) scaled differently per column. */
function dataset(n: number, d: number, seed: number) {
  const rng = Rng.from(seed);
  const w = Array.from({ length: d }, () => rng.normal());
  const X = new Float64Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const x = rng.normal() * (j + 1) * 10 + j;
      X[i * d + j] = x;
      s += (w[j] * (x - j)) / ((j + 1) * 10);
    }
    y[i] = s > 0 ? 1 : 0;
  }
  return { X, y };
}

describe('fitLogistic', () => {
  it('solves a small SPD system', () => {
    const x = choleskySolve(Float64Array.from([4, 2, 2, 3]), Float64Array.from([2, 1]), 2);
    expect(x[0]).toBeCloseTo(0.5, 12);
    expect(x[1]).toBeCloseTo(0, 12);
  });

  it('separable data: about 100% on held-out rows', () => {
    const { X, y } = dataset(600, 6, 1);
    const train = Array.from({ length: 400 }, (_, i) => i);
    const test = Array.from({ length: 200 }, (_, i) => 400 + i);
    const m = fitLogistic(X, 6, y, train, { l2: 1e-4 });
    expect(logisticAccuracy(m, X, y, train)).toBeGreaterThanOrEqual(0.98);
    expect(logisticAccuracy(m, X, y, test)).toBeGreaterThan(0.95);
    expect(m.iterations).toBeLessThan(50);
  });

  it('shuffled labels: about 50% on held-out rows', () => {
    const { X, y } = dataset(3000, 6, 2);
    Rng.from(9).shuffle(y);
    const train = Array.from({ length: 1000 }, (_, i) => i);
    const test = Array.from({ length: 2000 }, (_, i) => 1000 + i);
    const acc = logisticAccuracy(fitLogistic(X, 6, y, train), X, y, test);
    expect(acc).toBeGreaterThan(0.45);
    expect(acc).toBeLessThan(0.55);
  });

  it('is deterministic, and constant features do no harm', () => {
    const { X, y } = dataset(200, 4, 3);
    for (let i = 0; i < 200; i++) X[i * 4 + 2] = 7;
    const idx = Array.from({ length: 200 }, (_, i) => i);
    const a = fitLogistic(X, 4, y, idx);
    const b = fitLogistic(X, 4, y, idx);
    expect(a.w).toEqual(b.w);
    expect(a.w[2]).toBe(0);
    expect(predictLogistic(a, X, idx)).toEqual(predictLogistic(b, X, idx));
  });
});

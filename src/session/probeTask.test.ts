// The downstream probe's task builder (balanced word-swap pairs) and classifier (logistic regression by Newton):
// separable data is learned, shuffled labels stay at chance, an order-blind encoder scores exactly 50%.
import { describe, expect, it } from 'vitest';
import type { SequenceSet } from '../data/batching';
import { Rng } from '../data/rng';
import {
  buildSwapTask,
  choleskySolve,
  fitLogistic,
  logisticAccuracy,
  predictLogistic,
  splitBySource,
} from './probeTask';

// T=8: [CLS] a ##b c d [SEP] [PAD] [PAD] / [CLS] e e [SEP] ... (no differing neighbours) / [CLS] f g [SEP] ...
const set: SequenceSet = {
  T: 8,
  count: 3,
  ids: Int32Array.from([2, 10, 11, 12, 13, 3, 0, 0, 2, 14, 14, 3, 0, 0, 0, 0, 2, 15, 16, 3, 0, 0, 0, 0]),
  wordIds: Int32Array.from([-1, 0, 0, 1, 2, -1, -1, -1, -1, 0, 1, -1, -1, -1, -1, -1, -1, 0, 1, -1, -1, -1, -1, -1]),
  valid: Int32Array.from([1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0]),
  tokens: 8,
};

describe('buildSwapTask', () => {
  it('pairs each usable sequence with a copy where two neighbouring words (all their pieces) trade places', () => {
    const task = buildSwapTask(set, { maxSequences: 10, seed: 1 });
    // Sequence 1 ("e e") has no two different neighbours and is left out.
    expect(task.count).toBe(4);
    expect(Array.from(task.labels)).toEqual([0, 1, 0, 1]);
    expect(Array.from(task.source)).toEqual([0, 0, 2, 2]);
    const row = (i: number) => Array.from(task.ids.subarray(i * 8, (i + 1) * 8));
    expect(row(0)).toEqual([2, 10, 11, 12, 13, 3, 0, 0]);
    expect([
      [2, 12, 10, 11, 13, 3, 0, 0], // "a##b c" -> "c a##b"
      [2, 10, 11, 13, 12, 3, 0, 0], // "c d" -> "d c"
    ]).toContainEqual(row(1));
    expect(row(3)).toEqual([2, 16, 15, 3, 0, 0, 0, 0]);
    // Same tokens, same validity: only the order differs.
    expect(row(1).slice().sort()).toEqual(row(0).slice().sort());
    expect(Array.from(task.valid.subarray(8, 16))).toEqual(Array.from(set.valid.subarray(0, 8)));
  });

  it('is seeded, and both swap choices occur across seeds', () => {
    const a = buildSwapTask(set, { maxSequences: 10, seed: 5 });
    expect(buildSwapTask(set, { maxSequences: 10, seed: 5 }).ids).toEqual(a.ids);
    const seen = new Set(
      Array.from({ length: 20 }, (_, s) => buildSwapTask(set, { maxSequences: 1, seed: s }).ids[8 + 1]),
    );
    expect(seen).toEqual(new Set([12, 10]));
  });

  it('stops after maxSequences usable sequences', () => {
    expect(buildSwapTask(set, { maxSequences: 1, seed: 1 }).count).toBe(2);
  });
});

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

  it('an order-blind encoder (bag of tokens) scores exactly 50% on the swap task', () => {
    const big: SequenceSet = {
      ...set,
      count: 0,
      ids: new Int32Array(0),
      wordIds: new Int32Array(0),
      valid: new Int32Array(0),
    };
    const rng = Rng.from(4);
    const rows = 60;
    big.count = rows;
    big.ids = new Int32Array(rows * 8);
    big.wordIds = new Int32Array(rows * 8).fill(-1);
    big.valid = new Int32Array(rows * 8);
    for (let s = 0; s < rows; s++) {
      big.ids[s * 8] = 2;
      big.valid[s * 8] = 1;
      for (let t = 1; t < 6; t++) {
        big.ids[s * 8 + t] = 5 + rng.int(20);
        big.wordIds[s * 8 + t] = t - 1;
        big.valid[s * 8 + t] = 1;
      }
      big.ids[s * 8 + 6] = 3;
      big.valid[s * 8 + 6] = 1;
    }
    const task = buildSwapTask(big, { maxSequences: 100, seed: 1 });
    const d = 25;
    const bag = new Float64Array(task.count * d);
    for (let i = 0; i < task.count; i++)
      for (let t = 0; t < 8; t++) if (task.valid[i * 8 + t]) bag[i * d + (task.ids[i * 8 + t] % d)]++;
    const { train, test } = splitBySource(task.source, 0.5, 1);
    expect(logisticAccuracy(fitLogistic(bag, d, task.labels, train), bag, task.labels, test)).toBe(0.5);
  });
});

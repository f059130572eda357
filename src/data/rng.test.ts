// The seeded RNG: the reference xoshiro128** outputs, determinism, fork purity, split, and unbiased integers.
import { describe, expect, it } from 'vitest';
import { Rng, hashKey } from './rng';

const draws = (r: Rng, n = 8): number[] => Array.from({ length: n }, () => r.u32());

describe('Rng', () => {
  it('is xoshiro128**: the reference outputs from state {1, 2, 3, 4}', () => {
    expect(draws(Rng.fromState([1, 2, 3, 4]), 3)).toEqual([11520, 0, 5927040]);
  });

  it('gives the same numbers for the same seed, other numbers for another seed', () => {
    expect(draws(Rng.from(42))).toEqual(draws(Rng.from(42)));
    expect(draws(Rng.from('run-a'))).toEqual(draws(Rng.from('run-a')));
    expect(draws(Rng.from(42))).not.toEqual(draws(Rng.from(43)));
    expect(draws(Rng.from(2 ** 40))).not.toEqual(draws(Rng.from(0)));
    expect(hashKey(-1)).not.toBe(hashKey(1));
  });

  it('keeps its first outputs for seed 42 (masks and data orders depend on them)', () => {
    expect(draws(Rng.from(42), 4)).toEqual(GOLDEN_42);
  });

  it('fork depends only on the seed and the keys, not on draws made before', () => {
    const a = Rng.from(7);
    const before = draws(a.fork('masking', 3));
    draws(a, 100);
    expect(draws(a.fork('masking', 3))).toEqual(before);
    expect(draws(Rng.from(7, 'masking', 3))).toEqual(before);
    expect(draws(a.fork('masking', 4))).not.toEqual(before);
    expect(draws(a.fork('masking'))).not.toEqual(draws(a.fork('data')));
    expect(draws(a.fork('masking').fork(3))).toEqual(before);
  });

  it('split advances the parent and gives an independent child', () => {
    const a = Rng.from(1);
    const b = Rng.from(1);
    const child = a.split();
    expect(a.u32()).not.toBe(b.u32());
    expect(draws(child)).not.toEqual(draws(Rng.from(1)));
  });

  it('saves and resumes its state', () => {
    const a = Rng.from(5);
    draws(a, 10);
    const resumed = Rng.fromState(a.state());
    expect(draws(resumed)).toEqual(draws(a));
  });

  it('draws floats in [0, 1) and integers in range without bias', () => {
    const r = Rng.from(3);
    const counts = [0, 0, 0];
    const n = 30000;
    for (let i = 0; i < n; i++) {
      const f = r.float();
      expect(f >= 0 && f < 1).toBe(true);
      counts[r.int(3)]++;
    }
    for (const c of counts) expect(Math.abs(c - n / 3)).toBeLessThan(4 * Math.sqrt(n / 3));
    expect(() => r.int(0)).toThrow(/1\.\.2\^32/);
    const v = r.range(-2, 2);
    expect(v >= -2 && v <= 2).toBe(true);
  });

  it('shuffles into a permutation, the same one for the same seed', () => {
    const p = Rng.from(9).permutation(50);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(p).toEqual(Rng.from(9).permutation(50));
    expect(p).not.toEqual(Rng.from(10).permutation(50));
  });

  it('draws normals with mean 0 and variance 1', () => {
    const r = Rng.from(11);
    const xs = Array.from({ length: 20000 }, () => r.normal());
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});

const GOLDEN_42 = [2415401500, 1988036650, 2269531326, 410172368];

// ELECTRA's Gumbel-max sampler and token replacement against the CPU reference: the same hash bits give the same
// samples (up to f32 near-ties), different steps give new draws, frequencies follow softmax, and replacement
// writes ids and labels at the target rows only.
import { describe, expect, it } from 'vitest';
import { createStorage, readF32, readI32 } from '../buffers';
import { runDispatches } from '../kernels';
import { gumbelSampleRef, pcgHash, replaceTokensRef } from '../reference/sample';
import { randomArray, rng, useGpu } from '../testing';
import { gumbelSample, replaceTokens, setSampleStep } from './sample';

describe('ELECTRA sampling kernels', () => {
  const fx = useGpu();

  it('hashes with exact 32-bit arithmetic (checked against a BigInt implementation)', () => {
    const M32 = (1n << 32n) - 1n;
    const big = (v: number): number => {
      const state = (BigInt(v) * 747796405n + 2891336453n) & M32;
      const word = (((state >> ((state >> 28n) + 4n)) ^ state) * 277803737n) & M32;
      return Number((word >> 22n) ^ word);
    };
    const r = rng(4);
    for (const v of [0, 1, 2 ** 31, 2 ** 32 - 1, ...Array.from({ length: 200 }, () => Math.floor(r() * 2 ** 32))])
      expect(pcgHash(v)).toBe(big(v));
  });

  it('samples the reference ids on odd shapes, -1 on empty rows, new draws per step', async () => {
    for (const [M, V, seed] of [
      [1, 7, 3],
      [37, 1003, 11],
      [70, 300, 0xdeadbeef],
    ] as const) {
      const d = fx.device;
      const logits = randomArray(M * V, M + V, 3);
      const positions = Int32Array.from({ length: M }, (_, m) => (m % 5 === 4 ? -1 : m * 3));
      const b = {
        logits: createStorage(d, logits, 'logits'),
        positions: createStorage(d, positions, 'pos'),
        sampled: createStorage(d, new Int32Array(M).fill(-7), 'sampled'),
      };
      const shape = { M, V, seed };
      const disp = gumbelSample(fx.kernels, shape, b);
      const draws: Int32Array[] = [];
      for (const step of [0, 1]) {
        setSampleStep(fx.kernels, disp, shape, step);
        runDispatches(d, [disp]);
        const got = await readI32(d, b.sampled);
        const ref = gumbelSampleRef(logits, positions, M, V, seed, step);
        let mismatches = 0;
        for (let m = 0; m < M; m++) {
          if (positions[m] < 0) expect(got[m]).toBe(-1);
          else if (got[m] !== ref.sampled[m]) {
            mismatches++;
            // Only an f32 near-tie may resolve differently.
            expect(ref.margin[m], `row ${m}`).toBeLessThan(1e-4);
          }
        }
        expect(mismatches).toBeLessThanOrEqual(1);
        draws.push(got);
      }
      if (M > 10) expect(draws[0].some((x, m) => x !== draws[1][m])).toBe(true);
      Object.values(b).forEach((x) => x.destroy());
    }
  });

  it('draws each id with its softmax probability', async () => {
    // 4096 rows of the same 6 logits: each row is an independent draw (its own hash stream).
    const M = 4096;
    const V = 6;
    const row = [0.5, -1, 2, 0, 1.2, -0.3];
    const logits = new Float32Array(M * V).map((_, i) => row[i % V]);
    const d = fx.device;
    const b = {
      logits: createStorage(d, logits, 'logits'),
      positions: createStorage(
        d,
        Int32Array.from({ length: M }, (_, m) => m),
        'pos',
      ),
      sampled: createStorage(d, M * 4, 'sampled'),
    };
    runDispatches(d, [gumbelSample(fx.kernels, { M, V, seed: 5 }, b)]);
    const got = await readI32(d, b.sampled);
    const z = row.reduce((s, x) => s + Math.exp(x), 0);
    const counts = new Array<number>(V).fill(0);
    got.forEach((id) => counts[id]++);
    let chi2 = 0;
    row.forEach((x, v) => {
      const e = (M * Math.exp(x)) / z;
      chi2 += (counts[v] - e) ** 2 / e;
    });
    // 5 degrees of freedom: P(chi2 > 20.5) = 0.001.
    expect(chi2).toBeLessThan(20.5);
    Object.values(b).forEach((x) => x.destroy());
  });

  it('replaces tokens and sets labels at the target rows only', async () => {
    const d = fx.device;
    const N = 45;
    const M = 13;
    const r = rng(9);
    const ids = Int32Array.from({ length: N }, () => 5 + Math.floor(r() * 90));
    const positions = Int32Array.from({ length: M }, (_, m) => (m === 6 ? -1 : (m * 7 + 2) % N));
    const targets = Int32Array.from(positions, (p) => (p >= 0 ? ids[p] : -1));
    // Half the samples equal the original token: label 0 there.
    const sampled = Int32Array.from(targets, (t, m) => (m === 9 ? -1 : m % 2 === 0 ? t : t + 1));
    const b = {
      positions: createStorage(d, positions, 'pos'),
      targets: createStorage(d, targets, 'targets'),
      sampled: createStorage(d, sampled, 'sampled'),
      ids: createStorage(d, ids, 'ids'),
      labels: createStorage(d, new Float32Array(N), 'labels'),
    };
    runDispatches(d, [replaceTokens(fx.kernels, M, b)]);
    const ref = replaceTokensRef(ids, positions, targets, sampled);
    expect(Array.from(await readI32(d, b.ids))).toEqual(Array.from(ref.ids));
    expect(Array.from(await readF32(d, b.labels))).toEqual(Array.from(ref.labels));
    expect(ref.labels.reduce((a, x) => a + x, 0)).toBe(5);
    Object.values(b).forEach((x) => x.destroy());
  });
});

// ELECTRA's Gumbel-max sampler and token replacement against the CPU reference through the shared cases
// (selftest/elementwise.ts: the same hash bits give the same samples up to f32 near-ties, different steps give new
// draws, replacement writes ids and labels at the target rows only); the hash against BigInt arithmetic, and
// frequencies that follow softmax (chi-square).
import { describe, expect, it } from 'vitest';
import { createStorage, readI32 } from '../buffers';
import { runDispatches } from '../kernels';
import { pcgHash } from '../reference/sample';
import { casesOf } from '../selftest/cases';
import { expectCase, rng, useGpu } from '../testing';
import { gumbelSample } from './sample';

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

  // The shared cases (selftest/elementwise.ts): the reference's ids on odd shapes, -1 on empty rows, new draws per
  // step; replacement of ids and labels at the target rows only.
  it.each(casesOf('sample').map((c) => [c.id, c] as const))('matches the reference: %s', async (_id, c) => {
    await expectCase(fx, c);
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
});

// The loss kernels (softmax cross-entropy in its three modes, top-k, binary cross-entropy) against the float64
// reference through the shared cases (selftest/loss.ts: odd shapes, rows without targets, logits of 1e4, a large
// vocabulary with ties, extreme binary logits), under both tunings; empty batches, targets >= V, determinism and
// the loss metrics.
import { describe, expect, it } from 'vitest';
import { createStorage, readF32 } from '../buffers';
import { Kernels, runDispatches, type KernelTuning } from '../kernels';
import { crossEntropy as refXent } from '../reference/loss';
import { casesOf } from '../selftest/cases';
import { makeTargets, runCrossEntropy } from '../selftest/loss';
import { expectCase, expectClose, randomArray, useGpu } from '../testing';
import { crossEntropy } from './loss';
import { countCorrect, reduceWeightedSum } from './reduce';

describe('loss kernels', () => {
  // One Dawn device for the whole file.
  const fx = useGpu();

  // One workgroup per row on GPUs, one thread per row on CPU adapters: both run here whatever the adapter is.
  describe.each<KernelTuning>([{ cpu: false }, { cpu: true }])('softmax cross-entropy (tuning %o)', (tuning) => {
    let tuned: Kernels | undefined;
    const kern = () => (tuned ??= new Kernels(fx.device, tuning));
    const run = (
      M: number,
      V: number,
      logits: Float32Array,
      targets: Int32Array,
      weights: Float32Array,
      grad: 'inplace' | 'separate' | 'none',
    ) => runCrossEntropy(kern(), M, V, logits, targets, weights, grad);

    // The shared cases: every mode against the reference, the three modes equal bit for bit.
    it.each(casesOf('cross_entropy').map((c) => [c.id, c] as const))('matches the reference: %s', async (_id, c) => {
      await expectCase(fx, c, tuning);
    });

    it('a batch where no row carries a target: zero loss, zero gradient, argmax -1', async () => {
      const M = 37;
      const V = 1003;
      const out = await run(
        M,
        V,
        randomArray(M * V, 5),
        new Int32Array(M).fill(-1),
        new Float32Array(M).fill(1),
        'inplace',
      );
      expect(out.losses.every((x) => x === 0)).toBe(true);
      expect(out.argmax.every((x) => x === -1)).toBe(true);
      expect(out.logits.every((x) => x === 0)).toBe(true);
    });

    it('treats targets >= V as no target', async () => {
      const out = await run(2, 29, randomArray(58, 6), Int32Array.of(29, 3), Float32Array.of(1, 1), 'inplace');
      expect(out.losses[0]).toBe(0);
      expect(out.argmax[0]).toBe(-1);
      expect(out.logits.subarray(0, 29).every((x) => x === 0)).toBe(true);
      expect(out.losses[1]).toBeGreaterThan(0);
    });

    it('is deterministic: the same inputs give the same bits', async () => {
      const M = 37;
      const V = 1003;
      const logits = randomArray(M * V, 11, 6);
      const { targets, weights } = makeTargets(M, V, 12);
      const a = await run(M, V, logits, targets, weights, 'inplace');
      const b = await run(M, V, logits, targets, weights, 'inplace');
      expect(Array.from(b.losses)).toEqual(Array.from(a.losses));
      expect(Array.from(b.logits)).toEqual(Array.from(a.logits));
    });
  });

  describe('loss metrics', () => {
    it('weighted sum of per-row losses is the mean loss; argmax vs targets is the accuracy', async () => {
      const d = fx.device;
      const M = 64;
      const V = 29;
      const logits = randomArray(M * V, 21, 3);
      const { targets } = makeTargets(M, V, 22, 4);
      // Make about half the rows correct, so the count is not trivially 0.
      const refArgmax = refXent(logits, targets, new Float32Array(M), M, V).argmax;
      targets.forEach((t, r) => t >= 0 && r % 2 === 0 && (targets[r] = refArgmax[r]));
      const count = targets.filter((t) => t >= 0).length;
      const weights = new Float32Array(M).fill(1 / count);
      const b = {
        logits: createStorage(d, logits, 'logits'),
        targets: createStorage(d, targets, 'targets'),
        weights: createStorage(d, weights, 'weights'),
        losses: createStorage(d, M * 4, 'losses'),
        argmax: createStorage(d, M * 4, 'argmax'),
      };
      const metrics = createStorage(d, 3 * 4, 'metrics');
      runDispatches(d, [
        crossEntropy(fx.kernels, { M, V }, b, 'inplace'),
        reduceWeightedSum(fx.kernels, b.losses, b.weights, M, { out: metrics, index: 0 }),
        countCorrect(fx.kernels, b.argmax, b.targets, M, { out: metrics, index: 1 }),
      ]);
      const [meanLoss, correct, total] = await readF32(d, metrics);
      const ref = refXent(logits, targets, weights, M, V);
      let mean = 0;
      let hits = 0;
      targets.forEach((t, r) => {
        if (t < 0) return;
        mean += ref.losses[r] / count;
        if (ref.argmax[r] === t) hits++;
      });
      expectClose([meanLoss], [mean], { atol: 1e-5, rtol: 1e-5 }, 'mean loss');
      expect([correct, total]).toEqual([hits, count]);
      expect(hits).toBeGreaterThan(count / 3);
    });
  });

  describe('top-k probe', () => {
    it.each(casesOf('top_k').map((c) => [c.id, c] as const))('matches the reference: %s', async (_id, c) => {
      await expectCase(fx, c);
    });
  });

  describe('binary cross-entropy', () => {
    it.each(casesOf('binary_loss').map((c) => [c.id, c] as const))('matches the reference: %s', async (_id, c) => {
      await expectCase(fx, c);
    });
  });
});

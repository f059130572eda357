// Reductions on the GPU against the float64 reference: global grad norm and clip scale over odd-sized buffers,
// metric sums and accuracy counts (overwrite and accumulate), and bitwise determinism; under both kernel tunings
// (GPU: 256-thread trees; CPU adapters: 4-thread trees), whatever the adapter.
import { describe, expect, it } from 'vitest';
import { createStorage, readF32 } from '../buffers';
import { Kernels, runDispatches, type KernelTuning } from '../kernels';
import * as ref from '../reference/reduce';
import { expectClose, randomArray, rng, useGpu } from '../testing';
import {
  GRAD_NORM,
  MAX_PARTIALS_PER_TENSOR,
  countBinaryCorrect,
  countCorrect,
  gradNorm,
  gradNormSlots,
  reduceSum,
  reduceWeightedSum,
  sumSquaresGroups,
} from './reduce';

describe.each<KernelTuning>([{ cpu: false }, { cpu: true }])('reductions (tuning %o)', (tuning) => {
  const fx = useGpu();
  let tuned: Kernels | undefined;
  const kern = () => (tuned ??= new Kernels(fx.device, tuning));

  // f32 partial sums in fixed trees: relative error ~1e-6 for these sizes.
  const SUM_TOL = { atol: 1e-5, rtol: 1e-5 };

  describe('global gradient norm', () => {
    // 200003 needs more than MAX_PARTIALS_PER_TENSOR workgroups, so the grid-stride path is exercised.
    const sizes = [1003, 200003, 37];
    const grads = sizes.map((n, i) => randomArray(n, 10 + i, i + 0.5));

    async function run(maxNorm: number, setTo?: number) {
      const d = fx.device;
      const bufs = grads.map((g, i) => createStorage(d, g, `grad${i}`));
      // The middle buffer is bound as its first n elements of a larger buffer.
      const padded = createStorage(d, new Float32Array(sizes[1] + 13).fill(1e3), 'padded');
      d.queue.writeBuffer(padded, 0, grads[1]);
      const partials = createStorage(d, (gradNormSlots(sizes) + 3) * 4, 'partials');
      const out = createStorage(d, GRAD_NORM.FLOATS * 4, 'out');
      const plan = gradNorm(kern(), [bufs[0], { buffer: padded, n: sizes[1] }, bufs[2]], partials, out, maxNorm);
      if (setTo !== undefined) plan.setMaxNorm(setTo);
      runDispatches(d, plan.dispatches);
      const [norm, scale] = await readF32(d, out);
      return { norm, scale, slots: plan.slots };
    }

    it('uses the documented number of partial slots', () => {
      expect(sumSquaresGroups(200003)).toBe(MAX_PARTIALS_PER_TENSOR);
      expect(sumSquaresGroups(37)).toBe(1);
      expect(gradNormSlots(sizes)).toBe(1 + MAX_PARTIALS_PER_TENSOR + 1);
    });

    it.each([
      ['off (max_norm 0)', 0],
      ['on, max_norm below the norm', 5],
      ['on, max_norm above the norm', 1e6],
    ] as const)('clipping %s', async (_, maxNorm) => {
      const { norm, scale } = await run(maxNorm);
      const r = ref.gradNorm(grads, maxNorm);
      expectClose([norm], [r.norm], { atol: 0, rtol: 1e-5 }, 'norm');
      expectClose([scale], [r.scale], { atol: 0, rtol: 1e-5 }, 'scale');
      if (maxNorm === 5) expect(scale).toBeLessThan(0.1);
      else expect(scale).toBe(1);
      console.log(`grad norm ${norm} (ref ${r.norm.toFixed(6)}), scale ${scale}`);
    });

    it('setMaxNorm rewrites the threshold without rebuilding', async () => {
      const { scale } = await run(0, 5);
      expectClose([scale], [ref.gradNorm(grads, 5).scale], { atol: 0, rtol: 1e-5 }, 'scale after setMaxNorm');
    });

    it('is deterministic', async () => {
      const a = await run(5);
      const b = await run(5);
      expect([b.norm, b.scale]).toEqual([a.norm, a.scale]);
    });
  });

  describe('metric reductions', () => {
    it.each([1, 37, 1003])('sum and weighted sum, n=%i, overwrite then accumulate', async (n) => {
      const d = fx.device;
      const x = randomArray(n, n, 3);
      const w = randomArray(n, n + 1, 1).map(Math.abs);
      const xb = createStorage(d, x, 'x');
      const wb = createStorage(d, w, 'w');
      const out = createStorage(d, new Float32Array(4).fill(7), 'out');
      runDispatches(d, [
        reduceSum(kern(), xb, n, { out, index: 0 }),
        reduceWeightedSum(kern(), xb, wb, n, { out, index: 2 }),
      ]);
      const first = await readF32(d, out);
      expectClose([first[0], first[2]], [ref.sum(x), ref.weightedSum(x, w)], SUM_TOL, 'sums');
      expect([first[1], first[3]]).toEqual([7, 7]);
      const acc = reduceSum(kern(), xb, n, { out, index: 0, accumulate: true });
      runDispatches(d, [acc, acc]);
      const third = await readF32(d, out);
      expectClose([third[0]], [3 * ref.sum(x)], SUM_TOL, 'accumulated sum');
    });

    it.each([1, 37, 1003])('accuracy counts over rows with targets, n=%i', async (n) => {
      const d = fx.device;
      const r = rng(n);
      const target = new Int32Array(n).map(() => (r() < 0.2 ? -1 : Math.floor(r() * 5)));
      const pred = new Int32Array(n).map((_, i) => (r() < 0.5 ? target[i] : Math.floor(r() * 5)));
      const out = createStorage(d, new Float32Array(3).fill(-1), 'out');
      const [pb, tb] = [createStorage(d, pred, 'pred'), createStorage(d, target, 'target')];
      runDispatches(d, [countCorrect(kern(), pb, tb, n, { out, index: 1 })]);
      const c = ref.countCorrect(pred, target);
      expect(Array.from(await readF32(d, out))).toEqual([-1, c.correct, c.total]);
    });

    it('binary accuracy counts over weighted tokens, overwrite then accumulate', async () => {
      const d = fx.device;
      const n = 1003;
      const r = rng(3);
      const labels = new Float32Array(n).map(() => (r() < 0.3 ? 1 : 0));
      const pred = new Int32Array(n).map(() => (r() < 0.4 ? 1 : 0));
      const weights = new Float32Array(n).map((_, i) => (i % 11 === 0 ? 0 : 1 / n));
      const bufs = [
        createStorage(d, pred, 'pred'),
        createStorage(d, labels, 'labels'),
        createStorage(d, weights, 'w'),
      ] as const;
      const out = createStorage(d, 8, 'out');
      const c = ref.countBinaryCorrect(pred, labels, weights);
      runDispatches(d, [countBinaryCorrect(kern(), ...bufs, n, { out, index: 0 })]);
      expect(Array.from(await readF32(d, out))).toEqual([c.correct, c.total]);
      runDispatches(d, [countBinaryCorrect(kern(), ...bufs, n, { out, index: 0, accumulate: true })]);
      expect(Array.from(await readF32(d, out))).toEqual([2 * c.correct, 2 * c.total]);
    });

    it('rejects outputs too small for the slot', () => {
      const d = fx.device;
      const x = createStorage(d, 16, 'x');
      const out = createStorage(d, 4, 'out');
      expect(() => countCorrect(kern(), x, x, 4, { out, index: 0 })).toThrow(/element 1/);
    });
  });
});

// Reductions on the GPU against the float64 reference through the shared cases (selftest/optim.ts: global grad
// norm and clip scale over odd-sized buffers, metric sums and accuracy counts, overwrite and accumulate), under both
// kernel tunings (GPU: 256-thread trees; CPU adapters: 4-thread trees) whatever the adapter; setMaxNorm, bitwise
// determinism, the documented partial slots and shape errors.
import { describe, expect, it } from 'vitest';
import { createStorage, readF32 } from '../buffers';
import { Kernels, runDispatches, type KernelTuning } from '../kernels';
import * as ref from '../reference/reduce';
import { casesOf } from '../selftest/cases';
import { expectCase, expectClose, randomArray, useGpu } from '../testing';
import { GRAD_NORM, MAX_PARTIALS_PER_TENSOR, countCorrect, gradNorm, gradNormSlots, sumSquaresGroups } from './reduce';

describe.each<KernelTuning>([{ cpu: false }, { cpu: true }])('reductions (tuning %o)', (tuning) => {
  const fx = useGpu();
  let tuned: Kernels | undefined;
  const kern = () => (tuned ??= new Kernels(fx.device, tuning));

  it.each(casesOf('reduce').map((c) => [c.id, c] as const))('matches the reference: %s', async (_id, c) => {
    await expectCase(fx, c, tuning);
  });

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
    it('rejects outputs too small for the slot', () => {
      const d = fx.device;
      const x = createStorage(d, 16, 'x');
      const out = createStorage(d, 4, 'out');
      expect(() => countCorrect(kern(), x, x, 4, { out, index: 0 })).toThrow(/element 1/);
    });
  });
});

// AdamW on the GPU against the float64 PyTorch-order reference over several steps, with and without weight decay,
// with the clip scale read from a buffer, and fed by the GPU grad-norm op (clipping on and off).
import { describe, expect, it } from 'vitest';
import { createStorage, readF32 } from '../buffers';
import { runDispatches } from '../kernels';
import { adamwStep } from '../reference/adamw';
import { gradNorm as refGradNorm } from '../reference/reduce';
import { expectClose, randomArray, useGpu } from '../testing';
import { ADAMW_DEFAULTS, adamw, adamwHyperData, createAdamWHyper, writeAdamWHyper, type AdamWConfig } from './adamw';
import { GRAD_NORM, gradNorm, gradNormSlots } from './reduce';

describe('optimizer', () => {
  // One Dawn device for the whole file.
  const fx = useGpu();

  // The parameter changes by ~lr per step; f32 rounding of p, m, v and the scalars gives ~1e-7 relative per step.
  const PARAM_TOL = { atol: 1e-6, rtol: 1e-5 };
  const MOMENT_TOL = { atol: 1e-7, rtol: 1e-5 };

  describe('AdamW', () => {
    it('packs the per-step scalars as documented', () => {
      const h = adamwHyperData({ lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 }, 2);
      const expected = [0.1, 0.999, 0.1, 0.001, 1e-8, 0.999, 0.1 / (1 - 0.81), Math.sqrt(1 - 0.999 ** 2)];
      expect(Array.from(h)).toEqual(expected.map((x) => Math.fround(x)));
      expect(() => adamwHyperData(ADAMW_DEFAULTS, 0)).toThrow(/step/);
    });

    it.each([
      [1003, true],
      [1003, false],
      [70000, true],
      [70000, false],
    ])('n=%i decay=%s: five steps match the reference', async (n, decay) => {
      const d = fx.device;
      const cfg: AdamWConfig = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 };
      const p0 = randomArray(n, n + 1, 1);
      const param = createStorage(d, p0, 'param');
      const m = createStorage(d, new Float32Array(n), 'm');
      const v = createStorage(d, new Float32Array(n), 'v');
      const grad = createStorage(d, new Float32Array(n), 'grad');
      const clip = createStorage(d, Float32Array.of(123, 0.5), 'clip'); // the scale sits at index 1
      const hyper = createAdamWHyper(d, cfg);
      const dispatch = adamw(fx.kernels, { param, grad, m, v, hyper, clip, clipIndex: 1 }, { decay });

      const rp = Float64Array.from(p0);
      const rm = new Float64Array(n);
      const rv = new Float64Array(n);
      // A different gradient each step (step 3 tiny), so the moments and both bias corrections matter.
      const gradAt = (t: number) => randomArray(n, 1000 * t + n, t === 3 ? 1e-3 : 2);
      const cfgAt = (t: number) => ({ ...cfg, lr: cfg.lr * (t === 4 ? 0.5 : 1) }); // a schedule changing lr
      for (let t = 1; t <= 5; t++) {
        const g = gradAt(t);
        d.queue.writeBuffer(grad, 0, g);
        const stepCfg = cfgAt(t);
        writeAdamWHyper(d, hyper, stepCfg, t);
        runDispatches(d, [dispatch]);
        adamwStep(rp, g, rm, rv, stepCfg, t, decay, Math.fround(0.5));
      }
      const e = expectClose(await readF32(d, param), rp, PARAM_TOL, `param n=${n} decay=${decay}`);
      expectClose(await readF32(d, m), rm, MOMENT_TOL, 'm');
      expectClose(await readF32(d, v), rv, MOMENT_TOL, 'v');
      console.log(`adamw n=${n} decay=${decay}: param max abs err ${e.maxAbs.toExponential(2)} after 5 steps`);
      // Decay must matter: without it the parameters differ from the decayed run by ~ lr * wd * p per step.
      if (decay) {
        const plain = Float64Array.from(p0);
        const [pm, pv] = [new Float64Array(n), new Float64Array(n)];
        for (let t = 1; t <= 5; t++) {
          adamwStep(plain, gradAt(t), pm, pv, cfgAt(t), t, false, 0.5);
        }
        expect(() => expectClose(rp, plain, PARAM_TOL)).toThrow();
      }
      [param, m, v, grad, clip, hyper].forEach((b) => b.destroy());
    });
  });

  it('updates tensors that live at offsets inside flat buffers, each with its own decay flag', async () => {
    const d = fx.device;
    const cfg: AdamWConfig = { ...ADAMW_DEFAULTS, lr: 1e-2, weightDecay: 0.5 };
    const sizes = [1003, 37];
    const offsets = [0, 4096]; // bytes; multiples of minStorageBufferOffsetAlignment (256)
    const total = 4096 / 4 + 37 + 5;
    const p0 = randomArray(total, 5, 1);
    const g = randomArray(total, 6, 1);
    const param = createStorage(d, p0, 'params');
    const grad = createStorage(d, g, 'grads');
    const [m, v] = [createStorage(d, total * 4, 'm'), createStorage(d, total * 4, 'v')];
    const hyper = createAdamWHyper(d, cfg);
    const clip = createStorage(d, Float32Array.of(0, 1), 'clip');
    const steps = sizes.map((n, i) => {
      const at = (buffer: GPUBuffer) => ({ buffer, n, offset: offsets[i] });
      return adamw(
        fx.kernels,
        { param: at(param), grad: at(grad), m: at(m), v: at(v), hyper, clip },
        { decay: i === 0 },
      );
    });
    runDispatches(d, steps);
    const expected = Float64Array.from(p0);
    sizes.forEach((n, i) => {
      const o = offsets[i] / 4;
      const slice = expected.subarray(o, o + n);
      adamwStep(slice, g.subarray(o, o + n), new Float64Array(n), new Float64Array(n), cfg, 1, i === 0);
    });
    // Elements between and after the spans are untouched.
    expectClose(await readF32(d, param), expected, PARAM_TOL, 'flat params');
    expect(() =>
      adamw(fx.kernels, { param: { buffer: param, n: 4, offset: 100 }, grad, m, v, hyper, clip }, { decay: true }),
    ).toThrow(/offset 100/);
  });

  describe('grad-norm clipping feeding AdamW', () => {
    it.each([
      ['on', 0.5],
      ['off', 0],
    ] as const)('clipping %s: AdamW sees the scaled gradients of three odd-sized tensors', async (_, maxNorm) => {
      const d = fx.device;
      const sizes = [1003, 37, 4099];
      const cfg: AdamWConfig = { ...ADAMW_DEFAULTS, lr: 3e-3 };
      const grads = sizes.map((n, i) => randomArray(n, 50 + i, 1));
      const ref = refGradNorm(grads, maxNorm);
      expect(ref.scale).toBe(maxNorm > 0 ? ref.scale : 1);
      if (maxNorm > 0) expect(ref.scale).toBeLessThan(0.1);

      const gradBufs = grads.map((g, i) => createStorage(d, g, `grad${i}`));
      const partials = createStorage(d, gradNormSlots(sizes) * 4, 'partials');
      const normOut = createStorage(d, GRAD_NORM.FLOATS * 4, 'grad_norm');
      const hyper = createAdamWHyper(d, cfg);
      const params = sizes.map((n, i) => randomArray(n, 70 + i, 1));
      const tensors = sizes.map((n, i) => ({
        param: createStorage(d, params[i], `p${i}`),
        m: createStorage(d, new Float32Array(n), `m${i}`),
        v: createStorage(d, new Float32Array(n), `v${i}`),
      }));
      const plan = gradNorm(fx.kernels, gradBufs, partials, normOut, maxNorm);
      const steps = tensors.map((t, i) =>
        adamw(fx.kernels, { ...t, grad: gradBufs[i], hyper, clip: normOut }, { decay: i !== 1 }, `adamw${i}`),
      );
      runDispatches(d, [...plan.dispatches, ...steps]);

      const [norm, scale] = await readF32(d, normOut);
      expectClose([norm], [ref.norm], { atol: 0, rtol: 1e-5 }, 'norm');
      expectClose([scale], [ref.scale], { atol: 0, rtol: 1e-5 }, 'scale');
      for (let i = 0; i < sizes.length; i++) {
        const [rp, rm, rv] = [Float64Array.from(params[i]), new Float64Array(sizes[i]), new Float64Array(sizes[i])];
        adamwStep(rp, grads[i], rm, rv, cfg, 1, i !== 1, scale);
        const what = `tensor ${i} (clipping ${maxNorm > 0 ? 'on' : 'off'})`;
        expectClose(await readF32(d, tensors[i].param), rp, PARAM_TOL, `param ${what}`);
        // Adam's first step is ~lr * sign(g) whatever the scale; the moments show the scale was applied.
        expectClose(await readF32(d, tensors[i].m), rm, MOMENT_TOL, `m ${what}`);
        expectClose(await readF32(d, tensors[i].v), rv, MOMENT_TOL, `v ${what}`);
      }
    });
  });
});

// Shared kernel cases of the optimizer and the reductions (read by ops/adamw.gpu.test.ts, ops/reduce.gpu.test.ts
// and the self-test): AdamW over five steps against the float64 PyTorch-order reference, with and without weight
// decay, the clip scale read from a buffer, tensors at offsets inside flat buffers, fed by the GPU grad norm with
// clipping on and off; the global gradient norm and clip scale over odd sizes (a buffer bound as a range, the
// grid-stride path; again with the subgroup variant where the device has subgroups), metric sums (overwrite and
// accumulate) and accuracy counts.
import { createStorage, readF32 } from '../buffers';
import { closeness, randomArray, rng } from '../check';
import { runDispatches, type Kernels } from '../kernels';
import { ADAMW_DEFAULTS, adamw, createAdamWHyper, writeAdamWHyper, type AdamWConfig } from '../ops/adamw';
import {
  GRAD_NORM,
  countBinaryCorrect,
  countCorrect,
  gradNorm,
  gradNormSlots,
  reduceSum,
  reduceWeightedSum,
} from '../ops/reduce';
import { adamwStep } from '../reference/adamw';
import * as refReduce from '../reference/reduce';
import { withChoice, type Checker, type KernelCase } from './case';

// The parameter changes by ~lr per step; f32 rounding of p, m, v and the scalars gives ~1e-7 relative per step.
export const PARAM_TOL = { atol: 1e-6, rtol: 1e-5 };
export const MOMENT_TOL = { atol: 1e-7, rtol: 1e-5 };

async function checkAdamWSteps(k: Kernels, ck: Checker, n: number, decay: boolean): Promise<void> {
  const d = k.device;
  const cfg: AdamWConfig = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 };
  const p0 = randomArray(n, n + 1, 1);
  const param = createStorage(d, p0, 'param');
  const m = createStorage(d, new Float32Array(n), 'm');
  const v = createStorage(d, new Float32Array(n), 'v');
  const grad = createStorage(d, new Float32Array(n), 'grad');
  const clip = createStorage(d, Float32Array.of(123, 0.5), 'clip'); // the scale sits at index 1
  const hyper = createAdamWHyper(d, cfg);
  const dispatch = adamw(k, { param, grad, m, v, hyper, clip, clipIndex: 1 }, { decay });
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
  const tag = `n=${n} decay=${decay}, 5 steps`;
  ck.close(await readF32(d, param), rp, PARAM_TOL, `param ${tag}`);
  ck.close(await readF32(d, m), rm, MOMENT_TOL, `m ${tag}`);
  ck.close(await readF32(d, v), rv, MOMENT_TOL, `v ${tag}`);
  [param, m, v, grad, clip, hyper].forEach((b) => b.destroy());
  if (decay) {
    // Decay must matter: without it the reference differs from the decayed one by ~ lr * wd * p per step.
    const plain = Float64Array.from(p0);
    const [pm, pv] = [new Float64Array(n), new Float64Array(n)];
    for (let t = 1; t <= 5; t++) adamwStep(plain, gradAt(t), pm, pv, cfgAt(t), t, false, 0.5);
    ck.ok(closeness(rp, plain, PARAM_TOL).firstBad >= 0, `weight decay changes the reference ${tag}`);
  }
}

/** Two tensors at 256-byte aligned offsets of flat buffers, each with its own decay flag; the rest untouched. */
async function checkAdamWOffsets(k: Kernels, ck: Checker): Promise<void> {
  const d = k.device;
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
    return adamw(k, { param: at(param), grad: at(grad), m: at(m), v: at(v), hyper, clip }, { decay: i === 0 });
  });
  runDispatches(d, steps);
  const expected = Float64Array.from(p0);
  sizes.forEach((n, i) => {
    const o = offsets[i] / 4;
    const slice = expected.subarray(o, o + n);
    adamwStep(slice, g.subarray(o, o + n), new Float64Array(n), new Float64Array(n), cfg, 1, i === 0);
  });
  // Elements between and after the spans are untouched.
  ck.close(await readF32(d, param), expected, PARAM_TOL, 'flat params at offsets');
  [param, grad, m, v, hyper, clip].forEach((b) => b.destroy());
}

/** The GPU grad norm and clip scale of three odd-sized tensors feeding AdamW (one step). */
async function checkClippedAdamW(k: Kernels, ck: Checker, maxNorm: number): Promise<void> {
  const d = k.device;
  const sizes = [1003, 37, 4099];
  const cfg: AdamWConfig = { ...ADAMW_DEFAULTS, lr: 3e-3 };
  const grads = sizes.map((n, i) => randomArray(n, 50 + i, 1));
  const ref = refReduce.gradNorm(grads, maxNorm);
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
  const plan = gradNorm(k, gradBufs, partials, normOut, maxNorm);
  const steps = tensors.map((t, i) =>
    adamw(k, { ...t, grad: gradBufs[i], hyper, clip: normOut }, { decay: i !== 1 }, `adamw${i}`),
  );
  runDispatches(d, [...plan.dispatches, ...steps]);
  const [norm, scale] = await readF32(d, normOut);
  const on = maxNorm > 0 ? 'on' : 'off';
  ck.close([norm], [ref.norm], { atol: 0, rtol: 1e-5 }, `grad norm (clipping ${on})`);
  ck.close([scale], [ref.scale], { atol: 0, rtol: 1e-5 }, `clip scale (clipping ${on})`);
  for (let i = 0; i < sizes.length; i++) {
    const [rp, rm, rv] = [Float64Array.from(params[i]), new Float64Array(sizes[i]), new Float64Array(sizes[i])];
    adamwStep(rp, grads[i], rm, rv, cfg, 1, i !== 1, scale);
    const what = `tensor ${i} (clipping ${on})`;
    ck.close(await readF32(d, tensors[i].param), rp, PARAM_TOL, `param ${what}`);
    // Adam's first step is ~lr * sign(g) whatever the scale; the moments show the scale was applied.
    ck.close(await readF32(d, tensors[i].m), rm, MOMENT_TOL, `m ${what}`);
    ck.close(await readF32(d, tensors[i].v), rv, MOMENT_TOL, `v ${what}`);
  }
  [...gradBufs, partials, normOut, hyper, ...tensors.flatMap((t) => [t.param, t.m, t.v])].forEach((b) => b.destroy());
}

function adamwCases(): KernelCase[] {
  const steps: KernelCase[] = (
    [
      [1003, true],
      [1003, false],
      [70000, true],
      [70000, false],
    ] as const
  ).map(([n, decay]) => ({
    id: `adamw n=${n} decay=${decay}, five steps`,
    family: 'adamw',
    size: n,
    run: (k, ck) => checkAdamWSteps(k, ck, n, decay),
  }));
  return [
    ...steps,
    { id: 'adamw at offsets inside flat buffers', family: 'adamw', size: 4096 / 4 + 42, run: checkAdamWOffsets },
    ...[0.5, 0].map((maxNorm): KernelCase => ({
      id: `adamw fed by the grad norm, clipping ${maxNorm > 0 ? 'on' : 'off'}`,
      family: 'adamw',
      size: 4099,
      run: (k, ck) => checkClippedAdamW(k, ck, maxNorm),
    })),
  ];
}

/** The global gradient norm over `sizes` (the middle tensor bound as the first n floats of a larger buffer). */
async function checkGradNorm(k: Kernels, ck: Checker, sizes: number[], maxNorm: number): Promise<void> {
  const d = k.device;
  const grads = sizes.map((n, i) => randomArray(n, 10 + i, i + 0.5));
  const bufs = grads.map((g, i) => createStorage(d, g, `grad${i}`));
  const padded = createStorage(d, new Float32Array(sizes[1] + 13).fill(1e3), 'padded');
  d.queue.writeBuffer(padded, 0, grads[1]);
  const partials = createStorage(d, (gradNormSlots(sizes) + 3) * 4, 'partials');
  const out = createStorage(d, GRAD_NORM.FLOATS * 4, 'out');
  const plan = gradNorm(k, [bufs[0], { buffer: padded, n: sizes[1] }, bufs[2]], partials, out, maxNorm);
  runDispatches(d, plan.dispatches);
  const [norm, scale] = await readF32(d, out);
  const r = refReduce.gradNorm(grads, maxNorm);
  const tag = `sizes ${sizes.join(', ')}, max norm ${maxNorm}`;
  ck.close([norm], [r.norm], { atol: 0, rtol: 1e-5 }, `grad norm ${tag}`);
  ck.close([scale], [r.scale], { atol: 0, rtol: 1e-5 }, `clip scale ${tag}`);
  [...bufs, padded, partials, out].forEach((b) => b.destroy());
}

// f32 partial sums in fixed trees: relative error ~1e-6 for these sizes.
const SUM_TOL = { atol: 1e-5, rtol: 1e-5 };

async function checkSums(k: Kernels, ck: Checker, n: number): Promise<void> {
  const d = k.device;
  const x = randomArray(n, n, 3);
  const w = randomArray(n, n + 1, 1).map(Math.abs);
  const xb = createStorage(d, x, 'x');
  const wb = createStorage(d, w, 'w');
  const out = createStorage(d, new Float32Array(4).fill(7), 'out');
  runDispatches(d, [reduceSum(k, xb, n, { out, index: 0 }), reduceWeightedSum(k, xb, wb, n, { out, index: 2 })]);
  const first = await readF32(d, out);
  ck.close([first[0], first[2]], [refReduce.sum(x), refReduce.weightedSum(x, w)], SUM_TOL, `sum, weighted sum n=${n}`);
  ck.close([first[1], first[3]], [7, 7], { atol: 0 }, `other slots untouched n=${n}`);
  const acc = reduceSum(k, xb, n, { out, index: 0, accumulate: true });
  runDispatches(d, [acc, acc]);
  ck.close([(await readF32(d, out))[0]], [3 * refReduce.sum(x)], SUM_TOL, `accumulated sum n=${n}`);
  [xb, wb, out].forEach((b) => b.destroy());
}

async function checkCounts(k: Kernels, ck: Checker, n: number): Promise<void> {
  const d = k.device;
  const r = rng(n);
  const target = new Int32Array(n).map(() => (r() < 0.2 ? -1 : Math.floor(r() * 5)));
  const pred = new Int32Array(n).map((_, i) => (r() < 0.5 ? target[i] : Math.floor(r() * 5)));
  const out = createStorage(d, new Float32Array(3).fill(-1), 'out');
  const [pb, tb] = [createStorage(d, pred, 'pred'), createStorage(d, target, 'target')];
  runDispatches(d, [countCorrect(k, pb, tb, n, { out, index: 1 })]);
  const c = refReduce.countCorrect(pred, target);
  ck.close(await readF32(d, out), [-1, c.correct, c.total], { atol: 0 }, `accuracy count n=${n}`);
  // Binary accuracy over weighted tokens, overwrite then accumulate.
  const labels = new Float32Array(n).map(() => (r() < 0.3 ? 1 : 0));
  const bpred = new Int32Array(n).map(() => (r() < 0.4 ? 1 : 0));
  const weights = new Float32Array(n).map((_, i) => (i % 11 === 0 ? 0 : 1 / n));
  const bufs = [
    createStorage(d, bpred, 'pred'),
    createStorage(d, labels, 'labels'),
    createStorage(d, weights, 'w'),
  ] as const;
  const bout = createStorage(d, 8, 'out');
  const bc = refReduce.countBinaryCorrect(bpred, labels, weights);
  runDispatches(d, [countBinaryCorrect(k, ...bufs, n, { out: bout, index: 0 })]);
  ck.close(await readF32(d, bout), [bc.correct, bc.total], { atol: 0 }, `binary accuracy count n=${n}`);
  runDispatches(d, [countBinaryCorrect(k, ...bufs, n, { out: bout, index: 0, accumulate: true })]);
  ck.close(await readF32(d, bout), [2 * bc.correct, 2 * bc.total], { atol: 0 }, `binary count accumulated n=${n}`);
  [out, pb, tb, ...bufs, bout].forEach((b) => b.destroy());
}

function reduceCases(): KernelCase[] {
  const norms: [number[], number][] = [
    // 200003 needs more than MAX_PARTIALS_PER_TENSOR workgroups: the grid-stride path.
    [[1003, 200003, 37], 0],
    [[1003, 200003, 37], 5],
    [[1003, 200003, 37], 1e6],
    [[37, 1003, 5], 5],
  ];
  const gradNorms = norms.map(([sizes, maxNorm]): KernelCase => ({
    id: `reduce grad norm over ${sizes.join(', ')}, max norm ${maxNorm}`,
    family: 'reduce',
    roles: ['grad_norm'],
    size: Math.max(...sizes) + 13,
    run: (k, ck) => checkGradNorm(k, ck, sizes, maxNorm),
  }));
  return [
    ...gradNorms,
    ...withChoice(gradNorms, { grad_norm: 'subgroup' }),
    ...[1, 37, 1003].map((n): KernelCase => ({
      id: `reduce sums n=${n}`,
      family: 'reduce',
      size: n,
      run: (k, ck) => checkSums(k, ck, n),
    })),
    ...[1, 37, 1003].map((n): KernelCase => ({
      id: `reduce accuracy counts n=${n}`,
      family: 'reduce',
      size: n,
      run: (k, ck) => checkCounts(k, ck, n),
    })),
  ];
}

export function optimCases(): KernelCase[] {
  return [...adamwCases(), ...reduceCases()];
}

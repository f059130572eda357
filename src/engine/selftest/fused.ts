// Shared kernel cases of the fused kernels (read by ops/fused.gpu.test.ts and the self-test): every matmul epilogue
// (residual, GELU, GELU's derivative, the bias gradient) through every variant (64 and 128 tiles, VEC4 and scalar,
// direct, direct_subgroup where the device has subgroups; split K for the bias gradient) and on the tuning's own
// variant, against the float64 reference, on shapes off every tile; the Linear
// blocks the encoder builds from them, forward and backward, against reference/linear.ts; AdamW that zeroes the
// gradient it read; LayerNorm's gamma and beta gradients in one pass (CPU adapters); the embedding backward on ids
// sorted by the CPU; attention's query and key gradients in one dispatch.
import { createStorage, readF32 } from '../buffers';
import { randomArray } from '../check';
import { runDispatches, type Kernels } from '../kernels';
import { adamw, createAdamWHyper, writeAdamWHyper, type AdamWConfig } from '../ops/adamw';
import { type EmbeddingBackwardShape } from '../ops/embedding';
import { layerNormBackward } from '../ops/layernorm';
import {
  canVec4,
  matmul,
  matmulSplitK,
  splitKScratchFloats,
  type MatmulEpilogue,
  type MatmulShape,
  type MatmulTile,
} from '../ops/matmul';
import { adamwStep } from '../reference/adamw';
import { geluForward, geluGrad } from '../reference/gelu';
import { linearBackward, linearForward, linearGeluBackward, linearGeluForward } from '../reference/linear';
import { matmulForward } from '../reference/matmul';
import type { Checker, KernelCase } from './case';
import { MATMUL_TOL } from './matmul';
import { MOMENT_TOL, PARAM_TOL } from './optim';
import { checkAttention, lengths, randomLengths, runAttention } from './attention';
import { checkEmbedding, makeIds, type IdKind } from './embedding';
import { checkLayerNorm } from './rows';

/** A tiled variant (with split K for the bias gradient), a direct kernel, or the tuning's own variant. */
type Variant = { tile: MatmulTile; vec4: boolean; splits?: number } | 'direct' | 'direct_subgroup' | 'tuning';

interface EpilogueCase {
  kind: MatmulEpilogue;
  shape: [number, number, number];
  transA: boolean;
  transB: boolean;
  accumulate: boolean;
}

/** Row sums of op(A) (M, K): what the bias_grad epilogue adds into aux. */
function rowSums(a: ArrayLike<number>, M: number, K: number, transA: boolean): Float64Array {
  const out = new Float64Array(M);
  for (let m = 0; m < M; m++) for (let k = 0; k < K; k++) out[m] += transA ? a[k * M + m] : a[m * K + k];
  return out;
}

/** out and aux as the epilogue should leave them, in float64. */
function expected(
  c: EpilogueCase,
  a: Float32Array,
  b: Float32Array,
  bias: Float32Array,
  init: Float32Array,
  aux: Float32Array,
): { out: Float64Array; aux?: Float64Array } {
  const [M, N, K] = c.shape;
  const s = { M, N, K, transA: c.transA, transB: c.transB };
  const withBias = c.kind !== 'bias_grad' ? bias : undefined;
  const v = matmulForward(a, b, s, withBias, c.accumulate ? init : undefined);
  if (c.kind === 'residual') return { out: v.map((x, i) => x + aux[i]) };
  if (c.kind === 'gelu') return { out: geluForward(v), aux: v };
  if (c.kind === 'gelu_grad') return { out: v.map((x, i) => x * geluGrad(aux[i])) };
  const sums = rowSums(a, M, K, c.transA);
  return { out: v, aux: sums.map((x, m) => x + aux[m]) };
}

async function checkEpilogue(k: Kernels, ck: Checker, c: EpilogueCase, v: Variant, seed: number): Promise<void> {
  const device = k.device;
  const [M, N, K] = c.shape;
  const how: Partial<MatmulShape> =
    v === 'tuning' ? {} : typeof v === 'string' ? { kernel: v } : { kernel: 'tiled', ...v };
  const s: MatmulShape = { M, N, K, transA: c.transA, transB: c.transB, ...how };
  const a = randomArray(M * K, seed);
  const b = randomArray(K * N, seed + 1);
  const bias = randomArray(N, seed + 2);
  const init = randomArray(M * N, seed + 3);
  // GELU's derivative is checked where it bends: pre-activations in [-3, 3].
  const auxInit = randomArray(c.kind === 'bias_grad' ? M : M * N, seed + 4, c.kind === 'gelu_grad' ? 3 : 1);
  const bufs = [a, b, bias, init, auxInit].map((x, i) => createStorage(device, x, `epilogue.${i}`));
  const opts = {
    ...s,
    a: bufs[0],
    b: bufs[1],
    bias: c.kind === 'bias_grad' ? undefined : bufs[2],
    out: bufs[3],
    accumulate: c.accumulate,
    epilogue: { kind: c.kind, aux: bufs[4] },
  };
  const splits = typeof v === 'object' ? (v.splits ?? 1) : 1;
  const scratch =
    splits > 1 ? createStorage(device, new Float32Array(splitKScratchFloats(k, s)).fill(1e30), 'scratch') : undefined;
  const ds = scratch ? matmulSplitK(k, opts, scratch) : [matmul(k, opts)];
  if (scratch) ck.ok(ds.length === 2, `${c.kind} split K ${splits}: a product and its sum`);
  runDispatches(device, ds);
  const want = expected(c, a, b, bias, init, auxInit);
  const name = `${ds[0].kernel} ${JSON.stringify(v)}`;
  ck.close(await readF32(device, bufs[3]), want.out, MATMUL_TOL, `${name} out`);
  if (want.aux) ck.close(await readF32(device, bufs[4]), want.aux, MATMUL_TOL, `${name} aux`);
  for (const buf of [...bufs, ...(scratch ? [scratch] : [])]) buf.destroy();
}

/**
 * The layout each epilogue serves in the model (a Linear's forward y = x W^T, the input gradient dY W, the weight
 * gradient dY^T X). The product itself is the plain kernel's, checked in every layout by the matmul family.
 */
const LAYOUT: Record<MatmulEpilogue, { transA: boolean; transB: boolean }> = {
  residual: { transA: false, transB: true },
  gelu: { transA: false, transB: true },
  gelu_grad: { transA: false, transB: false },
  bias_grad: { transA: true, transB: false },
};

function epilogueCases(): KernelCase[] {
  const out: KernelCase[] = [];
  for (const kind of ['residual', 'gelu', 'gelu_grad', 'bias_grad'] as const) {
    // A shape on the vec4 path (K and N multiples of 4) off every tile, and one with 3-wide rows and a partial k-tile.
    for (const [i, shape] of (
      [
        [36, 72, 68],
        [9, 131, 3],
      ] as [number, number, number][]
    ).entries()) {
      const { transA, transB } = LAYOUT[kind];
      // Accumulation where the kernel allows it (GELU and its derivative overwrite).
      const accumulate = i === 1 && (kind === 'residual' || kind === 'bias_grad');
      const c: EpilogueCase = { kind, shape, transA, transB, accumulate };
      const [M, N, K] = shape;
      out.push({
        id: `matmul epilogue ${kind} ${M}x${N}x${K} transA=${transA} transB=${transB} accumulate=${accumulate}`,
        family: 'matmul_epilogue',
        tuning: 'any',
        size: Math.max(M * K, K * N, M * N),
        async run(k, ck) {
          const seed = M * 7919 + N * 31 + K + kind.length * 1000;
          await checkEpilogue(k, ck, c, { tile: 64, vec4: true }, seed);
          if (i === 0) await checkEpilogue(k, ck, c, { tile: 128, vec4: true }, seed);
          if (canVec4({ M, N, K, transA, transB })) await checkEpilogue(k, ck, c, { tile: 64, vec4: false }, seed);
          if (kind === 'bias_grad' && K >= 64) await checkEpilogue(k, ck, c, { tile: 64, vec4: true, splits: 3 }, seed);
          await checkEpilogue(k, ck, c, 'direct', seed);
          // Where the device has subgroups (the engine never picks the variant elsewhere).
          if (k.tuning.subgroups) await checkEpilogue(k, ck, c, 'direct_subgroup', seed);
        },
      });
      // The small shape again on the tuning's own matmul variant: the autotuner checks a matmul candidate with it.
      if (i === 1)
        out.push({
          id: `matmul epilogue ${kind} ${M}x${N}x${K} transA=${transA} transB=${transB} on the tuning's variant`,
          family: 'matmul_epilogue',
          roles: ['matmul'],
          size: Math.max(M * K, K * N, M * N),
          run: (k, ck) => checkEpilogue(k, ck, c, 'tuning', M * 7919 + N * 31 + K + kind.length * 1000),
        });
    }
  }
  return out;
}

/** Uploads arrays, returns their buffers and a reader; destroy() frees them. */
function upload(k: Kernels, arrays: Record<string, Float32Array | number>) {
  const bufs: Record<string, GPUBuffer> = {};
  for (const [name, x] of Object.entries(arrays))
    bufs[name] = createStorage(k.device, typeof x === 'number' ? new Float32Array(x) : x, name);
  return {
    bufs,
    read: (name: string) => readF32(k.device, bufs[name]),
    destroy: () => Object.values(bufs).forEach((b) => b.destroy()),
  };
}

const BLOCK_TOL = { atol: 2e-4, rtol: 2e-4 };

/**
 * A Linear block's kernels as the encoder builds them (B: the block's buffers by name): y = x W^T + b through the
 * `kind` epilogue with `aux`; dX = dY W; dW += dY^T X and db += colsum(dY) through matmul_bias_grad.
 */
function blockDispatches(
  k: Kernels,
  B: Record<string, GPUBuffer>,
  s: { rows: number; inp: number; o: number },
  kind: 'residual' | 'gelu',
  aux: GPUBuffer,
  dy: GPUBuffer,
) {
  const { rows, inp, o } = s;
  const forward = { a: B.x, b: B.w, bias: B.b, out: B.y, M: rows, N: o, K: inp, transB: true };
  return {
    forward: matmul(k, { ...forward, epilogue: { kind, aux } }),
    backward: [
      matmul(k, { a: dy, b: B.w, out: B.dx, M: rows, N: inp, K: o }),
      ...matmulSplitK(k, {
        ...{ a: dy, b: B.x, out: B.dw, M: o, N: inp, K: rows, transA: true, accumulate: true },
        epilogue: { kind: 'bias_grad', aux: B.db },
      }),
    ],
  };
}

/**
 * y = x W^T + b + res through matmul_residual, and its backward as the encoder builds it: dX = dY W (matmul),
 * dW += dY^T X and db += colsum(dY) through matmul_bias_grad, against reference/linear.ts.
 */
async function residualBlock(k: Kernels, ck: Checker, rows: number, inp: number, o: number): Promise<void> {
  const s = { rows, inp, out: o };
  const x = randomArray(rows * inp, 1);
  const w = randomArray(o * inp, 2, 0.5);
  const b = randomArray(o, 3);
  const res = randomArray(rows * o, 4);
  const dy = randomArray(rows * o, 5);
  const dw0 = randomArray(o * inp, 6);
  const db0 = randomArray(o, 7);
  const u = upload(k, { x, w, b, res, dy, dw: dw0, db: db0, y: rows * o, dx: rows * inp });
  const B = u.bufs;
  const block = blockDispatches(k, B, { rows, inp, o }, 'residual', B.res, B.dy);
  runDispatches(k.device, [block.forward, ...block.backward]);
  const g = linearBackward(dy, x, w, s);
  ck.close(await u.read('y'), linearForward(x, w, b, s, res), BLOCK_TOL, 'residual block: y');
  ck.close(await u.read('dx'), g.dx, BLOCK_TOL, 'residual block: dX');
  ck.close(
    await u.read('dw'),
    g.dw.map((v, i) => v + dw0[i]),
    BLOCK_TOL,
    'residual block: dW',
  );
  ck.close(
    await u.read('db'),
    g.db.map((v, i) => v + db0[i]),
    BLOCK_TOL,
    'residual block: db',
  );
  u.destroy();
}

/**
 * y = gelu(x W^T + b) through matmul_gelu (keeping f = x W^T + b), then the backward from the next Linear
 * (W2 (o2, o), its output gradient dZ): df = (dZ W2) * gelu'(f) through matmul_gelu_grad, dX = df W, dW and db
 * through matmul_bias_grad; against reference/linear.ts.
 */
async function geluBlock(k: Kernels, ck: Checker, rows: number, inp: number, o: number, o2: number): Promise<void> {
  const s = { rows, inp, out: o };
  const x = randomArray(rows * inp, 11);
  const w = randomArray(o * inp, 12);
  const b = randomArray(o, 13);
  const w2 = randomArray(o2 * o, 14, 0.5);
  const dz = randomArray(rows * o2, 15);
  const u = upload(k, {
    x,
    w,
    b,
    w2,
    dz,
    pre: rows * o,
    y: rows * o,
    df: rows * o,
    dx: rows * inp,
    dw: o * inp,
    db: o,
  });
  const B = u.bufs;
  const block = blockDispatches(k, B, { rows, inp, o }, 'gelu', B.pre, B.df);
  runDispatches(k.device, [
    block.forward,
    matmul(k, { a: B.dz, b: B.w2, out: B.df, M: rows, N: o, K: o2, epilogue: { kind: 'gelu_grad', aux: B.pre } }),
    ...block.backward,
  ]);
  const fwd = linearGeluForward(x, w, b, s);
  const dy = matmulForward(dz, w2, { M: rows, N: o, K: o2 });
  const g = linearGeluBackward(dy, x, w, fwd.pre, s);
  ck.close(await u.read('pre'), fwd.pre, BLOCK_TOL, 'GELU block: pre-activation');
  ck.close(await u.read('y'), fwd.out, BLOCK_TOL, 'GELU block: y');
  ck.close(await u.read('df'), g.dpre, BLOCK_TOL, 'GELU block: d pre-activation');
  ck.close(await u.read('dx'), g.dx, BLOCK_TOL, 'GELU block: dX');
  ck.close(await u.read('dw'), g.dw, BLOCK_TOL, 'GELU block: dW');
  ck.close(await u.read('db'), g.db, BLOCK_TOL, 'GELU block: db');
  u.destroy();
}

function blockCases(): KernelCase[] {
  const shapes: [number, number, number, number][] = [
    [19, 24, 40, 24],
    [130, 36, 52, 20],
  ];
  return shapes.flatMap(([rows, inp, o, o2]): KernelCase[] => [
    {
      id: `Linear + residual block rows=${rows} in=${inp} out=${o}: forward and backward`,
      family: 'linear_block',
      size: Math.max(rows * inp, rows * o, o * inp),
      run: (k, ck) => residualBlock(k, ck, rows, inp, o),
    },
    {
      id: `Linear + GELU block rows=${rows} in=${inp} out=${o} next=${o2}: forward and backward`,
      family: 'linear_block',
      size: Math.max(rows * inp, rows * o, rows * o2, o * inp),
      run: (k, ck) => geluBlock(k, ck, rows, inp, o, o2),
    },
  ]);
}

/** Three AdamW steps through adamw_zero_grad: param, m and v as the reference has them, and grad 0 after each. */
async function adamwZeroGrad(k: Kernels, ck: Checker, n: number, decay: boolean): Promise<void> {
  const d = k.device;
  const cfg: AdamWConfig = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 };
  const p0 = randomArray(n, n + 7, 1);
  const u = upload(k, { param: p0, m: n, v: n, grad: n, clip: Float32Array.of(0.5) });
  const B = u.bufs;
  const hyper = createAdamWHyper(d, cfg);
  const step = adamw(
    k,
    { param: B.param, grad: B.grad, m: B.m, v: B.v, hyper, clip: B.clip, clipIndex: 0 },
    {
      decay,
      zeroGrad: true,
    },
  );
  ck.ok(step.kernel === 'adamw.adamw_zero_grad', 'adamw with zeroGrad runs adamw_zero_grad', step.kernel);
  const [rp, rm, rv] = [Float64Array.from(p0), new Float64Array(n), new Float64Array(n)];
  for (let t = 1; t <= 3; t++) {
    const g = randomArray(n, 100 * t + n, 2);
    d.queue.writeBuffer(B.grad, 0, g);
    writeAdamWHyper(d, hyper, cfg, t);
    runDispatches(d, [step]);
    adamwStep(rp, g, rm, rv, cfg, t, decay, 0.5);
    ck.ok(
      (await u.read('grad')).every((x) => x === 0),
      `grad zeroed after step ${t}`,
    );
  }
  const tag = `n=${n} decay=${decay}, 3 steps`;
  ck.close(await u.read('param'), rp, PARAM_TOL, `param ${tag}`);
  ck.close(await u.read('m'), rm, MOMENT_TOL, `m ${tag}`);
  ck.close(await u.read('v'), rv, MOMENT_TOL, `v ${tag}`);
  u.destroy();
  hyper.destroy();
}

function adamwZeroGradCases(): KernelCase[] {
  return [
    [1003, true],
    [37, false],
  ].map(([n, decay]) => ({
    id: `adamw zeroing the gradient n=${n} decay=${decay}`,
    family: 'adamw_zero_grad',
    size: n as number,
    run: (k, ck) => adamwZeroGrad(k, ck, n as number, decay as boolean),
  }));
}

/** The CPU variant's LayerNorm backward: dx, then dgamma and dbeta (= and +=) in one pass, against the reference. */
function lnParamsCases(): KernelCase[] {
  return [
    [37, 72],
    [300, 17],
    [6, 1030],
  ].map(([N, C]) => ({
    id: `LayerNorm backward, gamma and beta in one pass N=${N} C=${C}`,
    family: 'ln_params',
    tuning: { cpu: true },
    size: N * C,
    async run(k, ck) {
      const u = upload(k, { b: 4 * N * C });
      const one = { buffer: u.bufs.b, size: 4 * N * C };
      const kernels = layerNormBackward(
        k,
        { dy: one, x: one, gamma: one, mean: one, rstd: one, dx: one, dgamma: one, dbeta: one, scratch: one },
        { N, C },
      ).map((d) => d.kernel);
      ck.ok(
        kernels.join() === 'layernorm.backward_input_rows,layernorm.backward_params',
        'two dispatches: dx, then gamma and beta in one pass',
        kernels.join(),
      );
      u.destroy();
      await checkLayerNorm(k, ck, { N, C }, N * 31 + C);
    },
  }));
}

/**
 * The embedding backward on ids the CPU sorted (writeSortedIds): against the reference, and the same bits as with
 * the GPU's sort (both sum each id's rows in position order).
 */
function idSortCases(): KernelCase[] {
  const cases: [EmbeddingBackwardShape, IdKind][] = [
    [{ B: 2, T: 13, C: 9, V: 101, piece: 3 }, 'wild'],
    [{ B: 2, T: 37, C: 72, V: 1003, piece: 4 }, 'same'],
    [{ B: 3, T: 100, C: 20, V: 200 }, 'five'],
    [{ B: 1, T: 1, C: 8, V: 1 }, 'same'],
  ];
  return cases.map(([s, kind]) => ({
    id: `embedding backward on CPU-sorted ids ${JSON.stringify(s)} ids ${kind}`,
    family: 'id_sort',
    size: Math.max(s.B * s.T * s.C, (s.V + 1) * s.C),
    async run(k, ck) {
      const ids = makeIds(kind, s.B * s.T, s.V, s.V + s.T + 1);
      const cpu = await checkEmbedding(k, ck, s, ids, s.B * s.C + 1, true);
      const gpu = await checkEmbedding(k, ck, s, ids, s.B * s.C + 1, false);
      ck.ok(
        cpu.dwte.every((v, i) => Object.is(v, gpu.dwte[i])),
        'dwte: the same bits as with the GPU sort',
      );
    },
  }));
}

/**
 * Attention forward and backward with dQ and dK from grad_query_key, against the reference, and dqkv the same bits
 * as from the separate products (the same arithmetic per element).
 */
function attentionGradCases(): KernelCase[] {
  const shapes: [number, number, number, number][] = [
    [2, 9, 24, 3],
    // Several 64-row tiles: causal tiles above the diagonal skipped, k loops at the band in both halves.
    [2, 150, 48, 3],
  ];
  return shapes.flatMap(([B, T, C, NH]) =>
    [false, true].map((causal): KernelCase => ({
      id: `attention dQ and dK in one dispatch B=${B} T=${T} C=${C} NH=${NH}${causal ? ' causal' : ''}`,
      family: 'attention_grads',
      size: B * NH * T * T,
      async run(k, ck) {
        const s = { B, T, C, NH };
        const valid = lengths(T, randomLengths(B, T, T + C), causal);
        const qkv = randomArray(B * T * 3 * C, B * T + C, 1.5);
        const fusedK = k.withTuning({ ...k.tuning, fusions: ['attention_grads'] });
        await checkAttention(fusedK, ck, s, causal, valid, qkv);
        const dout = randomArray(B * T * C, 5);
        const one = await runAttention(fusedK, s, causal, qkv, valid, dout);
        const three = await runAttention(k.withTuning({ ...k.tuning, fusions: [] }), s, causal, qkv, valid, dout);
        ck.ok(
          one.dqkv.every((v, i) => Object.is(v, three.dqkv[i])),
          'dqkv: the same bits as the three separate products',
        );
      },
    })),
  );
}

export function fusedCases(): KernelCase[] {
  return [
    ...epilogueCases(),
    ...blockCases(),
    ...adamwZeroGradCases(),
    ...lnParamsCases(),
    ...idSortCases(),
    ...attentionGradCases(),
  ];
}

// The matmul kernels against the float64 CPU reference: every transpose combination, with and without bias and
// accumulation, both tile sizes and both load paths of the tiled kernel and the direct (CPU adapter) kernel, on
// shapes that are not multiples of any tile or block; bias_grad;
// and the TypeScript checks that refuse shapes the device cannot run before anything is dispatched.
import { afterAll, describe, expect, it } from 'vitest';
import { createStorage, readF32 } from '../buffers';
import { Kernels, runDispatches, type KernelTuning } from '../kernels';
import { LimitError } from '../limits';
import { biasGradRef, matmulForward } from '../reference/matmul';
import { expectClose, randomArray, useGpu, type Diff } from '../testing';
import { biasGrad, canVec4, chooseSplits, DIRECT_DX, matmul, matmulSplitK, planMatmul, planSplitK, splitKScratchFloats, type MatmulShape, type MatmulTile } from './matmul';

/** f32 products of K <= 129 terms in [-1, 1] against float64: observed errors are ~1e-6. */
const TOL = { atol: 1e-4, rtol: 1e-4 };

const SHAPES: [number, number, number][] = [
  [37, 72, 72],
  [1, 1003, 72],
  [64, 64, 64],
  [33, 17, 129],
  [128, 96, 80],
  [19, 36, 5], // a single, partial k-tile
  [9, 131, 3], // direct: a second row block of one row, a third column block of 3 columns
];

interface Case {
  shape: [number, number, number];
  transA: boolean;
  transB: boolean;
  bias: boolean;
  accumulate: boolean;
}

const CASES: Case[] = [];
for (const shape of SHAPES) {
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      for (const bias of [false, true]) {
        for (const accumulate of [false, true]) CASES.push({ shape, transA, transB, bias, accumulate });
      }
    }
  }
}

describe('matmul', () => {
  const fx = useGpu();
  let worst: Diff = { maxAbs: 0, maxRel: 0, at: -1 };
  let runs = 0;
  afterAll(() => {
    console.log(`[matmul] ${runs} products, max abs err ${worst.maxAbs.toExponential(2)}`);
  });

  /** A tiled variant, or the direct kernel. */
  type Variant = { tile: MatmulTile; vec4: boolean } | 'direct';

  async function check(c: Case, v: Variant, seed: number): Promise<void> {
    const [M, N, K] = c.shape;
    const how: Partial<MatmulShape> = v === 'direct' ? { kernel: 'direct' } : { kernel: 'tiled', ...v };
    const s: MatmulShape = { M, N, K, transA: c.transA, transB: c.transB, ...how };
    const alpha = c.bias && c.accumulate ? -0.5 : 1;
    const a = randomArray(M * K, seed);
    const b = randomArray(K * N, seed + 1);
    const bias = randomArray(N, seed + 2);
    const init = randomArray(M * N, seed + 3);
    const aBuf = createStorage(fx.device, a, 'a');
    const bBuf = createStorage(fx.device, b, 'b');
    const biasBuf = createStorage(fx.device, bias, 'bias');
    const outBuf = createStorage(fx.device, init, 'out');
    const d = matmul(fx.kernels, {
      ...s,
      a: aBuf,
      b: bBuf,
      out: outBuf,
      bias: c.bias ? biasBuf : undefined,
      accumulate: c.accumulate,
      alpha,
    });
    runDispatches(fx.device, [d]);
    const got = await readF32(fx.device, outBuf);
    const expected = matmulForward(a, b, { ...s, alpha }, c.bias ? bias : undefined, c.accumulate ? init : undefined);
    const what = `${d.kernel} ${JSON.stringify(v)} ${JSON.stringify(c)}`;
    const e = expectClose(got, expected, TOL, what);
    if (e.maxAbs > worst.maxAbs) worst = e;
    runs++;
    for (const buf of [aBuf, bBuf, biasBuf, outBuf]) buf.destroy();
  }

  it.each(CASES)('$shape transA=$transA transB=$transB bias=$bias accumulate=$accumulate', async (c) => {
    const [M, N, K] = c.shape;
    const vec4 = canVec4({ M, N, K, transA: c.transA, transB: c.transB });
    const seed = M * 7919 + N * 31 + K + (c.transA ? 1000 : 0) + (c.transB ? 2000 : 0);
    await check(c, { tile: 64, vec4: true }, seed);
    await check(c, { tile: 128, vec4: true }, seed);
    // Shapes that take the vec4 path also run the scalar path.
    if (vec4) await check(c, { tile: 64, vec4: false }, seed);
    await check(c, 'direct', seed);
  });

  it('takes the vec4 path exactly when every contiguous dimension is a multiple of 4', () => {
    const limits = fx.device.limits;
    expect(planMatmul(limits, { M: 37, N: 72, K: 72 })).toMatchObject({ entry: 'matmul', vec4: true });
    expect(planMatmul(limits, { M: 37, N: 72, K: 72, transA: true })).toMatchObject({ entry: 'matmul', vec4: false });
    expect(planMatmul(limits, { M: 1, N: 1003, K: 72, transB: true })).toMatchObject({ entry: 'matmul', vec4: false });
    expect(planMatmul(limits, { M: 64, N: 64, K: 66, transA: true })).toMatchObject({ entry: 'matmul', vec4: true });
    expect(planMatmul(limits, { M: 64, N: 64, K: 66, transB: true })).toMatchObject({ entry: 'matmul', vec4: false });
    expect(planMatmul(limits, { M: 64, N: 64, K: 64, vec4: false })).toMatchObject({ entry: 'matmul', vec4: false });
    expect(planMatmul(limits, { M: 4096, N: 4096, K: 8 }).tile).toBe(128);
    expect(planMatmul(limits, { M: 1024, N: 192, K: 8 }).tile).toBe(64);
  });

  it('takes the direct kernel on Kernels tuned for a CPU adapter, the tiled ones otherwise', () => {
    const limits = fx.device.limits;
    const plan = planMatmul(limits, { M: 37, N: 72, K: 72, kernel: 'direct' });
    expect(plan.entry).toBe('matmul_direct');
    expect(plan.workgroups).toEqual([Math.ceil(72 / (8 * DIRECT_DX)), Math.ceil(37 / 8), 1]);
    const buf = createStorage(fx.device, 64 * 64 * 4, 'buf');
    const shape = { a: buf, b: buf, out: buf, M: 64, N: 64, K: 64 };
    expect(matmul(new Kernels(fx.device, { cpu: true }), shape).kernel).toBe('matmul_cpu.matmul_direct');
    expect(matmul(new Kernels(fx.device, { cpu: false }), shape).kernel).toBe('matmul.matmul');
    expect(matmul(new Kernels(fx.device, { cpu: true }), { ...shape, kernel: 'tiled' }).kernel).toBe('matmul.matmul');
    expect(planMatmul(limits, shape).vec4).toBe(true);
    buf.destroy();
  });

  it('reads and writes ranges of larger buffers', async () => {
    const [M, N, K] = [20, 12, 16];
    const off = Number(fx.device.limits.minStorageBufferOffsetAlignment);
    const pad = off / 4;
    const a = randomArray(pad + M * K + 8, 41);
    const b = randomArray(pad + K * N + 8, 42);
    const out = new Float32Array(pad + M * N + 8).fill(7);
    const aBuf = createStorage(fx.device, a, 'a');
    const bBuf = createStorage(fx.device, b, 'b');
    const outBuf = createStorage(fx.device, out, 'out');
    const range = (buffer: GPUBuffer, n: number): GPUBufferBinding => ({ buffer, offset: off, size: n * 4 });
    const d = matmul(fx.kernels, { a: range(aBuf, M * K), b: range(bBuf, K * N), out: range(outBuf, M * N), M, N, K, transB: true });
    runDispatches(fx.device, [d]);
    const got = await readF32(fx.device, outBuf);
    const expected = matmulForward(a.subarray(pad), b.subarray(pad), { M, N, K, transB: true });
    expectClose(got.subarray(pad, pad + M * N), expected, TOL, 'ranged matmul');
    expect(Array.from(got.subarray(0, pad)).every((v) => v === 7)).toBe(true);
    expect(Array.from(got.subarray(pad + M * N)).every((v) => v === 7)).toBe(true);
  });

  it('refuses a grid over maxComputeWorkgroupsPerDimension with a LimitError before dispatching', () => {
    const small = createStorage(fx.device, 64, 'small');
    const maxWg = Number(fx.device.limits.maxComputeWorkgroupsPerDimension);
    const M = (maxWg + 1) * 128;
    const call = () => matmul(fx.kernels, { a: small, b: small, out: small, M, N: 4, K: 1, tile: 128 });
    expect(call).toThrow(LimitError);
    expect(call).toThrow(/maxComputeWorkgroupsPerDimension/);
    const direct = () => matmul(fx.kernels, { a: small, b: small, out: small, M: (maxWg + 1) * 8, N: 4, K: 1, kernel: 'direct' });
    expect(direct).toThrow(LimitError);
    expect(direct).toThrow(/direct/);
    small.destroy();
  });

  it('refuses an operand over maxStorageBufferBindingSize with a LimitError before dispatching', () => {
    const small = createStorage(fx.device, 64, 'small');
    const maxBytes = Number(fx.device.limits.maxStorageBufferBindingSize);
    const K = 4096;
    const M = Math.ceil(maxBytes / 4 / K) + 128; // A (M, K) is just over the limit; the grid is small
    let err: unknown;
    try {
      matmul(fx.kernels, { a: small, b: small, out: small, M, N: 4, K });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LimitError);
    expect((err as LimitError).limit).toBe('maxStorageBufferBindingSize');
    expect((err as LimitError).message).toMatch(/operand A/);
    small.destroy();
  });

  it('names the operand that is too small for the shape', () => {
    const a = createStorage(fx.device, 37 * 72 * 4, 'a');
    const b = createStorage(fx.device, 72 * 71 * 4, 'b');
    const out = createStorage(fx.device, 37 * 72 * 4, 'out');
    expect(() => matmul(fx.kernels, { a, b, out, M: 37, N: 72, K: 72, label: 'qkv' })).toThrow(
      'matmul "qkv": b holds 5112 floats but B (K=72, N=72) needs 5184',
    );
    expect(() => matmul(fx.kernels, { a, b, out, M: 37, N: 0, K: 72 })).toThrow(/N = 0 must be a positive integer/);
    for (const buf of [a, b, out]) buf.destroy();
  });
});

describe('matmulSplitK (tiled kernels, K split over workgroups, partials summed in order)', () => {
  const fx = useGpu();
  let gpuKernels: Kernels | undefined;
  const kern = () => (gpuKernels ??= new Kernels(fx.device, { cpu: false }));

  interface SplitCase extends Case {
    splits: number;
  }
  const SPLIT_SHAPES: [number, number, number, number][] = [
    [37, 72, 300, 3],
    [20, 12, 1000, 7],
    [64, 64, 513, 2],
    [1, 1003, 600, 4],
    [33, 17, 129, 16], // kSplit 16: 9 parts, the last of 1 k
  ];
  const SPLIT_CASES: SplitCase[] = [];
  for (const [M, N, K, splits] of SPLIT_SHAPES) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) SPLIT_CASES.push({ shape: [M, N, K], transA, transB, bias: transA, accumulate: transB, splits });
    }
  }

  async function run(c: SplitCase, tile: MatmulTile, vec4: boolean, seed: number): Promise<Float32Array> {
    const [M, N, K] = c.shape;
    const s: MatmulShape = { M, N, K, transA: c.transA, transB: c.transB, tile, vec4, kernel: 'tiled', splits: c.splits };
    const alpha = c.bias && c.accumulate ? -0.5 : 1.25;
    const a = randomArray(M * K, seed);
    const b = randomArray(K * N, seed + 1);
    const bias = randomArray(N, seed + 2);
    const init = randomArray(M * N, seed + 3);
    const bufs = [createStorage(fx.device, a, 'a'), createStorage(fx.device, b, 'b'), createStorage(fx.device, bias, 'bias'), createStorage(fx.device, init, 'out')];
    const floats = splitKScratchFloats(kern(), s);
    expect(floats).toBeGreaterThan(0);
    const scratch = createStorage(fx.device, new Float32Array(floats).fill(1e30), 'scratch');
    const ds = matmulSplitK(kern(), { ...s, a: bufs[0], b: bufs[1], bias: c.bias ? bufs[2] : undefined, out: bufs[3], accumulate: c.accumulate, alpha }, scratch);
    expect(ds.map((d) => d.kernel)).toEqual(['matmul.matmul', 'matmul.splitk_reduce']);
    expect(planSplitK(kern(), s).vec4).toBe(vec4 !== false && canVec4(s));
    runDispatches(fx.device, ds);
    const got = await readF32(fx.device, bufs[3]);
    const expected = matmulForward(a, b, { ...s, alpha }, c.bias ? bias : undefined, c.accumulate ? init : undefined);
    expectClose(got, expected, TOL, `split K ${c.splits} tile ${tile} vec4 ${vec4} ${JSON.stringify(c)}`);
    for (const buf of [...bufs, scratch]) buf.destroy();
    return got;
  }

  it.each(SPLIT_CASES)('$shape in $splits parts, transA=$transA transB=$transB bias=$bias accumulate=$accumulate', async (c) => {
    const seed = c.shape[0] * 31 + c.shape[2];
    const first = await run(c, 64, true, seed);
    await run(c, 128, false, seed);
    // The same bits on a second run (the partials are summed in a fixed order).
    expect(Array.from(await run(c, 64, true, seed))).toEqual(Array.from(first));
  });

  it('splits weight-gradient shapes with few tiles and long K, and nothing else', () => {
    expect(chooseSplits(768, 256, 4096)).toBe(6); // mini's qkv dW: 48 tiles of 64
    expect(chooseSplits(256, 256, 4096)).toBe(16); // 16 tiles
    expect(chooseSplits(256, 256, 1000)).toBe(3); // K / 256
    expect(chooseSplits(4096, 768, 256)).toBe(1); // a forward product: K short
    expect(chooseSplits(2048, 2048, 4096)).toBe(1); // 256 tiles of 128 fill the GPU already
    const buf = createStorage(fx.device, 768 * 4096 * 4, 'buf');
    const o = { a: buf, b: buf, out: buf, M: 768, N: 256, K: 4096, transA: true, accumulate: true };
    // CPU adapters (the direct kernel) and calls without a (big enough) scratch: one plain matmul.
    expect(matmulSplitK(new Kernels(fx.device, { cpu: true }), o, buf)).toHaveLength(1);
    expect(matmulSplitK(kern(), o)).toHaveLength(1);
    expect(matmulSplitK(kern(), o, { buffer: buf, offset: 0, size: 4 * 768 * 256 * 5 })).toHaveLength(1);
    expect(splitKScratchFloats(kern(), o)).toBe(6 * 768 * 256);
    expect(matmulSplitK(kern(), o, buf).map((d) => d.workgroups)).toEqual([[4, 12, 6], [768, 1, 1]]);
    expect(() => matmul(kern(), { ...o, splits: 2 })).toThrow(/scratch/);
    expect(() => planMatmul(fx.device.limits, { M: 8, N: 8, K: 8, kernel: 'direct', splits: 2 })).toThrow(/does not split/);
    buf.destroy();
  });
});

describe('biasGrad', () => {
  const fx = useGpu();

  const tunings: KernelTuning[] = [{ cpu: false }, { cpu: true }];
  it.each(
    tunings.flatMap((t) =>
      [
        [37, 72],
        [1, 1003],
        [300, 17],
        [1024, 33],
      ].map(([M, N]) => [M, N, t] as const),
    ),
  )('db += column sums of dY (M=%i, N=%i, tuning %o), the same bits every run', async (M, N, tuning) => {
    const k = new Kernels(fx.device, tuning);
    const dy = randomArray(M * N, M + N);
    const init = randomArray(N, 5);
    const dyBuf = createStorage(fx.device, dy, 'dy');
    const runOnce = async () => {
      const db = createStorage(fx.device, init, 'db');
      runDispatches(fx.device, [biasGrad(k, { dy: dyBuf, db, M, N })]);
      const got = await readF32(fx.device, db);
      db.destroy();
      return got;
    };
    const first = await runOnce();
    const sums = biasGradRef(dy, M, N);
    const expected = Array.from(sums, (v, i) => v + init[i]);
    expectClose(first, expected, { atol: 1e-4, rtol: 1e-4 }, `bias_grad M=${M} N=${N}`);
    const second = await runOnce();
    expect(Array.from(second)).toEqual(Array.from(first));
    dyBuf.destroy();
  });
});

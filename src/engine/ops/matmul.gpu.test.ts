// The matmul kernels against the float64 CPU reference: every transpose combination, with and without bias and
// accumulation, both tile sizes and both load paths of the tiled kernel and the direct (CPU adapter) kernel, on
// shapes that are not multiples of any tile or block (the shared cases of selftest/matmul.ts); split K; bias_grad;
// and the TypeScript checks that refuse shapes the device cannot run before anything is dispatched.
import { afterAll, describe, expect, it } from 'vitest';
import { createStorage, readF32 } from '../buffers';
import { Kernels, runDispatches } from '../kernels';
import { LimitError } from '../limits';
import { matmulForward } from '../reference/matmul';
import { casesOf } from '../selftest/cases';
import { MATMUL_TOL } from '../selftest/matmul';
import { expectCase, expectClose, randomArray, useGpu } from '../testing';
import { chooseSplits, DIRECT_DX, matmul, matmulSplitK, planMatmul, splitKScratchFloats } from './matmul';

describe('matmul', () => {
  const fx = useGpu();
  let worst = 0;
  let runs = 0;
  afterAll(() => {
    console.log(`[matmul] ${runs} cases (every variant each), max abs err ${worst.toExponential(2)}`);
  });

  // The shared cases (selftest/matmul.ts, also run by the in-page self-test): every layout, bias and accumulate
  // on shapes off both tiles, through 64 and 128 tiles, VEC4 and scalar, and the direct kernel.
  it.each(casesOf('matmul').map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const r = await expectCase(fx, c);
    worst = Math.max(worst, r.maxAbs);
    runs++;
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
    const d = matmul(fx.kernels, {
      a: range(aBuf, M * K),
      b: range(bBuf, K * N),
      out: range(outBuf, M * N),
      M,
      N,
      K,
      transB: true,
    });
    runDispatches(fx.device, [d]);
    const got = await readF32(fx.device, outBuf);
    const expected = matmulForward(a.subarray(pad), b.subarray(pad), { M, N, K, transB: true });
    expectClose(got.subarray(pad, pad + M * N), expected, MATMUL_TOL, 'ranged matmul');
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
    const direct = () =>
      matmul(fx.kernels, { a: small, b: small, out: small, M: (maxWg + 1) * 8, N: 4, K: 1, kernel: 'direct' });
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

  // The shared cases (selftest/matmul.ts): 64 and 128 tiles, VEC4 and scalar, the same bits on a rerun.
  it.each(casesOf('matmul_splitk').map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    await expectCase(fx, c);
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
    // The partials (6, 768, 256), and room for the bias gradient's partial row sums (6, 768) (matmul_bias_grad).
    expect(splitKScratchFloats(kern(), o)).toBe(6 * 768 * 256 + 6 * 768);
    expect(matmulSplitK(kern(), o, buf).map((d) => d.workgroups)).toEqual([
      [4, 12, 6],
      [768, 1, 1],
    ]);
    expect(() => matmul(kern(), { ...o, splits: 2 })).toThrow(/scratch/);
    expect(() => planMatmul(fx.device.limits, { M: 8, N: 8, K: 8, kernel: 'direct', splits: 2 })).toThrow(
      /does not split/,
    );
    buf.destroy();
  });
});

describe('biasGrad', () => {
  const fx = useGpu();

  // The shared cases (selftest/matmul.ts): both tunings, the same bits every run.
  it.each(casesOf('bias_grad').map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    await expectCase(fx, c);
  });
});

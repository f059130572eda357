// The LayerNorm kernels against the float64 reference at odd shapes: forward (out, mean, rstd), backward (dx = and
// +=, dgamma/dbeta +=), bitwise determinism, and shape errors.
import { describe, expect, it } from 'vitest';
import { createStorage, readF32 } from '../buffers';
import { Kernels, runDispatches, type Dispatch, type KernelTuning } from '../kernels';
import { layerNormBackward as refBackward, layerNormForward as refForward } from '../reference/layernorm';
import { expectClose, randomArray, useGpu, type GpuFixture } from '../testing';
import { layerNormBackward, layerNormForward, layerNormScratchFloats, rowMode, type RowMode } from './layernorm';

async function run(fx: GpuFixture, build: () => Dispatch[]): Promise<void> {
  fx.device.pushErrorScope('validation');
  runDispatches(fx.device, build());
  const err = await fx.device.popErrorScope();
  if (err) throw new Error(`WebGPU validation error: ${err.message}`);
}

interface Case {
  N: number;
  C: number;
  eps?: number;
  rowsPerChunk?: number;
  rows?: RowMode;
  /** Kernels with this tuning instead of the adapter's (the dgamma/dbeta partial sums differ by tuning). */
  tuning?: KernelTuning;
}

async function check(fx: GpuFixture, { N, C, eps, rowsPerChunk, rows, tuning }: Case, seed: number): Promise<Float32Array[]> {
  const d = fx.device;
  // An offset of 3 tests the variance's cancellation; gamma/beta random.
  const x = randomArray(N * C, seed, 2).map((v) => v + 3);
  const gamma = randomArray(C, seed + 1, 1.5);
  const beta = randomArray(C, seed + 2);
  const dy = randomArray(N * C, seed + 3);
  const dx0 = randomArray(N * C, seed + 4);
  const dg0 = randomArray(C, seed + 5);
  const db0 = randomArray(C, seed + 6);
  const buf = (a: Float32Array, name: string): GPUBuffer => createStorage(d, a, name);
  const bx = buf(x, 'x');
  const bg = buf(gamma, 'gamma');
  const bb = buf(beta, 'beta');
  const out = createStorage(d, N * C * 4, 'out');
  const mean = createStorage(d, N * 4, 'mean');
  const rstd = createStorage(d, N * 4, 'rstd');
  const bdy = buf(dy, 'dy');
  const dxEq = createStorage(d, N * C * 4, 'dx=');
  const dxAcc = buf(dx0, 'dx+=');
  const dg = buf(dg0, 'dgamma');
  const db = buf(db0, 'dbeta');
  const dg2 = createStorage(d, C * 4, 'dgamma2');
  const db2 = createStorage(d, C * 4, 'dbeta2');
  const shape = { N, C, eps, rowsPerChunk, rows };
  const scratch = createStorage(d, layerNormScratchFloats(shape) * 4, 'scratch');
  const k = tuning ? new Kernels(fx.device, tuning) : fx.kernels;
  const common = { dy: bdy, x: bx, gamma: bg, mean, rstd, scratch };
  await run(fx, () => [
    layerNormForward(k, { x: bx, gamma: bg, beta: bb, out, mean, rstd }, shape),
    ...layerNormBackward(k, { ...common, dx: dxEq, dgamma: dg, dbeta: db }, shape),
    ...layerNormBackward(k, { ...common, dx: dxAcc, dgamma: dg2, dbeta: db2 }, { ...shape, accumulate: true }),
  ]);

  const ref = refForward(x, gamma, beta, N, C, eps);
  const g = refBackward(dy, x, gamma, ref.mean, ref.rstd, N, C);
  const got = {
    out: await readF32(d, out),
    mean: await readF32(d, mean),
    rstd: await readF32(d, rstd),
    dxEq: await readF32(d, dxEq),
    dxAcc: await readF32(d, dxAcc),
    dg: await readF32(d, dg),
    db: await readF32(d, db),
    dg2: await readF32(d, dg2),
    db2: await readF32(d, db2),
  };
  const tag = `(N, C) = (${N}, ${C})`;
  const eo = expectClose(got.out, ref.out, { atol: 1e-5, rtol: 1e-5 }, `out ${tag}`);
  expectClose(got.mean, ref.mean, { atol: 1e-5, rtol: 1e-6 }, `mean ${tag}`);
  expectClose(got.rstd, ref.rstd, { atol: 1e-5, rtol: 1e-5 }, `rstd ${tag}`);
  const ex = expectClose(got.dxEq, g.dx, { atol: 1e-4, rtol: 1e-4 }, `dx ${tag}`);
  expectClose(got.dxAcc, g.dx.map((v, i) => v + dx0[i]), { atol: 1e-4, rtol: 1e-4 }, `dx += ${tag}`);
  const eg = expectClose(got.dg, g.dgamma.map((v, i) => v + dg0[i]), { atol: 1e-4, rtol: 1e-4 }, `dgamma += ${tag}`);
  expectClose(got.db, g.dbeta.map((v, i) => v + db0[i]), { atol: 1e-4, rtol: 1e-4 }, `dbeta += ${tag}`);
  // The second backward accumulated into zeroed dgamma/dbeta: the bare sums.
  expectClose(got.dg2, g.dgamma, { atol: 1e-4, rtol: 1e-4 }, `dgamma ${tag}`);
  expectClose(got.db2, g.dbeta, { atol: 1e-4, rtol: 1e-4 }, `dbeta ${tag}`);
  console.log(
    `layernorm ${tag}: max abs err out ${eo.maxAbs.toExponential(2)}, dx ${ex.maxAbs.toExponential(2)}, ` +
      `dgamma ${eg.maxAbs.toExponential(2)}`,
  );
  return [got.out, got.mean, got.rstd, got.dxEq, got.dxAcc, got.dg, got.db];
}

describe('layernorm kernels', () => {
  const fx = useGpu();

  it.each<Case>([
    { N: 37, C: 72 },
    { N: 1, C: 8 },
    { N: 130, C: 257 },
    { N: 130, C: 257, rowsPerChunk: 5 },
    { N: 6, C: 1030, eps: 1e-5 },
    { N: 3, C: 1 },
    // Both row modes, forced (the default follows the adapter).
    { N: 37, C: 72, rows: 'workgroup' },
    { N: 130, C: 257, rows: 'thread' },
    { N: 65, C: 1, rows: 'workgroup' },
    { N: 1, C: 129, rows: 'thread' },
    // Both tunings, forced (GPU: partial sums through workgroup memory; CPU: one row lane, no barrier).
    { N: 130, C: 257, rowsPerChunk: 5, tuning: { cpu: false } },
    { N: 130, C: 257, rowsPerChunk: 5, tuning: { cpu: true } },
    { N: 37, C: 72, tuning: { cpu: false } },
    { N: 37, C: 72, tuning: { cpu: true } },
  ])('matches the reference, forward and backward: %o', async (c) => {
    await check(fx, c, 100 + c.N + c.C);
  });

  it('uses one thread per row on CPU adapters and a workgroup per row on GPUs by default', () => {
    expect(rowMode({ cpu: true })).toBe('thread');
    expect(rowMode({})).toBe('workgroup');
    const buf = (n: number) => createStorage(fx.device, n * 4, 'b');
    const entry = (k: Kernels) => layerNormForward(k, { x: buf(256), gamma: buf(64), beta: buf(64), out: buf(256), mean: buf(4), rstd: buf(4) }, { N: 4, C: 64 }).kernel;
    expect(entry(new Kernels(fx.device, { cpu: true }))).toBe('layernorm.forward_rows');
    expect(entry(new Kernels(fx.device, { cpu: false }))).toBe('layernorm.forward');
  });

  it('is bitwise deterministic (two runs on the same inputs)', async () => {
    const a = await check(fx, { N: 130, C: 257, rowsPerChunk: 7 }, 7);
    const b = await check(fx, { N: 130, C: 257, rowsPerChunk: 7 }, 7);
    a.forEach((v, i) => expect(Array.from(b[i])).toEqual(Array.from(v)));
  });

  it('keeps a constant row finite: out = beta (eps 1e-12 in the sqrt)', async () => {
    const d = fx.device;
    const N = 2;
    const C = 16;
    const x = createStorage(d, new Float32Array(N * C).fill(0.25), 'x');
    const gamma = createStorage(d, randomArray(C, 1), 'gamma');
    const betaData = randomArray(C, 2);
    const beta = createStorage(d, betaData, 'beta');
    const out = createStorage(d, N * C * 4, 'out');
    const mean = createStorage(d, N * 4, 'mean');
    const rstd = createStorage(d, N * 4, 'rstd');
    await run(fx, () => [layerNormForward(fx.kernels, { x, gamma, beta, out, mean, rstd }, { N, C })]);
    const o = await readF32(d, out);
    expectClose(o, [...betaData, ...betaData], { atol: 1e-6 }, 'out');
    expectClose(await readF32(d, rstd), [1e6, 1e6], { atol: 0, rtol: 1e-6 }, 'rstd');
  });

  it('rejects buffers too small for the shape, naming the tensor', () => {
    const d = fx.device;
    const small = createStorage(d, 16, 'small');
    const ok = createStorage(d, 37 * 72 * 4, 'ok');
    expect(() =>
      layerNormForward(fx.kernels, { x: ok, gamma: small, beta: ok, out: ok, mean: ok, rstd: ok }, { N: 37, C: 72 }),
    ).toThrow(/gamma \(C\) = \(72\) needs 72 x 4 = 288 bytes, but its buffer has 16/);
    expect(() =>
      layerNormForward(fx.kernels, { x: ok, gamma: ok, beta: ok, out: ok, mean: ok, rstd: ok }, { N: 0, C: 72 }),
    ).toThrow(/N must be an integer >= 1/);
  });
});

// The LayerNorm kernels against the float64 reference at odd shapes: forward (out, mean, rstd), backward (dx = and
// +=, dgamma/dbeta +=), bitwise determinism, and shape errors.
import { describe, expect, it } from 'vitest';
import { createStorage, readF32 } from '../buffers';
import { Kernels, runDispatches, type Dispatch } from '../kernels';
import { casesOf } from '../selftest/cases';
import { Checker } from '../selftest/case';
import { checkLayerNorm } from '../selftest/rows';
import { expectCase, expectClose, randomArray, useGpu, type GpuFixture } from '../testing';
import { layerNormForward, rowMode } from './layernorm';

async function run(fx: GpuFixture, build: () => Dispatch[]): Promise<void> {
  fx.device.pushErrorScope('validation');
  runDispatches(fx.device, build());
  const err = await fx.device.popErrorScope();
  if (err) throw new Error(`WebGPU validation error: ${err.message}`);
}

describe('layernorm kernels', () => {
  const fx = useGpu();

  // The shared cases (selftest/rows.ts): odd shapes, both row modes and both tunings, forced.
  it.each(casesOf('layernorm').map((c) => [c.id, c] as const))(
    'matches the reference, forward and backward: %s',
    async (_id, c) => {
      await expectCase(fx, c);
    },
  );

  it('uses one thread per row on CPU adapters and a workgroup per row on GPUs by default', () => {
    expect(rowMode({ cpu: true })).toBe('thread');
    expect(rowMode({})).toBe('workgroup');
    const buf = (n: number) => createStorage(fx.device, n * 4, 'b');
    const entry = (k: Kernels) =>
      layerNormForward(
        k,
        { x: buf(256), gamma: buf(64), beta: buf(64), out: buf(256), mean: buf(4), rstd: buf(4) },
        { N: 4, C: 64 },
      ).kernel;
    expect(entry(new Kernels(fx.device, { cpu: true }))).toBe('layernorm.forward_rows');
    expect(entry(new Kernels(fx.device, { cpu: false }))).toBe('layernorm.forward');
  });

  it('is bitwise deterministic (two runs on the same inputs)', async () => {
    const ck = new Checker();
    const a = await checkLayerNorm(fx.kernels, ck, { N: 130, C: 257, rowsPerChunk: 7 }, 7);
    const b = await checkLayerNorm(fx.kernels, ck, { N: 130, C: 257, rowsPerChunk: 7 }, 7);
    expect(ck.checks.filter((x) => !x.pass).map((x) => x.message)).toEqual([]);
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

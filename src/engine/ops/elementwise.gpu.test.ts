// The elementwise kernels against the float64 reference through the shared cases (selftest/elementwise.ts: add,
// out += s a, scale, masks, bias add both forms and the bias gradient at odd shapes); a changed scale factor, the
// bias gradient's determinism and shape errors.
import { describe, expect, it } from 'vitest';
import { createStorage, readF32 } from '../buffers';
import { runDispatches, type Dispatch } from '../kernels';
import * as ref from '../reference/elementwise';
import { casesOf } from '../selftest/cases';
import { expectCase, expectClose, randomArray, useGpu, type GpuFixture } from '../testing';
import { add, biasAdd, biasBackward, biasBackwardScratchFloats, scale, setScale } from './elementwise';

async function run(fx: GpuFixture, build: () => Dispatch[]): Promise<void> {
  fx.device.pushErrorScope('validation');
  runDispatches(fx.device, build());
  const err = await fx.device.popErrorScope();
  if (err) throw new Error(`WebGPU validation error: ${err.message}`);
}

const EXACT = { atol: 0 };

describe('elementwise kernels', () => {
  const fx = useGpu();
  const store = (a: Float32Array, name: string): GPUBuffer => createStorage(fx.device, a, name);

  it.each(casesOf('elementwise').map((c) => [c.id, c] as const))('matches the reference: %s', async (_id, c) => {
    await expectCase(fx, c);
  });

  it('setScale changes the factor of a built dispatch', async () => {
    const n = 37;
    const a = randomArray(n, 9);
    const ba = store(a, 'a');
    const out = createStorage(fx.device, n * 4, 'out');
    const dsp = scale(fx.kernels, { a: ba, out }, n, 2);
    setScale(fx.kernels, dsp, 0.5);
    await run(fx, () => [dsp]);
    expectClose(await readF32(fx.device, out), ref.scale(a, 0.5), EXACT, 'scale 0.5');
    expect(() => setScale(fx.kernels, add(fx.kernels, { a: ba, b: ba, out }, n), 2)).toThrow(/has no scale factor/);
  });

  it('the bias gradient is bitwise deterministic', async () => {
    const d = fx.device;
    const [N, C] = [130, 257];
    const shape = { N, C, rowsPerChunk: 3 };
    const dout = store(randomArray(N * C, 1), 'dout');
    const db0 = randomArray(C, 3);
    const [dbias, dbias2] = [store(db0, 'dbias'), store(db0, 'dbias2')];
    const scratch = createStorage(d, biasBackwardScratchFloats(shape) * 4, 'scratch');
    await run(fx, () => [
      ...biasBackward(fx.kernels, { dout, dbias, scratch }, shape),
      ...biasBackward(fx.kernels, { dout, dbias: dbias2, scratch }, shape),
    ]);
    const got = await readF32(d, dbias);
    expect(got.some((v, i) => v !== db0[i])).toBe(true);
    expect(Array.from(await readF32(d, dbias2))).toEqual(Array.from(got));
  });

  it('rejects mismatched shapes, naming the tensor', () => {
    const small = createStorage(fx.device, 64, 'small');
    const big = createStorage(fx.device, 4096, 'big');
    expect(() => add(fx.kernels, { a: big, b: small, out: big }, 100)).toThrow(
      /add: b \(100\) needs 100 x 4 = 400 bytes/,
    );
    expect(() => biasAdd(fx.kernels, { a: big, bias: small, out: big }, { N: 4, C: 20 })).toThrow(
      /biasAdd: bias \(C\) = \(20\) needs 20 x 4 = 80 bytes, but its buffer has 64/,
    );
    expect(() => biasBackward(fx.kernels, { dout: big, dbias: big, scratch: small }, { N: 100, C: 8 })).toThrow(
      /scratch \(chunks, C\) = \(7, 8\)/,
    );
    expect(() => scale(fx.kernels, { a: big, out: big }, 4, Number.NaN)).toThrow(/scale must be finite/);
  });
});

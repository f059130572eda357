// The elementwise kernels against the float64 reference at odd shapes: add, out += s a, scale (both forms, and a
// changed factor), bias add (both forms) and the bias gradient (+=, deterministic), plus shape errors.
import { describe, expect, it } from 'vitest';
import { createStorage, readF32 } from '../buffers';
import { runDispatches, type Dispatch } from '../kernels';
import * as ref from '../reference/elementwise';
import { expectClose, randomArray, useGpu, type GpuFixture } from '../testing';
import {
  add,
  addInPlace,
  biasAdd,
  biasAddInPlace,
  biasBackward,
  biasBackwardScratchFloats,
  mulInPlace,
  scale,
  scaleInPlace,
  setScale,
} from './elementwise';

async function run(fx: GpuFixture, build: () => Dispatch[]): Promise<void> {
  fx.device.pushErrorScope('validation');
  runDispatches(fx.device, build());
  const err = await fx.device.popErrorScope();
  if (err) throw new Error(`WebGPU validation error: ${err.message}`);
}

const EXACT = { atol: 0 };
const TOL = { atol: 1e-6, rtol: 1e-6 };

describe('elementwise kernels', () => {
  const fx = useGpu();
  const store = (a: Float32Array, name: string): GPUBuffer => createStorage(fx.device, a, name);

  it.each([1, 37 * 72 + 5])('mul in place (a 0/1 gradient mask, and general factors) on n = %i', async (n) => {
    const a = randomArray(n, n + 7, 2);
    const mask = Float32Array.from({ length: n }, (_, i) => (i % 3 === 1 ? 1 : 0));
    const out1 = store(a, 'masked');
    const out2 = store(a, 'scaled');
    const b = randomArray(n, n + 9, 2);
    await run(fx, () => [
      mulInPlace(fx.kernels, { a: store(mask, 'mask'), out: out1 }, n),
      mulInPlace(fx.kernels, { a: store(b, 'b'), out: out2 }, n),
    ]);
    expectClose(await readF32(fx.device, out1), Float32Array.from(ref.mul(a, mask)), EXACT, 'out *= mask');
    expectClose(await readF32(fx.device, out2), Float32Array.from(ref.mul(a, b)), EXACT, 'out *= b');
  });

  it.each([1, 8, 37 * 72, 130 * 257])('add, add in place, scale and scale in place on n = %i', async (n) => {
    const d = fx.device;
    const k = fx.kernels;
    const a = randomArray(n, n, 3);
    const b = randomArray(n, n + 1, 3);
    const ba = store(a, 'a');
    const bb = store(b, 'b');
    const sum = createStorage(d, n * 4, 'sum');
    const acc1 = store(b, 'acc1');
    const accS = store(b, 'accS');
    const scaled = createStorage(d, n * 4, 'scaled');
    const inplace = store(a, 'inplace');
    await run(fx, () => [
      add(k, { a: ba, b: bb, out: sum }, n),
      addInPlace(k, { a: ba, out: acc1 }, n),
      addInPlace(k, { a: ba, out: accS }, n, -0.37),
      scale(k, { a: ba, out: scaled }, n, 0.125),
      scaleInPlace(k, { out: inplace }, n, -3),
    ]);
    // Single f32 operations: the GPU result is the f32 rounding of the exact value.
    const f32 = (x: Float64Array): Float32Array => Float32Array.from(x);
    expectClose(await readF32(d, sum), f32(ref.add(a, b)), EXACT, 'a + b');
    expectClose(await readF32(d, acc1), f32(ref.addScaled(b, a)), EXACT, 'out += a');
    expectClose(await readF32(d, accS), ref.addScaled(b, a, -0.37), TOL, 'out += s a');
    expectClose(await readF32(d, scaled), f32(ref.scale(a, 0.125)), EXACT, 'scale');
    expectClose(await readF32(d, inplace), f32(ref.scale(a, -3)), EXACT, 'scale in place');
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

  it.each([
    [37, 72, undefined],
    [1, 8, undefined],
    [130, 257, undefined],
    [130, 257, 3],
    [1000, 5, 64],
  ])('bias add and bias gradient at (N, C) = (%i, %i), rows per chunk %s', async (N, C, rowsPerChunk) => {
    const d = fx.device;
    const k = fx.kernels;
    const n = N * C;
    const a = randomArray(n, N, 2);
    const bias = randomArray(C, C, 2);
    const dout = randomArray(n, N + C);
    const db0 = randomArray(C, 3);
    const ba = store(a, 'a');
    const bbias = store(bias, 'bias');
    const out = createStorage(d, n * 4, 'out');
    const inplace = store(a, 'inplace');
    const bdout = store(dout, 'dout');
    const dbias = store(db0, 'dbias');
    const dbias2 = store(db0, 'dbias2');
    const shape = { N, C, rowsPerChunk };
    const scratch = createStorage(d, biasBackwardScratchFloats(shape) * 4, 'scratch');
    await run(fx, () => [
      biasAdd(k, { a: ba, bias: bbias, out }, shape),
      biasAddInPlace(k, { bias: bbias, out: inplace }, shape),
      ...biasBackward(k, { dout: bdout, dbias, scratch }, shape),
      ...biasBackward(k, { dout: bdout, dbias: dbias2, scratch }, shape),
    ]);
    const expected = Float32Array.from(ref.biasAdd(a, bias, N, C));
    expectClose(await readF32(d, out), expected, EXACT, 'a + bias');
    expectClose(await readF32(d, inplace), expected, EXACT, 'out += bias');
    const g = ref.biasAddBackward(dout, N, C).dbias;
    const got = await readF32(d, dbias);
    const e = expectClose(
      got,
      g.map((v, i) => v + db0[i]),
      { atol: 1e-4, rtol: 1e-5 },
      'dbias +=',
    );
    console.log(`dbias (N, C) = (${N}, ${C}): max abs err ${e.maxAbs.toExponential(2)}`);
    // Same inputs, same bits.
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

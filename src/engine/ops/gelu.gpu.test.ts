// The GELU kernels against the float64 reference: random inputs at odd sizes, extreme inputs (no NaN from tanh
// overflow), bitwise determinism and shape errors.
import { describe, expect, it } from 'vitest';
import { createStorage } from '../buffers';
import { geluBackward as refBackward, geluForward as refForward } from '../reference/gelu';
import { casesOf } from '../selftest/cases';
import { runGelu } from '../selftest/rows';
import { expectCase, expectClose, randomArray, useGpu, type GpuFixture } from '../testing';
import { geluBackward, geluForward } from './gelu';

async function gelu(
  fx: GpuFixture,
  x: Float32Array,
  dy: Float32Array,
): Promise<{ out: Float32Array; dx: Float32Array }> {
  fx.device.pushErrorScope('validation');
  const r = await runGelu(fx.kernels, x, dy);
  const err = await fx.device.popErrorScope();
  if (err) throw new Error(`WebGPU validation error: ${err.message}`);
  return r;
}

describe('gelu kernels', () => {
  const fx = useGpu();

  // The shared cases (selftest/rows.ts): random values in [-8, 8] at odd sizes.
  it.each(casesOf('gelu').map((c) => [c.id, c] as const))('matches the reference: %s', async (_id, c) => {
    await expectCase(fx, c);
  });

  it('stays finite and exact in the tails (tanh argument clamped)', async () => {
    const x = Float32Array.from([0, -0, 1e-30, -1e-30, 5, -5, 9.5, -9.5, 20, -20, 1e6, -1e6, 1e20, -1e20, 3e38, -3e38]);
    const dy = new Float32Array(x.length).fill(1);
    const { out, dx } = await gelu(fx, x, dy);
    expect(out.every(Number.isFinite)).toBe(true);
    expect(dx.every(Number.isFinite)).toBe(true);
    expectClose(out, refForward(x), { atol: 1e-6, rtol: 1e-6 }, 'gelu tails');
    expectClose(dx, refBackward(dy, x), { atol: 1e-6, rtol: 1e-5 }, 'dgelu tails');
    expect(Array.from(out.subarray(10))).toEqual([1e6, 0, 1e20, 0, 3e38, 0].map(Math.fround));
    expect(Array.from(dx.subarray(8))).toEqual([1, 0, 1, 0, 1, 0, 1, 0]);
  });

  it('is bitwise deterministic', async () => {
    const x = randomArray(1003, 5, 4);
    const dy = randomArray(1003, 6);
    const a = await gelu(fx, x, dy);
    const b = await gelu(fx, x, dy);
    expect(Array.from(b.out)).toEqual(Array.from(a.out));
    expect(Array.from(b.dx)).toEqual(Array.from(a.dx));
  });

  it('rejects buffers too small for n', () => {
    const small = createStorage(fx.device, 40, 'small');
    const big = createStorage(fx.device, 400, 'big');
    expect(() => geluForward(fx.kernels, { x: big, out: small }, 100)).toThrow(
      /geluForward: out \(100\) needs 100 x 4 = 400 bytes, but its buffer has 40/,
    );
    expect(() => geluBackward(fx.kernels, { dy: big, x: big, dx: big }, 0)).toThrow(/n must be an integer >= 1/);
  });
});

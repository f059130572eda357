// The GELU kernels against the float64 reference: random inputs at odd sizes, extreme inputs (no NaN from tanh
// overflow), bitwise determinism and shape errors.
import { describe, expect, it } from 'vitest';
import { createStorage, readF32 } from '../buffers';
import { runDispatches, type Dispatch } from '../kernels';
import { geluBackward as refBackward, geluForward as refForward } from '../reference/gelu';
import { expectClose, randomArray, useGpu, type GpuFixture } from '../testing';
import { geluBackward, geluForward } from './gelu';

async function run(fx: GpuFixture, build: () => Dispatch[]): Promise<void> {
  fx.device.pushErrorScope('validation');
  runDispatches(fx.device, build());
  const err = await fx.device.popErrorScope();
  if (err) throw new Error(`WebGPU validation error: ${err.message}`);
}

async function gelu(fx: GpuFixture, x: Float32Array, dy: Float32Array): Promise<{ out: Float32Array; dx: Float32Array }> {
  const d = fx.device;
  const n = x.length;
  const bx = createStorage(d, x, 'x');
  const bdy = createStorage(d, dy, 'dy');
  const out = createStorage(d, n * 4, 'out');
  // dx starts non-zero: backward must overwrite it.
  const dx = createStorage(d, new Float32Array(n).fill(7), 'dx');
  await run(fx, () => [geluForward(fx.kernels, { x: bx, out }, n), geluBackward(fx.kernels, { dy: bdy, x: bx, dx }, n)]);
  return { out: await readF32(d, out), dx: await readF32(d, dx) };
}

describe('gelu kernels', () => {
  const fx = useGpu();

  it.each([1, 257, 37 * 72, 130 * 257])('matches the reference on %i random values in [-8, 8]', async (n) => {
    const x = randomArray(n, n, 8);
    const dy = randomArray(n, n + 1);
    const { out, dx } = await gelu(fx, x, dy);
    const f = expectClose(out, refForward(x), { atol: 1e-5, rtol: 1e-5 }, `gelu n=${n}`);
    const b = expectClose(dx, refBackward(dy, x), { atol: 1e-5, rtol: 1e-4 }, `dgelu n=${n}`);
    console.log(`gelu n=${n}: forward max abs err ${f.maxAbs.toExponential(2)}, backward ${b.maxAbs.toExponential(2)}`);
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
    expect(() => geluForward(fx.kernels, { x: big, out: small }, 100)).toThrow(/geluForward: out \(100\) needs 100 x 4 = 400 bytes, but its buffer has 40/);
    expect(() => geluBackward(fx.kernels, { dy: big, x: big, dx: big }, 0)).toThrow(/n must be an integer >= 1/);
  });
});

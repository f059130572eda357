// Helpers for GPU tests: one Dawn device per test file, seeded random data, and comparisons that report errors.
import { afterAll, beforeAll } from 'vitest';
import { nodeGpu, type NodeGpu } from './node/dawn';
import { Kernels } from './kernels';
import { isCpuAdapter } from './gpu';

export interface GpuFixture {
  gpu: NodeGpu;
  device: GPUDevice;
  kernels: Kernels;
}

/** Registers beforeAll/afterAll hooks; the returned object is filled before the first test runs. */
export function useGpu(): GpuFixture {
  const fx = {} as GpuFixture;
  beforeAll(async () => {
    fx.gpu = await nodeGpu();
    fx.device = fx.gpu.device;
    fx.kernels = new Kernels(fx.device, { cpu: isCpuAdapter(fx.gpu.summary) });
    fx.device.addEventListener('uncapturederror', (e) => {
      console.error('WebGPU uncaptured error:', (e as GPUUncapturedErrorEvent).error.message);
    });
  });
  afterAll(() => fx.gpu?.close());
  return fx;
}

/** Deterministic PRNG (mulberry32) for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (r() * 2 - 1) * scale;
  return out;
}

export interface Diff {
  maxAbs: number;
  maxRel: number;
  at: number;
}

export function diff(actual: ArrayLike<number>, expected: ArrayLike<number>): Diff {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != expected ${expected.length}`);
  let maxAbs = 0;
  let maxRel = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const d = Math.abs(a - e);
    if (!(d <= maxAbs) || Number.isNaN(a)) {
      maxAbs = Number.isNaN(a) ? Infinity : d;
      at = i;
    }
    const r = d / Math.max(Math.abs(e), 1e-6);
    if (r > maxRel) maxRel = r;
  }
  return { maxAbs, maxRel, at };
}

/**
 * Throws with max abs/rel error and the worst index when any element differs by more than atol + rtol*|expected|.
 */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: { atol: number; rtol?: number },
  what = 'values',
): Diff {
  const d = diff(actual, expected);
  const rtol = tol.rtol ?? 0;
  for (let i = 0; i < actual.length; i++) {
    const lim = tol.atol + rtol * Math.abs(expected[i]);
    if (!(Math.abs(actual[i] - expected[i]) <= lim)) {
      throw new Error(
        `${what}: element ${i} is ${actual[i]}, expected ${expected[i]} (atol ${tol.atol}, rtol ${rtol}); ` +
          `max abs err ${d.maxAbs.toExponential(3)} at ${d.at}, max rel err ${d.maxRel.toExponential(3)}`,
      );
    }
  }
  return d;
}

/**
 * Compares every parameter tensor's gradient with the reference's, each within 2e-4 of that tensor's largest
 * reference gradient (f32 accumulation over long sums); returns one line per failing tensor, and each tensor's
 * largest reference gradient (to check that a path carries any gradient at all).
 */
export function gradientFailures(
  tensors: readonly { name: string; offset: number; size: number }[],
  got: Float32Array,
  want: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> & Iterable<number> },
): { failures: string[]; scale: Map<string, number> } {
  const failures: string[] = [];
  const scale = new Map<string, number>();
  for (const t of tensors) {
    const w = want.subarray(t.offset, t.offset + t.size);
    let s = 0;
    for (const v of w) s = Math.max(s, Math.abs(v));
    scale.set(t.name, s);
    const e = diff(got.subarray(t.offset, t.offset + t.size), w);
    if (e.maxAbs > 2e-4 * Math.max(s, 1e-3)) failures.push(`${t.name}: max abs err ${e.maxAbs.toExponential(2)} (largest |grad| ${s.toExponential(2)}) at ${e.at}`);
  }
  return { failures, scale };
}

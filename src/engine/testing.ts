// Helpers for GPU tests: one Dawn device per test file, seeded random data, and comparisons that report errors.
import { afterAll, beforeAll, expect } from 'vitest';
import { nodeGpu, type NodeGpu } from './node/dawn';
import { adapterTuning, Kernels, type KernelTuning } from './kernels';
import { failures, runCase, type CaseResult, type KernelCase } from './selftest/case';
import { closeness, diff, type Diff } from './check';

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
    fx.kernels = new Kernels(fx.device, adapterTuning(fx.device, fx.gpu.summary));
    fx.device.addEventListener('uncapturederror', (e) => {
      console.error('WebGPU uncaptured error:', (e as GPUUncapturedErrorEvent).error.message);
    });
  });
  afterAll(() => fx.gpu?.close());
  return fx;
}

export { diff, randomArray, rng, type Diff } from './check';

/**
 * Throws with max abs/rel error and the worst index when any element differs by more than atol + rtol*|expected|.
 */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: { atol: number; rtol?: number },
  what = 'values',
): Diff {
  const c = closeness(actual, expected, tol, what);
  if (c.message) throw new Error(c.message);
  return { maxAbs: c.maxAbs, maxRel: c.maxRel, at: c.at };
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
    if (e.maxAbs > 2e-4 * Math.max(s, 1e-3))
      failures.push(
        `${t.name}: max abs err ${e.maxAbs.toExponential(2)} (largest |grad| ${s.toExponential(2)}) at ${e.at}`,
      );
  }
  return { failures, scale };
}

/** Runs a shared kernel case (selftest/cases.ts) on the fixture's device and asserts every one of its checks. */
export async function expectCase(
  fx: GpuFixture,
  c: KernelCase,
  tuning: KernelTuning = fx.kernels.tuning,
): Promise<CaseResult> {
  const r = await runCase(fx.kernels, c, tuning);
  const bad = failures(r);
  expect(bad, `${c.id} (${r.variant})`).toEqual([]);
  expect(r.checks.length, c.id).toBeGreaterThan(0);
  return r;
}

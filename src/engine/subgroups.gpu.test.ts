// Subgroup variants need the device feature: on a device created without 'subgroups' the tuning has none, a
// subgroup choice falls back to the role's default, the *_subgroup shader files are refused with a clear message,
// every other file still compiles, and the whole model trains on the fallback variants; on the suite's device (with
// subgroups) the subgroup variants are the ones dispatched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage } from './buffers';
import { adapterTuning, Kernels, type KernelChoice } from './kernels';
import { SHADER_ENTRIES, type ShaderName } from './kernelNames';
import { nodeGpu, type NodeGpu } from './node/dawn';
import { crossEntropy } from './ops/loss';
import { matmul } from './ops/matmul';
import { CURVE_CASE } from './selftest/curve';
import { failures, runCase } from './selftest/case';
import { shaderFeature } from './shaders';
import { useGpu } from './testing';

const SUBGROUP_CHOICE: KernelChoice = { matmul: 'direct_subgroup', xent: 'subgroup' };

/** The kernels a matmul and a cross-entropy dispatch with this tuning. */
function kernelsOf(k: Kernels): string[] {
  const buf = (n: number) => createStorage(k.device, n * 4, 'b');
  const x = buf(64);
  return [
    matmul(k, { a: x, b: x, out: x, M: 8, N: 8, K: 8 }).kernel,
    crossEntropy(k, { M: 4, V: 16 }, { logits: x, targets: x, weights: x, losses: x, argmax: x }).kernel,
  ];
}

describe('subgroup variants and devices without subgroups', () => {
  const fx = useGpu();
  let bare: NodeGpu;
  beforeAll(async () => {
    bare = await nodeGpu([], { features: ['timestamp-query'] });
  });
  afterAll(() => bare?.close());

  it('the suite device has subgroups and dispatches the chosen subgroup variants', () => {
    expect(fx.device.features.has('subgroups')).toBe(true);
    const t = adapterTuning(fx.device, fx.gpu.summary, SUBGROUP_CHOICE);
    expect(t.subgroups?.min).toBeGreaterThanOrEqual(4);
    expect(kernelsOf(new Kernels(fx.device, t))).toEqual([
      'matmul_cpu_subgroup.matmul_direct_subgroup',
      'mlm_loss_subgroup.xent_inplace_subgroup',
    ]);
  });

  it('a device without the feature gets no subgroups in its tuning and the default variants instead', () => {
    expect(bare.device.features.has('subgroups')).toBe(false);
    const t = adapterTuning(bare.device, bare.summary, SUBGROUP_CHOICE);
    expect(t.subgroups).toBeUndefined();
    const k = new Kernels(bare.device, t);
    const cpu = t.cpu ?? false;
    expect(kernelsOf(k)).toEqual(
      cpu ? ['matmul_cpu.matmul_direct', 'mlm_loss.xent_inplace'] : ['matmul.matmul', 'mlm_loss.xent_inplace'],
    );
  });

  it('refuses the subgroup shader files there, naming the feature, and compiles every other file', async () => {
    const k = new Kernels(bare.device, adapterTuning(bare.device, bare.summary));
    const names = Object.keys(SHADER_ENTRIES) as ShaderName[];
    const needing = names.filter((n) => shaderFeature(n) === 'subgroups');
    expect(needing.length).toBeGreaterThan(0);
    for (const n of needing) expect(() => k.module(n), n).toThrow(/needs the device feature 'subgroups'/);
    for (const n of names.filter((x) => !shaderFeature(x))) {
      bare.device.pushErrorScope('validation');
      const info = await k.module(n).getCompilationInfo();
      expect(
        info.messages.filter((m) => m.type === 'error').map((m) => m.message),
        n,
      ).toEqual([]);
      expect((await bare.device.popErrorScope())?.message ?? '', n).toBe('');
    }
  });

  it('trains the whole model there with a subgroup choice (the 10-step curve on the fallback variants)', async () => {
    const cache = new Kernels(bare.device, adapterTuning(bare.device, bare.summary));
    const r = await runCase(cache, CURVE_CASE, adapterTuning(bare.device, bare.summary, SUBGROUP_CHOICE));
    expect(failures(r)).toEqual([]);
    expect(r.pass).toBe(true);
  }, 300_000);
});

// GPU tests of the per-kernel profiler: a small training step's dispatches each get one positive timestamp time,
// the groupings add up to the total and name every kernel; lists longer than one query set are split.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelConfig } from './config';
import { createStorage, readF32 } from './buffers';
import { Kernels, type KernelName } from './kernels';
import { isCpuAdapter } from './gpu';
import { bertTensors, initParams, placeTensors } from './model/params';
import { nodeGpu, type NodeGpu } from './node/dawn';
import { fill } from './ops/fill';
import {
  canProfile,
  groupProfile,
  groupTimes,
  MAX_TIMED_PASSES,
  profileDispatches,
  type DispatchProfile,
} from './profile';
import { rng } from './testing';
import { Trainer } from './trainer';

let gpu: NodeGpu;
let k: Kernels;

beforeAll(async () => {
  // Unquantized timestamps, as the benchmark uses: Dawn otherwise rounds them, and short dispatches could read 0.
  gpu = await nodeGpu(['disable-dawn-features=timestamp_quantization']);
  k = new Kernels(gpu.device, { cpu: isCpuAdapter(gpu.summary) });
});
afterAll(() => gpu?.close());

/** A training step of a small BERT (L1 C32 NH2 F64 T16 V101, B2, 3 targets per sequence): every kernel family. */
function smallTrainer(): { trainer: Trainer; batch: Parameters<Trainer['trainStep']>[0] } {
  const cfg = modelConfig('tiny', 101, { L: 1, C: 32, NH: 2, F: 64, T: 16 });
  const B = 2;
  const M = 6;
  const r = rng(7);
  const init = initParams(placeTensors(bertTensors(cfg)), cfg.initStd, r);
  const trainer = new Trainer(k, cfg, init, {
    B,
    M,
    schedule: { lr: 1e-3, warmupSteps: 0, totalSteps: 100, decay: 'constant', minRatio: 1 },
  });
  const ids = Int32Array.from({ length: B * cfg.T }, () => 5 + Math.floor(r() * (cfg.V - 5)));
  const positions = Int32Array.from([1, 5, 9, 16 + 2, 16 + 7, 16 + 15]);
  const targets = Int32Array.from(positions, (p) => ids[p]);
  for (const p of positions) ids[p] = 4;
  const batch = {
    ids,
    valid: new Int32Array(B * cfg.T).fill(1),
    positions,
    targets,
    weights: new Float32Array(M).fill(1 / M),
  };
  return { trainer, batch };
}

describe('profileDispatches', () => {
  it("runs on an adapter with 'timestamp-query' (SwiftShader has it)", () => {
    expect(canProfile(gpu.device)).toBe(true);
  });

  it('times every dispatch of a training step; groups add up and name every kernel', async () => {
    const { trainer, batch } = smallTrainer();
    try {
      trainer.trainStep(batch); // compiles nothing new later; the profile then times warm pipelines
      await trainer.flush();
      trainer.graph.writeInputs(batch);
      const t0 = performance.now();
      const p: DispatchProfile = await profileDispatches(gpu.device, trainer.dispatches, { repeats: 2 });
      const wall = performance.now() - t0;
      const n = trainer.dispatchesPerStep;
      expect(n).toBeGreaterThan(50);
      expect(p.method).toBe('timestamp-query');
      expect(p.repeats).toBe(2);
      expect(p.dispatches).toHaveLength(n);
      p.dispatches.forEach((t, i) => {
        const d = trainer.dispatches[i];
        expect({ index: t.index, label: t.label, kernel: t.kernel }).toEqual({
          index: i,
          label: d.label,
          kernel: d.kernel,
        });
        expect(Number.isFinite(t.ms), `${t.label}: ${t.ms} ms`).toBe(true);
        expect(t.ms, `${t.label} (${t.kernel})`).toBeGreaterThan(0);
      });
      const sum = p.dispatches.reduce((s, t) => s + t.ms, 0);
      expect(p.totalMs).toBeCloseTo(sum, 9);
      // GPU time of the passes cannot exceed the wall time of the two profiled runs.
      expect(p.totalMs).toBeLessThan(wall);

      const g = groupProfile(p);
      for (const [name, groups] of Object.entries(g)) {
        const total = groups.reduce((s, x) => s + x.ms, 0);
        expect(Math.abs(total - p.totalMs), `${name} total ${total} vs ${p.totalMs}`).toBeLessThan(
          1e-9 * Math.max(1, p.totalMs),
        );
        expect(
          groups.reduce((s, x) => s + x.count, 0),
          name,
        ).toBe(n);
        expect(
          groups.reduce((s, x) => s + x.share, 0),
          name,
        ).toBeCloseTo(1, 9);
        for (let i = 1; i < groups.length; i++) expect(groups[i - 1].ms, name).toBeGreaterThanOrEqual(groups[i].ms);
      }
      const kernels = new Set(trainer.dispatches.map((d) => d.kernel));
      expect(new Set(g.byKernel.map((x) => x.key))).toEqual(kernels);
      // The variants follow the adapter (KernelTuning): CPU adapters run the direct matmul and per-thread rows.
      const variants: KernelName[] = k.tuning.cpu
        ? ['matmul_cpu.matmul_direct', 'layernorm.forward_rows']
        : ['matmul.matmul', 'layernorm.forward'];
      for (const family of [
        ...variants,
        'attention.scores',
        'mlm_loss.xent_inplace',
        'embedding.forward',
        'adamw.adamw_zero_grad',
      ] satisfies KernelName[])
        expect(kernels.has(family), family).toBe(true);
      const roles = g.byRole.map((x) => x.key);
      for (const role of ['qkv', 'attn_proj', 'fc', 'fc_proj', 'attention', 'head', 'embedding', 'adamw'])
        expect(roles, role).toContain(role);
      // Layers add up under one op name: h0.qkv and (with more layers) h1.qkv both count as "qkv".
      expect(g.byOp.find((x) => x.key === 'qkv.dw')?.count).toBe(trainer.cfg.L);
    } finally {
      trainer.destroy();
    }
  });

  it('splits lists longer than one query set and leaves the work done', async () => {
    const n = MAX_TIMED_PASSES + 37;
    const buf = createStorage(gpu.device, 256 * 4, 'profile.fill');
    const d = fill(k, buf, 3.5, 256, 'fill.many');
    const p = await profileDispatches(
      gpu.device,
      Array.from({ length: n }, () => d),
    );
    expect(p.dispatches).toHaveLength(n);
    const zeros = p.dispatches.filter((t) => !(t.ms > 0));
    expect(zeros.map((t) => t.index)).toEqual([]);
    expect(groupTimes(p.dispatches, (t) => t.kernel)).toEqual([
      { key: 'fill.fill', ms: p.totalMs, count: n, share: 1 },
    ]);
    expect(Array.from(await readF32(gpu.device, buf))).toEqual(new Array(256).fill(3.5));
    buf.destroy();
  });

  it('returns an empty profile for no dispatches and refuses bad repeats', async () => {
    expect(await profileDispatches(gpu.device, [])).toEqual({
      method: 'timestamp-query',
      repeats: 1,
      dispatches: [],
      totalMs: 0,
    });
    await expect(profileDispatches(gpu.device, [], { repeats: 0 })).rejects.toThrow(/repeats/);
  });
});

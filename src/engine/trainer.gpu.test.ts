// The trainer on the GPU: a 10-step loss curve against the CPU reference (model + AdamW + clipping + schedule),
// bitwise determinism, NaN rollback, evaluation, the probe, and refused configs; the GPU kernel variants (tiled,
// split-K weight gradients) against the CPU-adapter ones on a whole training run.
import { describe, expect, it } from 'vitest';
import { loadCheckpoint, readCheckpoint, saveCheckpoint } from './checkpoint/checkpoint';
import { ConfigError, modelConfig, validateForDevice, validateModelConfig } from './config';
import { bertTensors, generatorShape, initParams, placeTensors, type ElectraHead } from './model/params';
import { mlmReference } from './reference/model';
import { Kernels } from './kernels';
import { splitKScratchFloats } from './ops/matmul';
import {
  CURVE_B,
  CURVE_CASE,
  CURVE_CFG,
  CURVE_M,
  CURVE_SCHEDULE,
  curveBatch,
  curveInit,
  trainCurve,
} from './selftest/curve';
import { expectCase, rng, useGpu } from './testing';
import { meanPool, Trainer, type EngineBatch, type StepMetrics } from './trainer';

// The whole-model case's small BERT, batches and schedule (selftest/curve.ts) serve every test here.
const cfg = CURVE_CFG;
const layout = placeTensors(bertTensors(cfg));
const B = CURVE_B;
const M = CURVE_M;
const schedule = CURVE_SCHEDULE;
const batch = curveBatch;

describe('Trainer', () => {
  const fx = useGpu();
  const init = curveInit();

  it('follows the CPU reference loss curve for 10 steps (AdamW, warmup + linear decay, clip 1.0)', async () => {
    // The shared whole-model case (selftest/curve.ts, also run by the in-page self-test).
    const r = await expectCase(fx, CURVE_CASE);
    console.log(`loss curve: max |GPU - CPU| ${r.maxAbs.toExponential(2)} (tolerance ${r.atol})`);
  });

  it('follows the same curve without the fused kernels', async () => {
    const r = await expectCase(fx, CURVE_CASE, { ...fx.kernels.tuning, fusions: [] });
    console.log(`loss curve, unfused: max |GPU - CPU| ${r.maxAbs.toExponential(2)} (tolerance ${r.atol})`);
  });

  // Compiling the tiled kernels takes most of it on SwiftShader (about a minute on a loaded 2-core box).
  it(
    'trains the same with the GPU kernels (split-K weight gradients) as with the CPU-adapter kernels',
    { timeout: 400_000 },
    async () => {
      // 8 x 64 = 512 rows: the GPU variant splits the weight gradients' K in two (few output tiles).
      const big = modelConfig('tiny', 41, { L: 1, C: 24, NH: 3, F: 40, T: 64 });
      const bigInit = initParams(placeTensors(bertTensors(big)), 0.02, rng(8));
      const [BB, PP] = [8, 4];
      const bigBatch = (step: number): EngineBatch => {
        const r = rng(500 + step);
        const ids = Int32Array.from({ length: BB * big.T }, (_, i) =>
          i % big.T === 0 ? 2 : 5 + Math.floor(r() * (big.V - 5)),
        );
        const positions = Int32Array.from(
          { length: BB * PP },
          (_, i) => Math.floor(i / PP) * big.T + 1 + (i % PP) * 7 + (step % 3),
        );
        const targets = Int32Array.from(positions, (pos) => ids[pos]);
        for (const pos of positions) ids[pos] = 4;
        return {
          ids,
          valid: new Int32Array(BB * big.T).fill(1),
          positions,
          targets,
          weights: new Float32Array(BB * PP).fill(1 / (BB * PP)),
        };
      };
      const gpuKernels = new Kernels(fx.device, { cpu: false });
      expect(splitKScratchFloats(gpuKernels, { M: 3 * big.C, N: big.C, K: BB * big.T, transA: true })).toBeGreaterThan(
        0,
      );
      const run = async (k: Kernels) => {
        const losses: number[] = [];
        const t = new Trainer(k, big, bigInit, {
          B: BB,
          M: BB * PP,
          schedule,
          onMetrics: (m: StepMetrics) => (losses[m.step] = m.loss),
        });
        const kernels = new Set(t.dispatches.map((d) => d.kernel));
        for (let s = 0; s < 4; s++) t.trainStep(bigBatch(s));
        await t.flush();
        t.destroy();
        return { losses, kernels };
      };
      const gpu = await run(gpuKernels);
      const cpu = await run(new Kernels(fx.device, { cpu: true }));
      expect(gpu.kernels.has('matmul.splitk_reduce')).toBe(true);
      // The bias gradients ride on the weight gradients' split products (fusion.ts), summed by splitk_reduce.
      expect(gpu.kernels.has('matmul.matmul_bias_grad')).toBe(true);
      expect(gpu.kernels.has('matmul.bias_grad')).toBe(false); // the tied decoder's too, beside its dW of wte
      expect(cpu.kernels.has('matmul.splitk_reduce')).toBe(false);
      expect(cpu.kernels.has('matmul_cpu.matmul_direct')).toBe(true);
      console.log(
        `GPU kernels ${gpu.losses.map((x) => x.toFixed(5)).join(' ')}\nCPU kernels ${cpu.losses.map((x) => x.toFixed(5)).join(' ')}`,
      );
      expect(gpu.losses).toHaveLength(4);
      for (let s = 0; s < 4; s++) expect(Math.abs(gpu.losses[s] - cpu.losses[s]), `step ${s}`).toBeLessThan(1e-4);
      expect(gpu.losses[3]).toBeLessThan(gpu.losses[0]);
    },
  );

  it('is deterministic: the same init and batches give bit-identical losses and weights', async () => {
    const a = await trainCurve(fx.kernels, init, 6);
    const b = await trainCurve(fx.kernels, init, 6);
    expect(a.losses).toEqual(b.losses);
    expect(Buffer.from(a.params.buffer).equals(Buffer.from(b.params.buffer))).toBe(true);
  });

  it('stops on a non-finite loss and rolls the weights back to a finite snapshot', async () => {
    let halted: { step: number; restoredStep: number } | undefined;
    const t = new Trainer(fx.kernels, cfg, init, {
      B,
      M,
      schedule,
      snapshotEvery: 2,
      onNonFinite: (i) => (halted = i),
    });
    for (let s = 0; s < 4; s++) t.trainStep(batch(s));
    await t.flush();
    // Poison the weights: every later loss is NaN.
    const bad = await t.state.read('params');
    bad.fill(Number.NaN, layout.byName.get('h0.fc_w')!.offset, layout.byName.get('h0.fc_w')!.offset + 10);
    t.state.write('params', bad);
    for (let s = 4; s < 7 && !t.halted; s++) {
      t.trainStep(batch(s));
      await t.flush();
    }
    expect(halted).toBeDefined();
    expect(halted!.step).toBe(4);
    expect(halted!.restoredStep).toBeLessThanOrEqual(2);
    expect(() => t.trainStep(batch(7))).toThrow(/halted/);
    const restored = await t.state.read('params');
    expect(restored.every((x) => Number.isFinite(x))).toBe(true);
    t.resume();
    t.trainStep(batch(t.step));
    await t.flush();
    expect(t.halted).toBeUndefined();
    t.destroy();
  });

  it('evaluates held-out batches to the reference loss and reads the probe', async () => {
    const t = new Trainer(fx.kernels, cfg, init, { B, M, schedule });
    const b = batch(0);
    const r = await t.evaluate([b], B, M);
    const ref = mlmReference(cfg, layout, init, { B, ...b }, false);
    expect(Math.abs(r.loss - ref.loss)).toBeLessThan(1e-4);
    expect(r.targets).toBe(8);
    const ids = b.ids.slice(0, cfg.T);
    const valid = b.valid.slice(0, cfg.T);
    const probe = await t.probe(ids, valid, [1, 3]);
    expect(probe.attention).toHaveLength(cfg.L);
    expect(probe.attention[0].length).toBe(cfg.NH * cfg.T * cfg.T);
    // Each valid query row of attention sums to 1.
    let sum = 0;
    for (let j = 0; j < cfg.T; j++) sum += probe.attention[0][j];
    expect(sum).toBeCloseTo(1, 4);
    expect(probe.topProbs[0]).toBeGreaterThanOrEqual(probe.topProbs[1]);
    t.destroy();
  });

  it('reads mean-pooled frozen features equal to the reference hidden states', async () => {
    const t = new Trainer(fx.kernels, cfg, init, { B, M, schedule });
    const b = batch(1);
    const f = await t.features(b.ids, b.valid, B);
    const ref = mlmReference(cfg, layout, init, { B, ...b }, false);
    const want = meanPool(Float32Array.from(ref.hidden), b.valid, B, cfg.T, cfg.C);
    expect(f.length).toBe(B * cfg.C);
    let worst = 0;
    for (let i = 0; i < f.length; i++) worst = Math.max(worst, Math.abs(f[i] - want[i]));
    expect(worst).toBeLessThan(1e-4);
    // Padding is left out of the mean: row 1 has one padded position; its mean differs from the 10-row mean.
    const all = meanPool(Float32Array.from(ref.hidden), new Int32Array(B * cfg.T).fill(1), B, cfg.T, cfg.C);
    expect(Math.abs(all[cfg.C] - want[cfg.C]) + Math.abs(all[cfg.C + 1] - want[cfg.C + 1])).toBeGreaterThan(1e-6);
    t.destroy();
  });

  it('trains only the head on a frozen encoder: encoder tensors stay bit-identical', async () => {
    const t = new Trainer(fx.kernels, cfg, init, { B, M, schedule, adam: { weightDecay: 0.1 }, freezeEncoder: true });
    const losses: number[] = [];
    t.opt.onMetrics = (m) => (losses[m.step] = m.loss);
    for (let s = 0; s < 6; s++) t.trainStep(batch(s % 2));
    await t.flush();
    const after = await t.state.read('params');
    const head = new Set(['head_w', 'head_b', 'head_ln_g', 'head_ln_b', 'decoder_b']);
    for (const ts of layout.tensors) {
      const a = after.subarray(ts.offset, ts.offset + ts.size);
      const b0 = init.subarray(ts.offset, ts.offset + ts.size);
      const same = a.every((v, i) => v === b0[i]);
      expect(same, `${ts.name} ${head.has(ts.name) ? 'should change' : 'should stay frozen'}`).toBe(!head.has(ts.name));
    }
    expect(losses[4]).toBeLessThan(losses[0]);
    t.destroy();
  });

  it('trains ELECTRA deterministically: same seed, same samples and losses; another sample seed differs', async () => {
    const head: ElectraHead = { kind: 'electra', gen: generatorShape(cfg, 0.25), discWeight: 50 };
    const eLayout = placeTensors(bertTensors(cfg, head));
    const eInit = initParams(eLayout, 0.02, rng(8));
    const electraBatch = (step: number): EngineBatch => {
      const b = batch(step);
      const originalIds = b.ids.slice();
      b.positions.forEach((p, m) => p >= 0 && (originalIds[p] = b.targets[m]));
      const real = b.valid.reduce((a, v) => a + v, 0);
      return {
        ...b,
        originalIds,
        labels: new Float32Array(B * cfg.T),
        tokenWeights: Float32Array.from(b.valid, (v) => v / real),
      };
    };
    const runOnce = async (sampleSeed: number) => {
      const seen: StepMetrics[] = [];
      const t = new Trainer(fx.kernels, cfg, eInit, {
        B,
        M,
        schedule,
        head,
        sampleSeed,
        onMetrics: (m) => seen.push(m),
      });
      for (let s = 0; s < 4; s++) t.trainStep(electraBatch(s % 2));
      await t.flush();
      const ev = await t.evaluate([electraBatch(0)], B, M);
      t.destroy();
      return { seen, ev };
    };
    const a = await runOnce(1);
    const b = await runOnce(1);
    const c = await runOnce(2);
    expect(a.seen.map((m) => m.loss)).toEqual(b.seen.map((m) => m.loss));
    expect(a.ev.loss).toBe(b.ev.loss);
    expect(a.seen.map((m) => m.loss)).not.toEqual(c.seen.map((m) => m.loss));
    for (const m of a.seen) {
      expect(m.loss).toBeCloseTo(m.electra!.genLoss + 50 * m.electra!.discLoss, 3);
      expect(m.electra!.genLoss).toBeGreaterThan(Math.log(cfg.V) - 1);
      expect(m.electra!.discLoss).toBeGreaterThan(0);
    }
    // Evaluation draws fixed samples: the total is generator + 50 x discriminator too.
    expect(a.ev.loss).toBeCloseTo(a.ev.electra!.genLoss + 50 * a.ev.electra!.discLoss, 3);
    // The probe: the discriminator's attention, the generator's top-5 at the asked positions.
    const t = new Trainer(fx.kernels, cfg, eInit, { B, M, schedule, head });
    const b0 = electraBatch(0);
    const probe = await t.probe(b0.ids.slice(0, cfg.T), b0.valid.slice(0, cfg.T), [1, 3]);
    expect(probe.attention).toHaveLength(cfg.L);
    expect(probe.attention[0].length).toBe(cfg.NH * cfg.T * cfg.T);
    expect(probe.K).toBe(5);
    expect(probe.topIds.every((id) => id >= 0 && id < cfg.V)).toBe(true);
    expect(probe.topProbs[0]).toBeGreaterThanOrEqual(probe.topProbs[1]);
    expect(probe.topProbs[0]).toBeGreaterThan(0);
    t.destroy();
  });

  it('resumes from a checkpoint exactly: weights, AdamW moments and step', async () => {
    const lossesA: number[] = [];
    const a = new Trainer(fx.kernels, cfg, init, { B, M, schedule, onMetrics: (m) => (lossesA[m.step] = m.loss) });
    for (let s = 0; s < 3; s++) a.trainStep(batch(s));
    const bytes = await saveCheckpoint(a, { seed: 21 });
    for (let s = 3; s < 6; s++) a.trainStep(batch(s));
    await a.flush();
    const { meta } = readCheckpoint(bytes);
    expect(meta.step).toBe(3);
    expect(meta.run).toEqual({ seed: 21 });
    const lossesB: number[] = [];
    const b = new Trainer(fx.kernels, cfg, initParams(layout, 0.02, rng(99)), {
      B,
      M,
      schedule,
      onMetrics: (m) => (lossesB[m.step] = m.loss),
    });
    loadCheckpoint(b, bytes);
    expect(b.step).toBe(3);
    for (let s = 3; s < 6; s++) b.trainStep(batch(s));
    await b.flush();
    expect(lossesB.slice(3)).toEqual(lossesA.slice(3));
    const wrong = new Trainer(
      fx.kernels,
      { ...cfg, F: 48 },
      initParams(placeTensors(bertTensors({ ...cfg, F: 48 })), 0.02, rng(1)),
      { B, M, schedule },
    );
    expect(() => loadCheckpoint(wrong, bytes)).toThrow(/checkpoint has F=40, this model has F=48/);
    for (const t of [a, b, wrong]) t.destroy();
  });

  it('refuses configs that cannot work, naming the setting and the limit', () => {
    expect(() => validateModelConfig({ ...cfg, NH: 5 })).toThrow(ConfigError);
    expect(() => validateModelConfig({ ...cfg, NH: 5 })).toThrow(/C=24 is not divisible by heads NH=5/);
    const limits = { maxStorageBufferBindingSize: 1 << 20, maxBufferSize: 1 << 20 };
    expect(() => validateForDevice({ ...cfg, V: 30000, C: 64, NH: 2 }, 2, 8, limits)).toThrow(
      /token embedding .* maxStorageBufferBindingSize of 1048576: lower V/,
    );
    expect(() => validateForDevice({ ...cfg, T: 512, NH: 8, C: 64 }, 8, 8, limits)).toThrow(
      /attention probabilities .* lower B/,
    );
  });
});

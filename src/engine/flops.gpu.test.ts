// The engine's FLOPs per step, summed from its own dispatch list (each matmul and attention product carries its
// count), against the analytic formula of profile.ts: the tiny model's MLM step, a k-class and a binary head, and
// ELECTRA (generator + discriminator); a probe on a frozen encoder counts apart, its backward the head's alone.
import { describe, expect, it } from 'vitest';
import { modelConfig } from './config';
import {
  bertTensors,
  generatorConfig,
  generatorShape,
  initParams,
  placeTensors,
  type ElectraHead,
  type HeadConfig,
} from './model/params';
import { electraStepFlops, trainStepFlops } from './profile';
import { rng, useGpu } from './testing';
import { Trainer } from './trainer';

const schedule = { lr: 1e-3, warmupSteps: 0, totalSteps: 10, decay: 'constant' as const, minRatio: 1 };

describe('FLOPs per step from the dispatch list', () => {
  const fx = useGpu();
  const cfg = modelConfig('tiny', 1003);
  const B = 4;
  const M = 40;

  function trainer(head: HeadConfig, freezeEncoder = false): Trainer {
    const init = initParams(placeTensors(bertTensors(cfg, head)), 0.02, rng(1));
    return new Trainer(fx.kernels, cfg, init, { B, M, schedule, head, freezeEncoder });
  }

  it('equals the analytic count for the tiny model (MLM head), forward and backward', () => {
    const t = trainer({ kind: 'vocabulary' });
    const f = t.flopsPerStep;
    const want = trainStepFlops(cfg, B, M);
    const forward = Object.values(want.byRole).reduce((s, r) => s + r.forward, 0);
    expect(f.forward).toBe(forward);
    expect(f.backward).toBe(want.total - forward);
    expect(f.total).toBe(want.total);
    // tiny at B=4, M=40: about 50 MFLOP; the products are all of it, the other kernels count 0.
    expect(f.total).toBeGreaterThan(4e7);
    expect(t.dispatches.filter((d) => (d.flops ?? 0) > 0).every((d) => /matmul|attention\./.test(d.kernel))).toBe(true);
  });

  it('equals the analytic count for a k-class head and for the binary head', () => {
    expect(trainer({ kind: 'k-class', K: 27 }).flopsPerStep.total).toBe(
      trainStepFlops(cfg, B, M, { kind: 'k-class', K: 27 }).total,
    );
    expect(trainer({ kind: 'binary' }).flopsPerStep.total).toBe(trainStepFlops(cfg, B, M, { kind: 'binary' }).total);
  });

  it('equals the analytic count for ELECTRA: generator and discriminator', () => {
    const head: ElectraHead = { kind: 'electra', gen: generatorShape(cfg, 0.25), discWeight: 50 };
    const f = trainer(head).flopsPerStep;
    const want = electraStepFlops(cfg, generatorConfig(cfg, head.gen), B, M);
    expect(f.total).toBe(want.total);
    // The generator is counted: more than the discriminator's binary-head step alone.
    expect(f.total).toBeGreaterThan(trainStepFlops(cfg, B, M, { kind: 'binary' }).total);
    expect(want.generator.byRole.embed_proj.total).toBeGreaterThan(0);
  });

  it('counts a probe apart: a frozen encoder runs the forward, and only the head backward', () => {
    const full = trainer({ kind: 'vocabulary' }).flopsPerStep;
    const probe = trainer({ kind: 'vocabulary' }, true).flopsPerStep;
    expect(probe.forward).toBe(full.forward);
    const head = trainStepFlops(cfg, B, M).byRole.head;
    expect(probe.backward).toBeLessThan(full.backward);
    expect(probe.backward).toBeGreaterThanOrEqual(head.backward / 2);
    expect(probe.backward).toBeLessThanOrEqual(head.backward);
  });
});

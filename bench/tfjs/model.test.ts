// The TF.js model is MaskLab's model: on TF.js's CPU backend its loss and every gradient match the float64 CPU
// reference (src/engine/reference/model.ts), and its training step is clip + AdamW exactly as the reference's adamwStep.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/data/rng';
import { modelConfig } from '../../src/engine/config';
import { bertTensors, initParams, placeTensors } from '../../src/engine/model/params';
import { adamwStep } from '../../src/engine/reference/adamw';
import { mlmReference } from '../../src/engine/reference/model';
import { randomBatches } from '../browser/batches';
import { TfBert, type TfBatch } from './model';

/** Largest |a - b| and the largest |b| it is measured against. */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): { abs: number; scale: number } {
  let abs = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    abs = Math.max(abs, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return { abs, scale };
}

describe('TfBert (TF.js CPU backend) against the CPU reference', () => {
  // Odd sizes, padding and an unused target slot; a larger init than 0.02 so every path carries gradient.
  const cfg = modelConfig('tiny', 31, { L: 2, C: 12, NH: 3, F: 20, T: 7 });
  const B = 3;
  let batch: TfBatch;
  let init: Float32Array;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const b = randomBatches(cfg, B, 1, 'tfjs-test', { pad: true })[0];
    // Add a target in sequence 1 (which has padding) and an unused slot.
    const w = 1 / (b.positions.length + 1);
    batch = {
      ...b,
      positions: Int32Array.from([...b.positions, cfg.T + 1, -1]),
      targets: Int32Array.from([...b.targets, 9, -1]),
      weights: Float32Array.from([...b.weights.map(() => w), w, 0]),
    };
    const rng = Rng.from('tfjs-test', 'init');
    init = initParams(placeTensors(bertTensors(cfg)), 0.3, () => rng.float());
  });

  it('has the padding and unused slot the test means to cover', () => {
    expect(batch.valid.subarray(cfg.T, 2 * cfg.T).includes(0)).toBe(true);
    expect(batch.positions.at(-1)).toBe(-1);
  });

  it('matches the reference loss and every gradient', async () => {
    const model = new TfBert(cfg, init, { B });
    const ref = mlmReference(cfg, model.layout, init, { B, ...batch });
    const got = await model.lossAndGrads(batch);
    expect(Math.abs(got.loss - ref.loss), `loss ${got.loss} vs ${ref.loss}`).toBeLessThan(1e-5);
    for (const t of model.layout.tensors) {
      const d = maxDiff(
        got.grads.subarray(t.offset, t.offset + t.size),
        ref.grads!.subarray(t.offset, t.offset + t.size),
      );
      expect(d.scale, `${t.name} gradient is not all zero`).toBeGreaterThan(0);
      expect(d.abs, `${t.name}: max abs error ${d.abs} (max |grad| ${d.scale})`).toBeLessThan(1e-5 + 1e-4 * d.scale);
    }
    model.dispose();
  });

  it('takes one training step as clip + AdamW of the reference', async () => {
    const model = new TfBert(cfg, init, { B, maxGradNorm: 0.5, adam: { weightDecay: 0.1 } });
    const { grads } = await model.lossAndGrads(batch);
    const lr = 3e-3;
    model.trainStep(batch, lr).dispose();
    const after = await model.params();

    let sq = 0;
    for (const g of grads) sq += g * g;
    const norm = Math.sqrt(sq);
    expect(norm, 'the clip must be active for this test to cover it').toBeGreaterThan(0.5);
    const scale = Math.min(1, 0.5 / (norm + 1e-6));
    const hp = { lr, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 };
    for (const t of model.layout.tensors) {
      const p = Float64Array.from(init.subarray(t.offset, t.offset + t.size));
      adamwStep(
        p,
        grads.subarray(t.offset, t.offset + t.size),
        new Float64Array(t.size),
        new Float64Array(t.size),
        hp,
        1,
        t.decay,
        scale,
      );
      const d = maxDiff(after.subarray(t.offset, t.offset + t.size), p);
      expect(d.abs, `${t.name} after one step: max abs error ${d.abs}`).toBeLessThan(2e-6);
    }
    model.dispose();
  });
});

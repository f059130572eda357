// ELECTRA's training graph on the GPU against the CPU reference: the samples it drew (valid ids, a new draw per
// step), the discriminator's input and labels, both losses and the gradient of every tensor (shared embeddings
// get both encoders' gradients), at shapes off every tile size.
import { describe, expect, it } from 'vitest';
import { readF32, readI32 } from '../buffers';
import { modelConfig } from '../config';
import { encodeDispatches } from '../kernels';
import { fill } from '../ops/fill';
import { electraReference, type ElectraInputs } from '../reference/electra';
import { diff, gradientFailures, rng, useGpu } from '../testing';
import { ElectraGraph } from './electra';
import { bertTensors, generatorShape, initParams, placeTensors, type ElectraHead } from './params';
import { ParamState } from './state';

const B = 2;
const T = 9;
const N = B * T;
const originalIds = [2, 17, 21, 9, 30, 11, 36, 3, 0, 2, 5, 6, 19, 8, 3, 0, 0, 0];
const valid = originalIds.map((_, i) => (i === 8 || i >= 15 ? 0 : 1));
const positions = [2, 5, 12, -1, 4];
const ids = originalIds.map((t, i) => (i === 2 || i === 12 || i === 4 ? 4 : t)); // position 5 kept unchanged
const inp: ElectraInputs = {
  B,
  ids,
  originalIds,
  valid,
  positions,
  targets: positions.map((p) => (p >= 0 ? originalIds[p] : -1)),
  weights: positions.map((p) => (p >= 0 ? 0.25 : 0)),
  tokenWeights: valid.map((v) => v / 14),
};

describe('ElectraGraph vs CPU reference', () => {
  const fx = useGpu();

  it('samples, replaces, and matches both losses and every gradient', async () => {
    const k = fx.kernels;
    const cfg = modelConfig('tiny', 37, { L: 2, C: 24, NH: 3, F: 40, T });
    const head: ElectraHead = { kind: 'electra', gen: generatorShape(cfg, 0.25), discWeight: 50 };
    expect(head.gen).toEqual({ C: 6, NH: 1, F: 10 });
    const layout = placeTensors(bertTensors(cfg, head));
    // Larger init than 0.02 so the generator's softmax is not flat and gradients are well above f32 noise.
    const init = initParams(layout, 0.2, rng(5));
    const state = new ParamState(k, layout, init);
    const g = new ElectraGraph(k, cfg, state, { B, M: positions.length, train: true, head, sampleSeed: 77 });
    const samples: Int32Array[] = [];
    for (const step of [0, 1, 2]) {
      g.setStep(step);
      g.writeInputs({
        ids: Int32Array.from(inp.ids),
        valid: Int32Array.from(valid),
        positions: Int32Array.from(positions),
        targets: Int32Array.from(inp.targets),
        weights: Float32Array.from(inp.weights),
        tokenWeights: Float32Array.from(inp.tokenWeights),
        originalIds: Int32Array.from(originalIds),
      });
      const enc = k.device.createCommandEncoder();
      const pass = enc.beginComputePass();
      encodeDispatches(pass, [
        fill(k, state.grads.decay, 0),
        fill(k, state.grads.nodecay, 0),
        ...g.forward,
        ...g.loss,
        ...g.backward,
      ]);
      pass.end();
      k.device.queue.submit([enc.finish()]);
      samples.push(await readI32(k.device, g.sampled));
    }
    // Different steps draw differently (the logits are the same: no update happened).
    expect(samples.some((s) => s.join() !== samples[0].join())).toBe(true);
    const sampled = samples[2];
    sampled.forEach((s, m) => (positions[m] < 0 ? expect(s).toBe(-1) : expect(s >= 0 && s < cfg.V).toBe(true)));

    const ref = electraReference(cfg, head, layout, init, inp, sampled, true);
    expect(Array.from(await readI32(k.device, g.disc.inputs.ids))).toEqual(Array.from(ref.discIds));
    expect(Array.from(await readF32(k.device, g.disc.inputs.labels))).toEqual(Array.from(ref.labels));
    const genLosses = diff(await readF32(k.device, g.gen.losses, positions.length), ref.gen.losses);
    expect(genLosses.maxAbs).toBeLessThan(1e-4);
    const discLosses = diff(await readF32(k.device, g.disc.losses, N), ref.disc.losses);
    expect(discLosses.maxAbs).toBeLessThan(1e-4);
    const { failures, scale } = gradientFailures(layout.tensors, await state.read('grads'), ref.grads!);
    for (const [name, s] of scale)
      if (name === 'wte' || name.startsWith('gen.h1.') || name === 'disc_w') expect(s, name).toBeGreaterThan(0);
    expect(failures).toEqual([]);
    g.destroy();
    state.destroy();
  });
});

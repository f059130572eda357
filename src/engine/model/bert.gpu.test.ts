// The whole model on the GPU against the CPU reference at a tiny config: loss, per-target losses, argmax and the
// gradient of every parameter tensor (shapes chosen off every tile size: C=24, NH=3, F=40, T=9, V=37).
import { describe, expect, it } from 'vitest';
import { readF32, readI32 } from '../buffers';
import { modelConfig } from '../config';
import { encodeDispatches } from '../kernels';
import { fill } from '../ops/fill';
import { mlmReference, type MlmInputs } from '../reference/model';
import { diff, rng, useGpu } from '../testing';
import { BertGraph } from './bert';
import { bertTensors, initParams, placeTensors, type HeadConfig } from './params';
import { ParamState } from './state';

describe('BertGraph vs CPU reference', () => {
  const fx = useGpu();
  const cfg = modelConfig('tiny', 37, { L: 2, C: 24, NH: 3, F: 40, T: 9 });
  const layout = placeTensors(bertTensors(cfg));
  const init = initParams(layout, 0.1, rng(5));
  const B = 2;
  const inp: MlmInputs = {
    B,
    ids: [2, 17, 4, 9, 30, 4, 36, 3, 0, 2, 5, 6, 4, 8, 3, 0, 0, 0],
    valid: [1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0],
    positions: [2, 5, 12, -1, 4],
    targets: [11, 20, 7, -1, 30],
    weights: [0.25, 0.25, 0.25, 0, 0.25],
  };
  const M = inp.positions.length;

  for (const causal of [false, true]) {
    it(`forward and backward match (causal=${causal})`, async () => {
      const k = fx.kernels;
      const state = new ParamState(k, layout, init);
      const g = new BertGraph(k, cfg, state, { B, M, train: true, causal });
      g.writeInputs({
        ids: Int32Array.from(inp.ids),
        valid: Int32Array.from(inp.valid),
        positions: Int32Array.from(inp.positions),
        targets: Int32Array.from(inp.targets),
        weights: Float32Array.from(inp.weights),
      });
      const enc = fx.device.createCommandEncoder();
      const pass = enc.beginComputePass();
      encodeDispatches(pass, [fill(k, state.grads.decay, 0), fill(k, state.grads.nodecay, 0), ...g.forward, ...g.loss, ...g.backward]);
      pass.end();
      fx.device.queue.submit([enc.finish()]);

      const ref = mlmReference(cfg, layout, init, { ...inp, causal }, true);
      const losses = await readF32(fx.device, g.losses, M);
      const argmax = await readI32(fx.device, g.argmax, M);
      const d = diff(losses, ref.losses);
      expect(d.maxAbs, `per-target losses: max abs err ${d.maxAbs}`).toBeLessThan(1e-4);
      expect(Array.from(argmax)).toEqual(Array.from(ref.argmax));
      const hidden = await readF32(fx.device, g.hidden);
      const dh = diff(hidden, ref.hidden);
      expect(dh.maxAbs, `final hidden states: max abs err ${dh.maxAbs}`).toBeLessThan(1e-4);

      const grads = await state.read('grads');
      const failures: string[] = [];
      for (const t of layout.tensors) {
        const got = grads.subarray(t.offset, t.offset + t.size);
        const want = ref.grads!.subarray(t.offset, t.offset + t.size);
        let scale = 0;
        for (const v of want) scale = Math.max(scale, Math.abs(v));
        const e = diff(got, want);
        // Tolerance relative to the tensor's largest gradient (f32 accumulation over long sums).
        if (e.maxAbs > 2e-4 * Math.max(scale, 1e-3)) failures.push(`${t.name}: max abs err ${e.maxAbs.toExponential(2)} (largest |grad| ${scale.toExponential(2)}) at ${e.at}`);
      }
      expect(failures).toEqual([]);
      g.destroy();
      state.destroy();
    });
  }
});

describe('BertGraph heads vs CPU reference', () => {
  const fx = useGpu();
  const cfg = modelConfig('tiny', 37, { L: 1, C: 24, NH: 3, F: 40, T: 9 });
  const B = 2;
  const N = B * cfg.T;
  const inp: MlmInputs = {
    B,
    ids: [2, 17, 4, 9, 30, 4, 36, 3, 0, 2, 5, 6, 4, 8, 3, 0, 0, 0],
    valid: [1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0],
    positions: [2, 5, 12, -1, 4],
    targets: [3, 6, 0, -1, 5],
    weights: [0.25, 0.25, 0.25, 0, 0.25],
    labels: Array.from({ length: N }, (_, i) => (i % 3 === 1 ? 1 : 0)),
    tokenWeights: Array.from({ length: N }, (_, i) => ([8, 15, 16, 17].includes(i) ? 0 : 1 / 14)),
  };
  const M = inp.positions.length;
  const heads: [string, HeadConfig][] = [
    ['classes (K=7)', { kind: 'classes', K: 7 }],
    ['binary', { kind: 'binary' }],
  ];
  for (const [name, head] of heads) {
    it(`${name}: loss, predictions and every gradient match`, async () => {
      const layout = placeTensors(bertTensors(cfg, head));
      const init = initParams(layout, 0.1, rng(8));
      const k = fx.kernels;
      const state = new ParamState(k, layout, init);
      const g = new BertGraph(k, cfg, state, { B, M, train: true, head });
      g.writeInputs({
        ids: Int32Array.from(inp.ids),
        valid: Int32Array.from(inp.valid),
        positions: Int32Array.from(inp.positions),
        targets: Int32Array.from(inp.targets),
        weights: Float32Array.from(inp.weights),
        labels: Float32Array.from(inp.labels!),
        tokenWeights: Float32Array.from(inp.tokenWeights!),
      });
      const enc = fx.device.createCommandEncoder();
      const pass = enc.beginComputePass();
      encodeDispatches(pass, [fill(k, state.grads.decay, 0), fill(k, state.grads.nodecay, 0), ...g.forward, ...g.loss, ...g.backward]);
      pass.end();
      fx.device.queue.submit([enc.finish()]);
      const ref = mlmReference(cfg, layout, init, inp, true, head);
      const losses = await readF32(fx.device, g.losses, g.lossRows);
      expect(diff(losses, ref.losses).maxAbs).toBeLessThan(1e-4);
      expect(Array.from(await readI32(fx.device, g.argmax, g.lossRows))).toEqual(Array.from(ref.argmax));
      const grads = await state.read('grads');
      const failures: string[] = [];
      for (const t of layout.tensors) {
        const got = grads.subarray(t.offset, t.offset + t.size);
        const want = ref.grads!.subarray(t.offset, t.offset + t.size);
        let scale = 0;
        for (const v of want) scale = Math.max(scale, Math.abs(v));
        const e = diff(got, want);
        if (e.maxAbs > 2e-4 * Math.max(scale, 1e-3)) failures.push(`${t.name}: max abs err ${e.maxAbs.toExponential(2)} (largest |grad| ${scale.toExponential(2)})`);
      }
      expect(failures).toEqual([]);
      g.destroy();
      state.destroy();
    });
  }
});

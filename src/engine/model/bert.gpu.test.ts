// The whole model on the GPU against the CPU reference at tiny configs: per-target losses, predictions, final
// hidden states and the gradient of every parameter tensor, for each head (shapes off every tile size); the
// vocabulary head under both kernel tunings (GPU and CPU adapter), whatever adapter runs the test, with the fused
// kernels and without.
import { describe, expect, it } from 'vitest';
import { readF32, readI32 } from '../buffers';
import { modelConfig, type ModelConfig } from '../config';
import { encodeDispatches, Kernels, type KernelTuning } from '../kernels';
import { fill } from '../ops/fill';
import { mlmReference, type MlmInputs } from '../reference/model';
import { diff, gradientFailures, rng, useGpu } from '../testing';
import { BertGraph } from './bert';
import { headModule } from './heads';
import { bertTensors, initParams, placeTensors, VOCAB_HEAD, type HeadConfig } from './params';
import { ParamState } from './state';

const f32 = (a: ArrayLike<number> | undefined) => (a ? Float32Array.from(a) : undefined);

/** Runs forward + loss + backward once on the GPU and compares everything with the reference; returns failures. */
async function compare(
  k: Kernels,
  cfg: ModelConfig,
  inp: MlmInputs,
  head: HeadConfig,
  causal: boolean,
): Promise<string[]> {
  const layout = placeTensors(bertTensors(cfg, head));
  const init = initParams(layout, 0.1, rng(5));
  const device = k.device;
  const state = new ParamState(k, layout, init);
  const M = inp.positions.length;
  const g = new BertGraph(k, cfg, state, { B: inp.B, M, train: true, causal, head });
  g.writeInputs({
    ids: Int32Array.from(inp.ids),
    valid: Int32Array.from(inp.valid),
    positions: Int32Array.from(inp.positions),
    targets: Int32Array.from(inp.targets),
    weights: Float32Array.from(inp.weights),
    labels: f32(inp.labels),
    tokenWeights: f32(inp.tokenWeights),
    noPosition: inp.noPosition ? Int32Array.from(inp.noPosition) : undefined,
    sbo: inp.sbo
      ? {
          left: Int32Array.from(inp.sbo.left),
          right: Int32Array.from(inp.sbo.right),
          rel: Int32Array.from(inp.sbo.rel),
          weights: Float32Array.from(inp.sbo.weights),
        }
      : undefined,
  });
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  encodeDispatches(pass, [
    fill(k, state.grads.decay, 0),
    fill(k, state.grads.nodecay, 0),
    ...g.forward,
    ...g.loss,
    ...g.backward,
  ]);
  pass.end();
  device.queue.submit([enc.finish()]);

  const ref = mlmReference(cfg, layout, init, { ...inp, causal }, true, head);
  const failures: string[] = [];
  const losses = diff(await readF32(device, g.losses, g.lossRows), ref.losses);
  if (losses.maxAbs > 1e-4) failures.push(`per-row losses: max abs err ${losses.maxAbs}`);
  const argmax = Array.from(await readI32(device, g.argmax, g.lossRows));
  if (argmax.join() !== Array.from(ref.argmax).join())
    failures.push(`predictions ${argmax} != ${Array.from(ref.argmax)}`);
  if (g.sbo) {
    const sbo = diff(await readF32(device, g.sbo.losses, M), ref.sboLosses!);
    if (sbo.maxAbs > 1e-4 || !(ref.sboLoss! > 0))
      failures.push(`SBO per-slot losses: max abs err ${sbo.maxAbs} (reference loss ${ref.sboLoss})`);
  }
  const hidden = diff(await readF32(device, g.hidden), ref.hidden);
  if (hidden.maxAbs > 1e-4) failures.push(`final hidden states: max abs err ${hidden.maxAbs}`);
  failures.push(...gradientFailures(layout.tensors, await state.read('grads'), ref.grads!).failures);
  g.destroy();
  state.destroy();
  return failures;
}

const B = 2;
const T = 9;
const N = B * T;
const inputs: MlmInputs = {
  B,
  ids: [2, 17, 4, 9, 30, 4, 36, 3, 0, 2, 5, 6, 4, 8, 3, 0, 0, 0],
  valid: [1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0],
  positions: [2, 5, 12, -1, 4],
  targets: [11, 20, 7, -1, 30],
  weights: [0.25, 0.25, 0.25, 0, 0.25],
  labels: Array.from({ length: N }, (_, i) => (i % 3 === 1 ? 1 : 0)),
  tokenWeights: Array.from({ length: N }, (_, i) => ([8, 15, 16, 17].includes(i) ? 0 : 1 / 14)),
};

describe('BertGraph vs CPU reference', () => {
  const fx = useGpu();

  // Both kernel variants with every fusion (the default), and the unfused kernels (what fusion.ts replaces).
  const tunings: KernelTuning[] = [{ cpu: false }, { cpu: true }, { cpu: true, fusions: [] }];
  for (const causal of [false, true]) {
    for (const tuning of tunings.filter((t) => !causal || t.fusions === undefined)) {
      it(`vocabulary head, 2 layers: forward and backward match (causal=${causal}, tuning ${JSON.stringify(tuning)})`, async () => {
        const cfg = modelConfig('tiny', 37, { L: 2, C: 24, NH: 3, F: 40, T });
        expect(await compare(new Kernels(fx.device, tuning), cfg, inputs, VOCAB_HEAD, causal)).toEqual([]);
      });
    }
  }

  const heads: [string, HeadConfig][] = [
    ['k-class (K=7)', { kind: 'k-class', K: 7 }],
    ['binary', { kind: 'binary' }],
    ['position (K=T=9, hidden positions)', { kind: 'position', K: T }],
    ['vocabulary + span boundary (SBO)', { kind: 'span-boundary', maxRel: 4, weight: 1.5 }],
    ['ERNIE-Gram n-gram (V=37 tokens + G=5 n-grams)', { kind: 'ernie-gram', G: 5 }],
  ];
  for (const [name, head] of heads) {
    it(`${name} head: loss, predictions and every gradient match`, async () => {
      const cfg = modelConfig('tiny', 37, { L: 1, C: 24, NH: 3, F: 40, T });
      // Class heads: targets counted down from the last class (ERNIE-Gram's: n-gram classes and tokens both).
      const O = headModule(head).outputs(cfg, head);
      const targets =
        headModule(head).rows === 'classes' ? [3, 6, 0, -1, 5].map((t) => (t < 0 ? -1 : O - 1 - t)) : inputs.targets;
      // Position hiding at the three target rows and one more (the position head's targets are positions t).
      const noPosition = Array.from({ length: N }, (_, i) => ([2, 5, 12, 4, 13].includes(i) ? 1 : 0));
      // SBO slots: slots 1 and 4 share both boundaries (one span), slot 3 is empty.
      const sbo = {
        left: [1, 3, 11, -1, 3],
        right: [3, 6, 13, -1, 6],
        rel: [0, 1, 0, 0, 0],
        weights: [0.25, 0.25, 0.25, 0, 0.25],
      };
      expect(await compare(fx.kernels, cfg, { ...inputs, targets, noPosition, sbo }, head, false)).toEqual([]);
    });
  }
});

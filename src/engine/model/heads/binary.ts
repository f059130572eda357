// The binary head (rts, shuffle, ELECTRA's discriminator): on every token, dense C -> C, GELU, dense to one logit;
// per-token binary cross-entropy against labels in {0, 1} (1 = replaced) with per-token weights.
import { geluBackward, geluForward } from '../../ops/gelu';
import { binaryCrossEntropy } from '../../ops/loss';
import { countBinaryCorrect, reduceWeightedSum } from '../../ops/reduce';
import { bias, weight, type TensorSpec } from '../tensors';
import type { HeadConfig } from './index';
import {
  decodePlain,
  METRIC,
  singleHead,
  type HeadContext,
  type HeadGraph,
  type HeadModule,
  type HfEntry,
} from './types';

export type BinaryHeadConfig = Extract<HeadConfig, { kind: 'binary' }>;

export function binaryTensors(C: number): TensorSpec[] {
  return [weight('disc_w', [C, C]), bias('disc_b', C), weight('disc_out_w', [1, C]), bias('disc_out_b', 1)];
}

export function binaryGraph(ctx: HeadContext): HeadGraph {
  const { k, N, C, buf, inputs: inp } = ctx;
  const x = ctx.hidden;
  const ht = buf(N * C, 'head.ht');
  const hg = buf(N * C, 'head.hg');
  const logits = buf(N, 'logits');
  const losses = buf(N, 'losses');
  const argmax = buf(N, 'argmax');
  const dlogits = buf(N, 'dlogits');
  const g: HeadGraph = {
    logits,
    losses,
    argmax,
    lossRows: N,
    forward: [
      ctx.linear(x, 'disc_w', 'disc_b', ht, N, C, C, 'head.dense'),
      geluForward(k, { x: ht, out: hg }, N * C, 'head.gelu'),
      ctx.linear(hg, 'disc_out_w', 'disc_out_b', logits, N, 1, C, 'head.out'),
    ],
    loss: [
      binaryCrossEntropy(k, N, {
        logits,
        labels: inp.labels,
        weights: inp.tokenWeights,
        losses,
        dlogits,
        preds: argmax,
      }),
    ],
    backward: [],
    probe: [],
    writeInputs(b) {
      if (!b.labels || !b.tokenWeights) throw new Error('the binary head needs per-token labels and weights');
      if (b.labels.length !== N) throw new Error(`batch labels has ${b.labels.length} entries, the graph expects ${N}`);
      if (b.tokenWeights.length !== N)
        throw new Error(`batch token weights has ${b.tokenWeights.length} entries, the graph expects ${N}`);
      const q = k.device.queue;
      q.writeBuffer(inp.labels, 0, b.labels);
      q.writeBuffer(inp.tokenWeights, 0, b.tokenWeights);
    },
    metrics: (o, label) => [
      reduceWeightedSum(k, losses, inp.tokenWeights, N, { out: o, index: METRIC.LOSS }, `${label}.loss`),
      countBinaryCorrect(
        k,
        argmax,
        inp.labels,
        inp.tokenWeights,
        N,
        { out: o, index: METRIC.CORRECT },
        `${label}.correct`,
      ),
    ],
    decode: decodePlain,
  };
  if (!ctx.train) return g;
  // dlogits (N, 1) -> out layer -> GELU -> dense, straight into the residual stream gradient.
  const dHg = buf(N * C, 'd.hg');
  const dHt = buf(N * C, 'd.ht');
  // The head's own gradients are needed frozen or not; dHidden is written either way (nothing reads it frozen).
  const dx = ctx.dHidden!;
  g.backward.push(
    ...ctx.dlinear(dlogits, hg, 'disc_out_w', 'disc_out_b', dHg, N, 1, C, false, 'head.out'),
    geluBackward(k, { dy: dHg, x: ht, dx: dHt }, N * C, 'head.gelu.backward'),
    ...ctx.dlinear(dHt, x, 'disc_w', 'disc_b', dx, N, C, C, false, 'head.dense'),
  );
  return g;
}

/** ElectraForPreTraining's head names in transformers. */
export function binaryHfTensors(): HfEntry[] {
  return [
    ['disc_w', null, 'discriminator_predictions.dense.weight'],
    ['disc_b', null, 'discriminator_predictions.dense.bias'],
    ['disc_out_w', null, 'discriminator_predictions.dense_prediction.weight'],
    ['disc_out_b', null, 'discriminator_predictions.dense_prediction.bias'],
  ];
}

export const binaryHead: HeadModule<BinaryHeadConfig> = {
  name: 'binary',
  configure(req) {
    singleHead(req, 'binary');
    return { kind: 'binary' };
  },
  rows: 'tokens',
  tensors: (c) => binaryTensors(c.C),
  outputs: () => 1,
  build: (ctx) => binaryGraph(ctx),
  evalHead: (head) => head,
  encoderHead: (head) => head,
  hf: { model: 'electra-discriminator', tensors: binaryHfTensors },
};

// The binary head (rts, shuffle, ELECTRA's discriminator): on every token, dense C -> C, GELU, dense to one logit;
// per-token binary cross-entropy against labels in {0, 1} (1 = replaced) with per-token weights.
import { binaryCrossEntropy } from '../../ops/loss';
import { countBinaryCorrect, reduceWeightedSum } from '../../ops/reduce';
import { geluBackward as geluBackwardRef, geluForward as geluForwardRef } from '../../reference/gelu';
import { binaryCrossEntropy as binaryCrossEntropyRef } from '../../reference/loss';
import { matmulBackward, matmulForward } from '../../reference/matmul';
import { bias, weight, type TensorSpec } from '../tensors';
import {
  decodePlain,
  METRIC,
  singleHead,
  type FlopContext,
  type HeadContext,
  type HeadGraph,
  type HeadModule,
  type HfEntry,
  type MemoryContext,
  type RefHeadContext,
  type RefHeadResult,
  type RoleFlops,
} from './types';
import { addFlops } from './vocab';

declare module './types' {
  interface HeadConfigs {
    /** One logit per token: replaced or not (rts, shuffle; ELECTRA's discriminator). */
    binary: { kind: 'binary' };
  }
}

export type BinaryHeadConfig = { kind: 'binary' };

export const BINARY_HEAD: BinaryHeadConfig = { kind: 'binary' };

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
      ...ctx.linearGelu(x, 'disc_w', 'disc_b', ht, hg, N, C, C, 'head.dense'),
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
  // dlogits (N, 1) -> out layer and GELU -> dense, straight into the residual stream gradient.
  const dHt = buf(N * C, 'd.ht');
  // The head's own gradients are needed frozen or not; dHidden is written either way (nothing reads it frozen).
  const dx = ctx.dHidden!;
  g.backward.push(
    ...ctx.dlinearGelu(dlogits, hg, 'disc_out_w', 'disc_out_b', ht, dHt, N, 1, C, 'head.out'),
    ...ctx.dlinear(dHt, x, 'disc_w', 'disc_b', dx, N, C, C, false, 'head.dense'),
  );
  return g;
}

/** The binary head's products over all N tokens: dense (C -> C) and one logit (C -> 1). */
export function binaryFlops(f: FlopContext): Record<string, RoleFlops> {
  return { head: addFlops(f.linear(f.N, f.c.C, f.c.C), f.linear(f.N, f.c.C, 1)) };
}

/** Its buffers: dense and GELU outputs (N, C), logits, losses, predictions, dlogits (N); training: two (N, C) grads. */
export function binaryMemory(m: MemoryContext): number {
  const { N } = m;
  const C = m.c.C;
  // Training: the dense layer's input gradient (the GELU's is folded into it: dlinearGelu).
  return 2 * N * C + 4 * N + (m.train ? N * C : 0);
}

/** The float64 reference of binaryGraph: dense, GELU, one logit per token, binary cross-entropy. */
export function binaryHeadRef(r: RefHeadContext): RefHeadResult {
  const { N, C, P, hidden } = r;
  const { labels, tokenWeights } = r.inputs;
  if (!labels || !tokenWeights) throw new Error('the binary head needs labels and tokenWeights');
  const lin = (x: ArrayLike<number>, w: string, b: string, o: number, i: number) =>
    matmulForward(x, P(w), { M: N, N: o, K: i, transB: true }, P(b));
  const ht = lin(hidden, 'disc_w', 'disc_b', C, C);
  const hg = geluForwardRef(ht);
  const logits = lin(hg, 'disc_out_w', 'disc_out_b', 1, C);
  const bce = binaryCrossEntropyRef(logits, labels, tokenWeights);
  let loss = 0;
  for (let i = 0; i < N; i++) loss += tokenWeights[i] * bce.losses[i];
  return {
    loss,
    losses: bce.losses,
    argmax: bce.preds,
    backward(acc) {
      const out = matmulBackward(bce.dlogits, hg, P('disc_out_w'), { M: N, N: 1, K: C, transB: true });
      acc('disc_out_w', out.db);
      acc('disc_out_b', out.dbias);
      const dense = matmulBackward(geluBackwardRef(out.da, ht), hidden, P('disc_w'), {
        M: N,
        N: C,
        K: C,
        transB: true,
      });
      acc('disc_w', dense.db);
      acc('disc_b', dense.dbias);
      return dense.da;
    },
  };
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
  configure(req) {
    singleHead(req, 'binary');
    return BINARY_HEAD;
  },
  rows: 'tokens',
  tensors: (c) => binaryTensors(c.C),
  outputs: () => 1,
  build: (ctx) => binaryGraph(ctx),
  evalHead: (head) => head,
  encoderHead: (head) => head,
  hf: { model: 'electra-discriminator', tensors: binaryHfTensors, lossKind: 'binary-cross-entropy' },
  flops: (f) => binaryFlops(f),
  memory: (m) => binaryMemory(m),
  reference: (r) => binaryHeadRef(r),
  preview: {
    note: () => 'Every token gets a yes/no label: was it changed?',
    tokenLabels: true,
    label: (id, n) => n.className(id) ?? String(id),
  },
};

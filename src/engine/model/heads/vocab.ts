// The vocabulary head (BERT's MLM head): on the M gathered target rows, dense C -> E, GELU, LayerNorm over E, and
// the decoder tied to the token embedding wte (V, E) with its own bias; softmax cross-entropy over V. The same
// transform with an untied output layer is the k-class head (classes.ts): `gatheredHead` builds both.
import type { ModelConfig } from '../../config';
import { fill } from '../../ops/fill';
import { gatherRows, scatterRows } from '../../ops/gather';
import { geluBackward, geluForward } from '../../ops/gelu';
import { layerNormBackward, layerNormForward } from '../../ops/layernorm';
import { crossEntropy, topK } from '../../ops/loss';
import { biasGrad, matmul } from '../../ops/matmul';
import { countCorrect, reduceWeightedSum } from '../../ops/reduce';
import { bias, gain, weight, type TensorSpec } from '../tensors';
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

export type VocabHeadConfig = Extract<HeadConfig, { kind: 'vocab' }>;

export const VOCAB_HEAD: HeadConfig = { kind: 'vocab' };

/**
 * The MLM head's transform (dense from the encoder width Ce to the embedding width E, GELU, LayerNorm over E) and
 * the decoder bias; the decoder matrix is wte, tied.
 */
export function vocabHeadTensors(prefix: string, E: number, Ce: number, V: number): TensorSpec[] {
  return [
    weight(prefix + 'head_w', [E, Ce]),
    bias(prefix + 'head_b', E),
    gain(prefix + 'head_ln_g', E),
    bias(prefix + 'head_ln_b', E),
    bias(prefix + 'decoder_b', V),
  ];
}

/** The output layer of a gathered head: its matrix (O, E) and bias (O), O classes. */
export interface GatheredOutput {
  weight: string;
  bias: string;
  O: number;
}

/**
 * dense -> GELU -> LayerNorm -> output layer on the gathered target rows, softmax cross-entropy over O; backward
 * back to the gathered rows and (unless frozen) scattered into dHidden. With `out.weight` = 'wte' (tied) a frozen
 * encoder leaves wte without gradient.
 */
export function gatheredHead(ctx: HeadContext, out: GatheredOutput): HeadGraph & { hm: GPUBuffer; dHm?: GPUBuffer } {
  const { k, N, M, C, E, eps, buf, P, G, inputs: inp, prefix: pre } = ctx;
  const O = out.O;
  const hm = buf(M * C, 'head.hm');
  const ht = buf(M * E, 'head.ht');
  const hg = buf(M * E, 'head.hg');
  const hln = buf(M * E, 'head.hln');
  const hMean = buf(M, 'head.mean');
  const hRstd = buf(M, 'head.rstd');
  const logits = buf(M * O, 'logits');
  const losses = buf(M, 'losses');
  const argmax = buf(M, 'argmax');
  const g: HeadGraph & { hm: GPUBuffer; dHm?: GPUBuffer } = {
    hm,
    logits,
    losses,
    argmax,
    lossRows: M,
    forward: [
      gatherRows(k, { src: ctx.hidden, index: inp.positions, out: hm }, { N, C, M }, 'head.gather'),
      ctx.linear(hm, 'head_w', 'head_b', ht, M, E, C, 'head.dense'),
      geluForward(k, { x: ht, out: hg }, M * E, pre + 'head.gelu'),
      layerNormForward(
        k,
        { x: hg, gamma: P('head_ln_g'), beta: P('head_ln_b'), out: hln, mean: hMean, rstd: hRstd },
        { N: M, C: E, eps },
        pre + 'head.ln',
      ),
      matmul(k, {
        a: hln,
        b: P(out.weight),
        bias: P(out.bias),
        out: logits,
        M,
        N: O,
        K: E,
        transB: true,
        label: pre + 'head.decoder',
      }),
    ],
    loss: [
      crossEntropy(
        k,
        { M, V: O },
        { logits, targets: inp.targets, weights: inp.weights, losses, argmax },
        ctx.train ? 'inplace' : 'none',
      ),
    ],
    backward: [],
    probe: [],
    writeInputs: () => undefined,
    metrics: (o, label) => [
      reduceWeightedSum(k, losses, inp.weights, M, { out: o, index: METRIC.LOSS }, `${label}.loss`),
      countCorrect(k, argmax, inp.targets, M, { out: o, index: METRIC.CORRECT }, `${label}.correct`),
    ],
    decode: decodePlain,
  };
  if (ctx.probeRows > 0) {
    const Rp = ctx.probeRows;
    const K = Math.min(ctx.topK, O);
    g.probeRowsBuf = buf(Rp, 'probe.rows');
    g.probeIds = buf(Rp * K, 'probe.ids');
    g.probeProbs = buf(Rp * K, 'probe.probs');
    g.probe.push(
      topK(k, { M, V: O, R: Rp, K }, { logits, rows: g.probeRowsBuf, ids: g.probeIds, probs: g.probeProbs }),
    );
  }
  if (!ctx.train) return g;
  const dHm = buf(M * C, 'd.hm');
  const dHt = buf(M * E, 'd.ht');
  const dHg = buf(M * E, 'd.hg');
  const dHln = buf(M * E, 'd.hln');
  g.dHm = dHm;
  const frozen = ctx.freezeEncoder;
  // dlogits (in place in logits) -> decoder -> LayerNorm -> GELU -> dense -> scatter into dHidden.
  g.backward.push(
    matmul(k, { a: logits, b: P(out.weight), out: dHln, M, N: E, K: O, label: pre + 'head.decoder.dx' }),
    ...(frozen && out.weight === 'wte' ? [] : ctx.dweight(logits, hln, out.weight, M, O, E, 'head.decoder.dw')),
    biasGrad(k, { dy: logits, db: G(out.bias), M, N: O, label: pre + 'head.decoder.db' }),
    ...layerNormBackward(
      k,
      {
        dy: dHln,
        x: hg,
        gamma: P('head_ln_g'),
        mean: hMean,
        rstd: hRstd,
        dx: dHg,
        dgamma: G('head_ln_g'),
        dbeta: G('head_ln_b'),
        scratch: ctx.lnScratch!,
      },
      { N: M, C: E },
      pre + 'head.ln.backward',
    ),
    geluBackward(k, { dy: dHg, x: ht, dx: dHt }, M * E, pre + 'head.gelu.backward'),
    ...ctx.dlinear(dHt, hm, 'head_w', 'head_b', dHm, M, E, C, false, 'head.dense'),
  );
  if (frozen && !ctx.inputRowGrad) return g;
  const dx = ctx.dHidden!;
  g.backward.push(
    fill(k, dx, 0, N * C, pre + 'd.x.zero'),
    scatterRows(k, { src: dHm, index: inp.positions, dst: dx }, { N, C, M }, pre + 'head.scatter'),
  );
  return g;
}

/** BertForMaskedLM's head names in transformers ('' our prefix; ELECTRA's generator uses its own, see electra.ts). */
export function vocabHfTensors(): HfEntry[] {
  return [
    ['head_w', null, 'cls.predictions.transform.dense.weight'],
    ['head_b', null, 'cls.predictions.transform.dense.bias'],
    ['head_ln_g', null, 'cls.predictions.transform.LayerNorm.weight'],
    ['head_ln_b', null, 'cls.predictions.transform.LayerNorm.bias'],
    ['decoder_b', null, 'cls.predictions.bias'],
  ];
}

export const vocabHead: HeadModule<VocabHeadConfig> = {
  name: 'vocabulary',
  configure(req) {
    singleHead(req, 'vocab');
    return VOCAB_HEAD as VocabHeadConfig;
  },
  rows: 'vocab',
  tensors: (c: ModelConfig) => vocabHeadTensors('', c.C, c.C, c.V),
  outputs: (c) => c.V,
  embedWidth: true,
  build: (ctx) => gatheredHead(ctx, { weight: 'wte', bias: 'decoder_b', O: ctx.V }),
  evalHead: () => VOCAB_HEAD,
  encoderHead: () => VOCAB_HEAD,
  hf: { model: 'masked-lm', tensors: vocabHfTensors },
};

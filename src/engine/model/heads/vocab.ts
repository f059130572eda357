// The vocabulary head (BERT's MLM head): on the M gathered target rows, dense C -> E, GELU, LayerNorm over E, and
// the decoder tied to the token embedding wte (V, E) with its own bias; softmax cross-entropy over V. The same
// transform with an untied output layer is the k-class head (classes.ts): `gatheredHead` builds both on the GPU,
// `gatheredHeadRef` in float64, and `gatheredFlops` / `gatheredMemory` count them.
import type { ModelConfig } from '../../config';
import { fill } from '../../ops/fill';
import { gatherRows, scatterRows } from '../../ops/gather';
import { geluBackward } from '../../ops/gelu';
import { layerNormBackward, layerNormForward } from '../../ops/layernorm';
import { crossEntropy, topK } from '../../ops/loss';
import { biasGrad, matmul } from '../../ops/matmul';
import { countCorrect, reduceWeightedSum } from '../../ops/reduce';
import { gatherRows as gatherRowsRef, gatherRowsBackward } from '../../reference/gather';
import { geluBackward as geluBackwardRef, geluForward as geluForwardRef } from '../../reference/gelu';
import {
  layerNormBackward as layerNormBackwardRef,
  layerNormForward as layerNormForwardRef,
} from '../../reference/layernorm';
import { crossEntropy as crossEntropyRef } from '../../reference/loss';
import { matmulBackward, matmulForward } from '../../reference/matmul';
import { bias, gain, weight, type TensorSpec } from '../tensors';
import {
  decodePlain,
  METRIC,
  singleHead,
  type FlopContext,
  type HeadContext,
  type HeadGraph,
  type HeadModule,
  type HeadPreview,
  type HfEntry,
  type MemoryContext,
  type RefHeadContext,
  type RefHeadResult,
  type RoleFlops,
} from './types';

declare module './types' {
  interface HeadConfigs {
    /** BERT's MLM head (mlm, slm). */
    vocabulary: { kind: 'vocabulary' };
  }
}

export type VocabHeadConfig = { kind: 'vocabulary' };

export const VOCAB_HEAD: VocabHeadConfig = { kind: 'vocabulary' };

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
      ...ctx.linearGelu(hm, 'head_w', 'head_b', ht, hg, M, E, C, 'head.dense'),
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
    ...(frozen && out.weight === 'wte'
      ? [biasGrad(k, { dy: logits, db: G(out.bias), M, N: O, label: pre + 'head.decoder.db' })]
      : ctx.dparams(logits, hln, out.weight, out.bias, M, O, E, 'head.decoder')),
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

/** forward + backward of a role, summed. */
export function addFlops(...parts: RoleFlops[]): RoleFlops {
  const sum = (k: keyof RoleFlops) => parts.reduce((s, p) => s + p[k], 0);
  return { forward: sum('forward'), backward: sum('backward'), total: sum('total') };
}

/** A gathered head's products over the M target rows: dense (C -> Eo) and the output layer (Eo -> O). */
export function gatheredFlops(f: FlopContext, Eo: number, O: number): Record<string, RoleFlops> {
  return { head: addFlops(f.linear(f.M, f.c.C, Eo), f.linear(f.M, Eo, O)) };
}

/**
 * Floats of a gathered head's buffers (gatheredHead): the gathered rows (M, C), the transform (3 x (M, Eo)), its
 * LayerNorm statistics, the logits (M, O), per-row losses and predictions; training: their gradients.
 */
export function gatheredMemory(m: MemoryContext, Eo: number, O: number): number {
  const { M } = m;
  const C = m.c.C;
  const forward = M * C + 3 * M * Eo + 2 * M + M * O + 2 * M;
  return forward + (m.train ? M * C + 3 * M * Eo : 0);
}

/** The float64 reference of gatheredHead: the same transform and output layer, softmax cross-entropy over O. */
export function gatheredHeadRef(r: RefHeadContext, out: GatheredOutput): RefHeadResult {
  const { N, M, C, E, eps, P } = r;
  const O = out.O;
  const { positions, targets, weights } = r.inputs;
  const lin = (x: ArrayLike<number>, w: string, b: string, rows: number, o: number, i: number) =>
    matmulForward(x, P(w), { M: rows, N: o, K: i, transB: true }, P(b));
  const hm = gatherRowsRef(r.hidden, positions, N, C);
  const ht = lin(hm, 'head_w', 'head_b', M, E, C);
  const hg = geluForwardRef(ht);
  const hln = layerNormForwardRef(hg, P('head_ln_g'), P('head_ln_b'), M, E, eps);
  const logits = lin(hln.out, out.weight, out.bias, M, O, E);
  const xe = crossEntropyRef(logits, targets, weights, M, O);
  let loss = 0;
  for (let m = 0; m < M; m++) loss += weights[m] * xe.losses[m];
  return {
    loss,
    losses: xe.losses,
    argmax: xe.argmax,
    backward(acc) {
      const dec = matmulBackward(xe.dlogits, hln.out, P(out.weight), { M, N: O, K: E, transB: true });
      acc(out.weight, dec.db);
      acc(out.bias, dec.dbias);
      const dln = layerNormBackwardRef(dec.da, hg, P('head_ln_g'), hln.mean, hln.rstd, M, E);
      acc('head_ln_g', dln.dgamma);
      acc('head_ln_b', dln.dbeta);
      const dense = matmulBackward(geluBackwardRef(dln.dx, ht), hm, P('head_w'), { M, N: E, K: C, transB: true });
      acc('head_w', dense.db);
      acc('head_b', dense.dbias);
      return gatherRowsBackward(dense.da, positions, N, C);
    },
  };
}

/** Vocabulary ids read as tokens (every vocabulary head's predictions). */
export const tokenLabel: HeadPreview['label'] = (id, n) => n.token(id);

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

/** The tied decoder: the output layer of the vocabulary head (and of the span-boundary and next-token heads). */
export const TIED_DECODER = (V: number): GatheredOutput => ({ weight: 'wte', bias: 'decoder_b', O: V });

export const vocabHead: HeadModule<VocabHeadConfig> = {
  configure(req) {
    singleHead(req, 'vocabulary');
    return VOCAB_HEAD;
  },
  rows: 'vocab',
  tensors: (c: ModelConfig) => vocabHeadTensors('', c.C, c.C, c.V),
  outputs: (c) => c.V,
  embedWidth: true,
  build: (ctx) => gatheredHead(ctx, TIED_DECODER(ctx.V)),
  evalHead: () => VOCAB_HEAD,
  encoderHead: () => VOCAB_HEAD,
  hf: { model: 'masked-lm', tensors: vocabHfTensors, lossKind: 'masked-cross-entropy' },
  flops: (f) => gatheredFlops(f, f.E, f.c.V),
  memory: (m) => gatheredMemory(m, m.E, m.c.V),
  reference: (r) => gatheredHeadRef(r, TIED_DECODER(r.V)),
  preview: {
    note: () => 'The model predicts the original token at every chosen position.',
    label: tokenLabel,
  },
};

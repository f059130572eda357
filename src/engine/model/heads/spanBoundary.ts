// The span-boundary head (SpanBERT's SBO, objective "sbo") next to the vocabulary head: the boundary tokens' final
// states and the offset embedding per target slot go through a 2-layer MLP and the tied decoder; backward adds the
// gradients back to the (often shared) boundary rows and offset rows with the deterministic CSR scatter-add.
import type { Dispatch, Kernels } from '../../kernels';
import { crossEntropy } from '../../ops/loss';
import { csrOf, gatherRows, scatterAddCsr } from '../../ops/gather';
import { geluBackward, geluForward } from '../../ops/gelu';
import { layerNormBackward, layerNormForward, layerNormScratchFloats } from '../../ops/layernorm';
import { biasGrad, matmul } from '../../ops/matmul';
import { countCorrect, reduceWeightedSum } from '../../ops/reduce';
import { bias, gain, weight, type TensorSpec } from '../tensors';
import type { HeadConfig } from './index';
import { headOfKind, METRIC, type HeadGraph, type HeadModule } from './types';
import { gatheredHead, VOCAB_HEAD, vocabHeadTensors, vocabHfTensors } from './vocab';

/**
 * SpanBERT's span boundary objective (Joshi et al. 2020): each target token of a span is predicted again from the
 * final states of the two tokens just outside its span and a learned embedding of its offset in the span (maxRel
 * rows): a 2-layer MLP (GELU, LayerNorm after each; the first layer's (C, 3C) weight stored as three (C, C) blocks
 * sbo_w1l / sbo_w1r / sbo_w1p) then the decoder tied to wte with its own bias. Loss = MLM + weight x SBO.
 */
export interface SboHead {
  maxRel: number;
  weight: number;
}

export type SpanBoundaryHeadConfig = Extract<HeadConfig, { kind: 'vocab' }> & { sbo: SboHead };

/** Per-slot SBO inputs, aligned with the MLM head's gathered slots (MaskedBatch.sbo). */
export interface SboBatch {
  left: Int32Array;
  right: Int32Array;
  rel: Int32Array;
  /** 1/(usable slots) on slots with both boundaries, else 0 (the head's weight is applied by the graph). */
  weights: Float32Array;
}

export interface SboContext {
  k: Kernels;
  head: SboHead;
  N: number;
  M: number;
  C: number;
  V: number;
  eps: number;
  train: boolean;
  /** Final hidden states (N, C) and, in training, their gradient (accumulated into). */
  hidden: GPUBuffer;
  dHidden?: GPUBuffer;
  /** The MLM targets (M) i32, shared slot for slot. */
  targets: GPUBuffer;
  buf: (floats: number, name: string) => GPUBuffer;
  P: (name: string) => GPUBufferBinding;
  G: (name: string) => GPUBufferBinding;
  lnScratch: GPUBuffer;
}

export class SboGraph {
  readonly forward: Dispatch[] = [];
  readonly loss: Dispatch[] = [];
  readonly backward: Dispatch[] = [];
  /** (M) unweighted per-slot losses, argmax; (M) the weights the loss used (head weight included); targets (-1 where unusable). */
  readonly losses: GPUBuffer;
  readonly argmax: GPUBuffer;
  readonly weights: GPUBuffer;
  readonly targets: GPUBuffer;
  private readonly left: GPUBuffer;
  private readonly right: GPUBuffer;
  private readonly rel: GPUBuffer;
  private readonly csr: {
    index: GPUBuffer;
    offsets: GPUBuffer;
    order: GPUBuffer;
    rows: number;
    host: { offsets: Int32Array; order: Int32Array };
  }[];
  private readonly host: { weights: Float32Array; targets: Int32Array; none: Int32Array };

  constructor(private readonly c: SboContext) {
    const { k, N, M, C, V, eps, buf, P, G, hidden } = c;
    const R = c.head.maxRel;
    this.left = buf(M, 'sbo.left');
    this.right = buf(M, 'sbo.right');
    this.rel = buf(M, 'sbo.rel');
    this.weights = buf(M, 'sbo.weights');
    this.targets = buf(M, 'sbo.targets');
    const sl = buf(M * C, 'sbo.xl');
    const sr = buf(M * C, 'sbo.xr');
    const sp = buf(M * C, 'sbo.p');
    const t1 = buf(M * C, 'sbo.t1');
    const g1 = buf(M * C, 'sbo.g1');
    const n1 = buf(M * C, 'sbo.n1');
    const t2 = buf(M * C, 'sbo.t2');
    const g2 = buf(M * C, 'sbo.g2');
    const n2 = buf(M * C, 'sbo.n2');
    const stats = [buf(M, 'sbo.mean1'), buf(M, 'sbo.rstd1'), buf(M, 'sbo.mean2'), buf(M, 'sbo.rstd2')];
    const logits = buf(M * V, 'sbo.logits');
    this.losses = buf(M, 'sbo.losses');
    this.argmax = buf(M, 'sbo.argmax');
    const mm = (
      a: GPUBuffer,
      w: string,
      out: GPUBuffer,
      accumulate: boolean,
      bias: string | undefined,
      label: string,
    ) =>
      matmul(k, { a, b: P(w), bias: bias ? P(bias) : undefined, out, M, N: C, K: C, transB: true, accumulate, label });
    this.forward.push(
      gatherRows(k, { src: hidden, index: this.left, out: sl }, { N, C, M }, 'sbo.gather_left'),
      gatherRows(k, { src: hidden, index: this.right, out: sr }, { N, C, M }, 'sbo.gather_right'),
      gatherRows(k, { src: P('sbo_rel'), index: this.rel, out: sp }, { N: R, C, M }, 'sbo.gather_rel'),
      mm(sl, 'sbo_w1l', t1, false, 'sbo_b1', 'sbo.fc1_left'),
      mm(sr, 'sbo_w1r', t1, true, undefined, 'sbo.fc1_right'),
      mm(sp, 'sbo_w1p', t1, true, undefined, 'sbo.fc1_rel'),
      geluForward(k, { x: t1, out: g1 }, M * C, 'sbo.gelu1'),
      layerNormForward(
        k,
        { x: g1, gamma: P('sbo_ln1_g'), beta: P('sbo_ln1_b'), out: n1, mean: stats[0], rstd: stats[1] },
        { N: M, C, eps },
        'sbo.ln1',
      ),
      mm(n1, 'sbo_w2', t2, false, 'sbo_b2', 'sbo.fc2'),
      geluForward(k, { x: t2, out: g2 }, M * C, 'sbo.gelu2'),
      layerNormForward(
        k,
        { x: g2, gamma: P('sbo_ln2_g'), beta: P('sbo_ln2_b'), out: n2, mean: stats[2], rstd: stats[3] },
        { N: M, C, eps },
        'sbo.ln2',
      ),
      matmul(k, {
        a: n2,
        b: P('wte'),
        bias: P('sbo_decoder_b'),
        out: logits,
        M,
        N: V,
        K: C,
        transB: true,
        label: 'sbo.decoder',
      }),
    );
    this.loss.push(
      crossEntropy(
        k,
        { M, V },
        { logits, targets: this.targets, weights: this.weights, losses: this.losses, argmax: this.argmax },
        c.train ? 'inplace' : 'none',
        'sbo.xent',
      ),
    );
    this.host = { weights: new Float32Array(M), targets: new Int32Array(M), none: new Int32Array(M).fill(-1) };
    const csrBufs = (index: GPUBuffer, rows: number, name: string) => ({
      index,
      rows,
      offsets: buf(rows + 1, `${name}.offsets`),
      order: buf(M, `${name}.order`),
      host: { offsets: new Int32Array(rows + 1), order: new Int32Array(Math.max(1, M)) },
    });
    this.csr = [
      csrBufs(this.left, N, 'sbo.left_csr'),
      csrBufs(this.right, N, 'sbo.right_csr'),
      csrBufs(this.rel, R, 'sbo.rel_csr'),
    ];
    if (!c.train) return;

    const dx = c.dHidden!;
    const dN2 = buf(M * C, 'sbo.d.n2');
    const dG = buf(M * C, 'sbo.d.g');
    const dT = buf(M * C, 'sbo.d.t');
    const dN1 = buf(M * C, 'sbo.d.n1');
    const dRows = [buf(M * C, 'sbo.d.xl'), buf(M * C, 'sbo.d.xr'), buf(M * C, 'sbo.d.p')];
    const bw = this.backward;
    bw.push(
      matmul(k, { a: logits, b: P('wte'), out: dN2, M, N: C, K: V, label: 'sbo.decoder.dx' }),
      matmul(k, {
        a: logits,
        b: n2,
        out: G('wte'),
        M: V,
        N: C,
        K: M,
        transA: true,
        accumulate: true,
        label: 'sbo.decoder.dw',
      }),
      biasGrad(k, { dy: logits, db: G('sbo_decoder_b'), M, N: V, label: 'sbo.decoder.db' }),
      ...layerNormBackward(
        k,
        {
          dy: dN2,
          x: g2,
          gamma: P('sbo_ln2_g'),
          mean: stats[2],
          rstd: stats[3],
          dx: dG,
          dgamma: G('sbo_ln2_g'),
          dbeta: G('sbo_ln2_b'),
          scratch: c.lnScratch,
        },
        { N: M, C },
        'sbo.ln2.backward',
      ),
      geluBackward(k, { dy: dG, x: t2, dx: dT }, M * C, 'sbo.gelu2.backward'),
      matmul(k, { a: dT, b: P('sbo_w2'), out: dN1, M, N: C, K: C, label: 'sbo.fc2.dx' }),
      matmul(k, {
        a: dT,
        b: n1,
        out: G('sbo_w2'),
        M: C,
        N: C,
        K: M,
        transA: true,
        accumulate: true,
        label: 'sbo.fc2.dw',
      }),
      biasGrad(k, { dy: dT, db: G('sbo_b2'), M, N: C, label: 'sbo.fc2.db' }),
      ...layerNormBackward(
        k,
        {
          dy: dN1,
          x: g1,
          gamma: P('sbo_ln1_g'),
          mean: stats[0],
          rstd: stats[1],
          dx: dG,
          dgamma: G('sbo_ln1_g'),
          dbeta: G('sbo_ln1_b'),
          scratch: c.lnScratch,
        },
        { N: M, C },
        'sbo.ln1.backward',
      ),
      geluBackward(k, { dy: dG, x: t1, dx: dT }, M * C, 'sbo.gelu1.backward'),
      biasGrad(k, { dy: dT, db: G('sbo_b1'), M, N: C, label: 'sbo.fc1.db' }),
    );
    const parts: [string, GPUBuffer][] = [
      ['sbo_w1l', sl],
      ['sbo_w1r', sr],
      ['sbo_w1p', sp],
    ];
    parts.forEach(([w, xin], i) => {
      bw.push(
        matmul(k, { a: dT, b: P(w), out: dRows[i], M, N: C, K: C, label: `${w}.dx` }),
        matmul(k, { a: dT, b: xin, out: G(w), M: C, N: C, K: M, transA: true, accumulate: true, label: `${w}.dw` }),
      );
    });
    // Boundary rows are shared by every token of a span, offset rows by every span: repeated indices.
    bw.push(
      scatterAddCsr(
        k,
        { order: this.csr[0].order, offsets: this.csr[0].offsets, src: dRows[0], dst: dx },
        { M, N, C },
        'sbo.scatter_left',
      ),
      scatterAddCsr(
        k,
        { order: this.csr[1].order, offsets: this.csr[1].offsets, src: dRows[1], dst: dx },
        { M, N, C },
        'sbo.scatter_right',
      ),
      scatterAddCsr(
        k,
        { order: this.csr[2].order, offsets: this.csr[2].offsets, src: dRows[2], dst: G('sbo_rel') },
        { M, N: R, C },
        'sbo.scatter_rel',
      ),
    );
  }

  /** Writes a batch's SBO slots (absent: no slot is usable, the SBO loss is 0) with `mlmTargets` aligned. */
  writeInputs(b: SboBatch | undefined, mlmTargets: Int32Array): void {
    const q = this.c.k.device.queue;
    const M = this.c.M;
    const h = this.host;
    const left = b?.left ?? h.none;
    const right = b?.right ?? h.none;
    const rel = b?.rel ?? h.none;
    for (const [name, a] of [
      ['left', left],
      ['right', right],
      ['rel', rel],
    ] as const) {
      if (a.length !== M) throw new Error(`batch sbo.${name} has ${a.length} entries, the graph expects ${M}`);
    }
    const w = this.c.head.weight;
    for (let m = 0; m < M; m++) {
      const ok = b !== undefined && b.weights[m] > 0 && left[m] >= 0 && right[m] >= 0;
      h.weights[m] = ok ? b.weights[m] * w : 0;
      h.targets[m] = ok ? mlmTargets[m] : -1;
    }
    q.writeBuffer(this.left, 0, left);
    q.writeBuffer(this.right, 0, right);
    // Unused slots gather offset row 0 (their gradient is 0); keep every index in range for the CSR.
    q.writeBuffer(this.rel, 0, rel === h.none ? new Int32Array(M) : rel);
    q.writeBuffer(this.weights, 0, h.weights);
    q.writeBuffer(this.targets, 0, h.targets);
    if (!this.c.train) return;
    const idx = [left, right, rel === h.none ? new Int32Array(M) : rel];
    this.csr.forEach((c, i) => {
      csrOf(idx[i], c.rows, c.host);
      q.writeBuffer(c.offsets, 0, c.host.offsets);
      q.writeBuffer(c.order, 0, c.host.order);
    });
  }
}

/** The SBO head's tensors (after the vocabulary head's). */
export function sboTensors(C: number, V: number, maxRel: number): TensorSpec[] {
  return [
    weight('sbo_rel', [maxRel, C]),
    weight('sbo_w1l', [C, C]),
    weight('sbo_w1r', [C, C]),
    weight('sbo_w1p', [C, C]),
    bias('sbo_b1', C),
    gain('sbo_ln1_g', C),
    bias('sbo_ln1_b', C),
    weight('sbo_w2', [C, C]),
    bias('sbo_b2', C),
    gain('sbo_ln2_g', C),
    bias('sbo_ln2_b', C),
    bias('sbo_decoder_b', V),
  ];
}

/** The vocabulary head plus SBO: loss = MLM + weight x SBO; metrics: MLM at LOSS / CORRECT, SBO at AUX_*. */
export const spanBoundaryHead: HeadModule<SpanBoundaryHeadConfig> = {
  name: 'span-boundary',
  configure: (req) => ({
    kind: 'vocab',
    sbo: { maxRel: Number(req.params.maxRel), weight: headOfKind(req, 'span-boundary').lossWeight },
  }),
  rows: 'vocab',
  tensors: (c, head) => [...vocabHeadTensors('', c.C, c.C, c.V), ...sboTensors(c.C, c.V, head.sbo.maxRel)],
  outputs: (c) => c.V,
  build(ctx, head): HeadGraph & { sbo: SboGraph } {
    const { k, N, M, C, V, eps, buf, P, G } = ctx;
    const mlm = gatheredHead(ctx, { weight: 'wte', bias: 'decoder_b', O: V });
    const lnScratch = ctx.lnScratch ?? buf(layerNormScratchFloats({ N: M, C }), 'sbo.ln_scratch');
    const sbo = new SboGraph({
      k,
      head: head.sbo,
      N,
      M,
      C,
      V,
      eps,
      train: ctx.train,
      hidden: ctx.hidden,
      dHidden: ctx.dHidden,
      targets: ctx.inputs.targets,
      buf,
      P,
      G,
      lnScratch,
    });
    const w = head.sbo.weight;
    return {
      ...mlm,
      sbo,
      forward: [...mlm.forward, ...sbo.forward],
      loss: [...mlm.loss, ...sbo.loss],
      backward: [...mlm.backward, ...(ctx.freezeEncoder ? [] : sbo.backward)],
      writeInputs: (b) => sbo.writeInputs(b.sbo, b.targets),
      metrics: (out, label) => [
        ...mlm.metrics(out, label),
        reduceWeightedSum(k, sbo.losses, sbo.weights, M, { out, index: METRIC.AUX_LOSS }, `${label}.sbo.loss`),
        countCorrect(k, sbo.argmax, sbo.targets, M, { out, index: METRIC.AUX_CORRECT }, `${label}.sbo.correct`),
      ],
      decode(v) {
        const count = v[METRIC.COUNT];
        const accuracy = count > 0 ? v[METRIC.CORRECT] / count : 0;
        const n = v[METRIC.AUX_COUNT];
        const parts = {
          mlmLoss: v[METRIC.LOSS],
          mlmAccuracy: accuracy,
          sboLoss: w > 0 ? v[METRIC.AUX_LOSS] / w : 0,
          sboAccuracy: n > 0 ? v[METRIC.AUX_CORRECT] / n : 0,
        };
        return { loss: v[METRIC.LOSS] + v[METRIC.AUX_LOSS], accuracy, targets: count, sbo: parts };
      },
    };
  },
  // Evaluation uses the shared fixed masks, which carry no span boundaries: the SBO head trains only.
  evalHead: () => VOCAB_HEAD,
  encoderHead: () => VOCAB_HEAD,
  // Exported as a BertForMaskedLM (the MLM head; transformers has no SBO head).
  hf: { model: 'masked-lm', tensors: vocabHfTensors },
};

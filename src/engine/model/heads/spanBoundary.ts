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
import { add as addRef } from '../../reference/elementwise';
import { gatherRows as gatherRowsRef, gatherRowsBackward } from '../../reference/gather';
import { geluBackward as geluBackwardRef, geluForward as geluForwardRef } from '../../reference/gelu';
import {
  layerNormBackward as layerNormBackwardRef,
  layerNormForward as layerNormForwardRef,
} from '../../reference/layernorm';
import { crossEntropy as crossEntropyRef } from '../../reference/loss';
import { matmulBackward, matmulForward } from '../../reference/matmul';
import type { SboBatch } from '../batch';
import { bias, gain, weight, type TensorSpec } from '../tensors';
import {
  headOfKind,
  METRIC,
  type HeadGraph,
  type HeadModule,
  type MemoryContext,
  type RefHeadContext,
  type RefHeadResult,
} from './types';
import {
  addFlops,
  gatheredFlops,
  gatheredHead,
  gatheredHeadRef,
  gatheredMemory,
  TIED_DECODER,
  tokenLabel,
  VOCAB_HEAD,
  vocabHeadTensors,
  vocabHfTensors,
} from './vocab';

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

declare module './types' {
  interface HeadConfigs {
    /** SpanBERT: the vocabulary head and the span boundary head beside it (sbo). */
    'span-boundary': SpanBoundaryHeadConfig;
  }
}

export type SpanBoundaryHeadConfig = { kind: 'span-boundary' } & SboHead;

export type { SboBatch } from '../batch';

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

/** The MLP's activations (M, C) each, and its LayerNorm statistics. */
interface SboActs {
  /** Gathered left and right boundary rows and offset rows. */
  sl: GPUBuffer;
  sr: GPUBuffer;
  sp: GPUBuffer;
  t1: GPUBuffer;
  g1: GPUBuffer;
  n1: GPUBuffer;
  t2: GPUBuffer;
  g2: GPUBuffer;
  n2: GPUBuffer;
  /** mean1, rstd1, mean2, rstd2 (M each). */
  stats: GPUBuffer[];
  /** (M, V) logits; training overwrites them with dlogits. */
  logits: GPUBuffer;
}

interface Csr {
  index: GPUBuffer;
  offsets: GPUBuffer;
  order: GPUBuffer;
  rows: number;
  host: { offsets: Int32Array; order: Int32Array };
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
  private readonly csr: Csr[];
  private readonly host: { weights: Float32Array; targets: Int32Array; none: Int32Array };

  constructor(private readonly c: SboContext) {
    const { N, M, C, buf } = c;
    const R = c.head.maxRel;
    this.left = buf(M, 'sbo.left');
    this.right = buf(M, 'sbo.right');
    this.rel = buf(M, 'sbo.rel');
    this.weights = buf(M, 'sbo.weights');
    this.targets = buf(M, 'sbo.targets');
    const a: SboActs = {
      sl: buf(M * C, 'sbo.xl'),
      sr: buf(M * C, 'sbo.xr'),
      sp: buf(M * C, 'sbo.p'),
      t1: buf(M * C, 'sbo.t1'),
      g1: buf(M * C, 'sbo.g1'),
      n1: buf(M * C, 'sbo.n1'),
      t2: buf(M * C, 'sbo.t2'),
      g2: buf(M * C, 'sbo.g2'),
      n2: buf(M * C, 'sbo.n2'),
      stats: [buf(M, 'sbo.mean1'), buf(M, 'sbo.rstd1'), buf(M, 'sbo.mean2'), buf(M, 'sbo.rstd2')],
      logits: buf(M * c.V, 'sbo.logits'),
    };
    this.losses = buf(M, 'sbo.losses');
    this.argmax = buf(M, 'sbo.argmax');
    this.forward.push(...this.forwardPass(a));
    this.loss.push(
      crossEntropy(
        c.k,
        { M, V: c.V },
        { logits: a.logits, targets: this.targets, weights: this.weights, losses: this.losses, argmax: this.argmax },
        c.train ? 'inplace' : 'none',
        'sbo.xent',
      ),
    );
    this.host = { weights: new Float32Array(M), targets: new Int32Array(M), none: new Int32Array(M).fill(-1) };
    const csrBufs = (index: GPUBuffer, rows: number, name: string): Csr => ({
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
    if (c.train) this.backward.push(...this.backwardPass(a));
  }

  /** x (M, C) W^T (+ b), accumulated into `out` or not: the MLP's (C, C) products. */
  private mm(a: GPUBuffer, w: string, out: GPUBuffer, accumulate: boolean, b: string | undefined, label: string) {
    const { k, M, C, P } = this.c;
    return matmul(k, { a, b: P(w), bias: b ? P(b) : undefined, out, M, N: C, K: C, transB: true, accumulate, label });
  }

  /** Gathers, the 2-layer MLP and the tied decoder. */
  private forwardPass(a: SboActs): Dispatch[] {
    const { k, N, M, C, V, eps, P, hidden } = this.c;
    const R = this.c.head.maxRel;
    const [mean1, rstd1, mean2, rstd2] = a.stats;
    return [
      gatherRows(k, { src: hidden, index: this.left, out: a.sl }, { N, C, M }, 'sbo.gather_left'),
      gatherRows(k, { src: hidden, index: this.right, out: a.sr }, { N, C, M }, 'sbo.gather_right'),
      gatherRows(k, { src: P('sbo_rel'), index: this.rel, out: a.sp }, { N: R, C, M }, 'sbo.gather_rel'),
      this.mm(a.sl, 'sbo_w1l', a.t1, false, 'sbo_b1', 'sbo.fc1_left'),
      this.mm(a.sr, 'sbo_w1r', a.t1, true, undefined, 'sbo.fc1_right'),
      this.mm(a.sp, 'sbo_w1p', a.t1, true, undefined, 'sbo.fc1_rel'),
      geluForward(k, { x: a.t1, out: a.g1 }, M * C, 'sbo.gelu1'),
      layerNormForward(
        k,
        { x: a.g1, gamma: P('sbo_ln1_g'), beta: P('sbo_ln1_b'), out: a.n1, mean: mean1, rstd: rstd1 },
        { N: M, C, eps },
        'sbo.ln1',
      ),
      this.mm(a.n1, 'sbo_w2', a.t2, false, 'sbo_b2', 'sbo.fc2'),
      geluForward(k, { x: a.t2, out: a.g2 }, M * C, 'sbo.gelu2'),
      layerNormForward(
        k,
        { x: a.g2, gamma: P('sbo_ln2_g'), beta: P('sbo_ln2_b'), out: a.n2, mean: mean2, rstd: rstd2 },
        { N: M, C, eps },
        'sbo.ln2',
      ),
      matmul(k, {
        a: a.n2,
        b: P('wte'),
        bias: P('sbo_decoder_b'),
        out: a.logits,
        M,
        N: V,
        K: C,
        transB: true,
        label: 'sbo.decoder',
      }),
    ];
  }

  /** From dlogits (in place in the logits) down to the MLP's tensors, the offset rows and d hidden. */
  private backwardPass(a: SboActs): Dispatch[] {
    const { k, M, C, V, P, G, buf } = this.c;
    const dN2 = buf(M * C, 'sbo.d.n2');
    const dG = buf(M * C, 'sbo.d.g');
    const dT = buf(M * C, 'sbo.d.t');
    const dN1 = buf(M * C, 'sbo.d.n1');
    const dRows = [buf(M * C, 'sbo.d.xl'), buf(M * C, 'sbo.d.xr'), buf(M * C, 'sbo.d.p')];
    const dW = (dy: GPUBuffer, x: GPUBuffer, w: string, rows: number, label: string) =>
      matmul(k, { a: dy, b: x, out: G(w), M: rows, N: C, K: M, transA: true, accumulate: true, label });
    const bw: Dispatch[] = [
      matmul(k, { a: a.logits, b: P('wte'), out: dN2, M, N: C, K: V, label: 'sbo.decoder.dx' }),
      dW(a.logits, a.n2, 'wte', V, 'sbo.decoder.dw'),
      biasGrad(k, { dy: a.logits, db: G('sbo_decoder_b'), M, N: V, label: 'sbo.decoder.db' }),
      ...this.layerNormBack(dN2, a.g2, a.stats[2], a.stats[3], dG, 2),
      geluBackward(k, { dy: dG, x: a.t2, dx: dT }, M * C, 'sbo.gelu2.backward'),
      matmul(k, { a: dT, b: P('sbo_w2'), out: dN1, M, N: C, K: C, label: 'sbo.fc2.dx' }),
      dW(dT, a.n1, 'sbo_w2', C, 'sbo.fc2.dw'),
      biasGrad(k, { dy: dT, db: G('sbo_b2'), M, N: C, label: 'sbo.fc2.db' }),
      ...this.layerNormBack(dN1, a.g1, a.stats[0], a.stats[1], dG, 1),
      geluBackward(k, { dy: dG, x: a.t1, dx: dT }, M * C, 'sbo.gelu1.backward'),
      biasGrad(k, { dy: dT, db: G('sbo_b1'), M, N: C, label: 'sbo.fc1.db' }),
    ];
    const parts: [string, GPUBuffer][] = [
      ['sbo_w1l', a.sl],
      ['sbo_w1r', a.sr],
      ['sbo_w1p', a.sp],
    ];
    parts.forEach(([w, xin], i) => {
      bw.push(
        matmul(k, { a: dT, b: P(w), out: dRows[i], M, N: C, K: C, label: `${w}.dx` }),
        dW(dT, xin, w, C, `${w}.dw`),
      );
    });
    // Boundary rows are shared by every token of a span, offset rows by every span: repeated indices.
    const dsts = [this.c.dHidden!, this.c.dHidden!, G('sbo_rel')];
    const names = ['sbo.scatter_left', 'sbo.scatter_right', 'sbo.scatter_rel'];
    this.csr.forEach((csr, i) =>
      bw.push(
        scatterAddCsr(
          k,
          { order: csr.order, offsets: csr.offsets, src: dRows[i], dst: dsts[i] },
          { M, N: csr.rows, C },
          names[i],
        ),
      ),
    );
    return bw;
  }

  /** The backward of the MLP's LayerNorm `which` (1 or 2), into dx. */
  private layerNormBack(dy: GPUBuffer, x: GPUBuffer, mean: GPUBuffer, rstd: GPUBuffer, dx: GPUBuffer, which: 1 | 2) {
    const { k, M, C, P, G } = this.c;
    const g = `sbo_ln${which}_g`;
    const b = `sbo_ln${which}_b`;
    return layerNormBackward(
      k,
      { dy, x, gamma: P(g), mean, rstd, dx, dgamma: G(g), dbeta: G(b), scratch: this.c.lnScratch },
      { N: M, C },
      `sbo.ln${which}.backward`,
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

/** The boundary head's products over the M slots: three (C, C) first-layer blocks, the second layer, the decoder. */
function sboFlops(f: Parameters<HeadModule['flops']>[0]) {
  const { M } = f;
  const { C, V } = f.c;
  const layer = f.linear(M, C, C);
  return { sbo: addFlops(layer, layer, layer, layer, f.linear(M, C, V)) };
}

/**
 * The boundary head's buffers (SboGraph): slot inputs and CSR groups, nine (M, C) activations, statistics, the
 * (M, V) logits, losses and predictions; training: seven (M, C) gradients.
 */
function sboMemory(m: MemoryContext, head: SboHead): number {
  const { M, N } = m;
  const { C, V } = m.c;
  const csr = 2 * (N + 1) + head.maxRel + 1 + 3 * M;
  return 5 * M + csr + 9 * M * C + 4 * M + M * V + 2 * M + (m.train ? 7 * M * C : 0);
}

/** SpanBERT's span boundary head in float64 (SboGraph's oracle), on top of the vocabulary head's reference. */
function sboHeadRef(r: RefHeadContext, head: SboHead): RefHeadResult {
  const mlm = gatheredHeadRef(r, TIED_DECODER(r.V));
  const { N, M, C, V, eps, P, hidden } = r;
  const sb = r.inputs.sbo;
  const none = new Array<number>(M).fill(-1);
  const left = sb ? sb.left : none;
  const right = sb ? sb.right : none;
  const rel = sb ? sb.rel : new Array<number>(M).fill(0);
  const ok = (m: number) => sb !== undefined && sb.weights[m] > 0 && left[m] >= 0 && right[m] >= 0;
  const weights = Array.from({ length: M }, (_, m) => (ok(m) ? sb!.weights[m] * head.weight : 0));
  const targets = Array.from({ length: M }, (_, m) => (ok(m) ? r.inputs.targets[m] : -1));
  const lin = (x: ArrayLike<number>, w: string, b?: string, out = C) =>
    matmulForward(x, P(w), { M, N: out, K: C, transB: true }, b ? P(b) : undefined);
  const sl = gatherRowsRef(hidden, left, N, C);
  const sr = gatherRowsRef(hidden, right, N, C);
  const sp = gatherRowsRef(P('sbo_rel'), rel, head.maxRel, C);
  const t1 = addRef(addRef(lin(sl, 'sbo_w1l', 'sbo_b1'), lin(sr, 'sbo_w1r')), lin(sp, 'sbo_w1p'));
  const g1 = geluForwardRef(t1);
  const n1 = layerNormForwardRef(g1, P('sbo_ln1_g'), P('sbo_ln1_b'), M, C, eps);
  const t2 = lin(n1.out, 'sbo_w2', 'sbo_b2');
  const g2 = geluForwardRef(t2);
  const n2 = layerNormForwardRef(g2, P('sbo_ln2_g'), P('sbo_ln2_b'), M, C, eps);
  const xe = crossEntropyRef(lin(n2.out, 'wte', 'sbo_decoder_b', V), targets, weights, M, V);
  let sboLoss = 0;
  for (let m = 0; m < M; m++) sboLoss += weights[m] * xe.losses[m];
  const shape = { M, N: C, K: C, transB: true };
  return {
    ...mlm,
    loss: mlm.loss + sboLoss,
    sboLoss,
    sboLosses: xe.losses,
    backward(acc) {
      const dx = mlm.backward(acc);
      const dec = matmulBackward(xe.dlogits, n2.out, P('wte'), { M, N: V, K: C, transB: true });
      acc('wte', dec.db);
      acc('sbo_decoder_b', dec.dbias);
      const d2 = layerNormBackwardRef(dec.da, g2, P('sbo_ln2_g'), n2.mean, n2.rstd, M, C);
      acc('sbo_ln2_g', d2.dgamma);
      acc('sbo_ln2_b', d2.dbeta);
      const fc2 = matmulBackward(geluBackwardRef(d2.dx, t2), n1.out, P('sbo_w2'), shape);
      acc('sbo_w2', fc2.db);
      acc('sbo_b2', fc2.dbias);
      const d1 = layerNormBackwardRef(fc2.da, g1, P('sbo_ln1_g'), n1.mean, n1.rstd, M, C);
      acc('sbo_ln1_g', d1.dgamma);
      acc('sbo_ln1_b', d1.dbeta);
      const dt1 = geluBackwardRef(d1.dx, t1);
      const l = matmulBackward(dt1, sl, P('sbo_w1l'), shape);
      const rr = matmulBackward(dt1, sr, P('sbo_w1r'), shape);
      const p = matmulBackward(dt1, sp, P('sbo_w1p'), shape);
      acc('sbo_w1l', l.db);
      acc('sbo_w1r', rr.db);
      acc('sbo_w1p', p.db);
      acc('sbo_b1', l.dbias);
      acc('sbo_rel', gatherRowsBackward(p.da, rel, head.maxRel, C));
      return addRef(addRef(dx, gatherRowsBackward(l.da, left, N, C)), gatherRowsBackward(rr.da, right, N, C));
    },
  };
}

/** The vocabulary head plus SBO: loss = MLM + weight x SBO; metrics: MLM at LOSS / CORRECT, SBO at AUX_*. */
export const spanBoundaryHead: HeadModule<SpanBoundaryHeadConfig> = {
  configure: (req) => ({
    kind: 'span-boundary',
    maxRel: Number(req.params.maxRel),
    weight: headOfKind(req, 'span-boundary').lossWeight,
  }),
  rows: 'vocab',
  tensors: (c, head) => [...vocabHeadTensors('', c.C, c.C, c.V), ...sboTensors(c.C, c.V, head.maxRel)],
  outputs: (c) => c.V,
  build(ctx, head): HeadGraph & { sbo: SboGraph } {
    const { k, N, M, C, V, eps, buf, P, G } = ctx;
    const mlm = gatheredHead(ctx, TIED_DECODER(V));
    const lnScratch = ctx.lnScratch ?? buf(layerNormScratchFloats({ N: M, C }), 'sbo.ln_scratch');
    const sbo = new SboGraph({
      k,
      head,
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
    const w = head.weight;
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
  hf: { model: 'masked-lm', tensors: vocabHfTensors, lossKind: 'masked-cross-entropy' },
  flops: (f) => ({ ...gatheredFlops(f, f.E, f.c.V), ...sboFlops(f) }),
  memory: (m, head) => gatheredMemory(m, m.E, m.c.V) + sboMemory(m, head),
  reference: (r, head) => sboHeadRef(r, head),
  preview: {
    note: () => 'The model predicts each span token, also from the two tokens around the span.',
    label: tokenLabel,
  },
};

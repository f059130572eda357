// The BERT encoder + MLM head on the GPU as one list of dispatches per phase (forward, loss, backward), built once
// per (config, batch B, target capacity M): every activation buffer and bind group is made here, none per step.
import { createStorage } from '../buffers';
import type { ModelConfig } from '../config';
import type { Dispatch, Kernels } from '../kernels';
import { attentionForward, attentionBackward, attentionSizes } from '../ops/attention';
import { add } from '../ops/elementwise';
import { createEmbeddingScratch, embeddingBackward, embeddingForward } from '../ops/embedding';
import { fill } from '../ops/fill';
import { gatherRows, scatterRows } from '../ops/gather';
import { geluBackward, geluForward } from '../ops/gelu';
import { layerNormBackward, layerNormForward, layerNormScratchFloats } from '../ops/layernorm';
import { binaryCrossEntropy, crossEntropy, topK } from '../ops/loss';
import { biasGrad, matmul, matmulSplitK, splitKScratchFloats } from '../ops/matmul';
import { headOutputs, isSharedTensor, VOCAB_HEAD, type HeadConfig } from './params';
import { noPositionBackward, noPositionForward } from '../ops/nopos';
import { SboGraph, type SboBatch } from './sbo';
import type { ParamState } from './state';

export interface GraphOptions {
  /** Sequences per batch. */
  B: number;
  /** Capacity of the target list (rows of the MLM head): positions beyond the batch's targets are -1. */
  M: number;
  /** Decoder-style attention (MEAP). */
  causal?: boolean;
  /** Build the backward pass (training graph) or not (evaluation / probe graph). */
  train: boolean;
  /** The prediction head (default: the vocabulary MLM head). */
  head?: HeadConfig;
  /** Rows for which top-k predictions are computed (prediction probe), 0 for none. */
  probeRows?: number;
  topK?: number;
  label?: string;
  /**
   * Probe training on a frozen encoder: the backward pass stops at the head (no gradient reaches the encoder, nor
   * the tied decoder's wte), so only the head's own tensors get gradients.
   */
  freezeEncoder?: boolean;
  /**
   * Name prefix of this encoder's layer and head tensors (ELECTRA's generator: GEN_PREFIX). The embeddings (wte,
   * wpe, wtt and their LayerNorm) are never prefixed: every encoder in a state shares them.
   */
  prefix?: string;
  /**
   * Width E of the shared embeddings when it differs from the encoder width C: a projection
   * `${prefix}embed_proj` (E -> C) follows the embedding LayerNorm, and the vocabulary head maps back to E.
   */
  embedWidth?: number;
}

/** One batch as the engine consumes it, as plain arrays (see src/masking/types.ts for how masking fills it). */
export interface EngineBatch {
  /** (B*T) corrupted token ids. */
  ids: Int32Array;
  /** (B*T) 1 = real token, 0 = padding. */
  valid: Int32Array;
  /** (M) target row in B*T, -1 = unused slot. */
  positions: Int32Array;
  /** (M) target id or class, -1 = none. */
  targets: Int32Array;
  /** (M) loss weight per target. */
  weights: Float32Array;
  /** Binary head only: (B*T) labels in {0, 1} and per-token loss weights. */
  labels?: Float32Array;
  tokenWeights?: Float32Array;
  /** The "sbo" objective: per-slot boundary rows, offsets and weights, aligned with positions / targets. */
  sbo?: SboBatch;
  /** ELECTRA: (B*T) the uncorrupted ids, into which the generator's samples are written for the discriminator. */
  originalIds?: Int32Array;
  /** The "position" objective: (B*T) 1 where the token's position embedding is replaced by wpe_none (0s if absent). */
  noPosition?: Int32Array;
}

/** The GPU buffers the CPU writes before each step. */
export interface GraphInputs {
  /** (B*T) i32 corrupted token ids. */
  ids: GPUBuffer;
  /** (B*T) i32 1 = real token, 0 = padding. */
  valid: GPUBuffer;
  /** (M) i32 target row in B*T, -1 = unused. */
  positions: GPUBuffer;
  /** (M) i32 target id, -1 = none. */
  targets: GPUBuffer;
  /** (M) f32 loss weight per target (1 / number of targets). */
  weights: GPUBuffer;
  /** Binary head: (B*T) f32 labels in {0, 1} (1 = replaced) and (B*T) f32 per-token loss weights. */
  labels: GPUBuffer;
  tokenWeights: GPUBuffer;
  /** (B*T) i32 position hiding flags (heads with hidePositions only). */
  noPos?: GPUBuffer;
}

interface LayerActs {
  qkv: GPUBuffer; // (N, 3C)
  att: GPUBuffer; // (B, NH, T, T)
  a: GPUBuffer; // (N, C) attention output, heads concatenated
  ao: GPUBuffer; // (N, C) after the output projection
  r1: GPUBuffer; // (N, C) ao + x
  h1: GPUBuffer; // (N, C) LayerNorm(r1)
  mean1: GPUBuffer; // (N)
  rstd1: GPUBuffer; // (N)
  f: GPUBuffer; // (N, F) fc pre-activation
  g: GPUBuffer; // (N, F) GELU(f)
  p: GPUBuffer; // (N, C) fc_proj output
  r2: GPUBuffer; // (N, C) p + h1
  h2: GPUBuffer; // (N, C) LayerNorm(r2): the layer output
  mean2: GPUBuffer;
  rstd2: GPUBuffer;
}

export class BertGraph {
  readonly inputs: GraphInputs;
  readonly N: number;
  /** Final hidden states (N, C). */
  readonly hidden: GPUBuffer;
  readonly layers: LayerActs[] = [];
  /** (M, O) logits (O = V, or K classes), or (N) for the binary head; training overwrites them with dlogits. */
  readonly logits: GPUBuffer;
  /** (M) f32 unweighted per-target losses, or (N) per-token for the binary head. */
  readonly losses: GPUBuffer;
  /** (M) i32 argmax per target row, or (N) 0/1 predictions for the binary head. */
  readonly argmax: GPUBuffer;
  readonly head: HeadConfig;
  /** Rows the loss covers: M, or N for the binary head. */
  readonly lossRows: number;
  readonly forward: Dispatch[] = [];
  /** The encoder's part of `forward` (embeddings and layers, no head): enough for frozen features. */
  readonly encoderForward: Dispatch[] = [];
  readonly loss: Dispatch[] = [];
  readonly backward: Dispatch[] = [];
  /** Top-k probe outputs (probeRows x topK), filled by `probe` dispatches (encode after forward, before loss). */
  readonly probe: Dispatch[] = [];
  readonly probeIds?: GPUBuffer;
  readonly probeProbs?: GPUBuffer;
  readonly probeRowsBuf?: GPUBuffer;
  /** SpanBERT's span boundary head, when the head config asks for it. */
  readonly sbo?: SboGraph;
  private readonly owned: GPUBuffer[] = [];

  constructor(
    readonly k: Kernels,
    readonly cfg: ModelConfig,
    readonly state: ParamState,
    readonly opt: GraphOptions,
  ) {
    const { C, F, T, V, NH, L, lnEps: eps } = cfg;
    const { B, M } = opt;
    const E = opt.embedWidth ?? C;
    const pre = opt.prefix ?? '';
    const N = B * T;
    this.N = N;
    const causal = opt.causal ?? false;
    const lbl = opt.label ?? (opt.train ? 'train' : 'eval');
    const buf = (floats: number, name: string) => {
      const b = createStorage(k.device, Math.max(1, floats) * 4, `${lbl}.${name}`);
      this.owned.push(b);
      return b;
    };
    // Layer and head tensors carry the prefix; the shared embeddings do not.
    const P = (n: string) => state.p(isSharedTensor(n) ? n : pre + n);
    const G = (n: string) => state.g(isSharedTensor(n) ? n : pre + n);

    this.inputs = {
      ids: buf(N, 'ids'),
      valid: buf(N, 'valid'),
      positions: buf(M, 'positions'),
      targets: buf(M, 'targets'),
      weights: buf(M, 'weights'),
      labels: buf(N, 'labels'),
      tokenWeights: buf(N, 'token_weights'),
    };
    const head = opt.head ?? VOCAB_HEAD;
    this.head = head;
    const hide = head.kind === 'classes' && head.hidePositions === true;
    if (hide) this.inputs.noPos = buf(N, 'no_pos');
    const O = headOutputs(cfg, head);
    if (head.kind === 'electra') throw new Error('an ELECTRA head is two graphs: build it with ElectraGraph');
    if (E !== C && head.kind !== 'vocab') throw new Error(`a ${head.kind} head needs the embedding width (${E}) to equal the encoder width (${C})`);
    const outW = head.kind === 'vocab' ? 'wte' : head.kind === 'classes' ? 'cls_w' : 'disc_out_w';
    const outB = head.kind === 'vocab' ? 'decoder_b' : head.kind === 'classes' ? 'cls_b' : 'disc_out_b';
    this.lossRows = head.kind === 'binary' ? N : M;
    const inp = this.inputs;

    // ---------- forward ----------
    const emb = buf(N * E, 'emb');
    const x0e = buf(N * E, 'x0');
    const embMean = buf(N, 'emb.mean');
    const embRstd = buf(N, 'emb.rstd');
    this.forward.push(
      embeddingForward(k, { ids: inp.ids, wte: P('wte'), wpe: P('wpe'), wtt: P('wtt'), out: emb }, { B, T, C: E, V }),
      ...(hide ? [noPositionForward(k, { ids: inp.ids, noPos: inp.noPos!, wte: P('wte'), wtt: P('wtt'), wnone: P('wpe_none'), out: emb }, { B, T, C: E, V })] : []),
      layerNormForward(k, { x: emb, gamma: P('emb_ln_g'), beta: P('emb_ln_b'), out: x0e, mean: embMean, rstd: embRstd }, { N, C: E, eps }, 'emb.ln'),
    );
    const linear = (x: GPUBuffer, w: string, b: string, out: GPUBuffer, rows: number, o: number, i: number, label: string) =>
      matmul(k, { a: x, b: P(w), bias: P(b), out, M: rows, N: o, K: i, transB: true, label: pre + label });
    const x0 = E === C ? x0e : buf(N * C, 'x0.proj');
    if (E !== C) this.forward.push(linear(x0e, 'embed_proj_w', 'embed_proj_b', x0, N, C, E, 'embed_proj'));
    let x = x0;
    for (let l = 0; l < L; l++) {
      const p = `h${l}.`;
      const s = attentionSizes({ B, T, C, NH });
      const a: LayerActs = {
        qkv: buf(N * 3 * C, p + 'qkv'),
        att: buf(s.att / 4, p + 'att'),
        a: buf(N * C, pre + p + 'a'),
        ao: buf(N * C, pre + p + 'ao'),
        r1: buf(N * C, pre + p + 'r1'),
        h1: buf(N * C, pre + p + 'h1'),
        mean1: buf(N, p + 'mean1'),
        rstd1: buf(N, p + 'rstd1'),
        f: buf(N * F, pre + p + 'f'),
        g: buf(N * F, pre + p + 'g'),
        p: buf(N * C, pre + p + 'p'),
        r2: buf(N * C, pre + p + 'r2'),
        h2: buf(N * C, pre + p + 'h2'),
        mean2: buf(N, p + 'mean2'),
        rstd2: buf(N, p + 'rstd2'),
      };
      this.layers.push(a);
      this.forward.push(
        linear(x, p + 'qkv_w', p + 'qkv_b', a.qkv, N, 3 * C, C, p + 'qkv'),
        ...attentionForward(k, { qkv: a.qkv, valid: inp.valid, out: a.a, att: a.att, B, T, C, NH, causal }),
        linear(a.a, p + 'attn_proj_w', p + 'attn_proj_b', a.ao, N, C, C, p + 'attn_proj'),
        add(k, { a: a.ao, b: x, out: a.r1 }, N * C, pre + p + 'res1'),
        layerNormForward(k, { x: a.r1, gamma: P(p + 'ln1_g'), beta: P(p + 'ln1_b'), out: a.h1, mean: a.mean1, rstd: a.rstd1 }, { N, C, eps }, pre + p + 'ln1'),
        linear(a.h1, p + 'fc_w', p + 'fc_b', a.f, N, F, C, p + 'fc'),
        geluForward(k, { x: a.f, out: a.g }, N * F, pre + p + 'gelu'),
        linear(a.g, p + 'fc_proj_w', p + 'fc_proj_b', a.p, N, C, F, p + 'fc_proj'),
        add(k, { a: a.p, b: a.h1, out: a.r2 }, N * C, pre + p + 'res2'),
        layerNormForward(k, { x: a.r2, gamma: P(p + 'ln2_g'), beta: P(p + 'ln2_b'), out: a.h2, mean: a.mean2, rstd: a.rstd2 }, { N, C, eps }, pre + p + 'ln2'),
      );
      x = a.h2;
    }
    this.hidden = x;
    this.encoderForward.push(...this.forward);

    // Gradient of the residual stream and LayerNorm scratch (training), allocated here for the SBO head.
    const dxBuf = opt.train ? buf(N * C, 'd.x') : undefined;
    const lnBuf = opt.train
      ? buf(Math.max(layerNormScratchFloats({ N, C }), layerNormScratchFloats({ N: M, C: E }), layerNormScratchFloats({ N, C: E })), 'd.ln_scratch')
      : undefined;

    // Head forward. vocab / classes: on the gathered target rows only; binary: on every token.
    const R = this.lossRows;
    const hm = head.kind === 'binary' ? x : buf(M * C, 'head.hm');
    const ht = buf(R * E, 'head.ht');
    const hg = buf(R * E, 'head.hg');
    const hln = buf(M * E, 'head.hln');
    const hMean = buf(M, 'head.mean');
    const hRstd = buf(M, 'head.rstd');
    this.logits = buf(R * O, 'logits');
    this.losses = buf(R, 'losses');
    this.argmax = buf(R, 'argmax');
    if (head.kind === 'binary') {
      this.forward.push(
        linear(x, 'disc_w', 'disc_b', ht, N, C, C, 'head.dense'),
        geluForward(k, { x: ht, out: hg }, N * C, 'head.gelu'),
        linear(hg, outW, outB, this.logits, N, 1, C, 'head.out'),
      );
    } else {
      this.forward.push(
        gatherRows(k, { src: x, index: inp.positions, out: hm }, { N, C, M }, 'head.gather'),
        linear(hm, 'head_w', 'head_b', ht, M, E, C, 'head.dense'),
        geluForward(k, { x: ht, out: hg }, M * E, pre + 'head.gelu'),
        layerNormForward(k, { x: hg, gamma: P('head_ln_g'), beta: P('head_ln_b'), out: hln, mean: hMean, rstd: hRstd }, { N: M, C: E, eps }, pre + 'head.ln'),
        matmul(k, { a: hln, b: P(outW), bias: P(outB), out: this.logits, M, N: O, K: E, transB: true, label: pre + 'head.decoder' }),
      );
    }
    if (opt.probeRows && opt.probeRows > 0 && head.kind !== 'binary') {
      const Rp = opt.probeRows;
      const K = Math.min(opt.topK ?? 5, O);
      this.probeRowsBuf = buf(Rp, 'probe.rows');
      this.probeIds = buf(Rp * K, 'probe.ids');
      this.probeProbs = buf(Rp * K, 'probe.probs');
      this.probe.push(topK(k, { M, V: O, R: Rp, K }, { logits: this.logits, rows: this.probeRowsBuf, ids: this.probeIds, probs: this.probeProbs }));
    }
    const dlogitsBinary = head.kind === 'binary' ? buf(N, 'dlogits') : undefined;
    if (head.kind === 'binary') {
      this.loss.push(
        binaryCrossEntropy(k, N, { logits: this.logits, labels: inp.labels, weights: inp.tokenWeights, losses: this.losses, dlogits: dlogitsBinary!, preds: this.argmax }),
      );
    } else {
      const xb = { logits: this.logits, targets: inp.targets, weights: inp.weights, losses: this.losses, argmax: this.argmax };
      this.loss.push(crossEntropy(k, { M, V: O }, xb, opt.train ? 'inplace' : 'none'));
    }
    if (head.kind === 'vocab' && head.sbo) {
      this.sbo = new SboGraph({ k, head: head.sbo, N, M, C, V, eps, train: opt.train, hidden: x, dHidden: dxBuf, targets: inp.targets, buf, P, G, lnScratch: lnBuf ?? buf(layerNormScratchFloats({ N: M, C }), 'sbo.ln_scratch') });
      this.forward.push(...this.sbo.forward);
      this.loss.push(...this.sbo.loss);
    }
    if (!opt.train) return;
    const dx = dxBuf!; // allocated above when training
    const lnScratch = lnBuf!;

    // ---------- backward ----------
    const dR = buf(N * C, 'd.r');
    const dA = buf(N * C, 'd.a');
    const dG = buf(N * F, 'd.g');
    const dF = buf(N * F, 'd.f');
    const dqkv = buf(N * 3 * C, 'd.qkv');
    const datt = buf(attentionSizes({ B, T, C, NH }).datt / 4, 'd.att');
    const dHm = buf(M * C, 'd.hm');
    const dHt = buf(R * E, 'd.ht');
    const dHg = buf(R * E, 'd.hg');
    const dHln = buf(M * E, 'd.hln');
    const bw = this.backward;
    // Weight gradients (out, in) over K = rows have few output tiles: on GPUs they split K (matmulSplitK). One
    // scratch, as large as the largest split needs, serves them all (they run one after another).
    const dwShapes: [number, number, number][] = [[3 * C, C, N], [C, C, N], [F, C, N], [C, F, N], [C, E, N], [E, C, M], [O, E, M]];
    const splitFloats = Math.max(...dwShapes.map(([o, i, rows]) => splitKScratchFloats(k, { M: o, N: i, K: rows, transA: true })));
    const splitScratch = splitFloats > 0 ? buf(splitFloats, 'd.splitk') : undefined;
    /** dW += dY^T X for W (o, i) over `rows` rows. */
    const dweight = (dy: GPUBuffer, xin: GPUBuffer, w: string, rows: number, o: number, i: number, label: string) =>
      matmulSplitK(k, { a: dy, b: xin, out: G(w), M: o, N: i, K: rows, transA: true, accumulate: true, label }, splitScratch);
    /** dX = dY W, dW += dY^T X, db += colsum(dY) for a Linear y = x W^T + b with W (out, inp). */
    const dlinear = (dy: GPUBuffer, xin: GPUBuffer, w: string, b: string, dxOut: GPUBuffer, rows: number, o: number, i: number, accumulate: boolean, label: string) => {
      bw.push(
        matmul(k, { a: dy, b: P(w), out: dxOut, M: rows, N: i, K: o, accumulate, label: `${pre}${label}.dx` }),
        ...dweight(dy, xin, w, rows, o, i, `${pre}${label}.dw`),
        biasGrad(k, { dy, db: G(b), M: rows, N: o, label: `${pre}${label}.db` }),
      );
    };
    if (head.kind === 'binary') {
      // dlogits (N, 1) -> out layer -> GELU -> dense, straight into the residual stream gradient.
      dlinear(dlogitsBinary!, hg, outW, outB, dHg, N, 1, C, false, 'head.out');
      bw.push(geluBackward(k, { dy: dHg, x: ht, dx: dHt }, N * C, 'head.gelu.backward'));
      dlinear(dHt, x, 'disc_w', 'disc_b', dx, N, C, C, false, 'head.dense');
      if (opt.freezeEncoder) return;
    } else {
      // dlogits (in place in logits) -> decoder -> LayerNorm -> GELU -> dense -> scatter into dx.
      bw.push(
        matmul(k, { a: this.logits, b: P(outW), out: dHln, M, N: E, K: O, label: pre + 'head.decoder.dx' }),
        ...(opt.freezeEncoder && outW === 'wte' ? [] : dweight(this.logits, hln, outW, M, O, E, pre + 'head.decoder.dw')),
        biasGrad(k, { dy: this.logits, db: G(outB), M, N: O, label: pre + 'head.decoder.db' }),
        ...layerNormBackward(k, { dy: dHln, x: hg, gamma: P('head_ln_g'), mean: hMean, rstd: hRstd, dx: dHg, dgamma: G('head_ln_g'), dbeta: G('head_ln_b'), scratch: lnScratch }, { N: M, C: E }, pre + 'head.ln.backward'),
        geluBackward(k, { dy: dHg, x: ht, dx: dHt }, M * E, pre + 'head.gelu.backward'),
      );
      dlinear(dHt, hm, 'head_w', 'head_b', dHm, M, E, C, false, 'head.dense');
      if (opt.freezeEncoder) return;
      bw.push(fill(k, dx, 0, N * C, pre + 'd.x.zero'), scatterRows(k, { src: dHm, index: inp.positions, dst: dx }, { N, C, M }, pre + 'head.scatter'));
      if (this.sbo) bw.push(...this.sbo.backward);
    }
    for (let l = L - 1; l >= 0; l--) {
      const p = `h${l}.`;
      const a = this.layers[l];
      const xin = l === 0 ? x0 : this.layers[l - 1].h2;
      bw.push(
        ...layerNormBackward(k, { dy: dx, x: a.r2, gamma: P(p + 'ln2_g'), mean: a.mean2, rstd: a.rstd2, dx: dR, dgamma: G(p + 'ln2_g'), dbeta: G(p + 'ln2_b'), scratch: lnScratch }, { N, C }, pre + p + 'ln2.backward'),
      );
      dlinear(dR, a.g, p + 'fc_proj_w', p + 'fc_proj_b', dG, N, C, F, false, p + 'fc_proj');
      bw.push(geluBackward(k, { dy: dG, x: a.f, dx: dF }, N * F, pre + p + 'gelu.backward'));
      // r2 = p + h1: d h1 = dR + dF fc_w, accumulated into dR.
      dlinear(dF, a.h1, p + 'fc_w', p + 'fc_b', dR, N, F, C, true, p + 'fc');
      bw.push(
        ...layerNormBackward(k, { dy: dR, x: a.r1, gamma: P(p + 'ln1_g'), mean: a.mean1, rstd: a.rstd1, dx, dgamma: G(p + 'ln1_g'), dbeta: G(p + 'ln1_b'), scratch: lnScratch }, { N, C }, pre + p + 'ln1.backward'),
      );
      dlinear(dx, a.a, p + 'attn_proj_w', p + 'attn_proj_b', dA, N, C, C, false, p + 'attn_proj');
      bw.push(...attentionBackward(k, { qkv: a.qkv, valid: inp.valid, att: a.att, dout: dA, dqkv, datt, B, T, C, NH, causal }));
      // r1 = ao + x: d x = d r1 + dqkv qkv_w, accumulated into dx.
      dlinear(dqkv, xin, p + 'qkv_w', p + 'qkv_b', dx, N, 3 * C, C, true, p + 'qkv');
    }
    const embScratch = createEmbeddingScratch(k.device, { B, T, C: E, V }, `${lbl}.d.emb_scratch`);
    for (const b of Object.values(embScratch)) this.owned.push(b as GPUBuffer);
    // With a projection, d x0e = dx embed_proj_w (N, E); then the embedding LayerNorm and the lookup, at width E.
    const dX0 = E === C ? dx : buf(N * E, 'd.x0');
    const dEmb = E === C ? dR : buf(N * E, 'd.emb');
    if (E !== C) dlinear(dx, x0e, 'embed_proj_w', 'embed_proj_b', dX0, N, C, E, false, 'embed_proj');
    bw.push(
      ...layerNormBackward(k, { dy: dX0, x: emb, gamma: P('emb_ln_g'), mean: embMean, rstd: embRstd, dx: dEmb, dgamma: G('emb_ln_g'), dbeta: G('emb_ln_b'), scratch: lnScratch }, { N, C: E }, pre + 'emb.ln.backward'),
      ...embeddingBackward(k, { dout: dEmb, ids: inp.ids, dwte: G('wte'), dwpe: G('wpe'), dwtt: G('wtt'), scratch: embScratch }, { B, T, C: E, V }),
    );
    if (hide) {
      bw.push(...noPositionBackward(k, { dout: dEmb, noPos: inp.noPos!, dwpe: G('wpe'), dwnone: G('wpe_none'), scratch: buf(T * E, 'd.nopos_scratch') }, { B, T, C: E, V }));
    }
  }

  /** Writes a batch's inputs (ids, valid, targets) into the graph's input buffers. */
  writeInputs(b: EngineBatch): void {
    const q = this.k.device.queue;
    const { N } = this;
    const M = this.opt.M;
    const check = (name: string, got: number, want: number) => {
      if (got !== want) throw new Error(`batch ${name} has ${got} entries, the graph expects ${want}`);
    };
    check('ids', b.ids.length, N);
    check('valid', b.valid.length, N);
    check('positions', b.positions.length, M);
    check('targets', b.targets.length, M);
    check('weights', b.weights.length, M);
    q.writeBuffer(this.inputs.ids, 0, b.ids);
    q.writeBuffer(this.inputs.valid, 0, b.valid);
    q.writeBuffer(this.inputs.positions, 0, b.positions);
    q.writeBuffer(this.inputs.targets, 0, b.targets);
    q.writeBuffer(this.inputs.weights, 0, b.weights);
    this.sbo?.writeInputs(b.sbo, b.targets);
    if (this.inputs.noPos) {
      if (b.noPosition) check('noPosition', b.noPosition.length, N);
      q.writeBuffer(this.inputs.noPos, 0, b.noPosition ?? new Int32Array(N));
    }
    if (this.head.kind === 'binary') {
      if (!b.labels || !b.tokenWeights) throw new Error('the binary head needs per-token labels and weights');
      check('labels', b.labels.length, N);
      check('token weights', b.tokenWeights.length, N);
      q.writeBuffer(this.inputs.labels, 0, b.labels);
      q.writeBuffer(this.inputs.tokenWeights, 0, b.tokenWeights);
    }
  }

  get dispatchCount(): number {
    return this.forward.length + this.loss.length + this.backward.length;
  }

  destroy(): void {
    for (const b of this.owned) b.destroy();
  }
}

// The BERT encoder on the GPU as one list of dispatches per phase (forward, loss, backward), with the prediction
// head asked of its module (heads/), built once per (config, batch B, target capacity M): every activation buffer
// and bind group is made here, none per step.
//
// THE MODEL IN ORDER (B sequences of T tokens, N = B*T rows; width C, FFN F, NH heads, L layers, vocabulary V,
// embedding width E = C except in ELECTRA's generator; M gathered target rows):
//   ids (N) i32 ──embeddingForward──> emb (N, E) = wte[ids] + wpe[t] + wtt[0]          (ops/embedding.ts)
//       [position head: noPositionForward puts wpe_none in place of wpe[t] at flagged rows]  (heads/position.ts)
//   emb ──layerNormForward──> x0 (N, E) ──[E != C: linear embed_proj]──> x (N, C)
//   L times, post-LN (BertLayer), buffers in LayerActs:
//     x ──linear qkv_w──> qkv (N, 3C) ──attentionForward──> a (N, C)       att (B, NH, T, T) softmax, causal or not
//     a ──linear attn_proj──> ao; r1 = ao + x; h1 = LayerNorm(r1)           (N, C)
//     h1 ──linear fc──> f (N, F) ──GELU──> g ──linear fc_proj──> p (N, C); r2 = p + h1; x = h2 = LayerNorm(r2)
//   hidden = x (N, C): the encoder's output (encoderForward ends here; frozen features read it)
//   head (headModule(head).build, heads/*.ts): logits, per-row losses and argmax
//     vocabulary (vocab.ts): gather M rows (M, C) -> dense (M, E) -> GELU -> LayerNorm -> x wte^T + b (M, V)
//     k-class (classes.ts): the same transform -> cls_w (M, K);  position (position.ts): K = T
//     binary (binary.ts): on all N rows: dense (N, C) -> GELU -> disc_out (N, 1) -> binary cross-entropy
//     span-boundary (spanBoundary.ts): the vocabulary head + SBO's MLP over boundary rows and offsets (M, V)
//     next-token (nextToken.ts): the vocabulary head on a causal encoder
//     ELECTRA (../electra.ts): a generator BertGraph (vocabulary head) + Gumbel sample + discriminator (binary)
//   loss: softmax cross-entropy (in place: logits become dlogits when training)
//   backward: the head's backward writes d hidden (N, C); the layers' backward in reverse; embed_proj; the
//   embedding LayerNorm; the lookup's scatter into dwte/dwpe/dwtt (deterministic, no atomics); the head's hook.
import type { ModelConfig } from '../config';
import type { Dispatch, Kernels } from '../kernels';
import { attentionForward, attentionBackward, attentionSizes } from '../ops/attention';
import { add } from '../ops/elementwise';
import { createEmbeddingScratch, embeddingBackward, embeddingForward } from '../ops/embedding';
import { geluBackward, geluForward } from '../ops/gelu';
import { layerNormBackward, layerNormForward, layerNormScratchFloats } from '../ops/layernorm';
import { biasGrad, matmul, matmulSplitK, splitKScratchFloats } from '../ops/matmul';
import { isSharedTensor } from './params';
import type { EngineBatch, GraphInputs } from './batch';
import { headModule, VOCAB_HEAD, type HeadConfig, type HeadContext, type HeadGraph } from './heads';
import type { SboGraph } from './heads/spanBoundary';
import type { EvalResult } from './heads/types';
import type { ParamState } from './state';

export type { EngineBatch, GraphInputs } from './batch';

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
   * With freezeEncoder: the backward still runs through the encoder (so that the [MASK] row of wte gets its input
   * gradient; the tied decoder's wte gradient stays off), and the Trainer masks every encoder gradient but that
   * row to 0 (TrainerOptions.probeInputRow).
   */
  inputRowGrad?: boolean;
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

/** What the trainer drives: one encoder and its head (BertGraph), or ELECTRA's two (ElectraGraph). */
export interface ModelGraph {
  readonly opt: { B: number; M: number };
  readonly N: number;
  readonly forward: Dispatch[];
  readonly loss: Dispatch[];
  readonly backward: Dispatch[];
  /** Rows of `losses` / `argmax` (M gathered targets, or N tokens). */
  readonly lossRows: number;
  readonly losses: GPUBuffer;
  readonly argmax: GPUBuffer;
  writeInputs(b: EngineBatch): void;
  /** Called before each step's (and each evaluation batch's) submit with its index (ELECTRA draws anew). */
  setStep(step: number): void;
  /** The head's loss and accuracy reductions into a metrics row (METRIC in heads/types.ts). */
  metricDispatches(out: GPUBuffer, label: string): Dispatch[];
  /** A metrics row (or a sum of rows) as loss, accuracy and parts. */
  decodeMetrics(v: ArrayLike<number>): EvalResult;
  destroy(): void;
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

export class BertGraph implements ModelGraph {
  readonly inputs: GraphInputs;
  readonly N: number;
  /** Final hidden states (N, C). */
  readonly hidden: GPUBuffer;
  readonly layers: LayerActs[] = [];
  readonly head: HeadConfig;
  /** The head's buffers and dispatches (heads/). */
  readonly headGraph: HeadGraph;
  readonly forward: Dispatch[] = [];
  /** The encoder's part of `forward` (embeddings and layers, no head): enough for frozen features. */
  readonly encoderForward: Dispatch[] = [];
  readonly loss: Dispatch[] = [];
  readonly backward: Dispatch[] = [];
  /** This graph's own Kernels: every buffer it makes (activations, uniforms) is in its registry, released by destroy. */
  readonly k: Kernels;
  private readonly embedHook?: { writeInputs(b: EngineBatch): void };

  constructor(
    parent: Kernels,
    readonly cfg: ModelConfig,
    readonly state: ParamState,
    readonly opt: GraphOptions,
  ) {
    const k = parent.scoped();
    this.k = k;
    const { C, F, T, V, NH, L, lnEps: eps } = cfg;
    const { B, M } = opt;
    const E = opt.embedWidth ?? C;
    const pre = opt.prefix ?? '';
    const N = B * T;
    this.N = N;
    const causal = opt.causal ?? false;
    const lbl = opt.label ?? (opt.train ? 'train' : 'eval');
    const head = opt.head ?? VOCAB_HEAD;
    this.head = head;
    const mod = headModule(head);
    if (mod.notOnOneEncoder) throw new Error(mod.notOnOneEncoder);
    if (E !== C && !mod.embedWidth)
      throw new Error(`a ${head.kind} head needs the embedding width (${E}) to equal the encoder width (${C})`);
    const buf = (floats: number, name: string) => k.storage(Math.max(1, floats) * 4, `${lbl}.${name}`, 'activations');
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
    const inp = this.inputs;

    // ---------- forward: embeddings ----------
    const emb = buf(N * E, 'emb');
    const x0e = buf(N * E, 'x0');
    const embMean = buf(N, 'emb.mean');
    const embRstd = buf(N, 'emb.rstd');
    const hook = mod.embedding?.({ k, B, T, E, V, ids: inp.ids, emb, buf, P, G }, head);
    this.embedHook = hook;
    this.forward.push(
      embeddingForward(k, { ids: inp.ids, wte: P('wte'), wpe: P('wpe'), wtt: P('wtt'), out: emb }, { B, T, C: E, V }),
      ...(hook?.forward ?? []),
      layerNormForward(
        k,
        { x: emb, gamma: P('emb_ln_g'), beta: P('emb_ln_b'), out: x0e, mean: embMean, rstd: embRstd },
        { N, C: E, eps },
        'emb.ln',
      ),
    );
    const linear = (
      x: GPUBuffer,
      w: string,
      b: string,
      out: GPUBuffer,
      rows: number,
      o: number,
      i: number,
      label: string,
    ) => matmul(k, { a: x, b: P(w), bias: P(b), out, M: rows, N: o, K: i, transB: true, label: pre + label });
    const x0 = E === C ? x0e : buf(N * C, 'x0.proj');
    if (E !== C) this.forward.push(linear(x0e, 'embed_proj_w', 'embed_proj_b', x0, N, C, E, 'embed_proj'));

    // ---------- forward: L post-LN layers ----------
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
        layerNormForward(
          k,
          { x: a.r1, gamma: P(p + 'ln1_g'), beta: P(p + 'ln1_b'), out: a.h1, mean: a.mean1, rstd: a.rstd1 },
          { N, C, eps },
          pre + p + 'ln1',
        ),
        linear(a.h1, p + 'fc_w', p + 'fc_b', a.f, N, F, C, p + 'fc'),
        geluForward(k, { x: a.f, out: a.g }, N * F, pre + p + 'gelu'),
        linear(a.g, p + 'fc_proj_w', p + 'fc_proj_b', a.p, N, C, F, p + 'fc_proj'),
        add(k, { a: a.p, b: a.h1, out: a.r2 }, N * C, pre + p + 'res2'),
        layerNormForward(
          k,
          { x: a.r2, gamma: P(p + 'ln2_g'), beta: P(p + 'ln2_b'), out: a.h2, mean: a.mean2, rstd: a.rstd2 },
          { N, C, eps },
          pre + p + 'ln2',
        ),
      );
      x = a.h2;
    }
    this.hidden = x;
    this.encoderForward.push(...this.forward);

    // Training scratch the head shares: the residual stream's gradient, LayerNorm scratch, split-K scratch.
    const dx = opt.train ? buf(N * C, 'd.x') : undefined;
    const lnScratch = opt.train
      ? buf(
          Math.max(
            layerNormScratchFloats({ N, C }),
            layerNormScratchFloats({ N: M, C: E }),
            layerNormScratchFloats({ N, C: E }),
          ),
          'd.ln_scratch',
        )
      : undefined;
    // Weight gradients (out, in) over K = rows have few output tiles: on GPUs they split K (matmulSplitK). One
    // scratch, as large as the largest split needs, serves them all (they run one after another): the layers',
    // embed_proj's, and a gathered head's dense (E, C) and output (O, E) layers over M rows.
    const O = mod.outputs(cfg, head);
    const dwShapes: [number, number, number][] = [
      [3 * C, C, N],
      [C, C, N],
      [F, C, N],
      [C, F, N],
      [C, E, N],
      [E, C, M],
      [O, E, M],
    ];
    const splitFloats = opt.train
      ? Math.max(...dwShapes.map(([o, i, rows]) => splitKScratchFloats(k, { M: o, N: i, K: rows, transA: true })))
      : 0;
    const splitScratch = splitFloats > 0 ? buf(splitFloats, 'd.splitk') : undefined;
    /** dW += dY^T X for W (o, i) over `rows` rows. */
    const dweight = (dy: GPUBuffer, xin: GPUBuffer, w: string, rows: number, o: number, i: number, label: string) =>
      matmulSplitK(
        k,
        { a: dy, b: xin, out: G(w), M: o, N: i, K: rows, transA: true, accumulate: true, label },
        splitScratch,
      );
    /** dX = dY W, dW += dY^T X, db += colsum(dY) for a Linear y = x W^T + b with W (out, inp). */
    const dlinear = (
      dy: GPUBuffer,
      xin: GPUBuffer,
      w: string,
      b: string,
      dxOut: GPUBuffer,
      rows: number,
      o: number,
      i: number,
      accumulate: boolean,
      label: string,
    ) => [
      matmul(k, { a: dy, b: P(w), out: dxOut, M: rows, N: i, K: o, accumulate, label: `${pre}${label}.dx` }),
      ...dweight(dy, xin, w, rows, o, i, `${pre}${label}.dw`),
      biasGrad(k, { dy, db: G(b), M: rows, N: o, label: `${pre}${label}.db` }),
    ];

    // ---------- the head: forward, probe, loss, and its backward down to d hidden ----------
    const ctx: HeadContext = {
      k,
      cfg,
      N,
      M,
      C,
      E,
      V,
      eps,
      train: opt.train,
      freezeEncoder: opt.train && (opt.freezeEncoder ?? false),
      inputRowGrad: opt.train && (opt.freezeEncoder ?? false) && (opt.inputRowGrad ?? false),
      prefix: pre,
      hidden: x,
      dHidden: dx,
      lnScratch,
      inputs: inp,
      probeRows: opt.probeRows ?? 0,
      topK: opt.topK ?? 5,
      buf,
      P,
      G,
      linear,
      dlinear,
      dweight: (dy, xin, w, rows, o, i, label) => dweight(dy, xin, w, rows, o, i, pre + label),
    };
    const hg = mod.build(ctx, head);
    this.headGraph = hg;
    this.forward.push(...hg.forward);
    this.loss.push(...hg.loss);
    if (!opt.train) return;
    this.backward.push(...hg.backward);
    if (opt.freezeEncoder && !opt.inputRowGrad) return;

    // ---------- backward: the layers in reverse, then the embeddings ----------
    const dR = buf(N * C, 'd.r');
    const dA = buf(N * C, 'd.a');
    const dG = buf(N * F, 'd.g');
    const dF = buf(N * F, 'd.f');
    const dqkv = buf(N * 3 * C, 'd.qkv');
    const datt = buf(attentionSizes({ B, T, C, NH }).datt / 4, 'd.att');
    const bw = this.backward;
    const dX = dx!;
    const ln = lnScratch!;
    for (let l = L - 1; l >= 0; l--) {
      const p = `h${l}.`;
      const a = this.layers[l];
      const xin = l === 0 ? x0 : this.layers[l - 1].h2;
      bw.push(
        ...layerNormBackward(
          k,
          {
            dy: dX,
            x: a.r2,
            gamma: P(p + 'ln2_g'),
            mean: a.mean2,
            rstd: a.rstd2,
            dx: dR,
            dgamma: G(p + 'ln2_g'),
            dbeta: G(p + 'ln2_b'),
            scratch: ln,
          },
          { N, C },
          pre + p + 'ln2.backward',
        ),
        ...dlinear(dR, a.g, p + 'fc_proj_w', p + 'fc_proj_b', dG, N, C, F, false, p + 'fc_proj'),
        geluBackward(k, { dy: dG, x: a.f, dx: dF }, N * F, pre + p + 'gelu.backward'),
        // r2 = p + h1: d h1 = dR + dF fc_w, accumulated into dR.
        ...dlinear(dF, a.h1, p + 'fc_w', p + 'fc_b', dR, N, F, C, true, p + 'fc'),
        ...layerNormBackward(
          k,
          {
            dy: dR,
            x: a.r1,
            gamma: P(p + 'ln1_g'),
            mean: a.mean1,
            rstd: a.rstd1,
            dx: dX,
            dgamma: G(p + 'ln1_g'),
            dbeta: G(p + 'ln1_b'),
            scratch: ln,
          },
          { N, C },
          pre + p + 'ln1.backward',
        ),
        ...dlinear(dX, a.a, p + 'attn_proj_w', p + 'attn_proj_b', dA, N, C, C, false, p + 'attn_proj'),
        ...attentionBackward(k, {
          qkv: a.qkv,
          valid: inp.valid,
          att: a.att,
          dout: dA,
          dqkv,
          datt,
          B,
          T,
          C,
          NH,
          causal,
        }),
        // r1 = ao + x: d x = d r1 + dqkv qkv_w, accumulated into dx.
        ...dlinear(dqkv, xin, p + 'qkv_w', p + 'qkv_b', dX, N, 3 * C, C, true, p + 'qkv'),
      );
    }
    const embScratch = createEmbeddingScratch(k.device, { B, T, C: E, V }, `${lbl}.d.emb_scratch`);
    for (const b of Object.values(embScratch)) k.register(b as GPUBuffer, 'activations');
    // With a projection, d x0e = dx embed_proj_w (N, E); then the embedding LayerNorm and the lookup, at width E.
    const dX0 = E === C ? dX : buf(N * E, 'd.x0');
    const dEmb = E === C ? dR : buf(N * E, 'd.emb');
    if (E !== C) bw.push(...dlinear(dX, x0e, 'embed_proj_w', 'embed_proj_b', dX0, N, C, E, false, 'embed_proj'));
    bw.push(
      ...layerNormBackward(
        k,
        {
          dy: dX0,
          x: emb,
          gamma: P('emb_ln_g'),
          mean: embMean,
          rstd: embRstd,
          dx: dEmb,
          dgamma: G('emb_ln_g'),
          dbeta: G('emb_ln_b'),
          scratch: ln,
        },
        { N, C: E },
        pre + 'emb.ln.backward',
      ),
      ...embeddingBackward(
        k,
        { dout: dEmb, ids: inp.ids, dwte: G('wte'), dwpe: G('wpe'), dwtt: G('wtt'), scratch: embScratch },
        { B, T, C: E, V },
      ),
      ...(hook ? hook.backward(dEmb) : []),
    );
  }

  /** (M, O) logits (O = V, or K classes), or (N) for the binary head; training overwrites them with dlogits. */
  get logits(): GPUBuffer {
    return this.headGraph.logits;
  }

  /** (M) f32 unweighted per-target losses, or (N) per-token for the binary head. */
  get losses(): GPUBuffer {
    return this.headGraph.losses;
  }

  /** (M) i32 argmax per target row, or (N) 0/1 predictions for the binary head. */
  get argmax(): GPUBuffer {
    return this.headGraph.argmax;
  }

  /** Rows the loss covers: M, or N for the binary head. */
  get lossRows(): number {
    return this.headGraph.lossRows;
  }

  /** Top-k probe outputs (probeRows x topK), filled by `probe` dispatches (encode after forward, before loss). */
  get probe(): Dispatch[] {
    return this.headGraph.probe;
  }

  get probeIds(): GPUBuffer | undefined {
    return this.headGraph.probeIds;
  }

  get probeProbs(): GPUBuffer | undefined {
    return this.headGraph.probeProbs;
  }

  get probeRowsBuf(): GPUBuffer | undefined {
    return this.headGraph.probeRowsBuf;
  }

  /** SpanBERT's span boundary head, when the head config asks for it. */
  get sbo(): SboGraph | undefined {
    return (this.headGraph as HeadGraph & { sbo?: SboGraph }).sbo;
  }

  /** Writes a batch's inputs (ids, valid, targets, and what the head reads) into the graph's input buffers. */
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
    this.embedHook?.writeInputs(b);
    this.headGraph.writeInputs(b);
  }

  setStep(): void {}

  metricDispatches(out: GPUBuffer, label: string): Dispatch[] {
    return this.headGraph.metrics(out, label);
  }

  decodeMetrics(v: ArrayLike<number>): EvalResult {
    return this.headGraph.decode(v);
  }

  get dispatchCount(): number {
    return this.forward.length + this.loss.length + this.backward.length;
  }

  /** Destroys every buffer the graph made (activations, scratch, its dispatches' uniforms). */
  destroy(): void {
    this.k.releaseAll();
  }
}

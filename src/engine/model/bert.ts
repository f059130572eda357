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
import { fused } from '../fusion';
import {
  createEmbeddingScratch,
  embeddingBackward,
  embeddingForward,
  sortedIdsArrays,
  writeSortedIds,
  type EmbeddingScratch,
  type SortedIds,
} from '../ops/embedding';
import { layerNormBackward, layerNormForward, layerNormScratchFloats } from '../ops/layernorm';
import { splitKScratchFloats } from '../ops/matmul';
import { isSharedTensor } from './params';
import type { EngineBatch, GraphInputs } from './batch';
import { headModule, VOCAB_HEAD, type HeadConfig, type HeadGraph } from './heads';
import type { SboGraph } from './heads/spanBoundary';
import type { EvalResult } from './heads/types';
import { layerBackward, layerForward, layerGrads, type LayerActs, type LayerContext } from './layer';
import { linearOps, type LinearOps } from './linear';
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
   * The ids are written on the GPU, not by writeInputs (ELECTRA's discriminator: the sampler writes them): the
   * embedding backward then sorts them there, not on the CPU (fusion.ts's id_sort).
   */
  idsOnGpu?: boolean;
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

/** The graph's buffer helpers: graph-owned storage, and parameter / gradient bindings by tensor name. */
interface GraphBase {
  k: Kernels;
  buf(floats: number, name: string): GPUBuffer;
  /** Layer and head tensors carry the graph's prefix; the shared embeddings do not. */
  P(name: string): GPUBufferBinding;
  G(name: string): GPUBufferBinding;
}

/** The batch's input buffers: N = B*T tokens, M target slots. */
function graphInputs(g: GraphBase, N: number, M: number): GraphInputs {
  return {
    ids: g.buf(N, 'ids'),
    valid: g.buf(N, 'valid'),
    positions: g.buf(M, 'positions'),
    targets: g.buf(M, 'targets'),
    weights: g.buf(M, 'weights'),
    labels: g.buf(N, 'labels'),
    tokenWeights: g.buf(N, 'token_weights'),
  };
}

/** The embedding sum and its LayerNorm (width E), and what their backward reads. */
interface Embedding {
  forward: Dispatch[];
  /** (N, E) wte[ids] + wpe + wtt, and its LayerNorm x0e with the row statistics. */
  emb: GPUBuffer;
  x0e: GPUBuffer;
  mean: GPUBuffer;
  rstd: GPUBuffer;
  /** A head's changes to the embeddings (the position head's hidden positions). */
  hook?: HeadEmbeddingHook;
}

type HeadEmbeddingHook = ReturnType<NonNullable<HeadModuleOf['embedding']>>;
type HeadModuleOf = ReturnType<typeof headModule>;

function embeddingPhase(
  g: GraphBase,
  cfg: ModelConfig,
  inp: GraphInputs,
  d: { B: number; E: number },
  head: HeadConfig,
): Embedding {
  const { k, buf, P } = g;
  const { T, V, lnEps: eps } = cfg;
  const { B, E } = d;
  const N = B * T;
  const emb = buf(N * E, 'emb');
  const x0e = buf(N * E, 'x0');
  const mean = buf(N, 'emb.mean');
  const rstd = buf(N, 'emb.rstd');
  const hook = headModule(head).embedding?.({ k, B, T, E, V, ids: inp.ids, emb, buf, P, G: g.G }, head);
  const forward = [
    embeddingForward(k, { ids: inp.ids, wte: P('wte'), wpe: P('wpe'), wtt: P('wtt'), out: emb }, { B, T, C: E, V }),
    ...(hook?.forward ?? []),
    layerNormForward(
      k,
      { x: emb, gamma: P('emb_ln_g'), beta: P('emb_ln_b'), out: x0e, mean, rstd },
      { N, C: E, eps },
      'emb.ln',
    ),
  ];
  return { forward, emb, x0e, mean, rstd, hook };
}

/** Training scratch the layers and the head share: d hidden, LayerNorm scratch, the weight gradients' split K. */
function trainingScratch(
  g: GraphBase,
  cfg: ModelConfig,
  d: { N: number; M: number; E: number; O: number },
): { dx: GPUBuffer; ln: GPUBuffer; splitK?: GPUBuffer } {
  const { C, F } = cfg;
  const { N, M, E, O } = d;
  const ln = g.buf(
    Math.max(
      layerNormScratchFloats({ N, C }),
      layerNormScratchFloats({ N: M, C: E }),
      layerNormScratchFloats({ N, C: E }),
    ),
    'd.ln_scratch',
  );
  // Weight gradients (out, in) over K = rows have few output tiles: on GPUs they split K (matmulSplitK). One
  // scratch, as large as the largest split needs, serves them all (they run one after another): the layers',
  // embed_proj's, and a gathered head's dense (E, C) and output (O, E) layers over M rows.
  const dwShapes: [number, number, number][] = [
    [3 * C, C, N],
    [C, C, N],
    [F, C, N],
    [C, F, N],
    [C, E, N],
    [E, C, M],
    [O, E, M],
  ];
  const split = Math.max(
    ...dwShapes.map(([o, i, rows]) => splitKScratchFloats(g.k, { M: o, N: i, K: rows, transA: true })),
  );
  return { dx: g.buf(N * C, 'd.x'), ln, ...(split > 0 ? { splitK: g.buf(split, 'd.splitk') } : {}) };
}

/**
 * The embeddings' backward from d x0 (N, C): embed_proj, the LayerNorm, the lookup's scatter, the head's hook; and
 * its scratch, into which writeInputs sorts the ids when `presorted`.
 */
function embeddingBackwardPhase(
  g: GraphBase,
  cfg: ModelConfig,
  e: Embedding,
  d: { B: number; E: number; dX: GPUBuffer; dR: GPUBuffer; ln: GPUBuffer; ids: GPUBuffer; lbl: string; pre: string },
  lin: LinearOps,
  presorted: boolean,
): { dispatches: Dispatch[]; scratch: EmbeddingScratch } {
  const { k, buf, P, G } = g;
  const { C, T, V } = cfg;
  const { B, E } = d;
  const N = B * T;
  const sc = createEmbeddingScratch(k.device, { B, T, C: E, V }, `${d.lbl}.d.emb_scratch`);
  for (const b of Object.values(sc)) k.register(b as GPUBuffer, 'activations');
  // With a projection, d x0e = dx embed_proj_w (N, E); then the embedding LayerNorm and the lookup, at width E.
  const dX0 = E === C ? d.dX : buf(N * E, 'd.x0');
  const dEmb = E === C ? d.dR : buf(N * E, 'd.emb');
  const dispatches = [
    ...(E !== C ? lin.dlinear(d.dX, e.x0e, 'embed_proj_w', 'embed_proj_b', dX0, N, C, E, false, 'embed_proj') : []),
    ...layerNormBackward(
      k,
      {
        ...{ dy: dX0, x: e.emb, gamma: P('emb_ln_g'), mean: e.mean, rstd: e.rstd, dx: dEmb },
        ...{ dgamma: G('emb_ln_g'), dbeta: G('emb_ln_b'), scratch: d.ln },
      },
      { N, C: E },
      d.pre + 'emb.ln.backward',
    ),
    ...embeddingBackward(
      k,
      { dout: dEmb, ids: d.ids, dwte: G('wte'), dwpe: G('wpe'), dwtt: G('wtt'), scratch: sc },
      { B, T, C: E, V },
      undefined,
      presorted,
    ),
    ...(e.hook ? e.hook.backward(dEmb) : []),
  ];
  return { dispatches, scratch: sc };
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
  /** With id_sort: where writeInputs sorts the ids for the embedding backward (ops/embedding.ts sortIds). */
  private idSort?: { scratch: EmbeddingScratch; cpu: SortedIds };

  constructor(
    parent: Kernels,
    readonly cfg: ModelConfig,
    readonly state: ParamState,
    readonly opt: GraphOptions,
  ) {
    const k = parent.scoped();
    this.k = k;
    const { C, T, L, V, lnEps: eps } = cfg;
    const { B, M } = opt;
    const E = opt.embedWidth ?? C;
    const pre = opt.prefix ?? '';
    const N = B * T;
    this.N = N;
    const lbl = opt.label ?? (opt.train ? 'train' : 'eval');
    const head = opt.head ?? VOCAB_HEAD;
    this.head = head;
    const mod = headModule(head);
    if (mod.notOnOneEncoder) throw new Error(mod.notOnOneEncoder);
    if (E !== C && !mod.embedWidth)
      throw new Error(`a ${head.kind} head needs the embedding width (${E}) to equal the encoder width (${C})`);
    const g: GraphBase = {
      k,
      buf: (floats, name) => k.storage(Math.max(1, floats) * 4, `${lbl}.${name}`, 'activations'),
      P: (n) => state.p(isSharedTensor(n) ? n : pre + n),
      G: (n) => state.g(isSharedTensor(n) ? n : pre + n),
    };
    const { buf, P, G } = g;
    this.inputs = graphInputs(g, N, M);
    const inp = this.inputs;
    const scratch = opt.train ? trainingScratch(g, cfg, { N, M, E, O: mod.outputs(cfg, head) }) : undefined;
    const lin = linearOps({ k, P, G, buf, prefix: pre, splitScratch: scratch?.splitK });

    // ---------- forward: embeddings, then L post-LN layers (layer.ts) ----------
    const embed = embeddingPhase(g, cfg, inp, { B, E }, head);
    this.embedHook = embed.hook;
    this.forward.push(...embed.forward);
    const x0 = E === C ? embed.x0e : buf(N * C, 'x0.proj');
    if (E !== C) this.forward.push(lin.linear(embed.x0e, 'embed_proj_w', 'embed_proj_b', x0, N, C, E, 'embed_proj'));
    const layer: LayerContext = {
      ...{ k, B, T, C, F: cfg.F, NH: cfg.NH, eps, causal: opt.causal ?? false, prefix: pre },
      ...{ valid: inp.valid, buf, P, G, lin },
    };
    let x = x0;
    for (let l = 0; l < L; l++) {
      const { acts, dispatches } = layerForward(layer, l, x);
      this.layers.push(acts);
      this.forward.push(...dispatches);
      x = acts.h2;
    }
    this.hidden = x;
    this.encoderForward.push(...this.forward);

    // ---------- the head: forward, probe, loss, and its backward down to d hidden ----------
    const hg = mod.build(
      {
        ...{ k, cfg, N, M, C, E, V, eps, train: opt.train, prefix: pre, hidden: x, inputs: inp, buf, P, G },
        freezeEncoder: opt.train && (opt.freezeEncoder ?? false),
        inputRowGrad: opt.train && (opt.freezeEncoder ?? false) && (opt.inputRowGrad ?? false),
        dHidden: scratch?.dx,
        lnScratch: scratch?.ln,
        probeRows: opt.probeRows ?? 0,
        topK: opt.topK ?? 5,
        ...{ linear: lin.linear, linearGelu: lin.linearGelu, dlinear: lin.dlinear, dlinearGelu: lin.dlinearGelu },
        ...{ dparams: lin.dparams, dweight: lin.dweight },
      },
      head,
    );
    this.headGraph = hg;
    this.forward.push(...hg.forward);
    this.loss.push(...hg.loss);
    if (!scratch) return;
    this.backward.push(...hg.backward);
    if (opt.freezeEncoder && !opt.inputRowGrad) return;

    // ---------- backward: the layers in reverse, then the embeddings ----------
    const d = layerGrads(layer, scratch.ln, scratch.dx);
    for (let l = L - 1; l >= 0; l--)
      this.backward.push(...layerBackward(layer, l, this.layers[l], l === 0 ? x0 : this.layers[l - 1].h2, d));
    const presorted = fused(k.tuning, 'id_sort') && !opt.idsOnGpu;
    const e = { B, E, dX: d.dX, dR: d.dR, ln: d.ln, ids: inp.ids, lbl, pre };
    const eb = embeddingBackwardPhase(g, cfg, embed, e, lin, presorted);
    this.backward.push(...eb.dispatches);
    if (presorted) this.idSort = { scratch: eb.scratch, cpu: sortedIdsArrays(N, V) };
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
    if (this.idSort) writeSortedIds(this.k.device, this.idSort.scratch, b.ids, this.cfg.V, this.idSort.cpu);
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

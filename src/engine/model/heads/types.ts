// The contract between the encoder (bert.ts) and a prediction head (one module per head kind in this folder): the
// head kinds and their configurations (HeadConfigs), what the encoder hands a head (HeadContext), what a head builds
// (HeadGraph), and what a head kind declares (HeadModule: tensors, graph, evaluation, Hugging Face names, FLOPs,
// memory, float64 reference, preview labels). Also the metrics row every head writes. Depends on nothing above it.
import type { ModelConfig } from '../../config';
import type { Dispatch, Kernels } from '../../kernels';
import type { LinearOps } from '../linear';
import type { EngineBatch, GraphInputs } from '../batch';
import type { TensorSpec } from '../tensors';

/**
 * The configuration of each head kind, by kind: the one vocabulary of heads (an objective's `head`, its HeadSpecs'
 * `kind`, a run's HeadConfig, a registry key in index.ts). Each head module declares its own entry here
 * (`declare module './types' { interface HeadConfigs { ... } }`), so a new head adds no line to this file.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by each head module's declaration
export interface HeadConfigs {}

/** A head kind: 'vocabulary', 'k-class', 'binary', 'span-boundary', 'position', 'next-token', 'electra', ... */
export type HeadKind = keyof HeadConfigs;

/** The configuration a run of a head stores (in checkpoints too): `kind` and the head's own settings. */
export type HeadConfig = HeadConfigs[HeadKind];

/** Floats of one metrics row, in this order (AUX_*: a head's second part: SBO, or ELECTRA's generator). */
export const METRIC = {
  GRAD_NORM: 0,
  CLIP_SCALE: 1,
  LOSS: 2,
  CORRECT: 3,
  COUNT: 4,
  AUX_LOSS: 5,
  AUX_CORRECT: 6,
  AUX_COUNT: 7,
  FLOATS: 8,
} as const;

/** SpanBERT's two parts (sboLoss without the head's weight). */
export interface SboParts {
  mlmLoss: number;
  mlmAccuracy: number;
  sboLoss: number;
  sboAccuracy: number;
}

/** ELECTRA's two parts (discLoss without the discWeight factor). */
export interface ElectraParts {
  genLoss: number;
  genAccuracy: number;
  discLoss: number;
  discAccuracy: number;
}

/** A decoded metrics row (one step) or a sum of rows (an evaluation). */
export interface EvalResult {
  loss: number;
  accuracy: number;
  targets: number;
  electra?: ElectraParts;
  sbo?: SboParts;
}

/**
 * What the encoder hands its head: shapes, the final hidden states, the batch inputs, buffer helpers and the
 * Linear ops (linear, dlinear, dweight, and the fused linearGelu, dlinearGelu, dparams: model/linear.ts), whose
 * labels get the prefix.
 */
export interface HeadContext extends Pick<
  LinearOps,
  'linear' | 'dlinear' | 'dweight' | 'linearGelu' | 'dlinearGelu' | 'dparams'
> {
  k: Kernels;
  cfg: ModelConfig;
  /** Tokens N = B*T, target capacity M, encoder width C, embedding width E (the tied decoder's), vocabulary V. */
  N: number;
  M: number;
  C: number;
  E: number;
  V: number;
  eps: number;
  train: boolean;
  /** Backward stops at the head: only the head's own tensors get gradients (dHidden is not written). */
  freezeEncoder: boolean;
  /** With freezeEncoder: the gradient still goes down to the hidden states (the probe's [MASK] input row trains). */
  inputRowGrad?: boolean;
  /** Name prefix of this encoder's tensors and labels (ELECTRA's generator: 'gen.'). */
  prefix: string;
  /** (N, C) final hidden states. */
  hidden: GPUBuffer;
  /** (N, C) their gradient (training): the head's backward writes all of it (overwrites, then accumulates). */
  dHidden?: GPUBuffer;
  /** LayerNorm backward scratch (training), large enough for (M, E) rows. */
  lnScratch?: GPUBuffer;
  inputs: GraphInputs;
  /** Rows for which top-k predictions are computed (prediction probe), 0 for none. */
  probeRows: number;
  topK: number;
  /** A storage buffer of `floats` f32 owned (and destroyed) by the graph. */
  buf(floats: number, name: string): GPUBuffer;
  /** Parameter / gradient binding of a tensor (the prefix is applied, shared embeddings excepted). */
  P(name: string): GPUBufferBinding;
  G(name: string): GPUBufferBinding;
}

/** What a head builds on top of one encoder: its buffers and its part of each phase's dispatches. */
export interface HeadGraph {
  /** (R, O) logits; training overwrites them with dlogits (R = lossRows). */
  logits: GPUBuffer;
  /** (R) f32 unweighted per-row losses and (R) i32 predictions. */
  losses: GPUBuffer;
  argmax: GPUBuffer;
  /** Rows the loss covers: M gathered targets, or N tokens. */
  lossRows: number;
  forward: Dispatch[];
  loss: Dispatch[];
  /** From dlogits to the head's tensor gradients and (unless frozen) dHidden. */
  backward: Dispatch[];
  /** Top-k probe (after forward, before loss), when probeRows > 0 and the head has classes to rank. */
  probe: Dispatch[];
  probeIds?: GPUBuffer;
  probeProbs?: GPUBuffer;
  probeRowsBuf?: GPUBuffer;
  /** Writes the head's own inputs of a batch (the encoder has written ids, valid, positions, targets, weights). */
  writeInputs(b: EngineBatch): void;
  /** Reductions of this head's loss and accuracy into a metrics row (METRIC.LOSS / CORRECT / COUNT, AUX_*). */
  metrics(out: GPUBuffer, label: string): Dispatch[];
  /** Loss, accuracy and parts of a metrics row (or of a sum of rows) this head's `metrics` wrote. */
  decode(v: ArrayLike<number>): EvalResult;
}

/** Dispatches a head adds around the embedding lookup (the position head's "no position" vector). */
export interface EmbeddingHook {
  /** After the lookup, before the embedding LayerNorm. */
  forward: Dispatch[];
  /** After the lookup's backward, from the gradient of the embedding sum (N, E). */
  backward(dEmb: GPUBuffer): Dispatch[];
  writeInputs(b: EngineBatch): void;
}

/** What the embedding hook gets: the ids, the sum it adjusts, and the buffer helpers. */
export interface EmbeddingContext {
  k: Kernels;
  B: number;
  T: number;
  /** Embedding width. */
  E: number;
  V: number;
  ids: GPUBuffer;
  /** (N, E) the embedding sum (token + position + type). */
  emb: GPUBuffer;
  buf(floats: number, name: string): GPUBuffer;
  P(name: string): GPUBufferBinding;
  G(name: string): GPUBufferBinding;
}

/** The transformers models a run exports as (see checkpoint/hf.ts). */
export type HfModel = 'masked-lm' | 'electra-discriminator' | 'electra-generator';

/** [our tensor name, row range or whole, Hugging Face name]. */
export type HfEntry = [string, [number, number] | null, string];

/** What an objective asks of a head (session/runMasking.ts headFor): its heads' specs and its parameter values. */
export interface HeadRequest {
  /** The objective's id, for messages. */
  objective: string;
  /** The heads its targets feed, in order (masking's HeadSpec: kind, class count, loss weight). */
  heads: readonly { kind: HeadKind; classes: number; lossWeight: number }[];
  params: Readonly<Record<string, number | string | boolean>>;
  model: ModelConfig;
}

/** The one head of a single-head objective, checked to be of `kind`. */
export function singleHead(req: HeadRequest, kind: HeadKind): { classes: number; lossWeight: number } {
  const h = req.heads[0];
  if (req.heads.length !== 1 || !h) {
    throw new Error(
      `objective "${req.objective}" needs ${req.heads.length} heads (${req.heads.map((x) => x.kind).join(' + ')}); the engine trains one head per run so far`,
    );
  }
  if (h.kind !== kind)
    throw new Error(`objective "${req.objective}" has a ${h.kind} head, not the ${kind} head it names`);
  return h;
}

/** The spec of the head of `kind` among an objective's heads. */
export function headOfKind(req: HeadRequest, kind: HeadKind): { classes: number; lossWeight: number } {
  const h = req.heads.find((x) => x.kind === kind);
  if (!h) throw new Error(`objective "${req.objective}" lost its ${kind} head`);
  return h;
}

/** Multiply-add FLOPs (2 per multiply-add) of one role of a training step: forward, backward, both. */
export interface RoleFlops {
  forward: number;
  backward: number;
  total: number;
}

/** The model shape a FLOP count or a memory estimate needs (a ModelConfig has these fields). */
export interface ModelShape {
  L: number;
  C: number;
  F: number;
  T: number;
  V: number;
  NH: number;
}

/** What a head's analytic FLOP count gets (engine/profile.ts trainStepFlops builds it). */
export interface FlopContext {
  c: ModelShape;
  B: number;
  /** Gathered target rows, tokens B*T, embedding width (the tied decoder's; C except in ELECTRA's generator). */
  M: number;
  N: number;
  E: number;
  /** A Linear over `rows` rows: forward 2 x rows x in x out, backward (dX and dW) twice that. */
  linear(rows: number, inp: number, out: number): RoleFlops;
  /** Every product of a whole training step of another encoder with its head (ELECTRA's generator). */
  step(c: ModelShape, head: HeadConfig, embedWidth: number): { byRole: Record<string, RoleFlops>; total: number };
}

/** What a head's memory estimate gets (session/memory.ts builds it). */
export interface MemoryContext {
  c: ModelShape;
  B: number;
  M: number;
  N: number;
  E: number;
  train: boolean;
  /** Floats of the buffers of a whole graph of another encoder with its head (ELECTRA's generator). */
  graph(c: ModelShape, head: HeadConfig, embedWidth: number): number;
}

/** A head's inputs in the float64 reference: the batch's arrays a head reads (EngineBatch as plain numbers). */
export interface RefHeadInputs {
  /** (M) flat rows, target ids or classes (-1 none), weights. */
  positions: ArrayLike<number>;
  targets: ArrayLike<number>;
  weights: ArrayLike<number>;
  /** Binary head: (B*T) labels in {0,1} and per-token weights (0 on padding). */
  labels?: ArrayLike<number>;
  tokenWeights?: ArrayLike<number>;
  /** SBO head: per-slot boundary rows, offsets and weights (before the head's weight), aligned with positions. */
  sbo?: { left: ArrayLike<number>; right: ArrayLike<number>; rel: ArrayLike<number>; weights: ArrayLike<number> };
  /** Position head: (B*T) 1 where the position embedding is replaced by wpe_none. */
  noPosition?: ArrayLike<number>;
  headInputs?: Readonly<Record<string, ArrayLike<number>>>;
}

/** What the float64 reference of the encoder hands a head's reference (reference/model.ts). */
export interface RefHeadContext {
  N: number;
  M: number;
  C: number;
  E: number;
  V: number;
  eps: number;
  /** (N, C) final hidden states. */
  hidden: Float64Array;
  inputs: RefHeadInputs;
  /** A parameter tensor by name (the encoder's prefix applied as on the GPU). */
  P(name: string): Float64Array;
}

/** A head's reference forward: what its GPU graph computes, and its backward. */
export interface RefHeadResult {
  /** Sum of weight x loss over the head's rows (and its second part's, SBO). */
  loss: number;
  /** (lossRows) unweighted per-row losses and predictions, as the GPU's `losses` / `argmax`. */
  losses: Float64Array;
  argmax: Int32Array;
  /** SpanBERT: the boundary head's weighted loss (in `loss`) and per-slot losses. */
  sboLoss?: number;
  sboLosses?: Float64Array;
  /** Adds the gradient of `loss` for each head tensor through `acc`; returns d hidden (N, C). */
  backward(acc: (name: string, grad: ArrayLike<number>) => void): Float64Array;
}

/** How the mask preview and the probe sentence show a head's targets and predictions. */
export interface HeadPreview {
  /** One sentence under the preview: what the model predicts where (`classes`: the head's class count). */
  note(spec: { classes: number }): string;
  /** The preview shows a per-token label (binary heads) rather than a target at each chosen position. */
  tokenLabels?: boolean;
  /**
   * The name of a target or predicted id: a vocabulary token, or a class named by the objective (`className`: the
   * HeadSpec's class names, or a class an objective drew from the training split, such as an n-gram).
   */
  label(id: number, names: { V: number; token(id: number): string; className(id: number): string | undefined }): string;
}

/** One head kind: everything the engine needs to know about it, in one place. */
export interface HeadModule<H extends HeadConfig = HeadConfig> {
  /** The configuration a run of an objective naming this head stores (in checkpoints too). */
  configure(req: HeadRequest): H;
  /**
   * What each per-row loss (Trainer's onRowLosses, lastEvalRows) is about: a gathered target that is a vocabulary
   * id ('vocab'), a gathered target that is a class of the token at its position ('classes'), or every token.
   */
  rows: 'vocab' | 'classes' | 'tokens';
  /** The head's tensors, listed after the encoder's (their order is the layout's: never reorder). */
  tensors(c: ModelConfig, head: H): TensorSpec[];
  /** Width of the head's last layer (V, K, or 1 logit). */
  outputs(c: ModelConfig, head: H): number;
  /** Whether the head works on an encoder whose embedding width differs from its width (the tied decoder does). */
  embedWidth?: boolean;
  /** The encoder must use causal (decoder) attention (the next-token head). */
  causal?: boolean;
  /** Set when the head cannot sit on one encoder (ELECTRA's two): why, and what builds it (model/graph.ts). */
  notOnOneEncoder?: string;
  /** Builds the head on an encoder (forward, loss, backward, probe, metrics). */
  build(ctx: HeadContext, head: H): HeadGraph;
  /** Adjusts the embedding sum (the position head). */
  embedding?(ctx: EmbeddingContext, head: H): EmbeddingHook;
  /** The head the held-out evaluation builds (SBO: the MLM head alone, evaluation masks carry no spans). */
  evalHead(head: H): HeadConfig;
  /** The head the probe sentence and frozen features run on (ELECTRA: the discriminator's). */
  encoderHead(head: H): HeadConfig;
  /**
   * Another encoder whose head gives the probe sentence's top-k predictions (ELECTRA: its generator); absent: the
   * encoder head's own. `about`: who predicts, for the page.
   */
  predictor?(c: ModelConfig, head: H): { cfg: ModelConfig; head: HeadConfig; prefix: string; about: string };
  /** The Hugging Face model a run with this head exports as, and the head's tensor names there (none: checkpoint only). */
  hf?: {
    model: HfModel;
    tensors(): HfEntry[];
    /** ELECTRA: the generator, exported beside the model as ElectraForMaskedLM. */
    generator?(head: H): { C: number; NH: number; F: number };
    /** What the scale-up bundle's golden step-0 loss is (python/test_masking.py reads it). */
    lossKind: string;
  };
  /** The head's roles in the analytic FLOP count of a training step: its matrix products (engine/profile.ts). */
  flops(f: FlopContext, head: H): Record<string, RoleFlops>;
  /** Floats of the buffers the head adds to one graph (session/memory.ts; ELECTRA: its generator's graph too). */
  memory(m: MemoryContext, head: H): number;
  /** The head's float64 reference on the final hidden states (reference/model.ts; ELECTRA: reference/electra.ts). */
  reference(ctx: RefHeadContext, head: H): RefHeadResult;
  /** Rows whose position embedding the reference replaces by wpe_none (with `embedding`: the position head). */
  referenceHiddenPositions?(inputs: RefHeadInputs, N: number): ArrayLike<number>;
  /** How the mask preview and the probe sentence show its targets and predictions. */
  preview: HeadPreview;
}

/** The plain loss + accuracy metrics of a head whose targets are gathered rows (vocabulary, k-class). */
export function decodePlain(v: ArrayLike<number>): EvalResult {
  const count = v[METRIC.COUNT];
  return { loss: v[METRIC.LOSS], accuracy: count > 0 ? v[METRIC.CORRECT] / count : 0, targets: count };
}

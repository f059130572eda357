// The contract between the encoder (bert.ts) and a prediction head (one module per head kind in this folder): what
// the encoder hands a head (HeadContext), what a head builds (HeadGraph), and what a head kind declares
// (HeadModule: tensors, graph, evaluation, Hugging Face names). Also the metrics row every head writes.
import type { ModelConfig } from '../../config';
import type { Dispatch, Kernels } from '../../kernels';
import type { EngineBatch, GraphInputs } from '../bert';
import type { TensorSpec } from '../tensors';
import type { HeadConfig } from './index';

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

/** What the encoder hands its head: shapes, the final hidden states, the batch inputs and buffer helpers. */
export interface HeadContext {
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
  /** y = x W^T + b over `rows` rows, W (o, i); the label gets the prefix. */
  linear(
    x: GPUBuffer,
    w: string,
    b: string,
    out: GPUBuffer,
    rows: number,
    o: number,
    i: number,
    label: string,
  ): Dispatch;
  /** dX = dY W (accumulated or not), dW += dY^T X, db += colsum(dY); labels get the prefix. */
  dlinear(
    dy: GPUBuffer,
    xin: GPUBuffer,
    w: string,
    b: string,
    dx: GPUBuffer,
    rows: number,
    o: number,
    i: number,
    accumulate: boolean,
    label: string,
  ): Dispatch[];
  /** dW += dY^T X for W (o, i) over `rows` rows (split K on GPUs, through the graph's one scratch). */
  dweight(dy: GPUBuffer, xin: GPUBuffer, w: string, rows: number, o: number, i: number, label: string): Dispatch[];
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

/** What an objective asks of a head (session/run.ts headFor): its heads' specs and its parameter values. */
export interface HeadRequest {
  /** The objective's id, for messages. */
  objective: string;
  /** The heads its targets feed, in order (masking's HeadSpec: kind, class count, loss weight). */
  heads: readonly { kind: string; classes: number; lossWeight: number }[];
  params: Readonly<Record<string, number | string | boolean>>;
  model: ModelConfig;
}

/** The one head of a single-head objective, checked to be of `kind`. */
export function singleHead(req: HeadRequest, kind: string): { classes: number; lossWeight: number } {
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
export function headOfKind(req: HeadRequest, kind: string): { classes: number; lossWeight: number } {
  const h = req.heads.find((x) => x.kind === kind);
  if (!h) throw new Error(`objective "${req.objective}" lost its ${kind} head`);
  return h;
}

/** One head kind: everything the engine needs to know about it, in one place. */
export interface HeadModule<H extends HeadConfig = HeadConfig> {
  /** Short name for messages and the README ('vocabulary', 'k-class', ...). */
  name: string;
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
  /** Set when the head cannot sit on one encoder (ELECTRA's two): why, and what builds it. */
  notOnOneEncoder?: string;
  /** Builds the head on an encoder (forward, loss, backward, probe, metrics). */
  build(ctx: HeadContext, head: H): HeadGraph;
  /** Adjusts the embedding sum (the position head). */
  embedding?(ctx: EmbeddingContext, head: H): EmbeddingHook;
  /** The head the held-out evaluation builds (SBO: the MLM head alone, evaluation masks carry no spans). */
  evalHead(head: H): HeadConfig;
  /** The head the probe sentence and frozen features run on (ELECTRA: the discriminator's). */
  encoderHead(head: H): HeadConfig;
  /** The Hugging Face model a run with this head exports as, and the head's tensor names there (none: checkpoint only). */
  hf?: { model: HfModel; tensors(): HfEntry[] };
}

/** The plain loss + accuracy metrics of a head whose targets are gathered rows (vocabulary, k-class). */
export function decodePlain(v: ArrayLike<number>): EvalResult {
  const count = v[METRIC.COUNT];
  return { loss: v[METRIC.LOSS], accuracy: count > 0 ? v[METRIC.CORRECT] / count : 0, targets: count };
}

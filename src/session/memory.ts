// GPU memory an experiment needs, estimated before anything is allocated: parameters with their gradients and
// AdamW moments, the NaN-guard snapshots, the activations of the training, evaluation and probe graphs at their
// batch sizes (on the toy language also the encoder graph its syntax scores read attention from), and each graph's
// head as its module estimates it (the logits at the target rows, SpanBERT's boundary head, ELECTRA's generator,
// ...). Checked against the device's limits.
import { headModule, type HeadConfig, type MemoryContext, type ModelShape } from '../engine/model/heads';
import { bertTensors, placeTensors } from '../engine/model/params';
import { embeddingScratchSizes } from '../engine/ops/embedding';
import { layerNormScratchFloats } from '../engine/ops/layernorm';
import { getObjective, getStrategy, maxScheduledRate, resolveParams } from '../masking';
import type { MaskingConfig } from '../masking/types';
import { isToyCorpus } from '../data/toyLanguage';
import { placeholderVocab } from './computeBudget';
import { modelShape, type ExperimentConfig } from './config';
import { headFor } from './runMasking';

/** Held-out sequences per evaluation batch (session/run.ts EVAL_B; repeated here so this file needs no GPU code). */
const EVAL_B = 32;
/** The shared evaluation: random 15%, all [MASK] (session/run.ts EVAL_MASKING). */
const EVAL_MASKING: MaskingConfig = {
  strategy: 'random',
  strategyParams: { rate: 0.15, maskFrac: 1, randomFrac: 0 },
  objective: 'mlm',
};
/** The trainer keeps up to this many snapshots of weights and moments, one every 25 steps (engine/trainer.ts). */
const SNAPSHOTS = 3;
const SNAPSHOT_EVERY = 25;
/** Metric rings and staging buffers: a fixed part and 256 rows of per-target losses, three copies. */
const RING_BYTES = 2 ** 20;
/** Room for small buffers the sum leaves out (scratch, uniforms, readbacks): measured 0-4% on tiny, mini and small. */
const MARGIN = 1.015;

/** The share of a budget the page lets one experiment use, and that budget: WebGPU does not report the adapter's memory. */
export const MEMORY_BUDGET_BYTES = 4 * 2 ** 30;

export interface MemoryEstimate {
  /** Every buffer of a run together, in bytes. */
  totalBytes: number;
  /** The largest single buffer, what it holds and the setting that shrinks it. */
  largest: { bytes: number; what: string; setting: string };
  /** Parameters (floats), and the parts of the total in bytes. */
  params: number;
  parts: {
    weights: number;
    snapshots: number;
    train: number;
    eval: number;
    probe: number;
    /** Toy language: the encoder graph of the evaluation's size that the syntax scores read attention from. */
    syntax: number;
    rings: number;
  };
}

/** Gathered-target slots per row (the masking plan's capacity, computed as planMasking does). */
export function targetSlots(m: MaskingConfig, T: number): number {
  const strategy = getStrategy(m.strategy);
  const objective = getObjective(m.objective);
  const sp = resolveParams(`strategy "${strategy.id}"`, strategy.params, m.strategyParams);
  const rMax = maxScheduledRate(m.schedule, Number(sp.rate));
  const sel = strategy.capacity(sp, T, rMax);
  return Math.max(1, objective.capacity ? objective.capacity(T, sel) : sel);
}

/**
 * Floats of one graph's buffers: B sequences, M target rows, with the backward pass when `train`: the encoder's
 * (embeddings at width E, layers) and its head's, as the head's module estimates them.
 */
export function graphFloats(
  c: ModelShape,
  B: number,
  M: number,
  train: boolean,
  head: HeadConfig,
  embedWidth = c.C,
): number {
  const { L, C, F, NH, T } = c;
  const N = B * T;
  const E = embedWidth;
  const att = B * NH * T * T;
  // With the fused kernels (engine/fusion.ts): no separate Linear outputs before the residual adds, and no
  // gradient of the GELU output apart from the pre-activation's.
  const layers = L * (8 * N * C + 2 * N * F + att + 4 * N);
  const embed = 2 * N * Math.max(C, E) + 8 * N + 4 * M;
  // Training: the layers' gradients, and the scratch of the LayerNorm backward and the embedding lookup's sort.
  const scratch = () =>
    Math.max(
      layerNormScratchFloats({ N, C }),
      layerNormScratchFloats({ N: M, C: E }),
      layerNormScratchFloats({ N, C: E }),
    ) + Object.values(embeddingScratchSizes({ B, T, C: E, V: c.V })).reduce((a, b) => a + b, 0);
  const backward = train ? 7 * N * C + N * F + att + scratch() : 0;
  const m: MemoryContext = {
    c,
    B,
    M,
    N,
    E,
    train,
    graph: (g, h, e) => graphFloats(g, B, M, train, h, e),
  };
  return layers + embed + backward + headModule(head).memory(m, head);
}

/**
 * The buffers a run of `e` allocates with a vocabulary of V ids. `heldOut`: held-out sequences, when known (the
 * evaluation batch is min(32, heldOut)).
 */
export function estimateMemory(e: ExperimentConfig, V: number, opts: { heldOut?: number } = {}): MemoryEstimate {
  const model = modelShape(e, V);
  // The head needs the objective alone: a strategy setting the validation lists beside Start changes no buffer here.
  const objective = getObjective(e.masking.objective);
  const objectiveParams = resolveParams(`objective "${objective.id}"`, objective.params, e.masking.objectiveParams);
  const heads = objective.heads(placeholderVocab(V), model.T, objectiveParams);
  const head = headFor({ objective, heads, objectiveParams }, model);
  const P = placeTensors(bertTensors(model, head)).totalFloats;
  const { B, steps } = e.train;
  const T = model.T;
  const M = B * targetSlots(e.masking, T);
  const evalB = Math.min(EVAL_B, opts.heldOut ?? EVAL_B);
  const evalM = evalB * targetSlots(EVAL_MASKING, T);
  const snaps = Math.min(SNAPSHOTS, 1 + Math.floor(steps / SNAPSHOT_EVERY));
  const mod = headModule(head);
  const train = graphFloats(model, B, M, true, head);
  const evalHead = mod.evalHead(head);
  const evalF = graphFloats(model, evalB, evalM, false, evalHead);
  const probe = graphFloats(model, 1, T, false, mod.encoderHead(head));
  const parts = {
    weights: 4 * P * 4,
    snapshots: snaps * 3 * P * 4,
    train: train * 4,
    eval: evalF * 4,
    probe: probe * 4,
    syntax: isToyCorpus(e.corpus) ? graphFloats(model, evalB, 1, false, mod.encoderHead(head)) * 4 : 0,
    rings: RING_BYTES + 3 * 256 * M * 4,
  };
  const totalBytes = Math.ceil(Object.values(parts).reduce((a, b) => a + b, 0) * MARGIN);
  const N = B * T;
  const candidates: MemoryEstimate['largest'][] = [
    { bytes: P * 4, what: `the weights (${P.toLocaleString('en-US')} parameters)`, setting: 'm.C' },
    logitsOf(model, head, M, N, evalM, evalB * T),
    {
      bytes: Math.max(B, evalB) * model.NH * T * T * 4,
      what: `the attention of a layer (B=${Math.max(B, evalB)} x NH=${model.NH} x T=${T} x T)`,
      setting: 'm.T',
    },
    {
      bytes: Math.max(N, evalB * T) * model.F * 4,
      what: `the feed-forward activations of a layer (B=${Math.max(B, evalB)} x T=${T} x F=${model.F})`,
      setting: 'm.F',
    },
  ];
  const largest = candidates.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  return { totalBytes, largest, params: P, parts };
}

/** The head's logits, the largest of the training and evaluation graphs': rows x the head's outputs. */
function logitsOf(
  model: ModelShape & { lnEps: number; initStd: number },
  head: HeadConfig,
  M: number,
  N: number,
  evalM: number,
  evalN: number,
): MemoryEstimate['largest'] {
  const mod = headModule(head);
  const evalMod = headModule(mod.evalHead(head));
  const rows = (m: typeof mod, gathered: number, tokens: number) => (m.rows === 'tokens' ? tokens : gathered);
  const train = { rows: rows(mod, M, N), O: mod.outputs(model, head) };
  const held = { rows: rows(evalMod, evalM, evalN), O: evalMod.outputs(model, mod.evalHead(head)) };
  const big = train.rows * train.O >= held.rows * held.O ? train : held;
  return {
    bytes: big.rows * big.O * 4,
    what: `the logits (${big.rows} rows x ${big.O} outputs)`,
    setting: 'batch',
  };
}

/** "1.2 GB", "45 MB". */
export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GB`;
  if (n >= 2 ** 20) return `${Math.round(n / 2 ** 20)} MB`;
  return `${Math.max(1, Math.round(n / 2 ** 10))} KB`;
}

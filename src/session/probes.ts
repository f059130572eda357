// The comparison's probes on a finished run (MASKING.md part 3): the shared probe for every bidirectional run (a
// fresh head with its own output layer, plus the encoder's [MASK] input row, trained briefly on the frozen encoder,
// then the shared evaluation with intervals over held-out passages and the frequency baseline), a causal run's
// next-token figures in their own column, and the downstream tasks on frozen features (downstream.ts).
import { heldOutBatches } from '../data/batching';
import type { PreparedData } from '../data/dataset';
import { Rng } from '../data/rng';
import type { Kernels } from '../engine/kernels';
import { bertTensors, copyTensors, initParams, placeTensors, type ParamLayout } from '../engine/model/params';
import type { HeadConfig } from '../engine/model/heads';
import { isEncoderTensor } from '../engine/model/probeMask';
import { Trainer, type EngineBatch } from '../engine/trainer';
import { applyMasking, planMasking, type VocabInfo } from '../masking';
import { buildAgreementTask, DOWNSTREAM_TASKS, runDownstreamTask, type DownstreamTaskResult } from './downstream';
import { isToyCorpus } from '../data/toyLanguage';
import { featuresOf, type FeatureSource } from './features';
import { bootstrapUnits, fingerprint, unitTotals, type Estimate, type UnitTotals } from './stats';
import { SPECIAL_IDS, SPECIAL_TOKENS } from '../data/types';

export { featuresOf, type FeatureSource };
import {
  engineBatch,
  EVAL_B,
  EVAL_MASKING,
  EVAL_MAX_SEQUENCES,
  EVAL_SEED,
  pseudoPerplexityBatches,
  PPPL_SEQUENCES,
  uniformOf,
  type TrainingRun,
} from './run';

/** How much work the probes do. The defaults suit the comparison view; tests and e2e pass small ones. */
export interface ProbeBudget {
  /** MLM probe: training steps of the fresh vocabulary head (batch size: the run's). */
  mlmSteps: number;
  mlmWarmup: number;
  /** MLM probe: peak (then constant) learning rate. */
  mlmLr: number;
  /**
   * Downstream tasks: at most this many held-out sequences are used (each gives one or more windows; see
   * downstream.ts); the sequences are the tasks' independent units, so the default takes every one there is.
   */
  downstreamSequences: number;
}

export const DEFAULT_PROBE_BUDGET: ProbeBudget = {
  mlmSteps: 100,
  mlmWarmup: 10,
  mlmLr: 1e-3,
  downstreamSequences: 4000,
};

/** The seed of everything the probes draw that must be the same for every run (task, split): fixed. */
export const PROBE_SEED = 'masklab-probe';

export interface MlmProbeResult {
  /** Shared evaluation (fixed 15% [MASK] held-out masks) through the probe head. */
  loss: number;
  accuracy: number;
  targets: number;
  /** The same with bootstrap 95% intervals over held-out passages (units: the sequences the targets sit in). */
  lossEstimate?: Estimate;
  accuracyEstimate?: Estimate;
  /** Per held-out passage: summed per-target loss and hits, and target counts (paired differences resample them). */
  lossTotals?: UnitTotals;
  accuracyTotals?: UnitTotals;
  /** Always guessing by training-set frequency on the same targets: unigram cross-entropy, most-frequent accuracy. */
  frequencyLoss?: number;
  frequencyAccuracy?: number;
  /** The probe trained the encoder's [MASK] input row too (it is the same code path for every run). */
  maskRow?: boolean;
  /**
   * The probe's output layer is its own (an untied (V, C) layer, the same seeded initialisation for every run); absent
   * on older records, whose probe decoded through the run's own token embedding wte (tied), which favoured the
   * objectives that trained wte as their output layer.
   */
  ownOutput?: boolean;
  /** Pseudo-perplexity of the same fixed sample the vocabulary-head runs use. */
  pseudoPerplexity?: number;
  steps: number;
  /** Mean training loss of the probe head over its last (up to) 10 steps. */
  trainLoss: number;
}

/**
 * A causal run's (MEAP's) figures in a column of their own: next-token loss and accuracy of its own head on the
 * held-out text, with intervals over held-out passages (never mixed with the bidirectional shared probe).
 */
export interface NextTokenResult {
  loss: number;
  accuracy: number;
  targets: number;
  lossEstimate: Estimate;
  accuracyEstimate: Estimate;
  lossTotals: UnitTotals;
  accuracyTotals: UnitTotals;
}

export interface DownstreamResult {
  /** Test accuracy of the linear classifier (original vs two neighbouring words swapped). */
  accuracy: number;
  trainAccuracy: number;
  /** The task is balanced: 0.5. */
  chance: number;
  trainExamples: number;
  testExamples: number;
}

export interface ProbeResults {
  /**
   * The shared probe (every bidirectional run, the same code path; older records: runs without a vocabulary head
   * only). A causal run has none: it is scored by `nextToken`.
   */
  mlm?: MlmProbeResult;
  /** A causal (MEAP) run's next-token figures on the held-out text. */
  nextToken?: NextTokenResult;
  /** Older records: the single word-order probe. */
  downstream?: DownstreamResult;
  /** The downstream tasks (downstream.ts), in DOWNSTREAM_TASKS order. */
  tasks?: DownstreamTaskResult[];
  /** Why a downstream task could not run (too little held-out text), when that is the case. */
  downstreamError?: string;
  /** Training FLOPs per step of the run (the engine's count from its dispatches: encoder, head, ELECTRA's generator; probes not counted). */
  trainFlopsPerStep?: number;
  /** What the run's own-head figures are ('mlm': its vocabulary head at the shared masks; 'next-token': MEAP). */
  ownEvalKind?: 'mlm' | 'objective' | 'next-token';
  /** Wall time of both probes. */
  ms: number;
}

export interface ProbeHooks {
  /** Called after each shared-probe step is submitted, and as downstream features are read. */
  onProgress?: (phase: 'mlm' | 'downstream', done: number, total: number) => void;
  /** With onProgress: at most one call per this many milliseconds (a phase's last call always comes). */
  progressEveryMs?: number;
  /** Checked between steps: stop early (the caller discards the result). */
  cancelled?: () => boolean;
  /** Called after each phase (shared-probe training, its evaluation, each downstream task) with its milliseconds. */
  onPhase?: (what: string, ms: number) => void;
}

/** Evaluation batches re-weighted so the loss is the mean over all their targets (as TrainingRun does). */
function normalize(batches: EngineBatch[]): EngineBatch[] {
  const live = (b: EngineBatch, i: number) => b.targets[i] >= 0 && b.positions[i] >= 0;
  const total = batches.reduce((s, b) => s + b.targets.reduce((n, _, i) => n + (live(b, i) ? 1 : 0), 0), 0);
  return batches.map((b) => ({ ...b, weights: b.weights.map((_, i) => (live(b, i) ? 1 / Math.max(1, total) : 0)) }));
}

/**
 * The shared evaluation's batches (EVAL_MASKING at EVAL_SEED on the first held-out sequences): the very batches a
 * vocabulary-head TrainingRun evaluates on, so probe figures and vocabulary-run figures are comparable.
 */
export function sharedEvalBatches(
  data: PreparedData,
  vocab: VocabInfo,
  T: number,
): { batches: EngineBatch[]; B: number; M: number } {
  const plan = planMasking(EVAL_MASKING, vocab, T);
  const B = Math.min(EVAL_B, data.heldOut.count);
  const M = B * plan.capacity;
  const held = heldOutBatches(data.heldOut, B).slice(0, Math.ceil(EVAL_MAX_SEQUENCES / B));
  const masked = held.map((b, i) => applyMasking(EVAL_MASKING, b, { vocab, rng: Rng.from(EVAL_SEED, i) }));
  return { batches: normalize(masked.map((m) => engineBatch(m, M))), B, M };
}

export { isEncoderTensor };

/**
 * Always guessing by training-set frequency on the shared evaluation's targets: the cross-entropy of the add-one
 * smoothed unigram law over the non-special tokens, and the accuracy of always naming the most frequent token.
 */
export function frequencyBaseline(
  vocab: VocabInfo,
  batches: readonly EngineBatch[],
): { loss: number; accuracy: number } {
  const counts = vocab.unigramCounts;
  if (!counts) return { loss: NaN, accuracy: NaN };
  const first = SPECIAL_TOKENS.length;
  let total = 0;
  let best = first;
  for (let i = first; i < vocab.size; i++) {
    total += counts[i];
    if (counts[i] > counts[best]) best = i;
  }
  const V = vocab.size - first;
  let loss = 0;
  let hits = 0;
  let n = 0;
  for (const b of batches) {
    for (let i = 0; i < b.targets.length; i++) {
      const t = b.targets[i];
      if (t < 0 || b.positions[i] < 0) continue;
      loss -= Math.log((counts[t] + 1) / (total + V));
      if (t === best) hits++;
      n++;
    }
  }
  return { loss: n ? loss / n : NaN, accuracy: n ? hits / n : NaN };
}

/**
 * The shared probe's head: the vocabulary head's transform (dense, GELU, LayerNorm) with an untied (V, C) output layer
 * of its own (the k-class head with K = V): it reads only the encoder's final hidden states, never the run's wte.
 */
export function sharedProbeHead(model: { V: number }): HeadConfig {
  return { kind: 'k-class', K: model.V };
}

/** The seed of the shared probe's head: the same initialisation for every run of every comparison (same shapes). */
export const PROBE_INIT_SEED = 'masklab-shared-probe-init';

/** Fresh seeded probe weights (sharedProbeHead) with the encoder tensors of a trained run (its head is left behind). */
export function probeInit(
  run: Pick<TrainingRun, 'model'>,
  srcLayout: ParamLayout,
  src: Float32Array,
): { layout: ParamLayout; init: Float32Array; copied: string[] } {
  const layout = placeTensors(bertTensors(run.model, sharedProbeHead(run.model)));
  const init = initParams(layout, run.model.initStd, uniformOf(Rng.from(PROBE_INIT_SEED)));
  const encoderOnly = new Map([...srcLayout.byName].filter(([name]) => isEncoderTensor(name)));
  const copied = copyTensors({ ...srcLayout, byName: encoderOnly }, src, layout, init);
  return { layout, init, copied };
}

/**
 * Per-target values of evaluation batches grouped into independent units (the held-out sequence each target sits in:
 * batch i row r is sequence i * B + r), with a key naming the test set (targets and positions).
 */
async function evalUnits(
  trainer: Pick<Trainer, 'evaluate' | 'lastEvalRows'>,
  batches: readonly EngineBatch[],
  B: number,
  M: number,
  T: number,
): Promise<{ loss: number; lossTotals: UnitTotals; accuracyTotals: UnitTotals; targets: number }> {
  // Batch by batch (one pass): the weights are normalized over all batches, so the batches' losses sum to the mean
  // loss; per-target losses and hits for the intervals.
  const rowLoss: number[] = [];
  const rowHit: number[] = [];
  const unit: number[] = [];
  let loss = 0;
  for (const [bi, b] of batches.entries()) {
    loss += (await trainer.evaluate([b], B, M)).loss;
    const rows = await trainer.lastEvalRows();
    for (let i = 0; i < b.targets.length; i++) {
      if (b.targets[i] < 0 || b.positions[i] < 0) continue;
      rowLoss.push(rows.losses[i]);
      rowHit.push(rows.argmax[i] === b.targets[i] ? 1 : 0);
      unit.push(bi * B + Math.floor(b.positions[i] / T));
    }
  }
  const key = fingerprint(...batches.flatMap((b) => [b.targets, b.positions]));
  return {
    loss,
    lossTotals: unitTotals(rowLoss, unit, key),
    accuracyTotals: unitTotals(rowHit, unit, key),
    targets: rowHit.length,
  };
}

/**
 * The shared probe: a fresh head with its own output layer (sharedProbeHead, seeded identically for every run) on
 * the run's frozen encoder, trained for `budget.mlmSteps` steps on the run's training batches (the same for every
 * scheme at a seed) masked like the shared evaluation (random 15%, all [MASK], seeded), learning the [MASK] input
 * row too; then the shared evaluation and pseudo-perplexity through it. `params`: the run's weights (default: read
 * from its trainer). The probe trainer is destroyed afterwards.
 */
export async function mlmProbe(
  k: Kernels,
  run: TrainingRun,
  budget: ProbeBudget,
  hooks: ProbeHooks = {},
  params?: Float32Array,
): Promise<MlmProbeResult | undefined> {
  await run.trainer.flush();
  const { init, copied } = probeInit(run, run.trainer.layout, params ?? (await run.trainer.state.read('params')));
  if (!copied.includes('wte')) throw new Error('shared probe: the run has no token embedding to copy');
  if (run.plan.causal) throw new Error('shared probe: a causal run is scored by next-token figures (nextTokenFigures)');
  const T = run.model.T;
  const B = run.config.train.B;
  const M = B * planMasking(EVAL_MASKING, run.vocab, T).capacity;
  const steps = Math.max(1, Math.round(budget.mlmSteps));
  const losses: number[] = [];
  const probe = new Trainer(k, run.model, init, {
    B,
    M,
    head: sharedProbeHead(run.model),
    schedule: {
      lr: budget.mlmLr,
      warmupSteps: Math.min(Math.max(0, Math.round(budget.mlmWarmup)), steps),
      totalSteps: steps,
      decay: 'constant',
      minRatio: 1,
    },
    adam: { weightDecay: 0 },
    maxGradNorm: 1,
    freezeEncoder: true,
    probeInputRow: SPECIAL_IDS.mask,
    onMetrics: (m) => (losses[m.step] = m.loss),
  });
  const tStart = performance.now();
  try {
    let inFlight: Promise<undefined> | undefined;
    for (let s = 0; s < steps; s++) {
      if (hooks.cancelled?.()) return undefined;
      const masked = applyMasking(EVAL_MASKING, run.masking.order.batchAt(s), {
        vocab: run.vocab,
        rng: Rng.from(run.config.seed, 'mlm-probe', s),
      });
      probe.trainStep(engineBatch(masked, M));
      // One step in flight, as in the worker's training loop.
      const submitted = k.device.queue.onSubmittedWorkDone();
      if (inFlight) await inFlight;
      inFlight = submitted;
      hooks.onProgress?.('mlm', s + 1, steps);
    }
    await probe.flush();
    let tp = performance.now();
    hooks.onPhase?.(`shared probe: ${steps} training steps`, tp - tStart);
    const ev = sharedEvalBatches(run.data, run.vocab, T);
    const figures = await evalUnits(probe, ev.batches, ev.B, ev.M, T);
    hooks.onPhase?.('shared probe: evaluation', performance.now() - tp);
    tp = performance.now();
    const freq = frequencyBaseline(run.vocab, ev.batches);
    const ppplBatches = pseudoPerplexityBatches(run.data.heldOut, PPPL_SEQUENCES, ev.B);
    const pppl = ppplBatches.length > 0 ? Math.exp((await probe.evaluate(ppplBatches, ev.B, ev.B)).loss) : undefined;
    hooks.onPhase?.('shared probe: pseudo-perplexity', performance.now() - tp);
    const tail = losses.filter((x) => x !== undefined).slice(-10);
    const lossEstimate = bootstrapUnits(figures.lossTotals, `${PROBE_SEED}/loss`);
    const accuracyEstimate = bootstrapUnits(figures.accuracyTotals, `${PROBE_SEED}/accuracy`);
    return {
      loss: figures.loss,
      accuracy: accuracyEstimate.value,
      targets: figures.targets,
      pseudoPerplexity: pppl,
      steps,
      trainLoss: tail.reduce((a, b) => a + b, 0) / Math.max(1, tail.length),
      lossEstimate,
      accuracyEstimate,
      lossTotals: figures.lossTotals,
      accuracyTotals: figures.accuracyTotals,
      frequencyLoss: freq.loss,
      frequencyAccuracy: freq.accuracy,
      maskRow: true,
      ownOutput: true,
    };
  } finally {
    probe.destroy();
  }
}

/** A causal run's next-token loss and accuracy on its held-out evaluation batches, with intervals over passages. */
export async function nextTokenFigures(run: TrainingRun): Promise<NextTokenResult> {
  await run.trainer.flush();
  const f = await evalUnits(run.trainer, run.evalBatches, run.evalB, run.evalM, run.model.T);
  const lossEstimate = bootstrapUnits(f.lossTotals, `${PROBE_SEED}/next-token-loss`);
  const accuracyEstimate = bootstrapUnits(f.accuracyTotals, `${PROBE_SEED}/next-token-accuracy`);
  return {
    loss: f.loss,
    accuracy: accuracyEstimate.value,
    targets: f.targets,
    lossEstimate,
    accuracyEstimate,
    lossTotals: f.lossTotals,
    accuracyTotals: f.accuracyTotals,
  };
}

/** `f` called at most once per `ms` milliseconds, except a phase's last call (done = total); `f` itself without ms. */
function everyMs(f: ProbeHooks['onProgress'], ms: number | undefined): ProbeHooks['onProgress'] {
  if (!f || !ms) return f;
  let last = -Infinity;
  return (phase, done, total) => {
    const now = performance.now();
    if (now - last < ms && done < total) return;
    last = now;
    f(phase, done, total);
  };
}

/**
 * The probes on a finished run, the same for every objective: the shared probe (MLM included: its own head is left
 * behind; a causal run gets its next-token figures instead) and every downstream task. A task that the held-out text is too small for is left out with a message.
 */
export async function runProbes(
  k: Kernels,
  run: TrainingRun,
  budget: ProbeBudget,
  given: ProbeHooks = {},
): Promise<ProbeResults | undefined> {
  const hooks = { ...given, onProgress: everyMs(given.onProgress, given.progressEveryMs) };
  const t0 = performance.now();
  const out: ProbeResults = { ms: 0, ownEvalKind: run.evalKind, tasks: [], trainFlopsPerStep: run.flopsPerStep };
  if (run.plan.causal) {
    // A causal encoder would read a masked token from its left only: scored in its own column, not by the probe.
    out.nextToken = await nextTokenFigures(run);
    hooks.onPhase?.('next-token figures', performance.now() - t0);
  } else {
    const mlm = await mlmProbe(k, run, budget, hooks);
    if (hooks.cancelled?.()) return undefined;
    if (mlm) out.mlm = mlm;
  }
  await run.trainer.flush();
  const errors: string[] = [];
  const toy = isToyCorpus(run.config.corpus);
  for (const t of DOWNSTREAM_TASKS) {
    if (hooks.cancelled?.()) return undefined;
    if (t.toyOnly && !toy) continue;
    try {
      const prebuilt =
        t.id === 'agreement' ? buildAgreementTask(run.config.corpus, run.data.tokenizer, run.model.T) : undefined;
      const progress = (d: number, n: number) => hooks.onProgress?.('downstream', d, n);
      const tt = performance.now();
      out.tasks!.push(
        await runDownstreamTask(
          run.trainer,
          run.data.heldOut,
          t.id,
          Math.max(4, Math.round(budget.downstreamSequences)),
          progress,
          prebuilt,
        ),
      );
      hooks.onPhase?.(`task ${t.id} (${out.tasks!.at(-1)!.testExamples} test examples)`, performance.now() - tt);
    } catch (e) {
      errors.push(e instanceof Error ? e.message : String(e));
    }
  }
  if (errors.length) out.downstreamError = errors.join('; ');
  out.ms = performance.now() - t0;
  return out;
}

// The comparison's probes on a finished run (MASKING.md part 3): the MLM probe (a fresh vocabulary head trained
// briefly on the frozen encoder, then the shared evaluation) and the downstream word-order probe on frozen features.
import { heldOutBatches, type SequenceSet } from '../data/batching';
import type { PreparedData } from '../data/dataset';
import { Rng } from '../data/rng';
import type { Kernels } from '../engine/kernels';
import { bertTensors, copyTensors, initParams, placeTensors, VOCAB_HEAD, type ParamLayout } from '../engine/model/params';
import { Trainer, type EngineBatch } from '../engine/trainer';
import { applyMasking, planMasking, type VocabInfo } from '../masking';
import { buildSwapTask, fitLogistic, logisticAccuracy, splitBySource } from './probeTask';
import { engineBatch, EVAL_B, EVAL_MASKING, EVAL_MAX_SEQUENCES, EVAL_SEED, pseudoPerplexityBatches, PPPL_SEQUENCES, uniformOf, type TrainingRun } from './run';

/** How much work the probes do. The defaults suit the comparison view; tests and e2e pass small ones. */
export interface ProbeBudget {
  /** MLM probe: training steps of the fresh vocabulary head (batch size: the run's). */
  mlmSteps: number;
  mlmWarmup: number;
  /** MLM probe: peak (then constant) learning rate. */
  mlmLr: number;
  /** Downstream probe: held-out sequences used (each gives an original and a swapped example). */
  downstreamSequences: number;
}

export const DEFAULT_PROBE_BUDGET: ProbeBudget = { mlmSteps: 100, mlmWarmup: 10, mlmLr: 1e-3, downstreamSequences: 256 };

/** The seed of everything the probes draw that must be the same for every run (task, split): fixed. */
export const PROBE_SEED = 'masklab-probe';
/** Share of the downstream task's source sequences held out for testing the classifier. */
export const DOWNSTREAM_TEST_FRACTION = 0.3;
/** L2 penalty of the downstream classifier (mean log-loss, standardized features). */
export const DOWNSTREAM_L2 = 1e-2;
/** Sequences per feature read. */
const FEATURE_B = 16;

export interface MlmProbeResult {
  /** Shared evaluation (fixed 15% [MASK] held-out masks) through the probe head. */
  loss: number;
  accuracy: number;
  targets: number;
  /** Pseudo-perplexity of the same fixed sample the vocabulary-head runs use. */
  pseudoPerplexity?: number;
  steps: number;
  /** Mean training loss of the probe head over its last (up to) 10 steps. */
  trainLoss: number;
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
  /** Runs without a vocabulary head only. */
  mlm?: MlmProbeResult;
  downstream?: DownstreamResult;
  /** Why the downstream probe could not run (too little held-out text), when that is the case. */
  downstreamError?: string;
  /** Wall time of both probes. */
  ms: number;
}

export interface ProbeHooks {
  /** Called after each MLM-probe step is submitted. */
  onProgress?: (phase: 'mlm' | 'downstream', done: number, total: number) => void;
  /** Checked between steps: stop early (the caller discards the result). */
  cancelled?: () => boolean;
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
export function sharedEvalBatches(data: PreparedData, vocab: VocabInfo, T: number): { batches: EngineBatch[]; B: number; M: number } {
  const plan = planMasking(EVAL_MASKING, vocab, T);
  const B = Math.min(EVAL_B, data.heldOut.count);
  const M = B * plan.capacity;
  const held = heldOutBatches(data.heldOut, B).slice(0, Math.ceil(EVAL_MAX_SEQUENCES / B));
  const masked = held.map((b, i) => applyMasking(EVAL_MASKING, b, { vocab, rng: Rng.from(EVAL_SEED, i) }));
  return { batches: normalize(masked.map((m) => engineBatch(m, M))), B, M };
}

/** The encoder's tensors (embeddings, their LayerNorm, every layer): what a probe keeps from a trained run. */
export function isEncoderTensor(name: string): boolean {
  return /^(wte|wpe|wtt|emb_ln_[gb]|h\d+\..+)$/.test(name);
}

/** Fresh seeded vocabulary-model weights with the encoder tensors of a trained run (its head is left behind). */
export function probeInit(run: Pick<TrainingRun, 'model' | 'config'>, srcLayout: ParamLayout, src: Float32Array): { layout: ParamLayout; init: Float32Array; copied: string[] } {
  const layout = placeTensors(bertTensors(run.model, VOCAB_HEAD));
  const init = initParams(layout, run.model.initStd, uniformOf(Rng.from(run.config.seed, 'mlm-probe-init')));
  const encoderOnly = new Map([...srcLayout.byName].filter(([name]) => isEncoderTensor(name)));
  const copied = copyTensors({ ...srcLayout, byName: encoderOnly }, src, layout, init);
  return { layout, init, copied };
}

/**
 * The MLM probe: a fresh vocabulary head on the run's frozen encoder, trained for `budget.mlmSteps` steps on the
 * run's training batches (same data order) masked like the shared evaluation (random 15%, all [MASK], seeded),
 * then the shared evaluation and pseudo-perplexity through it. The probe trainer is destroyed afterwards.
 */
export async function mlmProbe(k: Kernels, run: TrainingRun, budget: ProbeBudget, hooks: ProbeHooks = {}): Promise<MlmProbeResult | undefined> {
  await run.trainer.flush();
  const { init, copied } = probeInit(run, run.trainer.layout, await run.trainer.state.read('params'));
  if (!copied.includes('wte')) throw new Error('MLM probe: the run has no token embedding to copy');
  const T = run.model.T;
  const B = run.config.train.B;
  const M = B * planMasking(EVAL_MASKING, run.vocab, T).capacity;
  const steps = Math.max(1, Math.round(budget.mlmSteps));
  const losses: number[] = [];
  const probe = new Trainer(k, run.model, init, {
    B,
    M,
    head: VOCAB_HEAD,
    schedule: { lr: budget.mlmLr, warmupSteps: Math.min(Math.max(0, Math.round(budget.mlmWarmup)), steps), totalSteps: steps, decay: 'constant', minRatio: 1 },
    adam: { weightDecay: 0 },
    maxGradNorm: 1,
    causal: run.plan.causal,
    freezeEncoder: true,
    onMetrics: (m) => (losses[m.step] = m.loss),
  });
  try {
    let inFlight: Promise<undefined> | undefined;
    for (let s = 0; s < steps; s++) {
      if (hooks.cancelled?.()) return undefined;
      const masked = applyMasking(EVAL_MASKING, run.order.batchAt(s), { vocab: run.vocab, rng: Rng.from(run.config.seed, 'mlm-probe', s) });
      probe.trainStep(engineBatch(masked, M));
      // One step in flight, as in the worker's training loop.
      const submitted = k.device.queue.onSubmittedWorkDone();
      if (inFlight) await inFlight;
      inFlight = submitted;
      hooks.onProgress?.('mlm', s + 1, steps);
    }
    await probe.flush();
    const ev = sharedEvalBatches(run.data, run.vocab, T);
    const r = await probe.evaluate(ev.batches, ev.B, ev.M);
    const ppplBatches = pseudoPerplexityBatches(run.data.heldOut, PPPL_SEQUENCES, ev.B);
    const pppl = ppplBatches.length > 0 ? Math.exp((await probe.evaluate(ppplBatches, ev.B, ev.B)).loss) : undefined;
    const tail = losses.filter((x) => x !== undefined).slice(-10);
    return { loss: r.loss, accuracy: r.accuracy, targets: r.targets, pseudoPerplexity: pppl, steps, trainLoss: tail.reduce((a, b) => a + b, 0) / Math.max(1, tail.length) };
  } finally {
    probe.destroy();
  }
}

/** Whatever turns sequences into (B, C) frozen features (Trainer.features; a CPU stand-in in tests). */
export interface FeatureSource {
  cfg: { T: number; C: number };
  features(ids: Int32Array, valid: Int32Array, B: number): Promise<Float32Array>;
}

/** Mean-pooled features of every row of (count, T) ids, read FEATURE_B rows at a time (the last chunk padded). */
export async function featuresOf(src: FeatureSource, ids: Int32Array, valid: Int32Array, count: number, onChunk?: (done: number) => void): Promise<Float32Array> {
  const { T, C } = src.cfg;
  const out = new Float32Array(count * C);
  const B = Math.min(FEATURE_B, count);
  for (let r0 = 0; r0 < count; r0 += B) {
    const n = Math.min(B, count - r0);
    const bi = new Int32Array(B * T);
    const bv = new Int32Array(B * T);
    for (let k = 0; k < B; k++) {
      const r = r0 + Math.min(k, n - 1); // pad with the chunk's last row
      bi.set(ids.subarray(r * T, (r + 1) * T), k * T);
      bv.set(valid.subarray(r * T, (r + 1) * T), k * T);
    }
    const f = await src.features(bi, bv, B);
    out.set(f.subarray(0, n * C), r0 * C);
    onChunk?.(r0 + n);
  }
  return out;
}

/**
 * The downstream probe: the word-order task from the first `budget.downstreamSequences` held-out sequences
 * (fixed seed, so every run gets the same examples and split), frozen mean-pooled features, logistic regression
 * trained on 70% of the source sequences and tested on the rest.
 */
export async function downstreamProbe(src: FeatureSource, heldOut: SequenceSet, budget: ProbeBudget, hooks: ProbeHooks = {}): Promise<DownstreamResult> {
  const task = buildSwapTask(heldOut, { maxSequences: Math.max(2, Math.round(budget.downstreamSequences)), seed: PROBE_SEED });
  if (task.count < 4) throw new Error(`the held-out text has ${task.count / 2} sequence(s) with two different neighbouring words; the downstream probe needs at least 2`);
  const X = await featuresOf(src, task.ids, task.valid, task.count, (done) => hooks.onProgress?.('downstream', done, task.count));
  const { train, test } = splitBySource(task.source, DOWNSTREAM_TEST_FRACTION, PROBE_SEED);
  const model = fitLogistic(X, src.cfg.C, task.labels, train, { l2: DOWNSTREAM_L2 });
  return {
    accuracy: logisticAccuracy(model, X, task.labels, test),
    trainAccuracy: logisticAccuracy(model, X, task.labels, train),
    chance: 0.5,
    trainExamples: train.length,
    testExamples: test.length,
  };
}

/** Both probes on a finished run: the MLM probe when the run has no vocabulary head, the downstream probe always. */
export async function runProbes(k: Kernels, run: TrainingRun, budget: ProbeBudget, hooks: ProbeHooks = {}): Promise<ProbeResults | undefined> {
  const t0 = performance.now();
  const mlm = run.head.kind === 'vocab' ? undefined : await mlmProbe(k, run, budget, hooks);
  if (hooks.cancelled?.()) return undefined;
  await run.trainer.flush();
  const out: ProbeResults = { ms: 0 };
  if (mlm) out.mlm = mlm;
  try {
    out.downstream = await downstreamProbe(run.trainer, run.data.heldOut, budget, hooks);
  } catch (e) {
    out.downstreamError = e instanceof Error ? e.message : String(e);
  }
  out.ms = performance.now() - t0;
  return out;
}

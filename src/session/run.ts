// A training run: prepares the data (split, tokenizer, packing), the masking plan and the fixed held-out masks,
// builds the engine's Trainer, and steps it with seeded batches. Used by the worker, the Node CLI and tests.
import { BatchOrder, heldOutBatches } from '../data/batching';
import { prepareData, type PreparedData } from '../data/dataset';
import { Rng } from '../data/rng';
import type { Batch } from '../data/types';
import { validateModelConfig, type ModelConfig } from '../engine/config';
import type { Kernels } from '../engine/kernels';
import { bertTensors, initParams, placeTensors } from '../engine/model/params';
import { Trainer, type EngineBatch, type EvalResult, type StepMetrics } from '../engine/trainer';
import { applyMasking, countUnigrams, planMasking, vocabInfoOf, type MaskingPlan, type VocabInfo } from '../masking';
import type { MaskedBatch, MaskingConfig } from '../masking/types';
import { modelShape, scheduleOf, type ExperimentConfig } from './config';

/** The evaluation every run shares (MASKING.md part 3): random 15% of tokens, all [MASK], fixed seed. */
export const EVAL_MASKING: MaskingConfig = {
  strategy: 'random',
  strategyParams: { rate: 0.15, maskFrac: 1, randomFrac: 0 },
  objective: 'mlm',
};
export const EVAL_SEED = 'masklab-eval';
/** Held-out sequences per evaluation batch (independent of the training batch size). */
export const EVAL_B = 32;
/** At most this many held-out sequences are evaluated (the first ones, always the same). */
export const EVAL_MAX_SEQUENCES = 512;

export interface RunCallbacks {
  onMetrics?: (m: StepMetrics) => void;
  onEval?: (step: number, r: EvalResult) => void;
  onNonFinite?: (info: { step: number; restoredStep: number }) => void;
}

/** Turns a masked batch into the engine's input arrays (vocabulary-head objectives). */
export function engineBatch(m: MaskedBatch): EngineBatch {
  const g = m.gathered;
  if (!g) throw new Error(`objective "${m.objective}" has no gathered targets: the engine's vocabulary head cannot train it`);
  return { ids: m.inputIds, valid: m.valid, positions: g.positions, targets: g.targets, weights: g.weights };
}

export class TrainingRun {
  readonly model: ModelConfig;
  readonly vocab: VocabInfo;
  readonly plan: MaskingPlan;
  readonly trainer: Trainer;
  readonly order: BatchOrder;
  readonly evalBatches: EngineBatch[];
  readonly evalM: number;
  readonly evalB: number;
  private readonly batch: Batch;
  private readonly seed: number;

  constructor(
    k: Kernels,
    readonly config: ExperimentConfig,
    readonly data: PreparedData,
    cb: RunCallbacks = {},
  ) {
    const e = config;
    this.seed = e.seed;
    const V = data.tokenizer.vocabSize;
    this.model = modelShape(e, V);
    validateModelConfig(this.model);
    const T = this.model.T;
    if (data.train.T !== T) throw new Error(`data was packed for T=${data.train.T}, the model has T=${T}`);
    this.vocab = vocabInfoOf(data.tokenizer, countUnigrams(data.train.ids, data.train.valid, V));
    this.plan = planMasking(e.masking, this.vocab, T);
    const unsupported = this.plan.heads.find((h) => h.kind !== 'vocab');
    if (unsupported) throw new Error(`objective "${e.masking.objective}" needs a ${unsupported.kind} head, which the engine does not train yet`);
    const B = e.train.B;
    this.order = new BatchOrder(data.train, B, e.seed);
    this.batch = this.order.batchAt(0);
    const layout = placeTensors(bertTensors(this.model));
    const init = initParams(layout, this.model.initStd, uniformOf(Rng.from(e.seed, 'init')));
    this.trainer = new Trainer(k, this.model, init, {
      B,
      M: B * this.plan.capacity,
      schedule: scheduleOf(e.train),
      adam: { weightDecay: e.train.weightDecay },
      maxGradNorm: e.train.maxGradNorm,
      causal: this.plan.causal,
      onMetrics: cb.onMetrics,
      onNonFinite: cb.onNonFinite,
    });
    // Fixed held-out masks, identical for every scheme, seed and step.
    const evalPlan = planMasking(EVAL_MASKING, this.vocab, T);
    this.evalB = Math.min(EVAL_B, data.heldOut.count);
    this.evalM = this.evalB * evalPlan.capacity;
    const held = heldOutBatches(data.heldOut, this.evalB).slice(0, Math.ceil(EVAL_MAX_SEQUENCES / this.evalB));
    const masked = held.map((b, i) => applyMasking(EVAL_MASKING, b, { vocab: this.vocab, rng: Rng.from(EVAL_SEED, i) }));
    const total = masked.reduce((s, m) => s + m.selectedCount, 0);
    this.evalBatches = masked.map((m) => {
      const eb = engineBatch(m);
      // Re-weight so the loss is the mean over ALL held-out targets, not per batch.
      const w = new Float32Array(eb.weights.length);
      for (let i = 0; i < w.length; i++) w[i] = eb.positions[i] >= 0 && eb.targets[i] >= 0 ? 1 / Math.max(1, total) : 0;
      return { ...eb, weights: w };
    });
  }

  /** The masked batch for a training step (seeded by run seed and step alone). */
  maskedBatch(step: number): MaskedBatch {
    const b = this.order.batchAt(step, this.batch);
    const progress = step / Math.max(1, this.config.train.steps);
    return applyMasking(this.config.masking, b, { vocab: this.vocab, rng: Rng.from(this.seed, 'mask', step), progress });
  }

  /** Encodes and submits the next training step. */
  step(): void {
    this.trainer.trainStep(engineBatch(this.maskedBatch(this.trainer.step)));
  }

  evaluate(): Promise<EvalResult> {
    return this.trainer.evaluate(this.evalBatches, this.evalB, this.evalM);
  }

  destroy(): void {
    this.trainer.destroy();
  }
}

/** A uniform [0,1) source from a seeded Rng. */
export function uniformOf(rng: Rng): () => number {
  return () => rng.float();
}

/** Data for an experiment from its text (tokenizer trained on the training split only). */
export function prepareExperimentData(text: string, e: ExperimentConfig): PreparedData {
  const T = modelShape(e, 100).T;
  return prepareData(text, e.tokenizer, { T, seed: e.seed });
}

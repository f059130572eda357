// The masking side of a training run, pure (no GPU): vocabulary with corpus counts, plan, what it draws from the
// training split (PMI lexicon, the objective's table), hard-token scores, batch order, the masked batch of any step,
// the evaluation rule and the fixed held-out masks, the token id behind each loss row, and the head it trains. TrainingRun trains on it; the scale-up export writes its golden batches from it.
import { BatchOrder, heldOutBatches, sequenceEncodings, type SequenceSet } from '../data/batching';
import type { PreparedData } from '../data/dataset';
import { Rng } from '../data/rng';
import type { Batch } from '../data/types';
import {
  applyMasking,
  contextFromTrainingSplit,
  countUnigrams,
  planMasking,
  sharesMaskedEvaluation,
  TokenLossEma,
  vocabInfoOf,
  type MaskingPlan,
  type VocabInfo,
} from '../masking';
import type { CorpusTable, EvaluationKind, MaskedBatch, MaskingConfig, PmiLexicon } from '../masking/types';
import type { ModelConfig } from '../engine/config';
import { HEADS, type HeadConfig } from '../engine/model/heads';
import type { ExperimentConfig } from './config';

/** Seed of the held-out masks (the same for every scheme, seed and step). */
export const EVAL_SEED = 'masklab-eval';
/** The evaluation every run shares (MASKING.md part 3): random 15% of tokens, all [MASK], fixed seed. */
export const EVAL_MASKING: MaskingConfig = {
  strategy: 'random',
  strategyParams: { rate: 0.15, maskFrac: 1, randomFrac: 0 },
  objective: 'mlm',
};
/** Held-out sequences per evaluation batch (independent of the training batch size). */
export const EVAL_B = 32;
/** At most this many held-out sequences are evaluated (the first ones, always the same). */
export const EVAL_MAX_SEQUENCES = 512;

/**
 * What a run's own-head figures are (not comparable across objectives; the comparison's shared probe is): 'mlm': the
 * fixed 15% [MASK] masks through its vocabulary head; 'next-token' (MEAP, a causal decoder): next-token loss on the
 * held-out text without masks; 'objective': the objective's own loss at fixed masks.
 */
export type OwnEvalKind = 'mlm' | 'objective' | 'next-token';

/** The one rule from an objective's evaluation to its own-head figures. */
export function ownEvalKind(o: { evaluation: EvaluationKind }): OwnEvalKind {
  if (o.evaluation === 'causal-next-token') return 'next-token';
  return sharesMaskedEvaluation(o) ? 'mlm' : 'objective';
}

/**
 * The engine head an objective trains: the head module it names configures itself from the plan (or from the
 * objective's heads and parameters alone: the strategy plays no part).
 */
export function headFor(
  plan: Pick<MaskingPlan, 'objective' | 'heads' | 'objectiveParams'>,
  model: ModelConfig,
): HeadConfig {
  return HEADS[plan.objective.head].configure({
    objective: plan.objective.id,
    heads: plan.heads,
    params: plan.objectiveParams,
    model,
  });
}

/**
 * The hard-token score table of a plan whose strategy needs one, with the strategy's own emaDecay; undefined for
 * every other strategy.
 */
export function hardnessFor(plan: MaskingPlan, V: number): TokenLossEma | undefined {
  if (!plan.strategy.needs.includes('hardness')) return undefined;
  const decay = plan.strategyParams.emaDecay;
  return new TokenLossEma(V, typeof decay === 'number' ? decay : 0.99);
}

/**
 * Fixed held-out masks of `masking` over the first `maxSequences` held-out sequences, `B` at a time, seeded by
 * EVAL_SEED and the batch index. A PMI strategy uses the run's lexicon and an objective its table (both from the
 * training split); a hard strategy gets an empty score table at progress 0, so its held-out masks are random (the
 * same for every run) rather than depending on training.
 */
export function heldOutMasks(
  masking: MaskingConfig,
  heldOut: SequenceSet,
  vocab: VocabInfo,
  B: number,
  maxSequences: number,
  fromTrain: { lexicon?: PmiLexicon; table?: CorpusTable } = {},
): MaskedBatch[] {
  const held = heldOutBatches(heldOut, B).slice(0, Math.ceil(maxSequences / B));
  const hardness = masking.strategy === 'hard' ? new TokenLossEma(vocab.size) : undefined;
  return held.map((b, i) =>
    applyMasking(masking, b, { vocab, rng: Rng.from(EVAL_SEED, i), ...fromTrain, hardness, progress: 0 }),
  );
}

/** What each loss row of a head is about (HeadModule.rows: 'tokens' = every token, as binary heads). */
export type LossRowKind = 'vocab' | 'classes' | 'tokens';

/**
 * The vocabulary id each loss row of a step is about, -1 where the row is empty (same length as the losses the
 * engine reads back). Gathered heads: a vocabulary head's target is already an id (MEAP's: the next token); a
 * class head's target is a class index, so the id is the original token at the gathered position. Per-token
 * heads (binary, ELECTRA's discriminator): the original token at every real, non-special position.
 */
export function lossRowTokenIds(
  kind: LossRowKind,
  masked: MaskedBatch,
  positions: Int32Array,
  targets: Int32Array,
): Int32Array {
  if (kind === 'tokens') {
    const N = masked.B * masked.T;
    const out = new Int32Array(N).fill(-1);
    for (let i = 0; i < N; i++) if (masked.valid[i] && masked.units[i] >= 0) out[i] = masked.originalIds[i];
    return out;
  }
  return Int32Array.from(targets, (t, s) => {
    const p = positions[s];
    if (t < 0 || p < 0) return -1;
    return kind === 'vocab' ? t : masked.originalIds[p];
  });
}

/** Feeds one step's row losses into a score table: rows whose id is -1 are skipped. */
export function updateHardness(h: TokenLossEma, ids: Int32Array, losses: Float32Array): void {
  const n = Math.min(ids.length, losses.length);
  const keep: number[] = [];
  const ls: number[] = [];
  for (let i = 0; i < n; i++) {
    if (ids[i] < 0) continue;
    keep.push(ids[i]);
    ls.push(losses[i]);
  }
  h.update(keep, ls);
}

/** A run's masking: everything about which tokens a step hides and what it asks for, seeded by run seed and step. */
export class RunMasking {
  readonly vocab: VocabInfo;
  readonly plan: MaskingPlan;
  readonly order: BatchOrder;
  /** PMI strategy: the collocation lexicon built from the training split. */
  readonly lexicon?: PmiLexicon;
  /** An objective's table built from the training split (Objective.fromTrainingSplit: ERNIE-Gram's n-grams). */
  readonly table?: CorpusTable;
  /** Hard-token strategy: per-id moving average of the model's own per-target losses. */
  readonly hardness?: TokenLossEma;
  /** What the run's own held-out figures are (the objective's evaluation). */
  readonly evalKind: OwnEvalKind;
  private readonly batch: Batch;

  constructor(
    readonly config: ExperimentConfig,
    readonly data: PreparedData,
  ) {
    const V = data.tokenizer.vocabSize;
    this.vocab = vocabInfoOf(data.tokenizer, countUnigrams(data.train.ids, data.train.valid, V));
    this.plan = planMasking(config.masking, this.vocab, data.train.T);
    const fromTrain = contextFromTrainingSplit(this.plan, sequenceEncodings(data.train), this.vocab);
    this.lexicon = fromTrain.lexicon;
    this.table = fromTrain.table;
    this.hardness = hardnessFor(this.plan, V);
    this.order = new BatchOrder(data.train, config.train.B, config.seed);
    this.batch = this.order.batchAt(0);
    this.evalKind = ownEvalKind(this.plan.objective);
  }

  /** Training progress t/T of a step (rate schedules, the hard-token ramp). */
  progress(step: number): number {
    return step / Math.max(1, this.config.train.steps);
  }

  /** The masked batch for a training step (seeded by run seed and step alone). */
  maskedBatch(step: number): MaskedBatch {
    const b = this.order.batchAt(step, this.batch);
    return applyMasking(this.config.masking, b, {
      vocab: this.vocab,
      rng: Rng.from(this.config.seed, 'mask', step),
      progress: this.progress(step),
      lexicon: this.lexicon,
      hardness: this.hardness,
      table: this.table,
    });
  }

  /**
   * The masking of the held-out evaluation: the shared one for vocabulary heads; MEAP's held-out text as it is (rate
   * 0: no [MASK]; a causal decoder predicts token t+1 at t); the run's own masking otherwise.
   */
  evalMasking(): MaskingConfig {
    if (this.evalKind === 'mlm') return EVAL_MASKING;
    const m = this.config.masking;
    if (this.evalKind === 'next-token')
      return { ...m, strategyParams: { ...m.strategyParams, rate: 0 }, schedule: undefined };
    return m;
  }

  /** Held-out sequences per evaluation batch. */
  get evalB(): number {
    return Math.min(EVAL_B, this.data.heldOut.count);
  }

  /** The fixed held-out masks, identical for every scheme, seed and step (the first EVAL_MAX_SEQUENCES sequences). */
  evalMasked(): MaskedBatch[] {
    return heldOutMasks(this.evalMasking(), this.data.heldOut, this.vocab, this.evalB, EVAL_MAX_SEQUENCES, {
      lexicon: this.lexicon,
      table: this.table,
    });
  }
}

// The masking of a training run without its GPU side, built as TrainingRun builds it (same helpers, same seeds):
// vocabulary with corpus counts, plan, PMI lexicon, hard-token scores, batch order, the masked batch of any step
// and the fixed held-out masks. The scale-up export writes its golden batches from it.
import { BatchOrder, sequenceEncodings } from '../data/batching';
import type { PreparedData } from '../data/dataset';
import { Rng } from '../data/rng';
import type { Batch } from '../data/types';
import {
  applyMasking,
  buildPmiLexicon,
  countUnigrams,
  planMasking,
  vocabInfoOf,
  type MaskingPlan,
  type TokenLossEma,
  type VocabInfo,
} from '../masking';
import type { MaskedBatch, MaskingConfig, PmiLexicon } from '../masking/types';
import type { ExperimentConfig } from './config';
import { EVAL_B, EVAL_MASKING, EVAL_MAX_SEQUENCES } from './run';
import { hardnessFor, heldOutMasks } from './runMasks';

export class RunMasking {
  readonly vocab: VocabInfo;
  readonly plan: MaskingPlan;
  readonly order: BatchOrder;
  /** PMI strategy: the collocation lexicon built from the training split. */
  readonly lexicon?: PmiLexicon;
  /** Hard-token strategy: per-id moving average of the model's own per-target losses. */
  readonly hardness?: TokenLossEma;
  private readonly batch: Batch;

  constructor(
    readonly config: ExperimentConfig,
    readonly data: PreparedData,
  ) {
    const V = data.tokenizer.vocabSize;
    this.vocab = vocabInfoOf(data.tokenizer, countUnigrams(data.train.ids, data.train.valid, V));
    this.plan = planMasking(config.masking, this.vocab, data.train.T);
    const needs = this.plan.strategy.needs;
    if (needs.includes('lexicon')) {
      const sp = this.plan.strategyParams;
      this.lexicon = buildPmiLexicon(sequenceEncodings(data.train), this.vocab, {
        minCount: Number(sp.minCount),
        size: Number(sp.lexiconSize),
      });
    }
    this.hardness = hardnessFor(this.plan, V);
    this.order = new BatchOrder(data.train, config.train.B, config.seed);
    this.batch = this.order.batchAt(0);
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
    });
  }

  /** The masking of the held-out evaluation: the shared one for vocabulary heads, the run's own otherwise. */
  evalMasking(vocabHead: boolean): MaskingConfig {
    return vocabHead ? EVAL_MASKING : this.config.masking;
  }

  /** Held-out sequences per evaluation batch. */
  get evalB(): number {
    return Math.min(EVAL_B, this.data.heldOut.count);
  }

  /** The fixed held-out masks, identical for every scheme, seed and step (the first EVAL_MAX_SEQUENCES sequences). */
  evalMasked(vocabHead: boolean): MaskedBatch[] {
    return heldOutMasks(
      this.evalMasking(vocabHead),
      this.data.heldOut,
      this.vocab,
      this.evalB,
      EVAL_MAX_SEQUENCES,
      this.lexicon,
    );
  }
}

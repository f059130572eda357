// A training run: prepares the data (split, tokenizer, packing), the masking plan and the fixed held-out masks,
// builds the engine's Trainer, and steps it with seeded batches. Used by the worker, the Node CLI and tests.
import { prepareData, type PreparedData } from '../data/dataset';
import { Rng } from '../data/rng';
import { SPECIAL_IDS, SPECIAL_TOKENS } from '../data/types';
import type { SequenceSet } from '../data/batching';
import { validateModelConfig, type ModelConfig } from '../engine/config';
import type { Kernels } from '../engine/kernels';
import { headModule } from '../engine/model/heads';
import { bertTensors, initParams, placeTensors, type HeadConfig } from '../engine/model/params';
import { Trainer, type EngineBatch, type EvalResult, type StepMetrics } from '../engine/trainer';
import { planMasking, type MaskingPlan, type TokenLossEma, type VocabInfo } from '../masking';
import type { MaskedBatch, PmiLexicon } from '../masking/types';
import { modelShape, scheduleOf, type ExperimentConfig } from './config';
import { frequentIds, LossCaseTracker } from './lossCases';
import { DivergenceWatch, type Divergence } from './divergence';
import { isToyCorpus, toyLanguageOf } from '../data/toyLanguage';
import {
  agreementFigures,
  encodePairs,
  scoreAgreement,
  trainerPairScorer,
  type AgreementResult,
  type EncodedPair,
} from './agreement';
import { frequencyBaseline, type FrequencyBaseline } from './baseline';
import { headFor, lossRowTokenIds, RunMasking, updateHardness, type LossRowKind, type OwnEvalKind } from './runMasking';
import type { EvalPoint } from './records';
import {
  AttendedTable,
  buildSyntaxSet,
  ONSET_RELATION,
  scoreSyntax,
  type SyntaxScores,
  type SyntaxSet,
} from './syntax';

export { EVAL_B, EVAL_MASKING, EVAL_MAX_SEQUENCES, EVAL_SEED, headFor } from './runMasking';
/** Ids below this are the special tokens [PAD] [UNK] [CLS] [SEP] [MASK]. */
const FIRST_NON_SPECIAL = SPECIAL_TOKENS.length;
/** Held-out sequences in the pseudo-perplexity sample (each real token masked once, alone). */
export const PPPL_SEQUENCES = 8;

export interface RunCallbacks {
  onMetrics?: (m: StepMetrics) => void;
  onEval?: (step: number, r: EvalResult) => void;
  onNonFinite?: (info: { step: number; restoredStep: number }) => void;
  /** The training loss diverged (divergence.ts): the trainer was rolled back and halted, as for a non-finite loss. */
  onDiverged?: (info: { step: number; restoredStep: number; divergence: Divergence }) => void;
}

/** Turns a masked batch into the engine's input arrays. `M` is the target capacity of the graph. */
export function engineBatch(m: MaskedBatch, M: number): EngineBatch {
  const g = m.gathered;
  const tl = m.tokenLabels;
  if (!g && !tl) throw new Error(`objective "${m.objective}" produced neither gathered targets nor token labels`);
  return {
    ids: m.inputIds,
    valid: m.valid,
    positions: g ? g.positions : new Int32Array(M).fill(-1),
    targets: g ? g.targets : new Int32Array(M).fill(-1),
    weights: g ? g.weights : new Float32Array(M),
    labels: tl?.labels,
    tokenWeights: tl?.weights,
    originalIds: m.originalIds,
    noPosition: m.noPosition,
    headInputs: m.headInputs,
    sbo: m.sbo ? { left: m.sbo.left, right: m.sbo.right, rel: m.sbo.rel, weights: m.sbo.weights } : undefined,
  };
}

/**
 * Batches of B rows for pseudo-perplexity: row r is sequence s with only position t masked (one target per row,
 * positions r*T + t), over the real non-special tokens of the first `count` sequences; weights 1/rows in total.
 */
export function pseudoPerplexityBatches(set: SequenceSet, count: number, B: number): EngineBatch[] {
  const T = set.T;
  const rows: { s: number; t: number }[] = [];
  for (let s = 0; s < Math.min(count, set.count); s++) {
    for (let t = 0; t < T; t++) {
      const i = s * T + t;
      if (set.valid[i] && set.ids[i] >= FIRST_NON_SPECIAL) rows.push({ s, t });
    }
  }
  const out: EngineBatch[] = [];
  for (let r0 = 0; r0 < rows.length; r0 += B) {
    const ids = new Int32Array(B * T);
    const valid = new Int32Array(B * T);
    const positions = new Int32Array(B).fill(-1);
    const targets = new Int32Array(B).fill(-1);
    const weights = new Float32Array(B);
    rows.slice(r0, r0 + B).forEach(({ s, t }, k) => {
      ids.set(set.ids.subarray(s * T, (s + 1) * T), k * T);
      valid.set(set.valid.subarray(s * T, (s + 1) * T), k * T);
      ids[k * T + t] = SPECIAL_IDS.mask;
      positions[k] = k * T + t;
      targets[k] = set.ids[s * T + t];
      weights[k] = 1 / rows.length;
    });
    out.push({ ids, valid, positions, targets, weights });
  }
  return out;
}

/**
 * Re-weights evaluation batches so the loss is the mean over ALL their targets (and, with per-token labels, all
 * their tokens), not per batch.
 */
function normalizeEval(batches: EngineBatch[]): EngineBatch[] {
  const tokens = batches.reduce(
    (s, b) => s + (b.tokenWeights ?? new Float32Array(0)).reduce((n, w) => n + (w > 0 ? 1 : 0), 0),
    0,
  );
  const targets = batches.reduce(
    (s, b) => s + b.targets.reduce((n, t, i) => n + (t >= 0 && b.positions[i] >= 0 ? 1 : 0), 0),
    0,
  );
  return batches.map((b) => ({
    ...b,
    weights: b.weights.map((_, i) => (b.targets[i] >= 0 && b.positions[i] >= 0 ? 1 / Math.max(1, targets) : 0)),
    tokenWeights: b.tokenWeights?.map((w) => (w > 0 ? 1 / Math.max(1, tokens) : 0)),
  }));
}

export class TrainingRun {
  readonly model: ModelConfig;
  /** Vocabulary, plan, lexicon, hard-token scores, batch order, evaluation rule and held-out masks (no GPU). */
  readonly masking: RunMasking;
  readonly trainer: Trainer;
  /** Watches the training loss for a finite blow-up. */
  private readonly watch: DivergenceWatch;
  readonly evalBatches: EngineBatch[];
  readonly evalM: number;
  readonly evalB: number;
  readonly head: HeadConfig;
  private readonly M: number;
  /** What each per-row loss is about (the head module's rows). */
  private readonly rowKind: LossRowKind;
  /** Per step in flight: the vocabulary id behind each loss row (hard-token average). */
  private readonly rowIdsByStep = new Map<number, Int32Array>();
  /** Training loss by case (masked / replaced / kept, frequent / rare), for heads with gathered targets. */
  readonly lossCases?: LossCaseTracker;
  private readonly rates = new Map<number, number>();
  /** The frequency guess on the fixed held-out targets (shared MLM evaluation only). */
  readonly baseline?: FrequencyBaseline;
  /** Toy language with a vocabulary head: its held-out minimal pairs, encoded for this tokenizer and T. */
  readonly agreementPairs?: EncodedPair[];
  /** Toy language: held-out sentences with their gold arcs, on which attention heads are scored (any objective). */
  readonly syntaxSet?: SyntaxSet;
  /** Asked for by the CLI: evaluations' syntax scores carry every head's and two-head path's for the onset relation. */
  syntaxDetail = false;

  constructor(
    k: Kernels,
    readonly config: ExperimentConfig,
    readonly data: PreparedData,
    cb: RunCallbacks = {},
  ) {
    const e = config;
    const V = data.tokenizer.vocabSize;
    this.model = modelShape(e, V);
    validateModelConfig(this.model);
    const T = this.model.T;
    if (data.train.T !== T) throw new Error(`data was packed for T=${data.train.T}, the model has T=${T}`);
    this.masking = new RunMasking(e, data);
    this.head = headFor(this.plan, this.model);
    const B = e.train.B;
    this.rowKind = headModule(this.head).rows;
    if (this.rowKind !== 'tokens')
      this.lossCases = new LossCaseTracker(frequentIds(this.vocab.unigramCounts ?? new Float64Array(V)));
    const layout = placeTensors(bertTensors(this.model, this.head));
    this.M = B * this.plan.capacity;
    const init = initParams(layout, this.model.initStd, uniformOf(Rng.from(e.seed, 'init')));
    this.watch = new DivergenceWatch(V);
    this.trainer = new Trainer(k, this.model, init, {
      B,
      M: this.M,
      head: this.head,
      schedule: scheduleOf(e.train),
      adam: { weightDecay: e.train.weightDecay },
      maxGradNorm: e.train.maxGradNorm,
      causal: this.plan.causal,
      sampleSeed: electraSampleSeed(e.seed),
      onMetrics: (m) => {
        cb.onMetrics?.(m);
        // The divergence rule (divergence.ts): a finite blow-up rolls back like a non-finite loss.
        const d = this.watch.push(m.step, m.loss);
        if (d && !this.trainer.halted) {
          this.trainer.rollBack(m.step);
          this.watch.reset();
          cb.onDiverged?.({ ...this.trainer.halted!, divergence: d });
        }
      },
      onNonFinite: (info) => {
        this.watch.reset();
        cb.onNonFinite?.(info);
      },
      onRowLosses: this.lossCases || this.hardness ? (step, losses) => this.rowLosses(step, losses) : undefined,
    });
    // Fixed held-out masks, identical for every scheme, seed and step (RunMasking.evalMasking says whose).
    this.evalB = this.masking.evalB;
    this.evalM = this.evalB * planMasking(this.masking.evalMasking(), this.vocab, T).capacity;
    this.evalBatches = normalizeEval(this.masking.evalMasked().map((m) => engineBatch(m, this.evalM)));
    if (this.evalKind === 'mlm')
      this.baseline = frequencyBaseline(this.vocab.unigramCounts ?? new Float64Array(V), this.evalBatches);
    if (isToyCorpus(e.corpus) && this.evalKind === 'mlm') {
      this.agreementPairs = encodePairs(toyLanguageOf(e.corpus).pairs, data.tokenizer, T).encoded;
    }
    if (isToyCorpus(e.corpus)) this.syntaxSet = buildSyntaxSet(toyLanguageOf(e.corpus).pairs, data.tokenizer, T);
  }

  get vocab(): VocabInfo {
    return this.masking.vocab;
  }
  get plan(): MaskingPlan {
    return this.masking.plan;
  }
  /** PMI strategy: the collocation lexicon built from the training split. */
  get lexicon(): PmiLexicon | undefined {
    return this.masking.lexicon;
  }
  /** Hard-token strategy: per-id moving average of the model's own per-target losses. */
  get hardness(): TokenLossEma | undefined {
    return this.masking.hardness;
  }
  /** What the run's own held-out figures are (RunMasking.evalKind). */
  get evalKind(): OwnEvalKind {
    return this.masking.evalKind;
  }

  /** Agreement accuracy on the toy language's minimal pairs (undefined for other corpora and heads). */
  async agreement(): Promise<AgreementResult | undefined> {
    if (!this.agreementPairs?.length) return undefined;
    const { scorer, chunkSize } = trainerPairScorer(this.trainer, this.evalB, this.evalM, this.model.T);
    return scoreAgreement(this.agreementPairs, scorer, chunkSize);
  }

  /**
   * Head scores on the toy language's held-out syntax set (session/syntax.ts): every layer's attention on the
   * unmasked sentences, read in batches of the evaluation's size, scored against their gold arcs (`detail`: every
   * head's and two-head path's score for verb → subject past an attractor too). Undefined for other corpora.
   */
  async syntax(opts: { detail?: boolean } = {}): Promise<SyntaxScores | undefined> {
    const set = this.syntaxSet;
    if (!set?.count) return undefined;
    const { L, NH, T } = this.model;
    const B = this.evalB;
    const table = new AttendedTable(L, NH, set);
    for (let s0 = 0; s0 < set.count; s0 += B) {
      const rows = Math.min(B, set.count - s0);
      const ids = new Int32Array(B * T);
      const valid = new Int32Array(B * T);
      ids.set(set.ids.subarray(s0 * T, (s0 + rows) * T));
      valid.set(set.valid.subarray(s0 * T, (s0 + rows) * T));
      const att = await this.trainer.attention(ids, valid, B);
      att.forEach((a, l) => table.add(l, s0, rows, a));
    }
    return scoreSyntax(set, table, undefined, opts.detail ? ONSET_RELATION : undefined);
  }

  /**
   * Everything a run reports at an evaluation: the held-out loss and accuracy (with ELECTRA's parts), agreement on
   * the toy language's pairs and its heads' syntax scores, and, when asked (the end of a run), pseudo-perplexity.
   */
  async evalPoint(withPseudoPerplexity = false): Promise<EvalPoint> {
    const r = await this.evaluate();
    const point: EvalPoint = { step: this.trainer.step, loss: r.loss, accuracy: r.accuracy };
    if (r.electra) point.electra = r.electra;
    const ag = await this.agreement();
    if (ag) point.agreement = agreementFigures(ag);
    const syntax = await this.syntax({ detail: this.syntaxDetail });
    if (syntax) point.syntax = syntax;
    if (withPseudoPerplexity) {
      const p = await this.pseudoPerplexity();
      if (p !== undefined) point.pseudoPerplexity = p;
    }
    return point;
  }

  /** The masked batch for a training step (seeded by run seed and step alone). */
  maskedBatch(step: number): MaskedBatch {
    return this.masking.maskedBatch(step);
  }

  /** The masking rate a step used (after the rate schedule), while its metrics have not been collected. */
  takeRate(step: number): number | undefined {
    const r = this.rates.get(step);
    this.rates.delete(step);
    return r;
  }

  /** A step's per-row losses: loss by case, and the hard-token average (ids are the rows' original tokens). */
  private rowLosses(step: number, losses: Float32Array): void {
    this.lossCases?.addLosses(step, losses);
    const ids = this.rowIdsByStep.get(step);
    this.rowIdsByStep.delete(step);
    if (ids && this.hardness) updateHardness(this.hardness, ids, losses);
  }

  /** Encodes and submits the next training step. */
  step(): void {
    const step = this.trainer.step;
    const masked = this.maskedBatch(step);
    const batch = engineBatch(masked, this.M);
    const kind = this.rowKind;
    if (this.hardness) this.rowIdsByStep.set(step, lossRowTokenIds(kind, masked, batch.positions, batch.targets));
    if (this.lossCases)
      this.lossCases.record(
        step,
        masked.tags,
        batch.positions,
        lossRowTokenIds(kind, masked, batch.positions, batch.targets),
      );
    this.rates.set(step, masked.rate);
    this.trainer.trainStep(batch);
  }

  /** Training FLOPs of one step, counted by the engine from its own dispatch list (ELECTRA's generator included). */
  get flopsPerStep(): number {
    return this.trainer.flopsPerStep.total;
  }

  evaluate(): Promise<EvalResult> {
    return this.trainer.evaluate(this.evalBatches, this.evalB, this.evalM);
  }

  private ppplBatches?: EngineBatch[];

  /**
   * Pseudo-perplexity (Salazar et al. 2020) on a fixed held-out sample: each real token of the first
   * PPPL_SEQUENCES held-out sequences is replaced by [MASK] alone and scored; exp of the mean cross-entropy.
   * Vocabulary-head runs only (undefined otherwise).
   */
  async pseudoPerplexity(): Promise<number | undefined> {
    if (this.evalKind !== 'mlm') return undefined;
    const B = this.evalB;
    this.ppplBatches ??= pseudoPerplexityBatches(this.data.heldOut, PPPL_SEQUENCES, B);
    if (this.ppplBatches.length === 0) return undefined;
    const r = await this.trainer.evaluate(this.ppplBatches, B, B);
    return Math.exp(r.loss);
  }

  destroy(): void {
    this.trainer.destroy();
  }
}

/** The seed of ELECTRA's generator samples in training (the scale-up bundle's train.py draws the same). */
export function electraSampleSeed(seed: number): number {
  return Rng.from(seed, 'electra').int(2 ** 32);
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

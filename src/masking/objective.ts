// The contract every objective implements (how selected tokens are corrupted and what the heads predict), and
// the corruption and target-layout helpers objectives share.
import type { Rng } from '../data/rng';
import type { Batch, Encoding } from '../data/types';
import type { RowSelection, RowView } from './row';
import type { ReplacementSampler } from './sampling';
import { Tag } from './types';
import type {
  CorpusTable,
  EvaluationKind,
  GatheredTargets,
  HeadKind,
  HeadSpec,
  MaskedBatch,
  ObjectiveId,
  ParamSpec,
  ParamValues,
  PaperRef,
  Split,
  StrategyId,
  TokenLabels,
  VocabInfo,
} from './types';

/** What an objective gets to corrupt one row. Arrays are views of this row in the batch arrays. */
export interface CorruptEnv {
  rng: Rng;
  params: ParamValues;
  vocab: VocabInfo;
  /** The strategy's split and granularity (objectives may ignore them). */
  split: Split;
  splitPer: 'token' | 'unit';
  /** Random tokens from the strategy's law (uniform or unigram). */
  replacement: ReplacementSampler;
  /** Random tokens uniformly over the non-special vocabulary. */
  uniform: ReplacementSampler;
  inputIds: Int32Array;
  tags: Uint8Array;
  /** Scratch per position (0 at the start): the corruption kind, for objectives that label several kinds. */
  kinds: Uint8Array;
}

export interface Objective {
  id: ObjectiveId;
  name: string;
  /** 2-4 plain sentences for a learner. */
  explanation: string;
  references: readonly PaperRef[];
  params: readonly ParamSpec[];
  /** One of the seven core objectives of MASKING.md. */
  core: boolean;
  defaultStrategy: StrategyId;
  /** Strategies it can be combined with; absent = all. */
  strategies?: readonly StrategyId[];
  /** The model must use causal (decoder) attention. */
  causal: boolean;
  /** The engine head it trains (src/engine/model/heads). */
  head: HeadKind;
  /** How its runs are evaluated on held-out text (see EvaluationKind). */
  evaluation: EvaluationKind;
  /** The heads the engine builds, with class counts (they may depend on the vocabulary and T). */
  heads(vocab: VocabInfo, T: number, params: ParamValues): HeadSpec[];
  /** Gathered-target slots per row, given the strategy's capacity (default: the same). */
  capacity?(T: number, strategyCapacity: number): number;
  /** Chooses positions for the whole batch itself (MEAP: the same positions in every row). */
  sharedPositions?(T: number, rate: number, rng: Rng): Int32Array;
  /**
   * Adds positions of its own to the strategy's selection before corruption (shuffle+random: the random tokens
   * drawn among the positions the strategy left). Marks only maskable positions.
   */
  extendSelection?(row: RowView, sel: RowSelection, env: { rng: Rng; params: ParamValues }): void;
  /** Writes the corrupted ids and tags of one row (inputIds start as a copy of the original ids). */
  corruptRow(row: RowView, sel: RowSelection, env: CorruptEnv): void;
  /** Fills the target fields of the batch (gathered, tokenLabels, sbo, noPosition). */
  targets(mb: MaskedBatch, env: TargetEnv): void;
  /**
   * What the objective draws from the training split before any masking (ERNIE-Gram: its n-gram vocabulary), from
   * its sequences' encodings; a run and the preview build it from the training split only (contextFromTrainingSplit)
   * and pass it in MaskingContext.table, which reaches `targets` as TargetEnv.table.
   */
  fromTrainingSplit?(train: Iterable<Encoding>, vocab: VocabInfo, params: ParamValues): CorpusTable;
}

export interface TargetEnv {
  /** Gathered-target slots per row. */
  capacity: number;
  vocab: VocabInfo;
  params: ParamValues;
  /** The uncorrupted batch (word ids for word-level targets). */
  batch: Batch;
  /** (B*T) the corruption kinds corruptRow wrote (CorruptEnv.kinds). */
  kinds: Uint8Array;
  /** The table the objective drew from the training split (Objective.fromTrainingSplit), when it has one. */
  table?: CorpusTable;
}

/**
 * The [MASK] / random / keep corruption: one draw per token, or per unit (all tokens of a span share the
 * decision, each replaced token gets its own random id). Draws happen in position order.
 */
export function corruptWithSplit(
  row: RowView,
  sel: RowSelection,
  env: CorruptEnv,
  split: Split,
  per: 'token' | 'unit',
  sampler: ReplacementSampler,
): void {
  const mask = env.vocab.specialIds.mask;
  const unitChoice = new Map<number, number>();
  for (let t = 0; t < row.T; t++) {
    if (!sel.selected[t]) continue;
    let u: number;
    if (per === 'unit') {
      const got = unitChoice.get(sel.units[t]);
      if (got === undefined) unitChoice.set(sel.units[t], (u = env.rng.float()));
      else u = got;
    } else {
      u = env.rng.float();
    }
    if (u < split.mask) {
      env.inputIds[t] = mask;
      env.tags[t] = Tag.MASKED;
    } else if (u < split.mask + split.random) {
      env.inputIds[t] = sampler.draw(env.rng, row.ids[t]);
      env.tags[t] = env.inputIds[t] === row.ids[t] ? Tag.KEPT : Tag.REPLACED;
    } else {
      env.tags[t] = Tag.KEPT;
    }
  }
}

/** Gathered-target slots at every selected position, in position order, with target = targetOf(flat index). */
export function gatherSelected(
  mb: MaskedBatch,
  capacity: number,
  classes: number,
  targetOf: (i: number) => number,
): GatheredTargets {
  return gatherWhere(mb, capacity, classes, (i) => mb.selected[i] === 1, targetOf);
}

export function gatherWhere(
  mb: MaskedBatch,
  capacity: number,
  classes: number,
  include: (i: number) => boolean,
  targetOf: (i: number) => number,
): GatheredTargets {
  const { B, T } = mb;
  const positions = new Int32Array(B * capacity).fill(-1);
  const targets = new Int32Array(B * capacity).fill(-1);
  const weights = new Float32Array(B * capacity);
  let count = 0;
  for (let b = 0; b < B; b++) {
    let slot = b * capacity;
    for (let t = 0; t < T; t++) {
      const i = b * T + t;
      if (!include(i)) continue;
      if (slot >= (b + 1) * capacity) throw new Error(`row ${b} has more targets than the capacity ${capacity}`);
      const target = targetOf(i);
      if (!(target >= 0 && target < classes))
        throw new Error(`target ${target} at row ${b}, position ${t} is outside [0, ${classes})`);
      positions[slot] = i;
      targets[slot] = target;
      slot++;
      count++;
    }
  }
  if (count > 0) for (let s = 0; s < positions.length; s++) if (positions[s] >= 0) weights[s] = 1 / count;
  return { capacity, count, positions, targets, weights, classes };
}

/** Binary labels over every non-pad token, weighted 1/(non-pad tokens in the batch). */
export function labelTokens(mb: MaskedBatch, labelOf: (i: number) => number): TokenLabels {
  const N = mb.B * mb.T;
  const labels = new Float32Array(N);
  const weights = new Float32Array(N);
  let real = 0;
  for (let i = 0; i < N; i++) if (mb.valid[i]) real++;
  for (let i = 0; i < N; i++) {
    if (!mb.valid[i]) continue;
    labels[i] = labelOf(i);
    weights[i] = 1 / real;
  }
  return { labels, weights };
}

/** Whether runs of an objective get the shared masked-vocabulary evaluation (the comparison's common yardstick). */
export function sharesMaskedEvaluation(o: { evaluation: EvaluationKind }): boolean {
  return o.evaluation === 'masked-vocab' || o.evaluation === 'causal-next-token';
}

export function vocabHead(name: string, vocab: VocabInfo, lossWeight = 1): HeadSpec {
  return { name, kind: 'vocabulary', classes: vocab.size, targets: 'gathered', lossWeight };
}

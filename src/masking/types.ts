// Types shared by every masking strategy and objective, and the layout of what the engine reads (documented below).
// Pure data: no GPU, no DOM. See /work/shared/MASKING.md for the catalogue these types serve.
/*
 * HOW MASKING WORKS IN MASKLAB
 *
 * A STRATEGY decides WHICH tokens are corrupted (random, whole-word, span, ngram, pmi, informative, hard), grouped
 * into units (a token, a word, a span, an n-gram, a PMI collocation). An OBJECTIVE decides HOW the chosen tokens
 * are corrupted and WHAT the model predicts there (mlm, slm, rts, shuffle, first-char, char-n, electra, sbo, meap,
 * position). A RATE SCHEDULE optionally changes the masking rate over training. `applyMasking(config, batch, ctx)`
 * (src/masking/apply.ts) runs all three on a Batch (B sequences of length T, src/data/types.ts) and returns a
 * MaskedBatch; `previewMasking` runs the very same code on one sentence for the UI.
 *
 * WHAT THE ENGINE READS (MaskedBatch). Flat row-major arrays; b = row, t = position, i = b*T + t.
 *   inputIds    (B*T) i32  the corrupted sequence: the model's input ids.
 *   originalIds (B*T) i32  the uncorrupted ids (ELECTRA writes generator samples into a copy of these).
 *   valid       (B*T) i32  1 for real tokens (including [CLS]/[SEP]), 0 for padding (copied from the batch).
 *   tags        (B*T) u8   Tag per position, for the UI: UNTOUCHED, MASKED ([MASK] or hidden position),
 *                          REPLACED (a different token was written), KEPT (selected but left unchanged).
 *   selected    (B*T) u8   1 where the position was selected (exactly where tags != UNTOUCHED).
 *   units       (B*T) i32  for every maskable position, the index (within its row) of the unit the strategy moves
 *                          as one: a token (random, informative, hard), a word (whole-word), a chosen n-gram or
 *                          a merged span (other words: one unit each), a PMI unit; -1 on specials and padding.
 *   gathered    GatheredTargets, for heads with gathered targets (vocabulary, k-class, span-boundary, ...):
 *                 capacity P per row; slots [b*P, (b+1)*P) belong to row b, filled from the start, the rest padded.
 *                 positions (B*P) i32: flat row index i = b*T + t of the activation row to gather, -1 = empty slot
 *                                      (the gather kernel writes a zero row for -1).
 *                 targets   (B*P) i32: vocabulary id or class index in [0, classes), -1 in empty slots.
 *                 weights   (B*P) f32: 1/count on filled slots (count = filled slots in the whole batch), 0 elsewhere,
 *                                      so sum(weights * loss) is the mean loss over targets. All 0 when count = 0.
 *   tokenLabels TokenLabels, for the binary head (rts, shuffle, electra's discriminator):
 *                 labels  (B*T) f32 in {0,1} (1 = this token is not the original one),
 *                 weights (B*T) f32: 1/(number of non-pad tokens in the batch) on non-pad tokens, 0 on padding.
 *   sbo         SboTargets (objective 'sbo'), aligned slot for slot with `gathered`:
 *                 left/right (B*P) i32 flat rows of the span's boundary tokens (the token just before and just after
 *                 the maximal run of selected tokens), rel (B*P) i32 offset of the target inside its run, clipped to
 *                 [0, maxRel); weights (B*P) f32 = 1/(slots with both boundaries) or 0. Slots whose run lacks a
 *                 real boundary token inside the row have left = right = -1 and weight 0.
 *   noPosition  (B*T) i32  objective 'position': 1 where the token gets the learned "no position" vector instead
 *                          of its position embedding.
 *   causal      boolean    objective 'meap': the model must use causal (decoder) attention.
 *   headInputs  by name    per-batch arrays a new head reads (its objective writes them, its module reads them).
 * Sizing and heads: planMasking(config, vocab, T) (apply.ts) gives, once per run, the heads to build (HeadSpec:
 * kind, class count, class names, loss weight), `causal`, and P = capacity, which never changes during a run
 * (schedules and Bernoulli counting are accounted for; a rare Bernoulli overflow is dropped at random and counted
 * in `truncated`). Hard-token masking reads a TokenLossEma (strategies/hard.ts) that the trainer updates with the
 * per-row losses the loss kernel reads back.
 *
 * Randomness: every draw comes from the `rng` in the MaskingContext (src/data/rng.ts's seeded Rng),
 * so the same seed, text and settings give the same masks. With `staticMasks`, each row instead draws from a
 * generator seeded by hash(staticSeed, row contents): a sequence gets the same mask every epoch (original BERT).
 */
import type { SpecialIds } from '../data/types';
import type { Rng } from '../data/rng';
import type { HeadKind } from '../engine/model/heads/types';

/** Position tags for the UI. Stored as u8 in MaskedBatch.tags. */
export const Tag = { UNTOUCHED: 0, MASKED: 1, REPLACED: 2, KEPT: 3 } as const;
export type TagValue = (typeof Tag)[keyof typeof Tag];
export const TAG_NAMES = ['untouched', 'masked', 'replaced', 'kept'] as const;

/**
 * What masking needs to know about a vocabulary; no dependency on a tokenizer class (vocabInfoOf in vocab.ts builds
 * one from a tokenizer). Keep one object per vocabulary: per-vocabulary tables are cached on its identity.
 */
export interface VocabInfo {
  /** V: number of ids; ids are 0..V-1. */
  size: number;
  specialIds: SpecialIds;
  /** Token string per id (length V). Continuation pieces carry `continuationPrefix` (WordPiece: "##"). */
  tokens: readonly string[];
  /** Prefix marking a piece that continues a word ("##" for WordPiece, "" or absent otherwise). */
  continuationPrefix?: string;
  /** Corpus count per id (length V). Needed by span's unigram replacement and informative weighting. */
  unigramCounts?: ArrayLike<number>;
}

/** A paper to cite in the UI. */
export interface PaperRef {
  authors: string;
  year: number;
  title: string;
  arxiv: string;
}

/** One user-facing control. Values live in ParamValues records keyed by `key`. */
export type ParamSpec =
  | {
      key: string;
      label: string;
      help: string;
      kind: 'number';
      default: number;
      min: number;
      max: number;
      step: number;
    }
  | { key: string; label: string; help: string; kind: 'integer'; default: number; min: number; max: number }
  | {
      key: string;
      label: string;
      help: string;
      kind: 'choice';
      default: string;
      options: readonly { value: string; label: string }[];
    }
  | { key: string; label: string; help: string; kind: 'boolean'; default: boolean };

export type ParamValue = number | string | boolean;
export type ParamValues = Readonly<Record<string, ParamValue>>;

export type StrategyId = 'random' | 'whole-word' | 'span' | 'ngram' | 'pmi' | 'informative' | 'hard';
/**
 * The objectives of the catalogue, by id: each objective's file declares its own id here (`declare module
 * '../types' { interface ObjectiveIds { mlm: true } }`) and catalog.ts registers it under that id, so a new
 * objective adds no line to this file.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by each objective's declaration
export interface ObjectiveIds {}
export type ObjectiveId = keyof ObjectiveIds;

/**
 * The engine head an objective trains, and the kind of each part of it (HeadSpec.kind): a module of
 * src/engine/model/heads (HEADS there, by this name). One vocabulary with the engine's HeadConfig.kind.
 */
export type { HeadKind } from '../engine/model/heads/types';

/**
 * How runs of an objective are evaluated on held-out text. masked-vocab: the shared evaluation (fixed 15% [MASK],
 * the vocabulary head's cross-entropy: comparable across every run that has it); causal-next-token: the same
 * shared masks, read by a causal (decoder) model; classes, binary, electra: the objective's own loss at fixed masks.
 */
export type EvaluationKind = 'masked-vocab' | 'causal-next-token' | 'classes' | 'binary' | 'electra';

/** What a strategy cannot work without: a PMI lexicon, per-id hardness, unigram counts, or word boundaries. */
export type StrategyNeed = 'lexicon' | 'hardness' | 'unigramCounts' | 'wordBoundaries';

/** Fractions of selected tokens that become [MASK] / a random token / stay unchanged (sum to 1). */
export interface Split {
  mask: number;
  random: number;
  keep: number;
}

/** Where random replacement tokens come from: uniform over non-special ids, or the corpus unigram law. */
export type ReplacementLaw = 'uniform' | 'unigram';

/** A head the engine must build for an objective. */
export interface HeadSpec {
  name: string;
  /**
   * vocabulary (and next-token): softmax over V (decoder tied to the token embedding) on gathered rows; k-class and
   * position: softmax over `classes` on gathered rows; binary: one logit per token on every token (tokenLabels);
   * span-boundary: SpanBERT's SBO head (inputs from sbo.left/right/rel), softmax over V on gathered slots.
   */
  kind: HeadKind;
  classes: number;
  /** Class labels for 'classes' and 'binary' heads (for the UI and probes). */
  classNames?: readonly string[];
  targets: 'gathered' | 'tokens';
  /** Multiplier of this head's loss in the total (ELECTRA: 50 on the discriminator). */
  lossWeight: number;
}

export interface GatheredTargets {
  /** P: slots per row. */
  capacity: number;
  /** Filled slots in the whole batch. */
  count: number;
  positions: Int32Array;
  targets: Int32Array;
  weights: Float32Array;
  /** Size of the target space: V for vocabulary heads, the class count for k-class heads. */
  classes: number;
}

export interface TokenLabels {
  labels: Float32Array;
  weights: Float32Array;
}

export interface SboTargets {
  left: Int32Array;
  right: Int32Array;
  rel: Int32Array;
  /** Per-slot SBO weight: 1/(slots with both boundaries) or 0. */
  weights: Float32Array;
  maxRel: number;
}

export interface MaskedBatch {
  B: number;
  T: number;
  strategy: StrategyId;
  objective: ObjectiveId;
  /** Masking rate used for this batch (after the schedule). */
  rate: number;
  inputIds: Int32Array;
  originalIds: Int32Array;
  valid: Int32Array;
  tags: Uint8Array;
  selected: Uint8Array;
  units: Int32Array;
  /** Tokens that could be selected (valid, not special), summed over the batch. */
  maskableCount: number;
  /** Selected tokens summed over the batch. */
  selectedCount: number;
  /** Selections dropped because a row exceeded the target capacity (Bernoulli counting only). */
  truncated: number;
  gathered?: GatheredTargets;
  tokenLabels?: TokenLabels;
  sbo?: SboTargets;
  noPosition?: Int32Array;
  /** Inputs of a head of its own, by name, passed to the engine as they are (EngineBatch.headInputs). */
  headInputs?: Readonly<Record<string, Int32Array | Float32Array>>;
  causal: boolean;
}

/** A whole masking setup: what the UI edits, what the URL stores, what applyMasking runs. */
export interface MaskingConfig {
  strategy: StrategyId;
  /** Values for the strategy's ParamSpecs; missing keys take their defaults. */
  strategyParams?: ParamValues;
  objective: ObjectiveId;
  objectiveParams?: ParamValues;
  /** Values for SCHEDULE_SPEC's params (kind constant | linear | cosine, start, end); default constant. */
  schedule?: ParamValues;
  /** Reuse one fixed mask per sequence (original BERT) instead of drawing a new one every batch. */
  staticMasks?: boolean;
  /** Seed of the static masks (default 0). */
  staticSeed?: number;
}

/** One scored collocation of a PMI lexicon. */
export interface PmiEntry {
  /** Display form, words joined by spaces: "new york". */
  text: string;
  /** Number of words. */
  n: number;
  count: number;
  /** PMI_n: the smallest log-ratio over all ways to cut the n-gram into contiguous parts (natural log). */
  score: number;
  /** Lookup key: the words' piece ids, pieces joined by ',' and words by ' '. */
  key: string;
}

/** A collocation lexicon built from the training corpus (buildPmiLexicon in pmi-lexicon.ts). */
export interface PmiLexicon {
  /** Entries sorted by n, then score (highest first). */
  entries: readonly PmiEntry[];
  /** key -> entry. */
  byKey: ReadonlyMap<string, PmiEntry>;
  maxN: number;
  minCount: number;
  /** Words counted in the corpus. */
  corpusWords: number;
}

/** Per-vocabulary-id difficulty for hard-token masking (TokenLossEma in hard.ts implements it). */
export interface TokenHardness {
  /** Score of an id: higher = harder. Ids never seen get the mean of those seen (0 when none). */
  score(id: number): number;
}

/**
 * What an objective draws from the training split before any masking (Objective.fromTrainingSplit; ERNIE-Gram: its
 * n-gram vocabulary): built once per run, and for the preview, from the training split only, and handed back to the
 * objective with every batch (MaskingContext.table). Opaque to everyone else but for what the preview shows.
 */
export interface CorpusTable {
  /** One line for the preview: what was drawn from the corpus, with examples. */
  summary: string;
  /** The display name of a target class beyond the vocabulary (an n-gram's words); undefined for any other id. */
  className(target: number): string | undefined;
}

/** Everything applyMasking needs besides the config and the batch. */
export interface MaskingContext {
  vocab: VocabInfo;
  /** The batch's generator (dynamic masks); it is advanced. */
  rng: Rng;
  /** Training progress t/T in [0, 1] (rate schedules, hard tokens' easy-to-hard ramp). Default 0. */
  progress?: number;
  /** Required by the pmi strategy. */
  lexicon?: PmiLexicon;
  /** Required by the hard strategy. */
  hardness?: TokenHardness;
  /** Required by an objective that draws a table from the training split (Objective.fromTrainingSplit). */
  table?: CorpusTable;
}

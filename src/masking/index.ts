// Public API of src/masking: the catalogue, applyMasking / previewMasking, the PMI lexicon, hard-token scores,
// rate schedules and the types the engine and UI read (documented in types.ts).
export * from './types';
export {
  STRATEGIES,
  OBJECTIVES,
  STRATEGY_IDS,
  OBJECTIVE_IDS,
  getStrategy,
  getObjective,
  defaultConfig,
} from './catalog';
export {
  applyMasking,
  previewMasking,
  planMasking,
  targetCapacity,
  batchOfOne,
  contextFromTrainingSplit,
} from './apply';
export type { MaskingPlan, PreviewToken } from './apply';
export type { Strategy } from './strategy';
export type { Objective } from './objective';
export { sharesMaskedEvaluation } from './objective';
export { resolveParams } from './params';
export { SCHEDULE_SPEC, RATE_PRESETS, scheduledRate, maxScheduledRate } from './schedule';
export type { RatePreset } from './schedule';
export { buildPmiLexicon, segmentRow } from './pmiLexicon';
export type { PmiLexiconOptions } from './pmiLexicon';
export { TokenLossEma, hardShare } from './strategies/hard';
export { informativeProbabilities, informationWeights } from './strategies/informative';
export { charClasses, firstCharClass, FIRST_CHAR_CLASSES } from './objectives/chars';
export { MaskStats } from './stats';
export type { MaskStatsSummary } from './stats';
export { vocabInfoOf, countUnigrams } from './vocab';
export type { TokenizerLike } from './vocab';

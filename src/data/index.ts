// The data layer's public API in one import: corpora, user texts, tokenizers, tokenizer.json, split, batches, RNG.
export {
  CORPORA,
  corpusInfo,
  corpusUrl,
  loadCorpus,
  type CorpusId,
  type CorpusInfo,
  type LoadCorpusOptions,
} from './corpora';
export {
  checkTextBytes,
  checkTextFile,
  checkTextString,
  enoughTokens,
  MAX_TEXT_BYTES,
  type TextCheck,
  type TextProblem,
  type TokenCheck,
} from './validate';
export { TextStore, type StoredText, type StoredTextMeta } from './textStore';
export {
  SPECIAL_IDS,
  SPECIAL_TOKENS,
  NUM_SPECIAL,
  isSpecialId,
  type DecodeOptions,
  type Tokenizer,
  type TokenizerKind,
} from './tokenizer';
export { DEFAULT_BERT_NORMALIZER, type BertNormalizerOptions } from './bert';
export { CharTokenizer, trainChar } from './charLevel';
export { WordLevelTokenizer, trainWordLevel } from './wordLevel';
export { WordPieceTokenizer } from './wordpiece';
export { trainWordPiece, type TrainProgress } from './wordpieceTrainer';
export { DEFAULT_VOCAB_SIZE, trainTokenizer, type TokenizerSpec } from './train';
export {
  exportTokenizerJson,
  importTokenizerJson,
  toTokenizerJson,
  type ImportResult,
  type MaskLabTokenizer,
} from './hfJson';
export {
  DEFAULT_HELD_OUT_FRACTION,
  splitText,
  textBlocks,
  blockTexts,
  type Block,
  type SplitOptions,
  type TextSplit,
} from './split';
export { BatchOrder, fillBatch, heldOutBatches, packSequences, type SequenceSet } from './batching';
export { buildDataset, prepareData, unigramCounts, type DataOptions, type Dataset, type PreparedData } from './dataset';
export { TokenizerClient, type WorkerLike } from './tokenizerClient';
export type { TokenizerRequest, TokenizerResponse } from './tokenizerProtocol';
export { Rng, hashKey, type SeedKey } from './rng';
export type { Batch, Encoding, SpecialIds } from './types';

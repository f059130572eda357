// One entry point to build any MaskLab tokenizer from a text: used by the Web Worker, the tokenize script and tests.

import type { BertNormalizerOptions } from './bert';
import { trainChar } from './charLevel';
import type { MaskLabTokenizer } from './hfJson';
import type { TokenizerKind } from './tokenizer';
import { trainWordLevel } from './wordLevel';
import { trainWordPiece, type TrainProgress } from './wordpieceTrainer';

export interface TokenizerSpec {
  kind: TokenizerKind;
  /** Vocabulary size including the 5 special tokens. For 'char' it is a cap (default: every character). */
  vocabSize?: number;
  /** word: least count to keep a word (default 1); wordpiece: least count for a merge (default 0, as HF). */
  minFrequency?: number;
  /** word and wordpiece: BERT normalizer settings (default: clean text, CJK split, lowercase, strip accents). */
  normalizer?: BertNormalizerOptions;
}

export const DEFAULT_VOCAB_SIZE: Readonly<Record<TokenizerKind, number | undefined>> = Object.freeze({
  char: undefined,
  word: 8000,
  wordpiece: 4000,
});

/** Trains the tokenizer a spec describes on a text. Deterministic: the same text and spec give the same vocabulary. */
export function trainTokenizer(
  text: string,
  spec: TokenizerSpec,
  onProgress?: (p: TrainProgress) => void,
): MaskLabTokenizer {
  const vocabSize = spec.vocabSize ?? DEFAULT_VOCAB_SIZE[spec.kind];
  if (vocabSize !== undefined && (!Number.isInteger(vocabSize) || vocabSize < 6)) {
    throw new Error(`vocabulary size must be a whole number of at least 6 (5 special tokens + 1), got ${vocabSize}`);
  }
  switch (spec.kind) {
    case 'char':
      return trainChar(text, { vocabSize, onProgress });
    case 'word':
      return trainWordLevel(text, {
        vocabSize: vocabSize!,
        minFrequency: spec.minFrequency,
        normalizer: spec.normalizer,
        onProgress,
      });
    case 'wordpiece':
      return trainWordPiece(text, {
        vocabSize: vocabSize!,
        minFrequency: spec.minFrequency,
        normalizer: spec.normalizer,
        onProgress,
      });
  }
}

export type { TrainProgress };

// Word-level tokenizer: the most frequent words (after BERT normalization and pre-tokenization) plus [UNK].
// Exports to tokenizer.json as a WordLevel model with the BERT normalizer and pre-tokenizer.

import { bertNormalize, bertPreTokenize, DEFAULT_BERT_NORMALIZER, type BertNormalizerOptions } from './bert';
import {
  SPECIAL_IDS,
  SPECIAL_TOKENS,
  Vocab,
  VocabTokenizer,
  idsToTokens,
  wordPieceDecode,
  type DecodeOptions,
  type Tokenizer,
} from './tokenizer';
import { countWords, type TrainProgress } from './wordpieceTrainer';

export interface WordLevelConfig {
  vocab: readonly string[];
  normalizer?: BertNormalizerOptions;
}

export class WordLevelTokenizer extends VocabTokenizer implements Tokenizer {
  readonly kind = 'word' as const;
  readonly vocab: Vocab;
  readonly normalizer: Readonly<BertNormalizerOptions>;

  constructor(config: WordLevelConfig) {
    super();
    this.vocab = new Vocab(config.vocab);
    this.normalizer = Object.freeze({ ...(config.normalizer ?? DEFAULT_BERT_NORMALIZER) });
  }

  protected words(text: string): Iterable<string> {
    return bertPreTokenize(bertNormalize(text, this.normalizer));
  }

  protected pieces(word: string): Iterable<number> {
    return [this.vocab.id(word) ?? SPECIAL_IDS.unk];
  }

  /** Words joined by spaces, with the space before . ? ! , dropped (the WordPiece decoder, which is exported). */
  decode(ids: ArrayLike<number>, options?: DecodeOptions): string {
    return wordPieceDecode(idsToTokens(this.vocab, ids, options));
  }
}

export interface WordLevelTrainOptions {
  /** Vocabulary size including the 5 special tokens. */
  vocabSize: number;
  /** Words seen fewer times are left out (default 1). */
  minFrequency?: number;
  normalizer?: BertNormalizerOptions;
  onProgress?: (p: TrainProgress) => void;
}

/** Keeps the most frequent words; ties go to the word that sorts first (code unit order), so the result is stable. */
export function trainWordLevel(text: string, options: WordLevelTrainOptions): WordLevelTokenizer {
  const normalizer = options.normalizer ?? DEFAULT_BERT_NORMALIZER;
  options.onProgress?.({ phase: 'count', fraction: 0, message: 'Counting words' });
  const counts = countWords(text, normalizer);
  const minFrequency = options.minFrequency ?? 1;
  const specials = new Set<string>(SPECIAL_TOKENS);
  const ranked = [...counts.entries()]
    .filter(([w, c]) => c >= minFrequency && !specials.has(w))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const room = Math.max(0, options.vocabSize - SPECIAL_TOKENS.length);
  const vocab = [...SPECIAL_TOKENS, ...ranked.slice(0, room).map(([w]) => w)];
  options.onProgress?.({ phase: 'done', fraction: 1, message: `Vocabulary of ${vocab.length} words` });
  return new WordLevelTokenizer({ vocab, normalizer });
}

// Character-level tokenizer: every character of the raw text (case, spaces and newlines kept) is a token.
// Word ids follow BERT's word boundaries, with each whitespace character a word of its own.

import { charPreTokenize, splitSpecialTokens } from './bert';
import {
  SPECIAL_IDS,
  SPECIAL_TOKENS,
  Vocab,
  VocabTokenizer,
  idsToTokens,
  type DecodeOptions,
  type Tokenizer,
} from './tokenizer';
import type { TrainProgress } from './wordpieceTrainer';

export interface CharConfig {
  vocab: readonly string[];
}

export class CharTokenizer extends VocabTokenizer implements Tokenizer {
  readonly kind = 'char' as const;
  readonly vocab: Vocab;

  constructor(config: CharConfig) {
    super();
    this.vocab = new Vocab(config.vocab);
    for (let i = SPECIAL_TOKENS.length; i < config.vocab.length; i++) {
      const t = config.vocab[i];
      if ([...t].length !== 1)
        throw new Error(`character vocabulary entry ${i} is not one character: ${JSON.stringify(t)}`);
    }
  }

  protected words(text: string): Iterable<string> {
    return charPreTokenize(text);
  }

  protected *pieces(word: string): Iterable<number> {
    for (const ch of word) yield this.vocab.id(ch) ?? SPECIAL_IDS.unk;
  }

  /** Characters concatenated (HF's Fuse decoder): decode(encode(text)) === text when every character is known. */
  decode(ids: ArrayLike<number>, options?: DecodeOptions): string {
    return idsToTokens(this.vocab, ids, options).join('');
  }
}

export interface CharTrainOptions {
  /** Largest vocabulary including the 5 special tokens; the rarest characters become [UNK]. Default: all. */
  vocabSize?: number;
  onProgress?: (p: TrainProgress) => void;
}

/** The characters of a text (special-token strings excluded), most frequent first if capped, stored in code point order. */
export function trainChar(text: string, options: CharTrainOptions = {}): CharTokenizer {
  options.onProgress?.({ phase: 'count', fraction: 0, message: 'Counting characters' });
  const counts = new Map<number, number>();
  for (const piece of splitSpecialTokens(text)) {
    if (piece.special >= 0) continue;
    for (const ch of piece.text) {
      const cp = ch.codePointAt(0)!;
      counts.set(cp, (counts.get(cp) ?? 0) + 1);
    }
  }
  let chars = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  if (options.vocabSize !== undefined) chars = chars.slice(0, Math.max(0, options.vocabSize - SPECIAL_TOKENS.length));
  chars.sort((a, b) => a[0] - b[0]);
  const vocab = [...SPECIAL_TOKENS, ...chars.map(([cp]) => String.fromCodePoint(cp))];
  options.onProgress?.({ phase: 'done', fraction: 1, message: `Vocabulary of ${vocab.length} characters` });
  return new CharTokenizer({ vocab });
}

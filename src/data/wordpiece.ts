// WordPiece tokenizer (encoding and decoding) as Hugging Face runs a BERT tokenizer.json: BertNormalizer,
// BertPreTokenizer, greedy longest-match-first with a "##" continuation prefix, [UNK] for words it cannot cover.

import { bertNormalize, bertPreTokenize, DEFAULT_BERT_NORMALIZER, type BertNormalizerOptions } from './bert';
import {
  SPECIAL_IDS,
  Vocab,
  VocabTokenizer,
  idsToTokens,
  wordPieceDecode,
  type DecodeOptions,
  type Tokenizer,
} from './tokenizer';

export interface WordPieceConfig {
  /** Tokens by id; entries 0..4 are [PAD] [UNK] [CLS] [SEP] [MASK]. */
  vocab: readonly string[];
  normalizer?: BertNormalizerOptions;
  continuingSubwordPrefix?: string;
  /** Longer words (in characters) become a single [UNK], as in HF. Default 100. */
  maxInputCharsPerWord?: number;
}

const CACHE_LIMIT = 200_000;

export class WordPieceTokenizer extends VocabTokenizer implements Tokenizer {
  readonly kind = 'wordpiece' as const;
  readonly vocab: Vocab;
  readonly normalizer: Readonly<BertNormalizerOptions>;
  readonly prefix: string;
  readonly maxInputCharsPerWord: number;
  /** Longest vocabulary entry in characters (prefix excluded): bounds the longest-match search. */
  private readonly maxPieceChars: number;
  private readonly cache = new Map<string, readonly number[]>();

  constructor(config: WordPieceConfig) {
    super();
    this.vocab = new Vocab(config.vocab);
    this.normalizer = Object.freeze({ ...(config.normalizer ?? DEFAULT_BERT_NORMALIZER) });
    this.prefix = config.continuingSubwordPrefix ?? '##';
    this.maxInputCharsPerWord = config.maxInputCharsPerWord ?? 100;
    let longest = 1;
    for (const t of config.vocab) {
      const body = t.startsWith(this.prefix) ? t.slice(this.prefix.length) : t;
      longest = Math.max(longest, codePointCount(body));
    }
    this.maxPieceChars = longest;
  }

  protected words(text: string): Iterable<string> {
    return bertPreTokenize(bertNormalize(text, this.normalizer));
  }

  protected pieces(word: string): Iterable<number> {
    return this.encodeWord(word);
  }

  /** Pieces of one pre-tokenized word: greedy longest match first; [UNK] alone when any part has no match. */
  encodeWord(word: string): readonly number[] {
    const hit = this.cache.get(word);
    if (hit) return hit;
    const bounds = codePointBounds(word);
    const n = bounds.length - 1;
    let ids: number[] = [];
    if (n > this.maxInputCharsPerWord) {
      ids = [SPECIAL_IDS.unk];
    } else {
      let start = 0;
      while (start < n) {
        let end = Math.min(n, start + this.maxPieceChars);
        let found = -1;
        while (start < end) {
          const sub = word.slice(bounds[start], bounds[end]);
          const id = this.vocab.id(start > 0 ? this.prefix + sub : sub);
          if (id !== undefined) {
            found = id;
            break;
          }
          end--;
        }
        if (found < 0) {
          ids = [SPECIAL_IDS.unk];
          break;
        }
        ids.push(found);
        start = end;
      }
    }
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(word, ids);
    return ids;
  }

  decode(ids: ArrayLike<number>, options?: DecodeOptions): string {
    return wordPieceDecode(idsToTokens(this.vocab, ids, options), this.prefix);
  }
}

/** UTF-16 offsets of each code point of s, plus s.length at the end. */
export function codePointBounds(s: string): number[] {
  const b: number[] = [];
  for (let i = 0; i < s.length; i++) {
    b.push(i);
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) i++;
    }
  }
  b.push(s.length);
  return b;
}

export function codePointCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) i++;
    }
    n++;
  }
  return n;
}

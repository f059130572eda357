// The one Tokenizer interface shared by the character, word and WordPiece tokenizers, plus the vocabulary helper
// they all build on. Special tokens [PAD] [UNK] [CLS] [SEP] [MASK] are ids 0..4 in every vocabulary.

import { splitSpecialTokens } from './bert';
import { SPECIAL_IDS, SPECIAL_TOKENS, type Encoding, type SpecialIds } from './types';

export type TokenizerKind = 'char' | 'word' | 'wordpiece';

export interface DecodeOptions {
  /** Leave out [PAD] [UNK] [CLS] [SEP] [MASK] (Hugging Face's skip_special_tokens). Default false. */
  skipSpecialTokens?: boolean;
}

export interface Tokenizer {
  readonly kind: TokenizerKind;
  readonly vocabSize: number;
  readonly specialIds: Readonly<SpecialIds>;
  /**
   * Token ids and word ids for a text, without [CLS]/[SEP] and without truncation. wordIds[i] numbers the words
   * of the text from 0 (punctuation marks are words of their own); special tokens written in the text, such as a
   * literal "[MASK]", get their special id and word id -1.
   */
  encode(text: string): Encoding;
  /** Text for ids, as the exported tokenizer.json's decoder would produce it. */
  decode(ids: ArrayLike<number>, options?: DecodeOptions): string;
  /** The token string for an id (undefined when out of range). */
  idToToken(id: number): string | undefined;
  /** The id for a token string (undefined when not in the vocabulary). */
  tokenToId(token: string): number | undefined;
}

/** An id <-> token table whose first five entries are the special tokens. */
export class Vocab {
  readonly tokens: readonly string[];
  private readonly index: Map<string, number>;

  constructor(tokens: readonly string[]) {
    for (let i = 0; i < SPECIAL_TOKENS.length; i++) {
      if (tokens[i] !== SPECIAL_TOKENS[i]) {
        throw new Error(`vocabulary entry ${i} must be ${SPECIAL_TOKENS[i]}, found ${JSON.stringify(tokens[i])}`);
      }
    }
    this.tokens = tokens;
    this.index = new Map();
    tokens.forEach((t, i) => {
      if (this.index.has(t))
        throw new Error(`vocabulary has ${JSON.stringify(t)} twice (ids ${this.index.get(t)} and ${i})`);
      this.index.set(t, i);
    });
  }

  get size(): number {
    return this.tokens.length;
  }

  id(token: string): number | undefined {
    return this.index.get(token);
  }

  token(id: number): string | undefined {
    return Number.isInteger(id) && id >= 0 && id < this.tokens.length ? this.tokens[id] : undefined;
  }

  /** {token: id} in id order, as tokenizer.json stores it. */
  toRecord(): Record<string, number> {
    const rec: Record<string, number> = {};
    this.tokens.forEach((t, i) => (rec[t] = i));
    return rec;
  }
}

export const NUM_SPECIAL = SPECIAL_TOKENS.length;

export function isSpecialId(id: number): boolean {
  return id >= 0 && id < NUM_SPECIAL;
}

/**
 * What every MaskLab tokenizer shares: a vocabulary, id/token lookups, and encode(): literal special tokens
 * ("[MASK]") become their ids with word id -1; everything else is split into words, each word into pieces that
 * share its word id.
 */
export abstract class VocabTokenizer {
  readonly specialIds = SPECIAL_IDS;
  abstract readonly vocab: Vocab;

  get vocabSize(): number {
    return this.vocab.size;
  }

  idToToken(id: number): string | undefined {
    return this.vocab.token(id);
  }

  tokenToId(token: string): number | undefined {
    return this.vocab.id(token);
  }

  /** The words of a text with no special tokens in it (after normalization, where the tokenizer has one). */
  protected abstract words(text: string): Iterable<string>;

  /** The ids of one word's pieces. */
  protected abstract pieces(word: string): Iterable<number>;

  encode(text: string): Encoding {
    const out = new EncodingBuilder();
    let word = 0;
    for (const piece of splitSpecialTokens(text)) {
      if (piece.special >= 0) {
        out.push(piece.special, -1);
        continue;
      }
      for (const w of this.words(piece.text)) {
        for (const id of this.pieces(w)) out.push(id, word);
        word++;
      }
    }
    return out.finish();
  }
}

/** Growable (ids, wordIds) output used by every encode(). */
export class EncodingBuilder {
  private ids = new Int32Array(256);
  private words = new Int32Array(256);
  length = 0;

  push(id: number, word: number): void {
    if (this.length === this.ids.length) {
      const ids = new Int32Array(this.ids.length * 2);
      ids.set(this.ids);
      this.ids = ids;
      const words = new Int32Array(this.words.length * 2);
      words.set(this.words);
      this.words = words;
    }
    this.ids[this.length] = id;
    this.words[this.length] = word;
    this.length++;
  }

  finish(): Encoding {
    return { ids: this.ids.slice(0, this.length), wordIds: this.words.slice(0, this.length) };
  }
}

/** Tokens for ids, dropping specials when asked. Unknown ids throw: they would mean a vocabulary mismatch. */
export function idsToTokens(vocab: Vocab, ids: ArrayLike<number>, options?: DecodeOptions): string[] {
  const out: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (options?.skipSpecialTokens && isSpecialId(id)) continue;
    const t = vocab.token(id);
    if (t === undefined) throw new Error(`token id ${id} is outside the vocabulary (size ${vocab.size})`);
    out.push(t);
  }
  return out;
}

/** Hugging Face's WordPiece decoder (cleanup on): pieces joined, "##" glued, space dropped before . ? ! , */
export function wordPieceDecode(tokens: readonly string[], prefix = '##'): string {
  let out = '';
  tokens.forEach((t, i) => {
    let s = t;
    if (i !== 0) s = s.startsWith(prefix) ? s.slice(prefix.length) : ' ' + s;
    out += cleanup(s);
  });
  return out;
}

/** HF decoders::wordpiece::cleanup, applied per token as HF does. */
function cleanup(s: string): string {
  return s
    .replaceAll(' .', '.')
    .replaceAll(' ?', '?')
    .replaceAll(' !', '!')
    .replaceAll(' ,', ',')
    .replaceAll(" ' ", "'")
    .replaceAll(" n't", "n't")
    .replaceAll(" 'm", "'m")
    .replaceAll(' do not', " don't")
    .replaceAll(" 's", "'s")
    .replaceAll(" 've", "'ve")
    .replaceAll(" 're", "'re");
}

export { SPECIAL_IDS, SPECIAL_TOKENS };

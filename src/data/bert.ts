// Text normalization and pre-tokenization exactly as Hugging Face `tokenizers` does it for BERT:
// BertNormalizer (clean text, CJK split, strip accents, lowercase), BertPreTokenizer, and special-token splitting.

import { SPECIAL_TOKENS } from './types';

export interface BertNormalizerOptions {
  /** Remove control characters and map every kind of whitespace to ' '. */
  cleanText: boolean;
  /** Put spaces around CJK ideographs so each becomes its own word. */
  handleChineseChars: boolean;
  /** NFD, then drop nonspacing marks. null: follow `lowercase` (the HF default). */
  stripAccents: boolean | null;
  lowercase: boolean;
}

export const DEFAULT_BERT_NORMALIZER: Readonly<BertNormalizerOptions> = Object.freeze({
  cleanText: true,
  handleChineseChars: true,
  stripAccents: null,
  lowercase: true,
});

// Control characters as HF defines them (Unicode category C*, plus NUL and U+FFFD), except \t \n \r.
const CONTROL = /[^\t\n\r\P{C}]|\uFFFD/gu;
// Whitespace: Rust's char::is_whitespace is the Unicode White_Space property.
const WHITESPACE = /\p{White_Space}/gu;
const CJK =
  /[\u4E00-\u9FFF\u3400-\u4DBF\u{20000}-\u{2A6DF}\u{2A700}-\u{2B73F}\u{2B740}-\u{2B81F}\u{2B920}-\u{2CEAF}\uF900-\uFAFF\u{2F800}-\u{2FA1F}]/gu;
const NONSPACING_MARK = /\p{Mn}/gu;
// Characters that may change under lowercasing. Each match is one code point, lowercased on its own, as Rust's
// char::to_lowercase does (String.prototype.toLowerCase on a whole string would apply the final-sigma rule).
const MAY_LOWER = /[A-Z]|[^\p{ASCII}]/gu;
const lowerOne = (c: string): string => c.toLowerCase();
const ASCII_ONLY = /^\p{ASCII}*$/u;

/** BertNormalizer.normalize: the same string HF produces for the same options. */
export function bertNormalize(text: string, options: BertNormalizerOptions = DEFAULT_BERT_NORMALIZER): string {
  let s = text;
  if (options.cleanText) s = s.replace(CONTROL, '').replace(WHITESPACE, ' ');
  const ascii = ASCII_ONLY.test(s);
  if (options.handleChineseChars && !ascii) s = s.replace(CJK, ' $& ');
  const strip = options.stripAccents ?? options.lowercase;
  if (strip && !ascii) s = s.normalize('NFD').replace(NONSPACING_MARK, '');
  if (options.lowercase) s = ascii ? s.toLowerCase() : s.replace(MAY_LOWER, lowerOne);
  return s;
}

// BERT punctuation: any ASCII punctuation (including $ + < = > ^ ` | ~) or Unicode category P*.
const PUNCT_CLASS = '\\p{P}!-\\/:-@\\[-`{-~';
const BERT_WORDS = new RegExp(`[${PUNCT_CLASS}]|[^${PUNCT_CLASS}\\p{White_Space}]+`, 'gu');

/** BertPreTokenizer: split on whitespace (dropped) and isolate every punctuation character as its own word. */
export function bertPreTokenize(text: string): string[] {
  return text.match(BERT_WORDS) ?? [];
}

/** True when a single character is BERT punctuation. */
export function isBertPunctuation(c: string): boolean {
  return new RegExp(`^[${PUNCT_CLASS}]$`, 'u').test(c);
}

// Pre-tokenization for the character tokenizer: the same word boundaries as BERT, but whitespace characters are
// kept, each as its own word. This regex is also what the exported tokenizer.json uses (Split, Isolated).
// ASCII controls are regex escapes; the others are literal characters (both Oniguruma and JavaScript read them).
export const WHITESPACE_CHAR_PATTERN =
  '[\\t\\n\\x0B\\f\\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]';
const CHAR_WORDS = new RegExp(`${WHITESPACE_CHAR_PATTERN}|[${PUNCT_CLASS}]|[^${PUNCT_CLASS}\\p{White_Space}]+`, 'gu');

/** Words for the character tokenizer: runs of non-space non-punctuation, single punctuation, single whitespace. */
export function charPreTokenize(text: string): string[] {
  return text.match(CHAR_WORDS) ?? [];
}

const SPECIAL_PATTERN = new RegExp(SPECIAL_TOKENS.map((t) => t.replace(/[[\]]/g, '\\$&')).join('|'), 'g');

/** A piece of raw text: either ordinary text or one special token ([PAD] [UNK] [CLS] [SEP] [MASK]) by its id. */
export type TextPiece = { text: string; special: -1 } | { text: string; special: number };

/**
 * Splits raw text on literal special tokens, as HF does for added tokens with normalized=false: "[MASK]" typed in
 * a sentence becomes the [MASK] token. Ordinary pieces keep their text (possibly empty pieces are dropped).
 */
export function splitSpecialTokens(text: string): TextPiece[] {
  const out: TextPiece[] = [];
  let last = 0;
  SPECIAL_PATTERN.lastIndex = 0;
  for (let m = SPECIAL_PATTERN.exec(text); m; m = SPECIAL_PATTERN.exec(text)) {
    if (m.index > last) out.push({ text: text.slice(last, m.index), special: -1 });
    out.push({ text: m[0], special: (SPECIAL_TOKENS as readonly string[]).indexOf(m[0]) });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), special: -1 });
  return out;
}

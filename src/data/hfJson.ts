// Hugging Face tokenizer.json export and import for all three tokenizers. An exported file, loaded by HF
// `tokenizers` (Rust, Python, Node) or tokenizers.js, encodes any text to the same ids MaskLab gives it.
//   wordpiece: BertNormalizer + BertPreTokenizer + WordPiece model ("##") + WordPiece decoder
//   word:      BertNormalizer + BertPreTokenizer + WordLevel model + WordPiece decoder (joins words with spaces)
//   char:      no normalizer + Split(each whitespace char) and Punctuation pre-tokenizers + BPE model with an empty
//              merge list (one token per character) + Fuse decoder
// All three: the five special tokens as added tokens, and TemplateProcessing "[CLS] $A [SEP]".

import { DEFAULT_BERT_NORMALIZER, WHITESPACE_CHAR_PATTERN, type BertNormalizerOptions } from './bert';
import { CharTokenizer } from './charLevel';
import { NUM_SPECIAL, SPECIAL_IDS, SPECIAL_TOKENS, type Tokenizer } from './tokenizer';
import { WordLevelTokenizer } from './wordLevel';
import { WordPieceTokenizer } from './wordpiece';

export type MaskLabTokenizer = WordPieceTokenizer | WordLevelTokenizer | CharTokenizer;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function normalizerJson(n: Readonly<BertNormalizerOptions>): JsonObject {
  return {
    type: 'BertNormalizer',
    clean_text: n.cleanText,
    handle_chinese_chars: n.handleChineseChars,
    strip_accents: n.stripAccents,
    lowercase: n.lowercase,
  };
}

function templateProcessing(): JsonObject {
  const special = (id: string, typeId: number): JsonObject => ({ SpecialToken: { id, type_id: typeId } });
  const seq = (id: string, typeId: number): JsonObject => ({ Sequence: { id, type_id: typeId } });
  return {
    type: 'TemplateProcessing',
    single: [special('[CLS]', 0), seq('A', 0), special('[SEP]', 0)],
    pair: [special('[CLS]', 0), seq('A', 0), special('[SEP]', 0), seq('B', 1), special('[SEP]', 1)],
    special_tokens: {
      '[CLS]': { id: '[CLS]', ids: [SPECIAL_IDS.cls], tokens: ['[CLS]'] },
      '[SEP]': { id: '[SEP]', ids: [SPECIAL_IDS.sep], tokens: ['[SEP]'] },
    },
  };
}

/** The tokenizer.json object for a MaskLab tokenizer. */
export function toTokenizerJson(tok: MaskLabTokenizer): JsonObject {
  const vocab = tok.vocab.toRecord();
  let normalizer: Json = null;
  let preTokenizer: Json;
  let decoder: Json;
  let model: JsonObject;
  if (tok.kind === 'wordpiece') {
    normalizer = normalizerJson(tok.normalizer);
    preTokenizer = { type: 'BertPreTokenizer' };
    decoder = { type: 'WordPiece', prefix: tok.prefix, cleanup: true };
    model = {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: tok.prefix,
      max_input_chars_per_word: tok.maxInputCharsPerWord,
      vocab,
    };
  } else if (tok.kind === 'word') {
    normalizer = normalizerJson(tok.normalizer);
    preTokenizer = { type: 'BertPreTokenizer' };
    decoder = { type: 'WordPiece', prefix: '##', cleanup: true };
    model = { type: 'WordLevel', vocab, unk_token: '[UNK]' };
  } else {
    preTokenizer = {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: WHITESPACE_CHAR_PATTERN }, behavior: 'Isolated', invert: false },
        { type: 'Punctuation', behavior: 'Isolated' },
      ],
    };
    decoder = { type: 'Fuse' };
    model = {
      type: 'BPE',
      dropout: null,
      unk_token: '[UNK]',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: [],
    };
  }
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer,
    pre_tokenizer: preTokenizer,
    post_processor: templateProcessing(),
    decoder,
    model,
  };
}

/** tokenizer.json text (2-space indented, as HF saves with pretty=true). */
export function exportTokenizerJson(tok: Tokenizer): string {
  return JSON.stringify(toTokenizerJson(asMaskLab(tok)), null, 2);
}

function asMaskLab(tok: Tokenizer): MaskLabTokenizer {
  if (tok instanceof WordPieceTokenizer || tok instanceof WordLevelTokenizer || tok instanceof CharTokenizer)
    return tok;
  throw new Error(`cannot export a tokenizer of kind ${tok.kind} that MaskLab did not build`);
}

export interface ImportResult {
  tokenizer: MaskLabTokenizer;
  /** What was adapted on the way in (e.g. special tokens moved to ids 0..4). */
  notes: string[];
}

const isObject = (x: unknown): x is JsonObject => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Reads a tokenizer.json (text or parsed) that MaskLab exported, or a BERT-style one from elsewhere. */
export function importTokenizerJson(input: string | unknown): ImportResult {
  let data: unknown = input;
  if (typeof input === 'string') {
    try {
      data = JSON.parse(input);
    } catch (e) {
      throw new Error(`tokenizer.json is not valid JSON: ${(e as Error).message}`, { cause: e });
    }
  }
  if (!isObject(data) || !isObject(data.model)) throw new Error('tokenizer.json has no "model" object');
  const notes: string[] = [];
  const model = data.model;
  const type = model.type;
  for (const t of Array.isArray(data.added_tokens) ? data.added_tokens : []) {
    const content = isObject(t) ? t.content : undefined;
    if (typeof content !== 'string' || !(SPECIAL_TOKENS as readonly string[]).includes(content)) {
      throw new Error(
        `added token ${JSON.stringify(content)} is not supported: only ${SPECIAL_TOKENS.join(' ')} may be added tokens`,
      );
    }
  }
  if (type !== 'WordPiece' && type !== 'WordLevel' && type !== 'BPE') {
    throw new Error(`model type ${JSON.stringify(type)} is not supported (WordPiece, WordLevel or a merge-free BPE)`);
  }
  const vocab = readVocab(model.vocab, notes);

  if (type === 'WordPiece' || type === 'WordLevel') {
    const normalizer = readBertNormalizer(data.normalizer);
    const pre = data.pre_tokenizer;
    if (!isObject(pre) || pre.type !== 'BertPreTokenizer') {
      throw new Error(`pre_tokenizer ${describe(pre)} is not supported: ${type} tokenizers need BertPreTokenizer`);
    }
    if (model.unk_token !== undefined && model.unk_token !== '[UNK]') {
      throw new Error(`unk_token ${JSON.stringify(model.unk_token)} is not supported: it must be [UNK]`);
    }
    if (type === 'WordLevel') return { tokenizer: new WordLevelTokenizer({ vocab, normalizer }), notes };
    const prefix = typeof model.continuing_subword_prefix === 'string' ? model.continuing_subword_prefix : '##';
    const maxChars = typeof model.max_input_chars_per_word === 'number' ? model.max_input_chars_per_word : 100;
    const tokenizer = new WordPieceTokenizer({
      vocab,
      normalizer,
      continuingSubwordPrefix: prefix,
      maxInputCharsPerWord: maxChars,
    });
    return { tokenizer, notes };
  }
  // type === 'BPE': MaskLab's character tokenizer.
  const merges = model.merges;
  if (Array.isArray(merges) && merges.length > 0) {
    throw new Error('BPE models with merges are not supported (MaskLab reads BPE only as its character tokenizer)');
  }
  if (data.normalizer !== null && data.normalizer !== undefined) {
    throw new Error(`normalizer ${describe(data.normalizer)} is not supported for the character tokenizer`);
  }
  return { tokenizer: new CharTokenizer({ vocab }), notes };
}

function describe(x: unknown): string {
  return isObject(x) ? JSON.stringify(x.type) : JSON.stringify(x);
}

function readBertNormalizer(n: unknown): BertNormalizerOptions {
  if (!isObject(n) || n.type !== 'BertNormalizer') {
    throw new Error(`normalizer ${describe(n)} is not supported: MaskLab reads BertNormalizer`);
  }
  const flag = (v: Json | undefined, dflt: boolean): boolean => (typeof v === 'boolean' ? v : dflt);
  return {
    cleanText: flag(n.clean_text, DEFAULT_BERT_NORMALIZER.cleanText),
    handleChineseChars: flag(n.handle_chinese_chars, DEFAULT_BERT_NORMALIZER.handleChineseChars),
    stripAccents: typeof n.strip_accents === 'boolean' ? n.strip_accents : null,
    lowercase: flag(n.lowercase, DEFAULT_BERT_NORMALIZER.lowercase),
  };
}

/** Tokens by id from {token: id}; the special tokens are moved to ids 0..4 (and added) when they are elsewhere. */
function readVocab(v: unknown, notes: string[]): string[] {
  if (!isObject(v)) throw new Error('model.vocab must be an object {token: id}');
  const entries = Object.entries(v);
  const byId: string[] = new Array(entries.length);
  for (const [token, id] of entries) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= entries.length || byId[id] !== undefined) {
      throw new Error(
        `model.vocab ids must be 0..${entries.length - 1}, each once; ${JSON.stringify(token)} has ${JSON.stringify(id)}`,
      );
    }
    byId[id] = token;
  }
  const inPlace = SPECIAL_TOKENS.every((t, i) => byId[i] === t);
  if (inPlace) return byId;
  const specials = new Set<string>(SPECIAL_TOKENS);
  const missing = SPECIAL_TOKENS.filter((t) => !(t in v));
  if (missing.length) notes.push(`added missing special tokens ${missing.join(' ')}`);
  notes.push(
    `moved the special tokens to ids 0..${NUM_SPECIAL - 1}: ids differ from the original file (export again to get a matching file)`,
  );
  return [...SPECIAL_TOKENS, ...byId.filter((t) => !specials.has(t))];
}

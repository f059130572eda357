// tokenizer_config.json and special_tokens_map.json beside an exported tokenizer.json: with them AutoTokenizer knows
// model_max_length (= T, so truncation=True cuts to what the position embeddings hold), the special tokens, the
// lower-casing and the class to build; tokenizers.js reads unk_token from them (its word-level fallback needs it).
import type { Tokenizer } from './tokenizer';
import { SPECIAL_TOKENS } from './types';
import { WordLevelTokenizer } from './wordLevel';
import { WordPieceTokenizer } from './wordpiece';

/** special_tokens_map.json's content: MaskLab's five special tokens in every vocabulary. */
export function specialTokensMap(): Record<string, string> {
  const [pad, unk, cls, sep, mask] = SPECIAL_TOKENS;
  return { unk_token: unk, sep_token: sep, pad_token: pad, cls_token: cls, mask_token: mask };
}

/**
 * tokenizer_config.json for a tokenizer and sequence length T. WordPiece is a BertTokenizerFast (transformers
 * builds it from tokenizer.json alone); the word-level and character tokenizers are PreTrainedTokenizerFast (a
 * BertTokenizerFast would force BERT's WordPiece settings on them), with the special tokens named explicitly.
 */
export function tokenizerConfig(tok: Tokenizer, T: number): Record<string, unknown> {
  if (!(Number.isInteger(T) && T >= 3))
    throw new Error(`tokenizer_config.json: model_max_length must be an integer >= 3, got ${T}`);
  const lower =
    tok instanceof WordPieceTokenizer || tok instanceof WordLevelTokenizer ? tok.normalizer.lowercase : false;
  const special = specialTokensMap();
  return {
    tokenizer_class: tok.kind === 'wordpiece' ? 'BertTokenizerFast' : 'PreTrainedTokenizerFast',
    model_max_length: T,
    do_lower_case: lower,
    ...special,
    padding_side: 'right',
    truncation_side: 'right',
    model_input_names: ['input_ids', 'token_type_ids', 'attention_mask'],
    clean_up_tokenization_spaces: false,
    added_tokens_decoder: Object.fromEntries(
      SPECIAL_TOKENS.map((content, id) => [
        String(id),
        { content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true },
      ]),
    ),
  };
}

/** The two files, as text, to write next to tokenizer.json. */
export function tokenizerConfigFiles(tok: Tokenizer, T: number): { name: string; text: string }[] {
  return [
    { name: 'tokenizer_config.json', text: JSON.stringify(tokenizerConfig(tok, T), null, 2) + '\n' },
    { name: 'special_tokens_map.json', text: JSON.stringify(specialTokensMap(), null, 2) + '\n' },
  ];
}

// tokenizer_config.json / special_tokens_map.json: the fields AutoTokenizer and tokenizers.js read, for all three
// tokenizers, and the word-level fallback they fix in tokenizers.js (unknown words became undefined without them).
import { readFileSync } from 'node:fs';
import { Tokenizer as HfJsTokenizer } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BERT_NORMALIZER } from './bert';
import { exportTokenizerJson } from './hfJson';
import { specialTokensMap, tokenizerConfig, tokenizerConfigFiles } from './hfTokenizerConfig';
import { trainTokenizer } from './train';

const FAIRY = readFileSync(new URL('../../public/corpora/fairy-tales.txt', import.meta.url).pathname, 'utf8').slice(
  0,
  200_000,
);

describe('tokenizer_config.json', () => {
  it.each([
    ['wordpiece', 'BertTokenizerFast', true],
    ['word', 'PreTrainedTokenizerFast', true],
    ['char', 'PreTrainedTokenizerFast', false],
  ] as const)('%s: class %s, model_max_length = T, do_lower_case %s, the five special tokens', (kind, cls, lower) => {
    const tok = trainTokenizer(FAIRY, { kind, vocabSize: kind === 'char' ? undefined : 500 });
    const cfg = tokenizerConfig(tok, 48);
    expect(cfg.tokenizer_class).toBe(cls);
    expect(cfg.model_max_length).toBe(48);
    expect(cfg.do_lower_case).toBe(lower);
    expect(cfg).toMatchObject({
      unk_token: '[UNK]',
      pad_token: '[PAD]',
      cls_token: '[CLS]',
      sep_token: '[SEP]',
      mask_token: '[MASK]',
    });
    const decoder = cfg.added_tokens_decoder as Record<string, { content: string; special: boolean }>;
    expect(Object.entries(decoder).map(([id, t]) => [Number(id), t.content, t.special])).toEqual([
      [0, '[PAD]', true],
      [1, '[UNK]', true],
      [2, '[CLS]', true],
      [3, '[SEP]', true],
      [4, '[MASK]', true],
    ]);
  });

  it('follows the normalizer: a cased WordPiece tokenizer says do_lower_case false', () => {
    const tok = trainTokenizer(FAIRY, {
      kind: 'wordpiece',
      vocabSize: 400,
      normalizer: { ...DEFAULT_BERT_NORMALIZER, lowercase: false },
    });
    expect(tokenizerConfig(tok, 64).do_lower_case).toBe(false);
  });

  it('writes both files as JSON text, and refuses an impossible length', () => {
    const tok = trainTokenizer(FAIRY, { kind: 'char' });
    const files = tokenizerConfigFiles(tok, 32);
    expect(files.map((f) => f.name)).toEqual(['tokenizer_config.json', 'special_tokens_map.json']);
    expect(JSON.parse(files[1].text)).toEqual(specialTokensMap());
    expect((JSON.parse(files[0].text) as { model_max_length: number }).model_max_length).toBe(32);
    expect(() => tokenizerConfig(tok, 0)).toThrow(/model_max_length/);
  });

  it('gives tokenizers.js the unk_token its word-level fallback needs: unknown words become [UNK]', () => {
    const tok = trainTokenizer(FAIRY, { kind: 'word', vocabSize: 300 });
    const json = JSON.parse(exportTokenizerJson(tok)) as object;
    const text = 'the king zzyzzyva said';
    const mine = Array.from(tok.encode(text).ids);
    expect(mine).toContain(1); // "zzyzzyva" is out of the vocabulary
    const withConfig = new HfJsTokenizer(json, tokenizerConfig(tok, 64));
    expect(withConfig.encode(text, { add_special_tokens: false }).ids).toEqual(mine);
    const without = new HfJsTokenizer(json, {});
    expect(without.encode(text, { add_special_tokens: false }).ids).not.toEqual(mine);
  });
});

// tokenizer.json export/import: round trips for every kind, foreign BERT files, and clear refusals.
import { describe, expect, it } from 'vitest';
import { exportTokenizerJson, importTokenizerJson } from './hfJson';
import { trainTokenizer } from './train';
import { SPECIAL_TOKENS } from './types';

const TEXT = "It was the best of times, it was the worst of times; Ça n'était pas l'âge d'or. 北京!\n".repeat(5);
const PROBES = ['It was the age of wisdom, [MASK] foolishness.', 'Ünknown wörds?! 北京大学', "d'or , l'âge"];

describe('tokenizer.json round trip', () => {
  for (const kind of ['char', 'word', 'wordpiece'] as const) {
    it(`${kind}: export then import gives the same vocabulary and the same encodings`, () => {
      const tok = trainTokenizer(TEXT, { kind, vocabSize: 60 });
      const json = exportTokenizerJson(tok);
      const { tokenizer: back, notes } = importTokenizerJson(json);
      expect(notes).toEqual([]);
      expect(back.kind).toBe(kind);
      expect(back.vocab.tokens).toEqual(tok.vocab.tokens);
      for (const p of PROBES) {
        expect(back.encode(p)).toEqual(tok.encode(p));
        expect(back.decode(back.encode(p).ids)).toBe(tok.decode(tok.encode(p).ids));
      }
      expect(exportTokenizerJson(back)).toBe(json);
    });
  }

  it('writes the HF pieces a BERT tokenizer.json has', () => {
    const data = JSON.parse(exportTokenizerJson(trainTokenizer(TEXT, { kind: 'wordpiece', vocabSize: 60 })));
    expect(data.model.type).toBe('WordPiece');
    expect(data.model.continuing_subword_prefix).toBe('##');
    expect(data.normalizer.type).toBe('BertNormalizer');
    expect(data.pre_tokenizer.type).toBe('BertPreTokenizer');
    expect(data.decoder).toEqual({ type: 'WordPiece', prefix: '##', cleanup: true });
    expect(data.post_processor.type).toBe('TemplateProcessing');
    expect(data.post_processor.special_tokens['[CLS]'].ids).toEqual([2]);
    expect(data.added_tokens.map((t: { content: string }) => t.content)).toEqual([...SPECIAL_TOKENS]);
  });
});

describe('importing other tokenizer.json files', () => {
  const bertStyle = (vocab: Record<string, number>, extra: Record<string, unknown> = {}) => ({
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: false,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab,
    },
    ...extra,
  });

  it('moves special tokens to ids 0..4 (as in bert-base: [PAD]=0, [UNK]=100...) and says so', () => {
    const vocab = { '[PAD]': 0, hello: 1, '##s': 2, '[UNK]': 3, '[CLS]': 4, '[SEP]': 5, '[MASK]': 6, Hi: 7 };
    const { tokenizer, notes } = importTokenizerJson(bertStyle(vocab));
    expect(tokenizer.vocab.tokens).toEqual([...SPECIAL_TOKENS, 'hello', '##s', 'Hi']);
    expect(notes.join(' ')).toMatch(/moved the special tokens/);
    // a cased normalizer is honoured
    expect(Array.from(tokenizer.encode('Hi hellos hi').ids)).toEqual([7, 5, 6, 1]);
  });

  it('adds missing special tokens', () => {
    const { tokenizer, notes } = importTokenizerJson(bertStyle({ '[UNK]': 0, a: 1 }));
    expect(tokenizer.vocab.tokens).toEqual([...SPECIAL_TOKENS, 'a']);
    expect(notes.join(' ')).toMatch(/added missing special tokens \[PAD\] \[CLS\] \[SEP\] \[MASK\]/);
  });

  it('refuses what it cannot reproduce, naming the part', () => {
    const v = { '[PAD]': 0, '[UNK]': 1, '[CLS]': 2, '[SEP]': 3, '[MASK]': 4 };
    expect(() => importTokenizerJson('{')).toThrow(/not valid JSON/);
    expect(() => importTokenizerJson({})).toThrow(/no "model"/);
    expect(() => importTokenizerJson({ model: { type: 'Unigram', vocab: [] } })).toThrow(/model type "Unigram"/);
    expect(() => importTokenizerJson(bertStyle(v, { pre_tokenizer: { type: 'ByteLevel' } }))).toThrow(
      /pre_tokenizer "ByteLevel"/,
    );
    expect(() => importTokenizerJson(bertStyle(v, { normalizer: { type: 'NFKC' } }))).toThrow(/normalizer "NFKC"/);
    expect(() => importTokenizerJson(bertStyle(v, { added_tokens: [{ id: 5, content: '<x>' }] }))).toThrow(
      /added token "<x>"/,
    );
    expect(() => importTokenizerJson(bertStyle({ ...v, a: 7 }))).toThrow(/ids must be 0..5/);
    expect(() => importTokenizerJson({ model: { type: 'BPE', vocab: v, merges: ['a b'] } })).toThrow(/with merges/);
  });
});

// Independent cross-check against Hugging Face itself: `tokenizers` (the Rust library, via its Node binding) and
// tokenizers.js load MaskLab's exported tokenizer.json and must give the same ids (and word ids, and decoded text);
// the Rust WordPiece trainer must build the same vocabulary as MaskLab's port of it.
import { existsSync, readFileSync } from 'node:fs';
import { Tokenizer as HfJsTokenizer } from '@huggingface/tokenizers';
import fc from 'fast-check';
import {
  Tokenizer as HfTokenizer,
  WordPiece,
  bertNormalizer,
  bertPreTokenizer,
  type BertNormalizerOptions,
} from 'tokenizers';
import { beforeAll, describe, expect, it } from 'vitest';
import { bertNormalize, bertPreTokenize } from './bert';
import { exportTokenizerJson, type MaskLabTokenizer } from './hfJson';
import { trainTokenizer } from './train';
import { countWords, trainWordPieceVocab } from './wordpieceTrainer';

const corpusPath = (name: string): string => new URL(`../../public/corpora/${name}`, import.meta.url).pathname;
const FAIRY = readFileSync(corpusPath('fairy-tales.txt'), 'utf8');
const SHAKESPEARE = readFileSync(corpusPath('shakespeare.txt'), 'utf8');
// Every 7th line of both corpora (about 7,000 lines), plus texts that exercise each normalization rule.
const LINES = [...FAIRY.split('\n'), ...SHAKESPEARE.split('\n')].filter((_, i) => i % 7 === 0);
const EDGE = [
  "Héllo, Wörld! Ünïcode isn't fun... [MASK] the cat [SEP]x",
  'İstanbul ΣΟΦΟΣ σοφός 北京大学 한국어 \u0000ctrl\u0007 \uFFFD emoji 🥰🙂 tab\there\u00A0nbsp\u2028line',
  'a'.repeat(101) + ' ' + 'b'.repeat(100) + ' ok',
  'foo[MASK][MASK]bar  [UNK] [PAD]',
  '   ',
  '',
];
const PIECES = [
  'the',
  'The',
  'king',
  'é',
  'É',
  'ß',
  'ﬁ',
  '北',
  '🥰',
  ' ',
  '  ',
  '\n',
  '\t',
  ',',
  '.',
  "'",
  '-',
  '—',
  '«',
  '$',
  '[MASK]',
  '[CLS]',
  'x\u0301',
  '\u0000',
  'Σ',
  'ΣΟΦΟΣ',
  '한국',
  'İ',
  'Ǆ',
  '\u200B',
  '\u00A0',
];
const RANDOM_TEXT = fc.array(fc.constantFrom(...PIECES), { maxLength: 25 }).map((p) => p.join(''));

const ids = (xs: ArrayLike<number>): number[] => Array.from(xs);

describe('BERT normalizer and pre-tokenizer against Rust', () => {
  const variants: BertNormalizerOptions[] = [
    {},
    { lowercase: false },
    { lowercase: false, stripAccents: true },
    { cleanText: false, handleChineseChars: false },
  ];
  it.each(variants)('normalizes like BertNormalizer(%o), and splits like BertPreTokenizer', (opts) => {
    const theirs = bertNormalizer(opts);
    const pre = bertPreTokenizer();
    const mine = {
      cleanText: opts.cleanText ?? true,
      handleChineseChars: opts.handleChineseChars ?? true,
      stripAccents: opts.stripAccents ?? null,
      lowercase: opts.lowercase ?? true,
    };
    fc.assert(
      fc.property(RANDOM_TEXT, (text) => {
        const normalized = bertNormalize(text, mine);
        expect(normalized).toBe(theirs.normalizeString(text));
        expect(bertPreTokenize(normalized)).toEqual(pre.preTokenizeString(normalized).map(([w]) => w));
      }),
      { numRuns: 300, seed: 11 },
    );
    for (const line of EDGE) expect(bertNormalize(line, mine)).toBe(theirs.normalizeString(line));
  });
});

describe.each(['wordpiece', 'word', 'char'] as const)('%s tokenizer.json in Hugging Face tokenizers (Rust)', (kind) => {
  let tok: MaskLabTokenizer;
  let hf: HfTokenizer;
  beforeAll(() => {
    tok = trainTokenizer(FAIRY, { kind, vocabSize: kind === 'char' ? undefined : 2000 });
    hf = HfTokenizer.fromString(exportTokenizerJson(tok));
  });

  it('encodes corpus lines and edge cases to the same ids and word ids, and decodes to the same text', async () => {
    const texts = [...LINES, ...EDGE];
    const encodings = await hf.encodeBatch(texts, { addSpecialTokens: false });
    const theirIds = encodings.map((e) => e.getIds());
    const decoded = await hf.decodeBatch(theirIds, false);
    const decodedSkip = await hf.decodeBatch(theirIds, true);
    texts.forEach((line, i) => {
      const mine = tok.encode(line);
      expect(ids(mine.ids), JSON.stringify(line)).toEqual(theirIds[i]);
      if (!line.includes('['))
        expect(ids(mine.wordIds), JSON.stringify(line)).toEqual(encodings[i].getWordIds().map((w) => w ?? -1));
      expect(tok.decode(mine.ids)).toBe(decoded[i]);
      expect(tok.decode(mine.ids, { skipSpecialTokens: true })).toBe(decodedSkip[i]);
    });
    expect(texts.length).toBeGreaterThan(5000);
  });

  it('agrees on random mixes of tricky characters', async () => {
    await fc.assert(
      fc.asyncProperty(RANDOM_TEXT, async (text) => {
        const theirs = await hf.encode(text, null, { addSpecialTokens: false });
        expect(ids(tok.encode(text).ids)).toEqual(theirs.getIds());
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('adds [CLS] ... [SEP] through the exported TemplateProcessing', async () => {
    const e = await hf.encode('Once upon a time', null, { addSpecialTokens: true });
    expect(e.getIds()).toEqual([2, ...ids(tok.encode('Once upon a time').ids), 3]);
  });
});

describe.each(['wordpiece', 'char'] as const)('%s tokenizer.json in tokenizers.js', (kind) => {
  // tokenizers.js 0.2 has no WordLevel model (unknown words come back undefined), so word-level is checked in Rust only.
  it('encodes corpus lines to the same ids and decodes to the same text', () => {
    const tok = trainTokenizer(FAIRY, { kind, vocabSize: kind === 'char' ? undefined : 2000 });
    const js = new HfJsTokenizer(JSON.parse(exportTokenizerJson(tok)), {});
    for (const line of [...LINES.slice(0, 2000), ...EDGE]) {
      const mine = ids(tok.encode(line).ids);
      expect(mine, JSON.stringify(line)).toEqual(js.encode(line, { add_special_tokens: false }).ids);
      // tokenizers.js applies transformers' clean_up_tokenization_spaces unless told not to; HF Rust does not.
      if (mine.length) expect(tok.decode(mine)).toBe(js.decode(mine, { clean_up_tokenization_spaces: false }));
    }
  });
});

// The 4 MB KJV Bible from the shared corpora when this checkout has it beside it, else Tiny Shakespeare.
const KJV = new URL('../../../shared/corpora/kjv-bible.txt', import.meta.url).pathname;
const LARGE = existsSync(KJV) ? KJV : corpusPath('shakespeare.txt');

describe('WordPiece training against the Rust WordPieceTrainer', () => {
  // Training a 30k vocabulary on 4 MB twice (Rust and TS) takes a few seconds; more on a loaded machine.
  it.each([corpusPath('fairy-tales.txt'), LARGE])(
    'builds the same vocabulary from %s, token for token, once the initial order is the same',
    { timeout: 60_000 },
    (path) => {
      // HF numbers the "##x" characters in hash-map order, which changes from run to run; everything after that
      // (every merge and its id) is deterministic given that order, so MaskLab is run with HF's initial order.
      const hf = new HfTokenizer(WordPiece.init({ '[UNK]': 0 }, { unkToken: '[UNK]' }));
      hf.setNormalizer(bertNormalizer());
      hf.setPreTokenizer(bertPreTokenizer());
      hf.train([path]); // default WordPieceTrainer: vocab_size 30000, no special tokens
      const v = hf.getVocab();
      const theirs = Object.keys(v).sort((a, b) => v[a] - v[b]);
      const isInitial = (t: string): boolean => [...t.replace(/^##/, '')].length === 1;
      let k = 0;
      while (isInitial(theirs[k])) k++;
      // MaskLab puts its 5 special tokens first, so its target size is 5 larger for the same merges.
      const mine = trainWordPieceVocab(
        countWords(readFileSync(path, 'utf8')),
        { vocabSize: 30000 + 5 },
        theirs.slice(0, k),
      );
      expect(k).toBeGreaterThan(50);
      expect(theirs.length).toBeGreaterThan(5000);
      expect(mine.slice(5)).toEqual(theirs);
    },
  );
});

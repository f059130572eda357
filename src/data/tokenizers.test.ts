// Character and word tokenizers, and trainTokenizer: vocabularies, word ids, decode round trips.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { trainChar } from './charLevel';
import { trainTokenizer } from './train';
import { SPECIAL_TOKENS } from './types';
import { trainWordLevel } from './wordLevel';

const TEXT = 'The cat sat on the mat.\nThe dog sat on the log!\n  A cat, a dog; a mat.\n';

describe('character tokenizer', () => {
  const tok = trainChar(TEXT);

  it('has the specials, then every character in code point order', () => {
    const chars = [...new Set(TEXT)].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    expect(tok.vocab.tokens).toEqual([...SPECIAL_TOKENS, ...chars]);
  });

  it('round-trips any text made of known characters exactly', () => {
    const known = [...new Set(TEXT)];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...known), { maxLength: 60 }), (chars) => {
        const s = chars.join('');
        expect(tok.decode(tok.encode(s).ids)).toBe(s);
      }),
    );
  });

  it('gives [UNK] to unseen characters and keeps case', () => {
    expect(Array.from(tok.encode('Tz').ids)).toEqual([tok.tokenToId('T'), 1]);
  });

  it('word ids: a word per run of letters, per punctuation mark, per whitespace character', () => {
    expect(Array.from(tok.encode('cat, a\n').wordIds)).toEqual([0, 0, 0, 1, 2, 3, 4]);
  });

  it('keeps the most frequent characters when capped', () => {
    const capped = trainChar('aaaa bbb cc d', { vocabSize: 8 });
    expect(capped.vocab.tokens.slice(5)).toEqual([' ', 'a', 'b']);
  });

  it('treats a literal [MASK] as the mask token, decoding it back', () => {
    const e = tok.encode('a [MASK] cat');
    expect(e.ids[2]).toBe(4);
    expect(e.wordIds[2]).toBe(-1);
    expect(tok.decode(e.ids)).toBe('a [MASK] cat');
  });
});

describe('word-level tokenizer', () => {
  const tok = trainWordLevel(TEXT, { vocabSize: 10 });

  it('keeps the most frequent normalized words, ties in string order', () => {
    // counts: the 4 (The lowercased), a 3, then 2 each for '.', cat, dog, mat, on, sat
    expect(tok.vocab.tokens).toEqual([...SPECIAL_TOKENS, 'the', 'a', '.', 'cat', 'dog']);
  });

  it('maps other words to [UNK] and numbers every word', () => {
    const e = tok.encode('The bird, a cat');
    expect(Array.from(e.ids)).toEqual([tok.tokenToId('the'), 1, 1, tok.tokenToId('a'), tok.tokenToId('cat')]);
    expect(Array.from(e.wordIds)).toEqual([0, 1, 2, 3, 4]);
  });

  it('decodes with spaces between words, none before . , ! ?', () => {
    const big = trainWordLevel(TEXT, { vocabSize: 100 });
    expect(big.decode(big.encode('The cat sat on the mat.').ids)).toBe('the cat sat on the mat.');
    const ids = big.encode('A cat, a dog; a mat!').ids;
    expect(big.encode(big.decode(ids)).ids).toEqual(ids);
  });

  it('respects min frequency', () => {
    const rare = trainWordLevel(TEXT, { vocabSize: 100, minFrequency: 3 });
    expect(rare.vocab.tokens.slice(5)).toEqual(['the', 'a']);
  });
});

describe('trainTokenizer', () => {
  it('builds each kind with ids 0..4 special', () => {
    for (const kind of ['char', 'word', 'wordpiece'] as const) {
      const tok = trainTokenizer(TEXT, { kind, vocabSize: 40 });
      expect(tok.kind).toBe(kind);
      expect(SPECIAL_TOKENS.map((t) => tok.tokenToId(t))).toEqual([0, 1, 2, 3, 4]);
      expect(tok.vocabSize).toBeLessThanOrEqual(40);
    }
  });

  it('rejects a vocabulary too small to hold anything', () => {
    expect(() => trainTokenizer(TEXT, { kind: 'wordpiece', vocabSize: 5 })).toThrow(/at least 6/);
  });
});

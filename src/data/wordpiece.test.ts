// WordPiece training and encoding on a tiny hand-made corpus, where every merge can be worked out by hand.
import { describe, expect, it } from 'vitest';
import { SPECIAL_TOKENS } from './types';
import { WordPieceTokenizer } from './wordpiece';
import { countWords, trainWordPiece, trainWordPieceVocab } from './wordpieceTrainer';

// Sennrich et al.'s example: low x5, lower x2, newest x6, widest x3.
const CORPUS = 'low '.repeat(5) + 'lower '.repeat(2) + 'newest '.repeat(6) + 'Widest '.repeat(3);
const ALPHABET = ['d', 'e', 'i', 'l', 'n', 'o', 'r', 's', 't', 'w'];
const CONTINUATIONS = ['##o', '##w', '##e', '##r', '##s', '##t', '##i', '##d'];
// Merges by count, ties to the pair with smaller ids: ##e+##s (9), ##es+##t (9), l+##o (7), lo+##w (7), n+##e (6),
// ##w+##est (6), ne+##west (6), w+##i (3), ##d+##est (3), wi+##dest (3), ##e+##r (2), low+##er (2).
const MERGED = ['##es', '##est', 'lo', 'low', 'ne', '##west', 'newest', 'wi', '##dest', 'widest', '##er', 'lower'];

describe('WordPiece trainer', () => {
  it('builds specials, alphabet, continuation characters, then merges in HF order', () => {
    const vocab = trainWordPieceVocab(countWords(CORPUS), { vocabSize: 1000 });
    expect(vocab).toEqual([...SPECIAL_TOKENS, ...ALPHABET, ...CONTINUATIONS, ...MERGED]);
  });

  it('stops at the vocabulary size', () => {
    const tok = trainWordPiece(CORPUS, { vocabSize: 30 });
    expect(tok.vocabSize).toBe(30);
    expect(tok.vocab.tokens.slice(23)).toEqual(MERGED.slice(0, 7));
  });

  it('respects min frequency', () => {
    const vocab = trainWordPieceVocab(countWords(CORPUS), { vocabSize: 1000, minFrequency: 4 });
    expect(vocab.slice(23)).toEqual(MERGED.slice(0, 7));
  });

  it('limits the alphabet to the most frequent characters', () => {
    const vocab = trainWordPieceVocab(countWords('aaa bbb c'), { vocabSize: 6, limitAlphabet: 2 });
    expect(vocab.slice(5)).toEqual(['a', 'b', '##a', '##b']);
  });

  it('is deterministic', () => {
    const text = 'the cat sat on the mat; the dog sat on the log. '.repeat(20);
    expect(trainWordPiece(text, { vocabSize: 60 }).vocab.tokens).toEqual(
      trainWordPiece(text, { vocabSize: 60 }).vocab.tokens,
    );
  });

  it('reports progress', () => {
    const phases: string[] = [];
    trainWordPiece(CORPUS, { vocabSize: 30, onProgress: (p) => phases.push(p.phase) });
    expect(phases[0]).toBe('count');
    expect(phases.at(-1)).toBe('done');
  });
});

describe('WordPiece encoding', () => {
  const tok = trainWordPiece(CORPUS, { vocabSize: 30 });
  const pieces = (text: string): string[] => Array.from(tok.encode(text).ids, (id) => tok.idToToken(id)!);

  it('takes the longest match first', () => {
    expect(pieces('lowest')).toEqual(['low', '##est']);
    expect(pieces('newer')).toEqual(['ne', '##w', '##e', '##r']);
    expect(pieces('widest')).toEqual(['w', '##i', '##d', '##est']);
  });

  it('gives one [UNK] for a word it cannot cover, and for an over-long word', () => {
    expect(pieces('lowly low')).toEqual(['[UNK]', 'low']);
    const short = new WordPieceTokenizer({ vocab: tok.vocab.tokens, maxInputCharsPerWord: 5 });
    expect(Array.from(short.encode('newest low').ids, (id) => short.idToToken(id))).toEqual(['[UNK]', 'low']);
  });

  it('numbers words, shared by the pieces of a word; punctuation is its own word; literal specials get -1', () => {
    const e = tok.encode('Lowest, newer [MASK] low!');
    expect(Array.from(e.ids, (id) => tok.idToToken(id))).toEqual([
      'low',
      '##est',
      '[UNK]',
      'ne',
      '##w',
      '##e',
      '##r',
      '[MASK]',
      'low',
      '[UNK]',
    ]);
    expect(Array.from(e.wordIds)).toEqual([0, 0, 1, 2, 2, 2, 2, -1, 3, 4]);
  });

  it('decodes by gluing ## pieces and dropping the space before punctuation', () => {
    expect(tok.decode(tok.encode('Lowest , newer!').ids)).toBe('lowest [UNK] newer [UNK]');
    expect(tok.decode([tok.tokenToId('low')!, tok.tokenToId('##est')!, 4, 3], { skipSpecialTokens: true })).toBe(
      'lowest',
    );
  });

  it('round-trips: encode(decode(encode(x))) === encode(x)', () => {
    const text = trainWordPiece("The quick brown fox, jumping over lazy dogs. Isn't it? ", { vocabSize: 80 });
    for (const s of ["The fox isn't lazy.", 'over dogs, quick!', 'zebra QUICK']) {
      const ids = text.encode(s).ids;
      expect(text.encode(text.decode(ids)).ids).toEqual(ids);
    }
  });

  it('rejects ids outside the vocabulary when decoding', () => {
    expect(() => tok.decode([tok.vocabSize])).toThrow(/outside the vocabulary/);
  });
});

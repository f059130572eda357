// BERT normalizer, pre-tokenizer and special-token splitting: the cases where HF's rules are easy to get wrong.
import { describe, expect, it } from 'vitest';
import { bertNormalize, bertPreTokenize, charPreTokenize, isBertPunctuation, splitSpecialTokens } from './bert';

describe('bertNormalize', () => {
  it('lowercases and strips accents by default', () => {
    expect(bertNormalize('Héllo WÖRLD Ça')).toBe('hello world ca');
  });
  it('keeps case and accents when asked', () => {
    expect(
      bertNormalize('Héllo', { cleanText: true, handleChineseChars: true, stripAccents: null, lowercase: false }),
    ).toBe('Héllo');
    expect(
      bertNormalize('Héllo', { cleanText: true, handleChineseChars: true, stripAccents: true, lowercase: false }),
    ).toBe('Hello');
  });
  it('removes control characters and maps every whitespace to a space', () => {
    expect(bertNormalize('a\u0000b\u0007c\uFFFDd\te\nf\r\u00A0g\u3000h\u200Bi')).toBe('abcd e f  g hi');
  });
  it('puts spaces around CJK ideographs only (Hangul is left joined, though NFD splits it into jamo)', () => {
    expect(bertNormalize('北京abc한국')).toBe(' 北  京 abc' + '한국'.normalize('NFD'));
  });
  it('lowercases one character at a time (no final-sigma rule, as Rust char::to_lowercase)', () => {
    expect(
      bertNormalize('ΣΟΦΟΣ', { cleanText: true, handleChineseChars: true, stripAccents: false, lowercase: true }),
    ).toBe('σοφοσ');
    expect(bertNormalize('İ')).toBe('i');
  });
});

describe('bertPreTokenize', () => {
  it('splits on whitespace and isolates each punctuation mark, ASCII symbols included', () => {
    expect(bertPreTokenize("isn't it... $5+3=8? «oui»")).toEqual([
      'isn',
      "'",
      't',
      'it',
      '.',
      '.',
      '.',
      '$',
      '5',
      '+',
      '3',
      '=',
      '8',
      '?',
      '«',
      'oui',
      '»',
    ]);
  });
  it('gives nothing for blank text', () => {
    expect(bertPreTokenize('  \n ')).toEqual([]);
  });
  it('knows BERT punctuation', () => {
    expect(['!', '`', '~', '—', '¿'].every(isBertPunctuation)).toBe(true);
    expect(['a', '1', ' ', '€'].some(isBertPunctuation)).toBe(false);
  });
});

describe('charPreTokenize', () => {
  it('keeps each whitespace character as its own word', () => {
    expect(charPreTokenize('Hi,  you\n')).toEqual(['Hi', ',', ' ', ' ', 'you', '\n']);
  });
});

describe('splitSpecialTokens', () => {
  it('cuts literal special tokens out of raw text with their ids', () => {
    expect(splitSpecialTokens('a [MASK] b[SEP][PAD]')).toEqual([
      { text: 'a ', special: -1 },
      { text: '[MASK]', special: 4 },
      { text: ' b', special: -1 },
      { text: '[SEP]', special: 3 },
      { text: '[PAD]', special: 0 },
    ]);
  });
  it('leaves look-alikes alone', () => {
    expect(splitSpecialTokens('[mask] [MASK')).toEqual([{ text: '[mask] [MASK', special: -1 }]);
  });
});

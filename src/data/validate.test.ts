// Each bad input gets its own problem code and a message that says what to do.
import { describe, expect, it } from 'vitest';
import { trainTokenizer } from './train';
import {
  checkCorpusText,
  checkTextBytes,
  checkTextFile,
  checkTextSize,
  checkTextString,
  enoughTokens,
  MAX_TEXT_BYTES,
  utf8Length,
} from './validate';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('checkTextBytes', () => {
  it('accepts UTF-8 text, dropping a BOM and turning CRLF and CR into LF', () => {
    const r = checkTextBytes(Uint8Array.from([0xef, 0xbb, 0xbf, ...enc('Once upon\r\na time\rthere')]));
    expect(r).toEqual({ ok: true, text: 'Once upon\na time\nthere', bytes: 26 });
  });
  it('accepts UTF-16 with a BOM', () => {
    const utf16 = Uint8Array.from([0xff, 0xfe, ...[...'Hi é'].flatMap((c) => [c.charCodeAt(0), 0])]);
    expect(checkTextBytes(utf16)).toMatchObject({ ok: true, text: 'Hi é' });
  });
  it('rejects an empty file, and one with only whitespace', () => {
    expect(checkTextBytes(new Uint8Array(0), '"a.txt"')).toEqual({
      ok: false,
      problem: 'empty',
      message: '"a.txt" is empty.',
    });
    expect(checkTextBytes(enc(' \n\t \n'))).toMatchObject({
      ok: false,
      problem: 'empty',
      message: 'This file has no text, only whitespace.',
    });
  });
  it('rejects binary data with NUL bytes', () => {
    const r = checkTextBytes(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    expect(r).toMatchObject({ ok: false, problem: 'binary' });
    expect(r.ok || r.message).toMatch(/NUL bytes \(the first at byte 8\).*plain text/);
  });
  it('rejects text with a high share of control characters', () => {
    const r = checkTextBytes(enc('abc\u0001\u0002\u0003def'.repeat(10)));
    expect(r).toMatchObject({ ok: false, problem: 'binary' });
    expect(r.ok || r.message).toMatch(/33\.3% of its characters are control characters/);
    expect(checkTextBytes(enc('page one\fpage two'))).toMatchObject({ ok: true });
  });
  it('rejects invalid UTF-8 and says on which line', () => {
    const r = checkTextBytes(Uint8Array.from([...enc('fine\nstill fine\ncaf'), 0xe9, ...enc(' latin-1\n')]));
    expect(r).toMatchObject({ ok: false, problem: 'invalid-utf8' });
    expect(r.ok || r.message).toMatch(/not valid UTF-8 text \(the first bad byte is on line 3\)/);
  });
  it('rejects text over the size limit without decoding it', () => {
    const r = checkTextBytes(enc('x'.repeat(2000)), 'This file', 1000);
    expect(r).toMatchObject({ ok: false, problem: 'too-large' });
    expect(MAX_TEXT_BYTES).toBe(50 * 1024 * 1024);
  });
});

describe('checkTextString and checkTextFile', () => {
  it('checks pasted text', () => {
    expect(checkTextString('hello')).toEqual({ ok: true, text: 'hello', bytes: 5 });
    expect(checkTextString('')).toMatchObject({ problem: 'empty' });
    expect(checkTextString('a\u0000b')).toMatchObject({ problem: 'binary' });
    expect(checkTextString('bad \uD800 surrogate')).toMatchObject({ problem: 'invalid-utf8' });
    expect(checkTextString('éé', 'This text', 3)).toMatchObject({ problem: 'too-large' });
    expect(utf8Length('aé€🙂')).toBe(1 + 2 + 3 + 4);
  });
  it('checks a file by its size before reading it', async () => {
    const big = new File([new Uint8Array(60 * 1024 * 1024)], 'huge.txt');
    const r = await checkTextFile(big);
    expect(r).toMatchObject({ ok: false, problem: 'too-large' });
    expect(r.ok || r.message).toBe('"huge.txt" is 60 MB; the limit is 50 MB. Use a shorter excerpt.');
    expect(await checkTextFile(new File(['Once'], 'a.txt'))).toMatchObject({ ok: true, text: 'Once' });
  });
});

describe('checkCorpusText and checkTextSize', () => {
  it('refuses a text too short for a held-out part before it is kept, naming it and how much is needed', () => {
    const word = checkCorpusText(checkTextString('word', 'The pasted text'), 'The pasted text');
    expect(word).toMatchObject({ ok: false, problem: 'too-short' });
    expect(word.ok || word.message).toMatch(
      /^The pasted text is too short to keep a held-out part apart from the training part\. .* at least 256 characters/,
    );
    const file = checkCorpusText(checkTextBytes(enc('one word'), '"word.txt"'), '"word.txt"');
    expect(file.ok || file.message).toMatch(/^"word.txt" is too short .* 8 characters, all on one line/);
    // Earlier problems come first; a text long enough passes unchanged.
    expect(checkCorpusText(checkTextString(''), 'This text')).toMatchObject({ problem: 'empty' });
    const long = 'The fox ran.\n'.repeat(20) + '\nThe hen sat.\n';
    expect(checkCorpusText(checkTextString(long), 'This text')).toEqual({ ok: true, text: long, bytes: long.length });
  });
  it('measures a paste against the file limit without other work', () => {
    expect(checkTextSize('x'.repeat(2000), 'The pasted text', 1000)).toMatchObject({ ok: false, problem: 'too-large' });
    expect(checkTextSize('éé', 'The pasted text', 3)).toMatchObject({ problem: 'too-large' });
    expect(checkTextSize('éé', 'The pasted text', 4)).toEqual({ ok: true, text: 'éé', bytes: 4 });
    const big = checkTextSize('x'.repeat(60 * 1024 * 1024), 'The pasted text');
    expect(big.ok || big.message).toBe('The pasted text is 60 MB; the limit is 50 MB. Use a shorter excerpt.');
  });
});

describe('enoughTokens', () => {
  const tok = trainTokenizer('the cat sat on the mat. '.repeat(10), { kind: 'word', vocabSize: 20 });
  it('passes when one batch and a held-out sequence fit', () => {
    expect(enoughTokens(tok, 'the cat sat on the mat.', 4, 2)).toMatchObject({ ok: true, tokens: 7, needed: 6 });
  });
  it('explains what is missing', () => {
    const r = enoughTokens(tok, 'the cat sat on the mat.', 128, 8);
    expect(r).toMatchObject({ ok: false, tokens: 7, needed: 9 * 126 });
    expect(r.message).toBe(
      'This text gives 7 tokens with the word tokenizer, but sequence length 128 needs at least 1,134 (one batch of 8 training sequences and one held-out sequence of 126 tokens each). Add more text or choose a shorter sequence length.',
    );
  });
  it('rejects a sequence length with no room for tokens', () => {
    expect(() => enoughTokens(tok, 'the cat', 2)).toThrow(/at least 3/);
  });
});

describe('an empty paste', () => {
  it('says the text is empty, not "only nothing" (issue 16 case 9)', () => {
    const r = checkTextString('');
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.message).toMatch(/ is empty\.$/);
    expect(r.ok ? '' : r.message).not.toContain('nothing');
  });
});

// The train/held-out split: whole-line blocks, fixed by the seed, and no text on both sides.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { blockTexts, heldOutProblem, splitText, textBlocks } from './split';

const FAIRY = readFileSync(new URL('../../public/corpora/fairy-tales.txt', import.meta.url), 'utf8');

describe('textBlocks', () => {
  it('cuts whole lines, in order, covering every non-blank line once', () => {
    const blocks = textBlocks(FAIRY, 2000);
    let last = 0;
    for (const b of blocks) {
      expect(b.start).toBeGreaterThanOrEqual(last);
      expect(b.start === 0 || FAIRY[b.start - 1] === '\n').toBe(true);
      expect(b.end === FAIRY.length || FAIRY[b.end - 1] === '\n').toBe(true);
      expect(FAIRY.slice(last, b.start).trim()).toBe('');
      last = b.end;
    }
    expect(FAIRY.slice(last).trim()).toBe('');
    const sizes = blocks.map((b) => b.end - b.start);
    const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    expect(mean).toBeGreaterThan(1000);
    expect(mean).toBeLessThan(2600);
  });

  it('ends blocks at blank lines when it can', () => {
    const text = 'para one line\nstill one\n\npara two\n\npara three is here\n';
    expect(blockTexts(text, textBlocks(text, 20))).toEqual([
      'para one line\nstill one\n',
      'para two\n\npara three is here\n',
    ]);
  });

  it('handles a last line without newline and a line longer than the target', () => {
    const text = 'x'.repeat(50) + '\nshort\nend';
    expect(blockTexts(text, textBlocks(text, 10))).toEqual(['x'.repeat(50) + '\n', 'short\nend']);
  });
});

describe('splitText', () => {
  it('is the same for the same seed and different for another', () => {
    const a = splitText(FAIRY, { seed: 1 });
    expect(splitText(FAIRY, { seed: 1 })).toEqual(a);
    expect(splitText(FAIRY, { seed: 2 }).heldOut).not.toEqual(a.heldOut);
  });

  it('holds out about the asked share, with every block on exactly one side', () => {
    const s = splitText(FAIRY, { seed: 3, heldOutFraction: 0.2 });
    const all = [...s.train, ...s.heldOut].sort((x, y) => x.start - y.start);
    expect(all).toEqual(textBlocks(FAIRY, s.blockChars));
    const held = s.heldOut.reduce((n, b) => n + b.end - b.start, 0);
    const total = all.reduce((n, b) => n + b.end - b.start, 0);
    expect(held / total).toBeGreaterThanOrEqual(0.2);
    expect(held / total).toBeLessThan(0.23);
  });

  it('never puts the same text on both sides, even when passages repeat', () => {
    const lines = Array.from({ length: 400 }, (_, i) =>
      i % 3 === 0 ? 'The refrain comes back again.' : `Verse number ${i} goes on.`,
    );
    const text = lines.join('\n') + '\n';
    for (const seed of [1, 2, 3, 4, 5]) {
      const s = splitText(text, { seed, blockChars: 30 });
      const train = new Set(blockTexts(text, s.train).map((t) => t.trim()));
      for (const t of blockTexts(text, s.heldOut)) expect(train.has(t.trim())).toBe(false);
      expect(s.heldOut.length).toBeGreaterThan(0);
    }
  });

  it('says before storing whether a text can be split, and how much text it needs', () => {
    const word = heldOutProblem('word');
    expect(word).toBe(
      'This text is too short to keep a held-out part apart from the training part. The split cuts a text at line ends into passages of about 256 characters (a passage also ends at a blank line once it has 128) and needs two different passages; it has 4 characters, all on one line, which make one. Add more text: at least 256 characters of lines followed by more lines, or two paragraphs of at least 128 characters with a blank line between them.',
    );
    expect(heldOutProblem('caf\u00c3\u00a9 na\u00c3\u00afve r\u00c3\u00a9sum\u00c3\u00a9', '"latin1.txt"')).toMatch(
      /^"latin1.txt" is too short .* it has 21 characters, all on one line/,
    );
    // The amounts it names are enough: lines of 256 characters then another line, or two 128-character paragraphs.
    const line = (c: string, n: number): string => c.repeat(n - 1) + '\n';
    expect(heldOutProblem(line('a', 255) + 'b\n')).toMatch(/too short/);
    expect(heldOutProblem(line('a', 256) + 'b\n')).toBeNull();
    expect(heldOutProblem(line('a', 127) + '\n' + 'b\n')).toMatch(/too short/);
    expect(heldOutProblem(line('a', 128) + '\n' + 'b\n')).toBeNull();
    // And it agrees with splitText, whatever the seed.
    for (const t of [line('a', 256) + 'b\n', line('a', 128) + '\n' + 'b\n']) {
      for (const seed of [1, 2, 3]) expect(splitText(t, { seed }).heldOut.length).toBeGreaterThan(0);
    }
    expect(() => splitText('word', { seed: 1 })).toThrow(word ?? '');
    expect(heldOutProblem(FAIRY)).toBeNull();
    expect(heldOutProblem('same\n\n'.repeat(500), 'This text', 4)).toMatch(/repeats one passage/);
  });

  it('explains when a text cannot be split', () => {
    expect(() => splitText('one line\n', { seed: 1 })).toThrow(/too short to keep a held-out part/);
    expect(() => splitText('same\n\n'.repeat(500), { seed: 1, blockChars: 4 })).toThrow(/repeats one passage/);
    expect(() => splitText(FAIRY, { seed: 1, heldOutFraction: 1 })).toThrow(/between 0 and 1/);
  });
});

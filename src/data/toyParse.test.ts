// Reading toy sentences back: the parser gives every generated sentence the generator's own arcs, a [MASK] may stand
// for any word, and each word maps to its first token for word-level, WordPiece and character tokenizers.
import { describe, expect, it } from 'vitest';
import { trainChar } from './charLevel';
import { generateToyLanguage } from './toyLanguage';
import { MASK_WORD, parseToySentence, wordStarts } from './toyParse';
import { trainWordLevel } from './wordLevel';
import { trainWordPiece } from './wordpieceTrainer';

const toy = generateToyLanguage({ sentences: 2000, seed: 3, pairsPerKind: 30, keepParsed: true });
const sorted = (arcs: readonly { rel: string; dep: number; head: number }[]) =>
  [...arcs].sort((x, y) => x.dep - y.dep || x.head - y.head);

describe('parseToySentence', () => {
  it("gives every generated sentence and minimal pair the generator's arcs and tags", () => {
    for (const s of [...toy.parsed!, ...toy.pairs]) {
      const p = parseToySentence(s.words);
      expect(p, s.words.join(' ')).toBeDefined();
      expect(sorted(p!.arcs)).toEqual(sorted(s.arcs));
      expect(p!.tags).toEqual(s.tags);
    }
  });

  it('reads a [MASK] as the word the grammar needs there', () => {
    const p = parseToySentence(['the', 'dogs', 'near', 'the', 'cat', MASK_WORD, '.']);
    expect(p?.tags).toEqual(['det', 'noun', 'prep', 'det', 'noun', 'verb', 'punct']);
    expect(p?.arcs).toContainEqual({ rel: 'nsubj', dep: 1, head: 5 });
    const orc = parseToySentence('the girl that the horses like [MASK] in the garden .'.split(' '));
    expect(orc?.arcs).toContainEqual({ rel: 'nsubj', dep: 1, head: 6 });
    expect(orc?.arcs).toContainEqual({ rel: 'nsubj', dep: 4, head: 5 });
  });

  it('leaves out sentences the grammar cannot make', () => {
    expect(
      parseToySentence('the king said to his [MASK] that the [MASK] was in the forest .'.split(' ')),
    ).toBeUndefined();
    expect(parseToySentence(['dogs', 'run', '.'])).toBeUndefined();
    expect(parseToySentence([])).toBeUndefined();
  });
});

describe('wordStarts', () => {
  const words = 'the clever foxes that the geese follow sleep by the river .'.split(' ');

  it('word level: one token per word', () => {
    const tok = trainWordLevel(toy.text, { vocabSize: 200 });
    expect(wordStarts(words, tok)).toEqual(words.map((_, i) => i));
  });

  it("WordPiece: each word's first piece, continuation pieces skipped", () => {
    // A vocabulary this small cuts the longer words into pieces.
    const tok = trainWordPiece(toy.text, { vocabSize: 60 });
    const ids = Array.from(tok.encode(words.join(' ')).ids);
    const tokens = ids.map((id) => tok.idToToken(id)!);
    expect(tokens.length).toBeGreaterThan(words.length);
    const starts = wordStarts(words, tok)!;
    expect(starts).toHaveLength(words.length);
    starts.forEach((start, w) => {
      expect(tokens[start].startsWith('##')).toBe(false);
      const end = w + 1 < starts.length ? starts[w + 1] : tokens.length;
      // The word's pieces, glued, give the word back.
      expect(
        tokens
          .slice(start, end)
          .map((t, i) => (i === 0 ? t : t.replace(/^##/, '')))
          .join(''),
      ).toBe(words[w]);
    });
  });

  it('characters: the first character of each word, spaces skipped', () => {
    const tok = trainChar(toy.text);
    const starts = wordStarts(words, tok)!;
    let at = 0;
    words.forEach((w, i) => {
      expect(starts[i]).toBe(at);
      at += w.length + 1;
    });
  });
});

// The toy language: deterministic given its seed, minimal pairs that differ in the verb form alone, held-out
// sentences never in training, sizes out of range refused.
import { describe, expect, it } from 'vitest';
import { badSentence, generateToyLanguage, TOY_WORDS } from './toyLanguage';

describe('toy language', () => {
  const a = generateToyLanguage({ sentences: 3000, seed: 7, pairsPerKind: 100 });

  it('is deterministic given the seed, and another seed gives another text', () => {
    const b = generateToyLanguage({ sentences: 3000, seed: 7, pairsPerKind: 100 });
    expect(b.text).toBe(a.text);
    expect(b.pairs).toEqual(a.pairs);
    const c = generateToyLanguage({ sentences: 3000, seed: 8, pairsPerKind: 100 });
    expect(c.text).not.toBe(a.text);
  });

  it('has about 100 words, every one used, and nothing else', () => {
    expect(TOY_WORDS.length).toBeGreaterThanOrEqual(90);
    expect(TOY_WORDS.length).toBeLessThanOrEqual(110);
    const used = new Set(a.text.split(/\s+/).filter(Boolean));
    expect([...used].filter((w) => !TOY_WORDS.includes(w))).toEqual([]);
    expect(TOY_WORDS.filter((w) => !used.has(w))).toEqual([]);
    expect(a.text.trim().split('\n')).toHaveLength(3000);
  });

  it('every minimal pair differs in exactly the verb form, and the two forms are the two numbers of one verb', () => {
    expect(a.pairs).toHaveLength(200);
    for (const p of a.pairs) {
      const bad = badSentence(p);
      expect(bad).toHaveLength(p.words.length);
      const diff = p.words.flatMap((w, i) => (w !== bad[i] ? [i] : []));
      expect(diff).toEqual([p.verbIndex]);
      expect(p.words[p.verbIndex]).toBe(p.good);
      expect(p.good).not.toBe(p.bad);
      // singular = plural + s / es / ies (runs/run, chases/chase, cries/cry)
      const [sg, pl] = p.good.endsWith('s') ? [p.good, p.bad] : [p.bad, p.good];
      expect([pl + 's', pl + 'es', pl.slice(0, -1) + 'ies']).toContain(sg);
    }
  });

  it('splits the pairs into with and without an attractor of the other number', () => {
    const withA = a.pairs.filter((p) => p.attractor);
    const without = a.pairs.filter((p) => !p.attractor);
    expect(withA).toHaveLength(100);
    expect(without).toHaveLength(100);
    const plural = new Set([
      'dogs',
      'cats',
      'birds',
      'kings',
      'queens',
      'girls',
      'boys',
      'foxes',
      'wolves',
      'farmers',
      'children',
      'horses',
      'mice',
      'bakers',
      'frogs',
      'geese',
    ]);
    const singular = new Set([
      'dog',
      'cat',
      'bird',
      'king',
      'queen',
      'girl',
      'boy',
      'fox',
      'wolf',
      'farmer',
      'child',
      'horse',
      'mouse',
      'baker',
      'frog',
      'goose',
    ]);
    for (const p of a.pairs) {
      const nouns = p.words.slice(0, p.verbIndex).filter((w) => plural.has(w) || singular.has(w));
      const subjectPlural = plural.has(nouns[0]);
      if (!p.attractor) expect(nouns).toHaveLength(1);
      else expect(nouns.slice(1).some((n) => plural.has(n) !== subjectPlural)).toBe(true);
      // The good form agrees with the subject: singular verbs end in s.
      expect(p.good.endsWith('s')).toBe(!subjectPlural);
    }
  });

  it('no held-out sentence (grammatical or not) appears in training', () => {
    const train = new Set(a.text.trim().split('\n'));
    for (const p of a.pairs) {
      expect(train.has(p.words.join(' '))).toBe(false);
      expect(train.has(badSentence(p).join(' '))).toBe(false);
    }
    expect(new Set(a.pairs.map((p) => p.words.join(' '))).size).toBe(a.pairs.length);
  });

  it('refuses sizes out of range with a message', () => {
    expect(() => generateToyLanguage({ sentences: 5 })).toThrow(/from 100 to/);
    expect(() => generateToyLanguage({ sentences: 1.5e6 })).toThrow(/from 100 to/);
  });
});

// The minimal-pair scorer on stand-in models whose answers are known: one that agrees with the subject, one that
// agrees with the nearest noun (right without an attractor, wrong with one), one that cannot tell the forms apart.
import { describe, expect, it } from 'vitest';
import { trainWordLevel } from '../data/wordLevel';
import { generateToyLanguage, INTRANSITIVE, TRANSITIVE } from '../data/toyLanguage';
import { SPECIAL_IDS } from '../data/types';
import { agreementFigures, encodePairs, scoreAgreement, type EncodedPair, type PairScorer } from './agreement';

const toy = generateToyLanguage({ sentences: 2000, seed: 3, pairsPerKind: 60 });
const tok = trainWordLevel(toy.text, { vocabSize: 200 });
const T = 24;
const VERBS = new Set([...INTRANSITIVE, ...TRANSITIVE].flat());
const SG = new Set([
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
const PL = new Set([
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

/**
 * A stand-in model that reads the number of one noun before the mask and prefers the verb form ending in s when it
 * is singular ('first', 'nearest' noun), or copies the number of the nearest verb before the mask, if any, else of the
 * first noun ('copy-verb': the shortcut object relative clauses catch).
 */
function standIn(which: 'first' | 'nearest' | 'copy-verb'): PairScorer {
  return async (chunk: readonly EncodedPair[]) =>
    chunk.map((p) => {
      const words = Array.from(p.ids.subarray(0, p.position), (id) => tok.idToToken(id) ?? '');
      const nouns = words.filter((w) => SG.has(w) || PL.has(w));
      const verb = words.filter((w) => VERBS.has(w)).pop();
      const goodIsSg = (tok.idToToken(p.good) ?? '').endsWith('s');
      const sg =
        which === 'copy-verb' && verb !== undefined
          ? verb.endsWith('s')
          : SG.has(which === 'nearest' ? nouns[nouns.length - 1] : nouns[0]);
      const agrees = sg === goodIsSg;
      return { good: agrees ? 0.1 : 2.3, bad: agrees ? 2.3 : 0.1 };
    });
}

describe('minimal-pair agreement scorer', () => {
  const { encoded, skipped } = encodePairs(toy.pairs, tok, T);

  it('encodes each pair as one sequence with the verb masked and the two forms as single ids', () => {
    expect(skipped).toBe(0);
    expect(encoded).toHaveLength(180);
    for (const [i, e] of encoded.entries()) {
      const p = toy.pairs[i];
      expect(e.ids[0]).toBe(SPECIAL_IDS.cls);
      expect(e.ids[e.position]).toBe(SPECIAL_IDS.mask);
      expect(tok.idToToken(e.good)).toBe(p.good);
      expect(tok.idToToken(e.bad)).toBe(p.bad);
      expect(e.valid.reduce((s, v) => s + v, 0)).toBe(p.words.length + 2);
      expect(e.attractor).toBe(p.attractor);
      expect(e.kind).toBe(p.kind);
    }
  });

  it('a model that agrees with the subject is right on every pair', async () => {
    const r = await scoreAgreement(encoded, standIn('first'), 7);
    expect(r).toMatchObject({ accuracy: 1, accuracyAttractor: 1, pairs: 60, pairsAttractor: 60 });
    expect(r.byKind.orc).toEqual({ accuracy: 1, pairs: 60 });
    expect((r.byKind.pp?.pairs ?? 0) + (r.byKind.src?.pairs ?? 0)).toBe(60);
    expect(agreementFigures(r)).toEqual({ plain: 1, attractor: 1, kinds: { bare: 1, pp: 1, src: 1, orc: 1 } });
  });

  it('a model that agrees with the nearest noun is right without an attractor and wrong with one', async () => {
    const r = await scoreAgreement(encoded, standIn('nearest'), 16);
    expect(r.accuracy).toBe(1);
    expect(r.accuracyAttractor).toBe(0);
    expect(r.byKind.orc?.accuracy).toBe(0);
  });

  it('a model that copies the nearest verb passes subject relative clauses and fails object relative clauses', async () => {
    const r = await scoreAgreement(encoded, standIn('copy-verb'), 9);
    expect(r.byKind.src?.accuracy).toBe(1);
    expect(r.byKind.orc?.accuracy).toBe(0);
    expect(r.accuracy).toBe(1);
  });

  it('a model that gives both forms the same probability scores one half (chance)', async () => {
    const r = await scoreAgreement(encoded, async (c) => c.map(() => ({ good: 1, bad: 1 })), 5);
    expect(r.accuracy).toBe(0.5);
    expect(r.accuracyAttractor).toBe(0.5);
  });

  it('leaves out pairs that do not fit in T or whose forms are not single tokens', () => {
    expect(encodePairs(toy.pairs, tok, 6).skipped).toBeGreaterThan(0);
    const chars = trainWordLevel('the dog runs .', { vocabSize: 20 });
    expect(encodePairs(toy.pairs.slice(0, 10), chars, T).skipped).toBe(10);
  });
});

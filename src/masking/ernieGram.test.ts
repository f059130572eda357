// ERNIE-Gram's explicitly n-gram MLM: the n-gram vocabulary (counted, t-test ranked, its size and minimum count
// obeyed), a masked n-gram of the vocabulary collapsed to one [MASK] with the row moved up and its class as target,
// the fallback to token-by-token targets for n-grams outside it, and a clear refusal without the vocabulary or
// with a strategy it does not take.
import { describe, expect, it } from 'vitest';
import { Rng } from '../data/rng';
import type { Batch, Encoding } from '../data/types';
import { applyMasking, planMasking, previewMasking } from './apply';
import { getObjective } from './catalog';
import { buildNgramVocabulary, NgramVocabulary } from './objectives/ernieGram';
import { encodingOf, randomEncoding, testVocab } from './testkit';
import { Tag, type MaskingConfig } from './types';

const vocab = testVocab();
const V = vocab.size;
const id = (t: string) => vocab.tokens.indexOf(t);

/** Text repeated: "new york" always together, "the" and "king" everywhere, "king ##s" a word of two pieces. */
const corpus: Encoding[] = [
  ...Array.from({ length: 30 }, () => encodingOf(vocab, 'the new york king said the king ##s went')),
  ...Array.from({ length: 60 }, (_, i) => randomEncoding(Rng.from(11, i), 30)),
];

/** One row: [CLS] words [SEP], word ids from the pieces (a '##' piece continues its word). */
function rowOf(text: string, T: number): Batch {
  const enc = encodingOf(vocab, text);
  const n = enc.ids.length;
  const ids = new Int32Array(T);
  const wordIds = new Int32Array(T).fill(-1);
  const valid = new Int32Array(T);
  ids[0] = vocab.specialIds.cls;
  ids.set(enc.ids, 1);
  wordIds.set(Array.from(enc.wordIds), 1);
  ids[n + 1] = vocab.specialIds.sep;
  valid.fill(1, 0, n + 2);
  return { B: 1, T, ids, wordIds, valid };
}

describe('the n-gram vocabulary', () => {
  const table = buildNgramVocabulary(corpus, vocab, { size: 20, minCount: 5, maxWords: 3 });

  it('keeps frequent word n-grams and multi-piece words, best t-score first, within its size and minimum count', () => {
    const keys = table.entries.map((e) => e.text);
    expect(keys).toContain('new york');
    expect(keys).toContain('kings'); // one word of two tokens
    expect(table.entries.length).toBeLessThanOrEqual(20);
    for (const e of table.entries) expect(e.count).toBeGreaterThanOrEqual(5);
    for (let i = 1; i < table.entries.length; i++)
      expect(table.entries[i].score).toBeLessThanOrEqual(table.entries[i - 1].score);
    // "new york" (always together) beats "the king" (two words that are everywhere anyway).
    const rank = (t: string) => keys.indexOf(t);
    expect(rank('new york')).toBeGreaterThanOrEqual(0);
    if (rank('the king') >= 0) expect(rank('new york')).toBeLessThan(rank('the king'));
    expect(table.index([id('new'), id('york')], 0, 2)).toBe(rank('new york'));
    expect(table.index([id('york'), id('new')], 0, 2)).toBe(-1);
    expect(table.className(V + rank('new york'))).toBe('new york');
    expect(table.className(3)).toBeUndefined();
    expect(table.summary).toMatch(/n-grams of the training split are classes of their own/);
  });

  it('has only what the encodings it was given contain, and none below the minimum count', () => {
    const none = buildNgramVocabulary(corpus.slice(30), vocab, { size: 50, minCount: 5, maxWords: 3 });
    expect(none.entries.map((e) => e.text)).not.toContain('new york');
    const rare = buildNgramVocabulary(corpus, vocab, { size: 50, minCount: 10_000, maxWords: 3 });
    expect(rare.entries).toEqual([]);
    expect(rare.summary).toMatch(/every masked n-gram falls back to its tokens/);
    expect(buildNgramVocabulary(corpus, vocab, { size: 50, minCount: 5, maxWords: 3 })).toEqual(
      buildNgramVocabulary(corpus, vocab, { size: 50, minCount: 5, maxWords: 3 }),
    );
  });
});

describe('explicitly n-gram masking', () => {
  const config: MaskingConfig = {
    strategy: 'ngram',
    // Every word is chosen (rate 1), n-grams of up to 2 words; always [MASK] for tokens outside the vocabulary.
    strategyParams: { rate: 1, maxN: 2, maskFrac: 1, randomFrac: 0 },
    objective: 'ernie-gram',
    objectiveParams: { ngramVocab: 20, ngramMinCount: 5, ngramWords: 3 },
  };
  const table = getObjective('ernie-gram').fromTrainingSplit!(corpus, vocab, config.objectiveParams!);

  it('collapses a masked n-gram of the vocabulary to one [MASK] with its class; others fall back to their tokens', () => {
    const T = 12;
    const batch = rowOf('the new york king ##s said', T);
    let collapsed = 0;
    let fellBack = 0;
    for (let seed = 0; seed < 40; seed++) {
      const mb = applyMasking(config, batch, { vocab, rng: Rng.from(seed), table });
      const g = mb.gathered!;
      const valid = mb.valid.reduce((s, v) => s + v, 0);
      // The row is shorter by what the collapsed n-grams lost, padded at its end.
      let lost = 0;
      for (let s = 0; s < g.positions.length; s++) {
        const p = g.positions[s];
        if (p < 0) continue;
        const t = g.targets[s];
        expect(mb.valid[p]).toBe(1);
        expect(mb.selected[p]).toBe(1);
        if (t >= V) {
          const text = (table as NgramVocabulary).entries[t - V].text;
          expect(mb.inputIds[p]).toBe(vocab.specialIds.mask);
          expect(mb.tags[p]).toBe(Tag.MASKED);
          expect(mb.originalIds[p]).toBe(id(text.split(' ')[0] === 'kings' ? 'king' : text.split(' ')[0]));
          lost += text === 'kings' ? 1 : text.split(' ').length - 1;
          collapsed++;
        } else {
          expect(t).toBe(mb.originalIds[p]);
          fellBack++;
        }
      }
      expect(valid).toBe(8 - lost);
      for (let t = valid; t < T; t++) {
        expect(mb.inputIds[t]).toBe(vocab.specialIds.pad);
        expect(mb.selected[t]).toBe(0);
      }
      // The uncorrupted row, read in order, is the sentence with each collapsed n-gram's other tokens left out.
      expect(mb.originalIds[valid - 1]).toBe(vocab.specialIds.sep);
    }
    expect(collapsed).toBeGreaterThan(10);
    expect(fellBack).toBeGreaterThan(10);
  });

  it('names an n-gram target by its words in the preview', () => {
    const enc = encodingOf(vocab, 'the new york king said');
    const names = new Set<string>();
    for (let s = 0; s < 20; s++)
      for (const t of previewMasking(config, enc, { vocab, rng: Rng.from(s), table }).tokens)
        if (t.target) names.add(t.target);
    expect(names).toContain('new york');
  });

  it('refuses without its vocabulary, and with a strategy it does not take, in words', () => {
    const batch = rowOf('the new york king', 8);
    expect(() => applyMasking(config, batch, { vocab, rng: Rng.from(1) })).toThrow(
      /"ernie-gram" needs its n-gram vocabulary, built from the training split/,
    );
    expect(() => planMasking({ strategy: 'random', objective: 'ernie-gram' }, vocab, 16)).toThrow(
      'objective "ernie-gram" works only with strategies ngram, pmi, not "random"',
    );
    // The head's classes: the vocabulary and the n-grams.
    expect(planMasking(config, vocab, 16).heads).toMatchObject([{ kind: 'ernie-gram', classes: V + 20 }]);
  });
});

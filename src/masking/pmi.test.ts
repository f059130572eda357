// PMI masking: lexicon scores checked by hand, collocations found in a corpus, segmentation rules (longest match,
// random pick on overlap, punctuation breaks), and lexicon units never split by the strategy.
import { describe, expect, it } from 'vitest';
import { Rng } from '../data/rng';
import type { Encoding } from '../data/types';
import { applyMasking, batchOfOne } from './apply';
import { buildPmiLexicon, segmentRow } from './pmiLexicon';
import { rowView } from './row';
import { specialMask } from './sampling';
import { MaskStats } from './stats';
import { encodingOf, randomEncoding, testVocab } from './testkit';
import type { PmiEntry, PmiLexicon } from './types';

const vocab = testVocab();

/** A corpus where "new york" and "once upon time" always occur together, amid random filler. */
function collocationCorpus(lines: number, seed: number): Encoding[] {
  const out: Encoding[] = [];
  for (let i = 0; i < lines; i++) {
    const r = Rng.from(seed, i);
    const filler = randomEncoding(r, 20);
    const phrase = r.float() < 0.5 ? 'new york' : 'once upon time';
    const text = encodingOf(vocab, phrase);
    const ids = Int32Array.from([...filler.ids.subarray(0, 10), ...text.ids, ...filler.ids.subarray(10)]);
    const wordIds = Int32Array.from([
      ...filler.wordIds.subarray(0, 10),
      ...Array.from(text.wordIds, (w) => w + 1000),
      ...filler.wordIds.subarray(10),
    ]);
    out.push({ ids, wordIds });
  }
  return out;
}

function lexiconOf(phrases: string[]): PmiLexicon {
  const entries: PmiEntry[] = phrases.map((p) => ({
    text: p,
    n: p.split(' ').length,
    count: 100,
    score: 1,
    key: encodingOf(vocab, p).ids.join(' '),
  }));
  return { entries, byKey: new Map(entries.map((e) => [e.key, e])), maxN: 5, minCount: 1, corpusWords: 1000 };
}

function row(text: string) {
  const b = batchOfOne(encodingOf(vocab, text), vocab);
  return rowView(b.T, b.ids, b.wordIds, b.valid, specialMask(vocab));
}

describe('PMI lexicon', () => {
  it('scores a bigram as log p(ab) / (p(a) p(b)) and a trigram by its weakest cut', () => {
    // "king queen" 4 times, "king" alone 4 more, "queen" alone 2 more, within single-word filler "the".
    const lines = [
      'king queen the',
      'king queen the',
      'king queen the',
      'king queen the',
      'king the the',
      'king the the',
      'king the the',
      'king the the',
      'queen the the',
      'queen the the',
    ].map((l) => encodingOf(vocab, l));
    const lex = buildPmiLexicon(lines, vocab, { minCount: 4, maxN: 2, size: 10 });
    const e = lex.entries.find((x) => x.text === 'king queen');
    expect(e).toBeDefined();
    // 30 words, 20 bigram windows; c(king) = 8, c(queen) = 6, c(king queen) = 4.
    expect(e!.score).toBeCloseTo(Math.log(4 / 20) - Math.log(8 / 30) - Math.log(6 / 30), 10);
    expect(lex.corpusWords).toBe(30);
    // "queen the" (count 6) is less surprising than chance here and is left out (PMI <= 0).
    expect(lex.entries.every((x) => x.score > 0)).toBe(true);

    const tri = buildPmiLexicon(collocationCorpus(200, 1), vocab, { minCount: 10, size: 50 });
    const once = tri.entries.find((x) => x.text === 'once upon time');
    expect(once).toBeDefined();
    expect(once!.n).toBe(3);
  });

  it('finds the collocations of a corpus at the top, never across punctuation', () => {
    const lex = buildPmiLexicon(collocationCorpus(300, 2), vocab, { minCount: 10, size: 40 });
    const bigrams = lex.entries.filter((e) => e.n === 2).map((e) => e.text);
    expect(bigrams.slice(0, 3)).toEqual(expect.arrayContaining(['new york', 'once upon', 'upon time']));
    expect(lex.entries.length).toBeLessThanOrEqual(40);
    for (const e of lex.entries) expect(e.text).not.toMatch(/[,.!?]/);
    // Lengths are ranked separately; bigrams get about half the lexicon when there are enough of them.
    const n2 = lex.entries.filter((e) => e.n === 2).length;
    expect(n2).toBeGreaterThanOrEqual(Math.min(20, bigrams.length));
  });

  it('is the same for the same corpus (deterministic order)', () => {
    const a = buildPmiLexicon(collocationCorpus(100, 3), vocab, { minCount: 5 });
    const b = buildPmiLexicon(collocationCorpus(100, 3), vocab, { minCount: 5 });
    expect(a.entries).toEqual(b.entries);
  });
});

describe('segmentation into units', () => {
  it('longest match wins when entries nest', () => {
    const units = segmentRow(row('the once upon time king'), lexiconOf(['once upon', 'once upon time']), Rng.from(1));
    expect(units.map((u) => u.end - u.start)).toEqual([1, 3, 1]);
  });

  it('overlapping entries: one of them, chosen at random', () => {
    const lex = lexiconOf(['once upon', 'upon time']);
    const seen = new Set<string>();
    for (let s = 0; s < 20; s++) seen.add(JSON.stringify(segmentRow(row('once upon time'), lex, Rng.from(s))));
    expect([...seen].sort()).toEqual(
      [
        JSON.stringify([
          { start: 0, end: 1 },
          { start: 1, end: 3 },
        ]),
        JSON.stringify([
          { start: 0, end: 2 },
          { start: 2, end: 3 },
        ]),
      ].sort(),
    );
  });

  it('units never span a special token', () => {
    const enc = encodingOf(vocab, 'new york');
    const b = batchOfOne(
      { ids: Int32Array.of(enc.ids[0], vocab.specialIds.unk, enc.ids[1]), wordIds: Int32Array.of(0, 1, 2) },
      vocab,
    );
    const units = segmentRow(
      rowView(b.T, b.ids, b.wordIds, b.valid, specialMask(vocab)),
      lexiconOf(['new york']),
      Rng.from(1),
    );
    expect(units.every((u) => u.end - u.start === 1)).toBe(true);
  });
});

describe('PMI masking', () => {
  it('masks collocations whole and reaches the rate', () => {
    const corpus = collocationCorpus(400, 4);
    const lexicon = buildPmiLexicon(corpus, vocab, { minCount: 10, size: 40 });
    const stats = new MaskStats(vocab);
    const rng = Rng.from(5);
    const newId = vocab.tokens.indexOf('new');
    let newYorkMasked = 0;
    let budgetSum = 0;
    for (let i = 0; i < 25; i++) {
      const encs = corpus.slice(i * 16, i * 16 + 16);
      const T = 40;
      const batch = {
        B: 16,
        T,
        ids: new Int32Array(16 * T),
        wordIds: new Int32Array(16 * T).fill(-1),
        valid: new Int32Array(16 * T),
      };
      encs.forEach((e, b) => {
        const one = batchOfOne(e, vocab);
        batch.ids.set(one.ids.subarray(0, T), b * T);
        batch.wordIds.set(one.wordIds.subarray(0, T), b * T);
        batch.valid.fill(1, b * T, b * T + Math.min(T, one.T));
      });
      const mb = applyMasking({ strategy: 'pmi', objective: 'mlm' }, batch, { vocab, rng, lexicon });
      stats.add(mb, batch);
      for (let b = 0; b < 16; b++) {
        let n = 0;
        for (let t = 0; t < T; t++) if (batch.valid[b * T + t] && batch.ids[b * T + t] > 4) n++;
        budgetSum += Math.max(1, Math.round(0.15 * n));
      }
      for (let j = 0; j + 1 < batch.ids.length; j++) {
        if (batch.ids[j] !== newId || batch.ids[j + 1] !== newId + 1) continue;
        expect(mb.selected[j]).toBe(mb.selected[j + 1]); // "new york" is one unit
        expect(mb.tags[j]).toBe(mb.tags[j + 1]); // one [MASK]/random/keep draw per unit
        newYorkMasked += mb.selected[j];
      }
    }
    const s = stats.summary();
    expect(s.units_split).toBe(0);
    expect(s.words_split).toBe(0);
    expect(newYorkMasked).toBeGreaterThan(10);
    // Short rows: K = round(0.15 n) per row; units that would overflow K are skipped, so at most a little less.
    expect(s.corrupted).toBeLessThanOrEqual(budgetSum);
    expect(s.corrupted).toBeGreaterThan(0.95 * budgetSum);
  });

  it('needs a lexicon', () => {
    const b = batchOfOne(encodingOf(vocab, 'new york'), vocab);
    expect(() => applyMasking({ strategy: 'pmi', objective: 'mlm' }, b, { vocab, rng: Rng.from(1) })).toThrow(
      /no PMI lexicon/,
    );
  });
});

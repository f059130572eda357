// Property-based checks (fast-check) over arbitrary batches, strategies, objectives and settings: ids stay in the
// vocabulary, targets sit only at corrupted positions, specials and padding are never chosen, same seed same masks.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../data/rng';
import type { Batch } from '../data/types';
import { applyMasking } from './apply';
import { getObjective, OBJECTIVE_IDS, STRATEGY_IDS } from './catalog';
import { buildPmiLexicon } from './pmiLexicon';
import { TokenLossEma } from './strategies/hard';
import { encodingOf, randomEncoding, testVocab } from './testkit';
import { Tag, type MaskingConfig, type MaskingContext, type ObjectiveId, type StrategyId } from './types';

const vocab = testVocab();
const V = vocab.size;
const corpus = [
  ...Array.from({ length: 100 }, (_, i) => randomEncoding(Rng.from(7, i), 40)),
  ...Array.from({ length: 20 }, () => encodingOf(vocab, 'once upon time the king ##s')),
];
const lexicon = buildPmiLexicon(corpus, vocab, { minCount: 3, size: 100 });
const hardness = new TokenLossEma(V);
hardness.update([5, 6, 7, 8, 20, 30], [9, 1, 4, 2, 7, 3]);

/** Arbitrary batches: any ids (specials included, anywhere), any row lengths, arbitrary word boundaries. */
const batchArb = fc
  .record({ B: fc.integer({ min: 1, max: 3 }), T: fc.integer({ min: 1, max: 24 }) })
  .chain(({ B, T }) =>
    fc.record({
      B: fc.constant(B),
      T: fc.constant(T),
      ids: fc.array(fc.integer({ min: 0, max: V - 1 }), { minLength: B * T, maxLength: B * T }),
      starts: fc.array(fc.boolean(), { minLength: B * T, maxLength: B * T }),
      lens: fc.array(fc.integer({ min: 0, max: T }), { minLength: B, maxLength: B }),
    }),
  )
  .map(({ B, T, ids, starts, lens }): Batch => {
    const wordIds = new Int32Array(B * T).fill(-1);
    const valid = new Int32Array(B * T);
    for (let b = 0; b < B; b++) {
      let w = -1;
      for (let t = 0; t < lens[b]; t++) {
        valid[b * T + t] = 1;
        if (starts[b * T + t] || w < 0) w++;
        wordIds[b * T + t] = w;
      }
    }
    return { B, T, ids: Int32Array.from(ids), wordIds, valid };
  });

const configArb = fc
  .record({
    strategy: fc.constantFrom(...STRATEGY_IDS),
    objective: fc.constantFrom(...OBJECTIVE_IDS),
    rate: fc.double({ min: 0, max: 1, noNaN: true }),
    maskFrac: fc.double({ min: 0, max: 1, noNaN: true }),
    randomShare: fc.double({ min: 0, max: 1, noNaN: true }),
    bernoulli: fc.boolean(),
    staticMasks: fc.boolean(),
  })
  .map((c): MaskingConfig => {
    // Objectives that work with some strategies only: MEAP with random, ERNIE-Gram with n-grams or PMI units.
    const strategy: StrategyId =
      c.objective === 'meap' ? 'random' : c.objective === 'ernie-gram' && c.strategy !== 'pmi' ? 'ngram' : c.strategy;
    const params: Record<string, number | string> = {
      rate: c.rate,
      maskFrac: c.maskFrac,
      randomFrac: (1 - c.maskFrac) * c.randomShare * 0.999,
    };
    if (strategy === 'random' || strategy === 'informative') params.counting = c.bernoulli ? 'bernoulli' : 'exact';
    return {
      strategy,
      objective: c.objective as ObjectiveId,
      strategyParams: params,
      staticMasks: c.staticMasks,
      staticSeed: 3,
    };
  });

const table = getObjective('ernie-gram').fromTrainingSplit!(corpus, vocab, {
  ngramVocab: 50,
  ngramMinCount: 2,
  ngramWords: 3,
});

function context(seed: number): MaskingContext {
  return { vocab, rng: Rng.from(seed), lexicon, hardness, table, progress: (seed >>> 0) % 2 };
}

describe('masking properties', () => {
  it('never emits an out-of-range id, a target at an untouched position, or a selected special/pad token', () => {
    fc.assert(
      fc.property(batchArb, configArb, fc.integer(), (batch, config, seed) => {
        const mb = applyMasking(config, batch, context(seed));
        const N = batch.B * batch.T;
        // Positions are read in the masked batch's own frame: its valid flags and uncorrupted ids are the batch's,
        // except where an objective shortens rows (ERNIE-Gram: a masked n-gram becomes one [MASK]).
        for (let i = 0; i < N; i++) {
          expect(mb.inputIds[i]).toBeGreaterThanOrEqual(0);
          expect(mb.inputIds[i]).toBeLessThan(V);
          const maskable = mb.valid[i] === 1 && mb.originalIds[i] > 4;
          if (!maskable) {
            expect(mb.selected[i]).toBe(0);
            expect(mb.units[i]).toBe(-1);
            expect(mb.inputIds[i]).toBe(mb.originalIds[i]);
          } else {
            expect(mb.units[i]).toBeGreaterThanOrEqual(0);
          }
          if (mb.tags[i] !== Tag.UNTOUCHED) expect(mb.selected[i]).toBe(1);
        }
        const g = mb.gathered;
        if (g) {
          let wsum = 0;
          for (let s = 0; s < g.positions.length; s++) {
            const p = g.positions[s];
            if (p < 0) {
              expect(g.targets[s]).toBe(-1);
              continue;
            }
            expect(p).toBeLessThan(N);
            expect(mb.valid[p]).toBe(1);
            expect(g.targets[s]).toBeGreaterThanOrEqual(0);
            expect(g.targets[s]).toBeLessThan(g.classes);
            // MEAP predicts the next token everywhere; shuffle+random labels every real token (0 = original).
            if (config.objective === 'shuffle-random') expect(g.targets[s] === 0).toBe(mb.selected[p] === 0);
            else if (config.objective !== 'meap') {
              expect(mb.selected[p]).toBe(1);
              expect(mb.tags[p]).not.toBe(Tag.UNTOUCHED);
            }
            wsum += g.weights[s];
          }
          expect(wsum).toBeCloseTo(g.count ? 1 : 0, 4);
        }
        const tl = mb.tokenLabels;
        if (tl) {
          for (let i = 0; i < N; i++) {
            if (!mb.valid[i]) expect(tl.weights[i]).toBe(0);
            // Shuffle labels every selected position 1 (Yamaguchi et al.'s collator), even when the token came back.
            if (config.objective === 'shuffle') expect(tl.labels[i]).toBe(mb.selected[i]);
            else if (tl.labels[i] === 1) expect(mb.inputIds[i]).not.toBe(mb.originalIds[i]);
          }
        }
      }),
      { numRuns: 250, seed: 42 },
    );
  });

  it('same seed, same masks', () => {
    fc.assert(
      fc.property(batchArb, configArb, fc.integer(), (batch, config, seed) => {
        const a = applyMasking(config, batch, context(seed));
        const b = applyMasking(config, batch, context(seed));
        expect(Array.from(b.inputIds)).toEqual(Array.from(a.inputIds));
        expect(Array.from(b.tags)).toEqual(Array.from(a.tags));
        expect(Array.from(b.gathered?.targets ?? [])).toEqual(Array.from(a.gathered?.targets ?? []));
      }),
      { numRuns: 100, seed: 43 },
    );
  });
});

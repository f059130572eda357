// Statistics of every strategy over many sampled batches: rate, replacement split, specials/padding never chosen,
// whole words and units never split, determinism per seed; and the edge cases (empty, tiny, r = 0, r = 1).
import { describe, expect, it } from 'vitest';
import { Rng } from '../data/rng';
import { applyMasking } from './apply';
import { STRATEGY_IDS } from './catalog';
import { buildPmiLexicon } from './pmiLexicon';
import { TokenLossEma } from './strategies/hard';
import { MaskStats } from './stats';
import { encodingOf, randomBatch, randomEncoding, testVocab } from './testkit';
import { batchOfOne } from './apply';
import { Tag, type MaskingConfig, type MaskingContext, type ParamValues, type StrategyId } from './types';

const vocab = testVocab();
const corpus = Array.from({ length: 300 }, (_, i) => randomEncoding(Rng.from(99, i), 60));
const lexicon = buildPmiLexicon(corpus, vocab, { minCount: 3, size: 200 });
const hardness = new TokenLossEma(vocab.size);
{
  const r = Rng.from(5);
  const ids = Array.from({ length: 2000 }, () => r.int(vocab.size));
  hardness.update(
    ids,
    ids.map((id) => (id % 7) + r.float()),
  );
}

function ctx(seed: number, progress = 0.5): MaskingContext {
  return { vocab, rng: Rng.from(seed), lexicon, hardness, progress };
}

function cfg(strategy: StrategyId, params: ParamValues = {}): MaskingConfig {
  return { strategy, objective: 'mlm', strategyParams: params };
}

/** Masks `batches` batches of 16 x 128 and returns the stats plus a list of per-batch invariant violations. */
function sample(config: MaskingConfig, batches: number, seed: number) {
  const stats = new MaskStats(vocab);
  const c = ctx(seed);
  const data = Rng.from(seed, 'data');
  for (let i = 0; i < batches; i++) {
    const batch = randomBatch(data, 16, 128, 40);
    const mb = applyMasking(config, batch, c);
    for (let j = 0; j < mb.selected.length; j++) {
      if (!mb.selected[j]) continue;
      const id = batch.ids[j];
      expect(batch.valid[j]).toBe(1);
      expect(id).toBeGreaterThan(4); // specials are ids 0..4
    }
    stats.add(mb, batch);
  }
  return stats.summary();
}

const WHOLE_UNITS: StrategyId[] = ['whole-word', 'ngram', 'pmi'];

describe.each(STRATEGY_IDS)('strategy %s', (id) => {
  const splitPerUnit = id === 'span' || id === 'pmi';

  it('reaches the masking rate with an 80/10/10 split and never chooses specials or padding', () => {
    const s = sample(cfg(id), splitPerUnit ? 30 : 12, 1);
    const tol = id === 'informative' ? 0.02 : 0.012;
    expect(Math.abs(s.rate - 0.15), `rate ${s.rate}`).toBeLessThan(tol);
    const splitTol = splitPerUnit ? 0.035 : 0.02;
    expect(Math.abs(s.split.mask - 0.8), JSON.stringify(s.split)).toBeLessThan(splitTol);
    expect(Math.abs(s.split.random - 0.1), JSON.stringify(s.split)).toBeLessThan(splitTol);
    expect(Math.abs(s.split.keep - 0.1), JSON.stringify(s.split)).toBeLessThan(splitTol);
    expect(s.truncated).toBe(0);
    if (WHOLE_UNITS.includes(id)) expect(s.words_split).toBe(0);
    if (id !== 'span') expect(s.units_split).toBe(0);
  });

  it('follows a higher rate too (r = 0.4)', () => {
    const s = sample(cfg(id, { rate: 0.4 }), 6, 2);
    expect(Math.abs(s.rate - 0.4), `rate ${s.rate}`).toBeLessThan(id === 'informative' ? 0.03 : 0.015);
  });

  it('is deterministic per seed and differs between seeds', () => {
    const batch = randomBatch(Rng.from(3), 4, 64, 30);
    const a = applyMasking(cfg(id), batch, ctx(7));
    const b = applyMasking(cfg(id), batch, ctx(7));
    const c = applyMasking(cfg(id), batch, ctx(8));
    expect(Array.from(b.inputIds)).toEqual(Array.from(a.inputIds));
    expect(Array.from(b.selected)).toEqual(Array.from(a.selected));
    expect(Array.from(b.gathered!.targets)).toEqual(Array.from(a.gathered!.targets));
    expect(Array.from(c.selected)).not.toEqual(Array.from(a.selected));
  });

  it('selects nothing at r = 0 and everything at r = 1', () => {
    const batch = randomBatch(Rng.from(4), 4, 48, 10);
    const none = applyMasking(cfg(id, { rate: 0 }), batch, ctx(1));
    expect(none.selectedCount).toBe(0);
    expect(none.gathered!.count).toBe(0);
    expect(Array.from(none.inputIds)).toEqual(Array.from(batch.ids));
    expect(Math.max(...none.gathered!.weights)).toBe(0);
    const all = applyMasking(cfg(id, { rate: 1 }), batch, ctx(1));
    // ALBERT's n-grams skip a drawn n-gram that overlaps one already chosen, so even r = 1 leaves some words out.
    if (id === 'ngram') expect(all.selectedCount).toBeGreaterThan(0.7 * all.maskableCount);
    else expect(all.selectedCount).toBe(all.maskableCount);
  });

  it('handles rows of only special tokens, a one-word row and a row shorter than a span', () => {
    const { cls, sep, pad } = vocab.specialIds;
    const specials = {
      B: 2,
      T: 6,
      ids: Int32Array.of(cls, sep, pad, pad, pad, pad, cls, sep, pad, pad, pad, pad),
      wordIds: new Int32Array(12).fill(-1),
      valid: Int32Array.of(1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0),
    };
    const mb = applyMasking(cfg(id), specials, ctx(2));
    expect(mb.selectedCount).toBe(0);
    expect(mb.maskableCount).toBe(0);
    expect(mb.gathered!.count).toBe(0);

    const oneWord = batchOfOne(encodingOf(vocab, 'garden ##er ##s'), vocab);
    for (const seed of [1, 2, 3, 4, 5]) {
      const m = applyMasking(cfg(id), oneWord, ctx(seed));
      const k = m.selectedCount;
      if (WHOLE_UNITS.includes(id))
        expect(k).toBe(0); // a 3-piece word does not fit a budget of 1 piece
      else if (id === 'informative')
        expect(k).toBeLessThanOrEqual(3); // Bernoulli per token
      else expect(k).toBe(1); // budget max(1, round(0.15 * 3)) = 1; span cuts its word at the budget
    }

    const short = batchOfOne(encodingOf(vocab, 'the king'), vocab);
    const m = applyMasking(cfg(id, { rate: 0.5 }), short, ctx(3));
    expect(m.selectedCount).toBeLessThanOrEqual(2);
    for (let t = 0; t < short.T; t++) if (m.selected[t]) expect(m.tags[t]).not.toBe(Tag.UNTOUCHED);
  });
});

describe('random strategy options', () => {
  it('Bernoulli counting varies the count per row (and can be 0) but keeps the mean', () => {
    const s = sample(cfg('random', { counting: 'bernoulli' }), 12, 11);
    expect(Math.abs(s.rate - 0.15)).toBeLessThan(0.012);
    const batch = randomBatch(Rng.from(1), 64, 16, 16);
    const mb = applyMasking(cfg('random', { counting: 'bernoulli' }), batch, ctx(1));
    const perRow = Array.from({ length: 64 }, (_, b) =>
      mb.selected.subarray(b * 16, b * 16 + 16).reduce((a, x) => a + x, 0),
    );
    expect(new Set(perRow).size).toBeGreaterThan(2);
    expect(perRow).toContain(0);
  });

  it('exact counting takes max(1, round(r n)) capped by max predictions', () => {
    const batch = batchOfOne(randomEncoding(Rng.from(2), 40), vocab); // n = 40 pieces, minus punctuation is still maskable
    const n = applyMasking(cfg('random'), batch, ctx(1)).maskableCount;
    expect(applyMasking(cfg('random'), batch, ctx(1)).selectedCount).toBe(Math.round(0.15 * n));
    expect(applyMasking(cfg('random', { maxPredictions: 3 }), batch, ctx(1)).selectedCount).toBe(3);
  });

  it('static masks give a sequence the same mask whatever the batch generator', () => {
    const batch = randomBatch(Rng.from(9), 3, 32, 32);
    const config: MaskingConfig = { ...cfg('random'), staticMasks: true, staticSeed: 4 };
    const a = applyMasking(config, batch, ctx(1));
    const b = applyMasking(config, batch, ctx(2));
    expect(Array.from(a.inputIds)).toEqual(Array.from(b.inputIds));
    const other = applyMasking({ ...config, staticSeed: 5 }, batch, ctx(1));
    expect(Array.from(other.selected)).not.toEqual(Array.from(a.selected));
    const dynamic = applyMasking(cfg('random'), batch, ctx(2));
    expect(Array.from(dynamic.selected)).not.toEqual(Array.from(applyMasking(cfg('random'), batch, ctx(1)).selected));
  });
});

describe('whole-word masking', () => {
  it('masks every piece of a chosen word and counts pieces against the budget', () => {
    const batch = randomBatch(Rng.from(21), 8, 128, 100);
    const mb = applyMasking(cfg('whole-word'), batch, ctx(21));
    for (let b = 0; b < 8; b++) {
      let n = 0;
      let k = 0;
      for (let t = 0; t < 128; t++) {
        const i = b * 128 + t;
        if (batch.valid[i] && batch.ids[i] > 4) n++;
        k += mb.selected[i];
      }
      expect(k).toBeLessThanOrEqual(Math.round(0.15 * n));
      expect(k).toBeGreaterThanOrEqual(Math.round(0.15 * n) - 2);
    }
  });
});

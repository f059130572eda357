// Catalogue fidelity (issue 15): Yamaguchi et al.'s shuffle+random (3-way) and token-type (4-way) objectives,
// first-char of the token itself by default, ALBERT's n-gram overlap rule, BERT's [CLS]/[SEP] count in n, and the
// rare-token strategy named for what it is.
import { describe, expect, it } from 'vitest';
import { Rng } from '../data/rng';
import { applyMasking, batchOfOne, planMasking } from './apply';
import { getObjective, getStrategy } from './catalog';
import { FIRST_CHAR_CLASSES } from './objectives/chars';
import { SHUFFLE_RANDOM_CLASSES, TOKEN_TYPE_CLASSES, tokenTypeOf } from './objectives/yamaguchi';
import { encodingOf, randomBatch, testVocab } from './testkit';
import { maxScheduledRate, RATE_PRESETS, scheduledRate } from './schedule';
import { Tag } from './types';

const vocab = testVocab();

describe('shuffle+random (3-way)', () => {
  it('labels every real token: 0 original, 1 shuffled (from the row), 2 random; rates near r and p(1-r)', () => {
    const batch = randomBatch(Rng.from(1, 'data'), 16, 64, 40);
    const mb = applyMasking({ strategy: 'random', objective: 'shuffle-random' }, batch, { vocab, rng: Rng.from(2) });
    expect(planMasking({ strategy: 'random', objective: 'shuffle-random' }, vocab, 64).heads[0]).toMatchObject({
      kind: 'k-class',
      classes: 3,
    });
    const g = mb.gathered!;
    const counts = [0, 0, 0];
    let real = 0;
    for (let i = 0; i < batch.B * batch.T; i++) if (batch.valid[i] && batch.ids[i] >= 5) real++;
    expect(g.count).toBe(real);
    for (let s = 0; s < g.positions.length; s++) {
      const p = g.positions[s];
      if (p < 0) continue;
      const c = g.targets[s];
      counts[c]++;
      if (c === 0) {
        expect(mb.selected[p]).toBe(0);
        expect(mb.inputIds[p]).toBe(batch.ids[p]);
      } else {
        expect(mb.selected[p]).toBe(1);
        expect(mb.tags[p]).not.toBe(Tag.UNTOUCHED);
      }
      if (c === 1) {
        const row = Math.floor(p / batch.T) * batch.T;
        expect(Array.from(batch.ids.subarray(row, row + batch.T))).toContain(mb.inputIds[p]);
      }
    }
    expect(counts[1] / real).toBeCloseTo(0.15, 1);
    expect(counts[2] / real).toBeGreaterThan(0.08);
    expect(counts[2] / real).toBeLessThan(0.18);
    expect(SHUFFLE_RANDOM_CLASSES).toEqual(['original', 'shuffled', 'random']);
  });
});

describe('token type (4-way)', () => {
  it('classes content / stop / number / punctuation, always [MASK]', () => {
    expect(['king', 'the', 'Of', '1812', ',', '!', 'é'].map(tokenTypeOf)).toEqual([0, 1, 1, 2, 3, 3, 0]);
    const batch = batchOfOne(encodingOf(vocab, 'the king , 1812'), vocab);
    const mb = applyMasking({ strategy: 'random', objective: 'token-type', strategyParams: { rate: 1 } }, batch, {
      vocab,
      rng: Rng.from(1),
    });
    const g = mb.gathered!;
    expect(Array.from(g.targets.subarray(0, g.count)).map((c) => TOKEN_TYPE_CLASSES[c])).toEqual([
      'stop word',
      'content word',
      'punctuation',
      'number',
    ]);
    for (let t = 1; t < batch.T - 1; t++) expect(mb.inputIds[t]).toBe(vocab.specialIds.mask);
  });
});

describe('catalogue fidelity', () => {
  it("first-char takes the token's own first character by default (Yamaguchi et al.'s code); the word's on request", () => {
    const batch = batchOfOne(encodingOf(vocab, 'garden ##ing king'), vocab);
    const cls = (objectiveParams?: Record<string, string>) => {
      const mb = applyMasking(
        { strategy: 'random', objective: 'first-char', strategyParams: { rate: 1 }, objectiveParams },
        batch,
        { vocab, rng: Rng.from(1) },
      );
      return Array.from(mb.gathered!.targets.subarray(0, 3)).map((c) => FIRST_CHAR_CLASSES[c]);
    };
    expect(cls()).toEqual(['g', 'i', 'k']);
    expect(cls({ of: 'word' })).toEqual(['g', 'g', 'k']);
    expect(getObjective('first-char').explanation).toContain('always');
  });

  it('ngram skips a drawn n-gram that overlaps a chosen one instead of shortening it (ALBERT)', () => {
    // Every drawn n-gram is either a full n-gram of its start or skipped: units are runs of consecutive words
    // whose length is at most maxN, and with maxN = 3 on long rows some 2- and 3-grams appear.
    const batch = randomBatch(Rng.from(9, 'data'), 32, 64, 60);
    let multi = 0;
    for (let seed = 0; seed < 20; seed++) {
      const mb = applyMasking({ strategy: 'ngram', objective: 'mlm', strategyParams: { rate: 0.4 } }, batch, {
        vocab,
        rng: Rng.from(seed),
      });
      expect(mb.selectedCount).toBeLessThanOrEqual(Math.ceil(0.4 * 64) * 32);
      for (let b = 0; b < batch.B; b++) {
        const words = new Map<number, Set<number>>();
        for (let t = 0; t < batch.T; t++) {
          const i = b * batch.T + t;
          if (!mb.selected[i]) continue;
          const u = mb.units[i];
          if (!words.has(u)) words.set(u, new Set());
          words.get(u)!.add(batch.wordIds[i]);
        }
        for (const w of words.values()) {
          expect(w.size).toBeLessThanOrEqual(3);
          if (w.size > 1) multi++;
        }
      }
    }
    expect(multi).toBeGreaterThan(50);
    expect(getStrategy('ngram').explanation).toContain('skipped');
  });

  it('random masking can count [CLS]/[SEP] in n as BERT did', () => {
    // 18 maskable tokens + 2 specials: round(0.15 x 18) = 3, round(0.15 x 20) = 3; at r = 0.25: 5 vs 5; r = 0.35: 6 vs 7.
    const batch = batchOfOne(
      encodingOf(vocab, 'the king said the queen went over the river and the fox came to the old castle .'),
      vocab,
    );
    const k = (countSpecials: boolean) =>
      applyMasking({ strategy: 'random', objective: 'mlm', strategyParams: { rate: 0.35, countSpecials } }, batch, {
        vocab,
        rng: Rng.from(1),
      }).selectedCount;
    expect(k(false)).toBe(Math.round(0.35 * 18));
    expect(k(true)).toBe(Math.round(0.35 * 20));
  });

  it('the frequency-based strategy is named for what it is, not InforMask', () => {
    const s = getStrategy('informative');
    expect(s.name).toMatch(/rare-token/i);
    expect(s.explanation).toContain('not InforMask');
  });
});

describe('increasing-rate control (Ankner et al.)', () => {
  it('goes from 15% up to 30%, and buffers are sized for the largest rate', () => {
    const p = RATE_PRESETS.find((x) => x.id === 'linear-15-30')!;
    expect(scheduledRate(p.schedule, 0.15, 0)).toBeCloseTo(0.15, 9);
    expect(scheduledRate(p.schedule, 0.15, 0.5)).toBeCloseTo(0.225, 9);
    expect(scheduledRate(p.schedule, 0.15, 1)).toBeCloseTo(0.3, 9);
    expect(maxScheduledRate(p.schedule, 0.15)).toBeCloseTo(0.3, 9);
    const batch = randomBatch(Rng.from(3, 'data'), 8, 40, 40);
    const at = (progress: number) =>
      applyMasking(
        { strategy: 'random', objective: 'mlm', strategyParams: p.strategyParams, schedule: p.schedule },
        batch,
        { vocab, rng: Rng.from(1), progress },
      );
    expect(at(1).selectedCount).toBeGreaterThan(1.7 * at(0).selectedCount);
  });
});

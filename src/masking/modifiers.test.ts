// Rate schedules, hard-token scores (EMA and the easy-to-hard ramp) and informative-token probabilities.
import { describe, expect, it } from 'vitest';
import { Rng } from '../data/rng';
import { applyMasking, planMasking } from './apply';
import { maxScheduledRate, RATE_PRESETS, scheduledRate } from './schedule';
import { hardShare, TokenLossEma } from './strategies/hard';
import { informationWeights, informativeProbabilities } from './strategies/informative';
import { MaskStats } from './stats';
import { randomBatch, testVocab } from './testkit';

const vocab = testVocab();

describe('rate schedules', () => {
  it('constant, linear and cosine as in MASKING.md', () => {
    expect(scheduledRate(undefined, 0.15, 0.7)).toBe(0.15);
    const lin = { kind: 'linear', start: 0.3, end: 0.15 };
    [0.3, 0.225, 0.15].forEach((r, i) => expect(scheduledRate(lin, 0.15, i / 2)).toBeCloseTo(r, 12));
    expect(scheduledRate({ kind: 'linear', start: 0.3, end: 0 }, 0.15, 0.25)).toBeCloseTo(0.3 * (1 - 0.25), 12);
    const cos = { kind: 'cosine', start: 0.32, end: 0.02 };
    for (const t of [0, 0.3, 0.5, 0.9, 1])
      expect(scheduledRate(cos, 0.15, t)).toBeCloseTo(0.15 * (1 + Math.cos(Math.PI * t)) + 0.02, 12);
    expect(scheduledRate(lin, 0.15, 2)).toBe(0.15); // progress is clamped to [0, 1]
    expect(maxScheduledRate(cos, 0.15)).toBe(0.32);
    expect(maxScheduledRate(undefined, 0.2)).toBe(0.2);
  });

  it('drives the rate of applyMasking, with target buffers sized for the largest rate', () => {
    const config = {
      strategy: 'random' as const,
      objective: 'mlm' as const,
      schedule: { kind: 'linear', start: 0.4, end: 0.1 },
    };
    const plan = planMasking(config, vocab, 128);
    expect(plan.capacity).toBe(Math.ceil(0.4 * 128));
    const rates = [0, 1].map((progress) => {
      const stats = new MaskStats(vocab);
      const data = Rng.from(1);
      const rng = Rng.from(2);
      for (let i = 0; i < 6; i++) {
        const batch = randomBatch(data, 16, 128, 100);
        const mb = applyMasking(config, batch, { vocab, rng, progress });
        expect(mb.rate).toBeCloseTo(progress ? 0.1 : 0.4, 12);
        stats.add(mb, batch);
      }
      return stats.summary().rate;
    });
    expect(Math.abs(rates[0] - 0.4)).toBeLessThan(0.01);
    expect(Math.abs(rates[1] - 0.1)).toBeLessThan(0.01);
  });

  it('presets are valid configurations', () => {
    for (const p of RATE_PRESETS) {
      expect(() =>
        planMasking(
          { strategy: 'random', objective: 'mlm', strategyParams: p.strategyParams, schedule: p.schedule },
          vocab,
          64,
        ),
      ).not.toThrow();
    }
    const wettig = RATE_PRESETS.find((p) => p.id === 'wettig-40')!;
    const batch = randomBatch(Rng.from(3), 16, 128, 100);
    const mb = applyMasking({ strategy: 'random', objective: 'mlm', strategyParams: wettig.strategyParams }, batch, {
      vocab,
      rng: Rng.from(1),
    });
    const stats = new MaskStats(vocab);
    stats.add(mb, batch);
    expect(stats.summary().split).toEqual({ mask: 1, random: 0, keep: 0 });
  });
});

describe('hard tokens', () => {
  it('TokenLossEma: first loss sets the score, later ones move it by (1 - decay); unseen ids get the mean', () => {
    const ema = new TokenLossEma(10, 0.9);
    expect(ema.score(3)).toBe(0);
    ema.update([3, 5, -1], [2, 4, 100]);
    expect(ema.score(3)).toBe(2);
    ema.update([3], [12]);
    expect(ema.score(3)).toBeCloseTo(0.9 * 2 + 0.1 * 12, 12);
    expect(ema.score(7)).toBeCloseTo((3 + 4) / 2, 12);
    expect(() => ema.update([1, 2], [1])).toThrow(/2 ids but 1 losses/);
  });

  it('the hard share grows from 0 to its maximum', () => {
    expect(hardShare(0.5, 1, 0)).toBe(0);
    expect(hardShare(0.5, 1, 0.5)).toBe(0.25);
    expect(hardShare(0.5, 0.5, 0.75)).toBe(0.5);
  });

  it('late in training the hard share of the budget goes to the highest-loss tokens', () => {
    const ema = new TokenLossEma(vocab.size);
    const hardIds = ['golden', 'feather', 'castle'].map((t) => vocab.tokens.indexOf(t));
    ema.update(
      Array.from({ length: vocab.size }, (_, i) => i),
      Array.from({ length: vocab.size }, (_, i) => (hardIds.includes(i) ? 10 : 1)),
    );
    const share = (progress: number) => {
      let hard = 0;
      let total = 0;
      let avail = 0;
      let maskable = 0;
      const data = Rng.from(5);
      const rng = Rng.from(6);
      for (let i = 0; i < 10; i++) {
        const batch = randomBatch(data, 16, 128, 100);
        const mb = applyMasking({ strategy: 'hard', objective: 'mlm', strategyParams: { maxHard: 1 } }, batch, {
          vocab,
          rng,
          hardness: ema,
          progress,
        });
        for (let j = 0; j < batch.ids.length; j++) {
          const isHard = hardIds.includes(batch.ids[j]);
          if (batch.valid[j] && batch.ids[j] > 4) {
            maskable++;
            if (isHard) avail++;
          }
          if (!mb.selected[j]) continue;
          total++;
          if (isHard) hard++;
        }
      }
      return { chosen: hard / total, base: avail / maskable };
    };
    const early = share(0);
    const late = share(1);
    expect(Math.abs(early.chosen - early.base)).toBeLessThan(0.03); // random at the start
    expect(late.chosen).toBeGreaterThan(Math.min(0.9, 4 * late.base)); // hard tokens first at the end
  });
});

describe('informative tokens', () => {
  it('probabilities average r over the corpus; rare tokens above r, frequent ones below', () => {
    const counts = vocab.unigramCounts!;
    for (const r of [0.15, 0.4]) {
      const p = informativeProbabilities(vocab, r, 1);
      let mean = 0;
      let total = 0;
      for (let i = 0; i < vocab.size; i++) {
        mean += counts[i] * p[i];
        total += counts[i];
      }
      expect(mean / total).toBeCloseTo(r, 6);
      expect(p[vocab.tokens.indexOf('the')]).toBeLessThan(r);
      expect(p[vocab.tokens.indexOf('xylophone')]).toBeGreaterThan(r);
    }
    const flat = informativeProbabilities(vocab, 0.15, 0);
    expect(Math.max(...flat.slice(5))).toBeCloseTo(0.15, 12);
    expect(Math.min(...flat.slice(5))).toBeCloseTo(0.15, 12);
    const w = informationWeights(vocab, 2);
    expect(w[vocab.tokens.indexOf('zebra')]).toBeGreaterThan(w[vocab.tokens.indexOf('of')]);
  });

  it('masks rare tokens more often than frequent ones (both counting modes)', () => {
    for (const counting of ['bernoulli', 'exact']) {
      const picked = new Float64Array(vocab.size);
      const seen = new Float64Array(vocab.size);
      const data = Rng.from(8);
      const rng = Rng.from(9);
      for (let i = 0; i < 8; i++) {
        const batch = randomBatch(data, 16, 128, 100);
        const mb = applyMasking({ strategy: 'informative', objective: 'mlm', strategyParams: { counting } }, batch, {
          vocab,
          rng,
        });
        for (let j = 0; j < batch.ids.length; j++) {
          if (!batch.valid[j]) continue;
          seen[batch.ids[j]]++;
          picked[batch.ids[j]] += mb.selected[j];
        }
      }
      const rateOf = (t: string) => picked[vocab.tokens.indexOf(t)] / seen[vocab.tokens.indexOf(t)];
      expect(rateOf('the'), counting).toBeLessThan(0.12);
      expect(rateOf('gardener') + rateOf('river'), counting).toBeGreaterThan(2 * 0.17);
    }
  });
});

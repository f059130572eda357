// The run's masking bugs, each with the case that failed: held-out masks for PMI and hard strategies under
// non-vocabulary objectives, class indices taken for token ids, the ignored emaDecay, and hard masking under
// per-token heads getting no losses.
import { describe, expect, it } from 'vitest';
import { packSequences } from '../data/batching';
import { Rng } from '../data/rng';
import { applyMasking, buildPmiLexicon, planMasking } from '../masking';
import { randomBatch, randomEncoding, testVocab } from '../masking/testkit';
import type { MaskingConfig } from '../masking/types';
import { frequentIds, LossCaseTracker } from './lossCases';
import { hardnessFor, heldOutMasks, lossRowTokenIds, updateHardness } from './runMasking';

const vocab = testVocab();
const T = 24;
const encodings = Array.from({ length: 80 }, (_, i) => randomEncoding(Rng.from(7, 'enc', i), 60));
const heldOut = packSequences(encodings, T);
const lexicon = buildPmiLexicon(encodings, vocab, { minCount: 2, size: 200 });

describe("held-out masks of a run's own objective", () => {
  const failing: MaskingConfig[] = [
    { strategy: 'pmi', objective: 'first-char', strategyParams: { minCount: 2 } },
    { strategy: 'pmi', objective: 'rts', strategyParams: { minCount: 2 } },
    { strategy: 'hard', objective: 'rts' },
    { strategy: 'hard', objective: 'char-n' },
  ];
  for (const m of failing) {
    it(`${m.strategy}+${m.objective} builds its held-out masks (it threw "no PMI lexicon" / "no token hardness")`, () => {
      const a = heldOutMasks(m, heldOut, vocab, 8, 32, { lexicon });
      const b = heldOutMasks(m, heldOut, vocab, 8, 32, { lexicon });
      expect(a).toHaveLength(4);
      expect(a.reduce((s, x) => s + x.selectedCount, 0)).toBeGreaterThan(0);
      // Fixed: the same masks at every call.
      expect(a.map((x) => Array.from(x.inputIds))).toEqual(b.map((x) => Array.from(x.inputIds)));
    });
  }
});

describe('the token id behind each loss row', () => {
  it('first-char: the original token at the gathered position, not the class index', () => {
    const m: MaskingConfig = { strategy: 'random', objective: 'first-char', strategyParams: { rate: 0.3 } };
    const mb = applyMasking(m, randomBatch(Rng.from(3), 4, T), { vocab, rng: Rng.from(4) });
    const g = mb.gathered!;
    const ids = lossRowTokenIds('classes', mb, g.positions, g.targets);
    let checked = 0;
    for (let s = 0; s < ids.length; s++) {
      if (g.positions[s] < 0) {
        expect(ids[s]).toBe(-1);
        continue;
      }
      expect(ids[s]).toBe(mb.originalIds[g.positions[s]]);
      checked++;
    }
    expect(checked).toBeGreaterThan(4);
    // The old code fed class indices (0..28) as ids: for this vocabulary most of the ids differ.
    expect(Array.from(ids).filter((id, s) => id >= 0 && id !== g.targets[s]).length).toBeGreaterThan(checked / 2);
  });

  it('the frequent/rare split reads token ids: a class index that happens to be a frequent id does not count', () => {
    // Id 5 is frequent; a first-char class "f" (index 5) at a rare token must land in "rare".
    const frequent = frequentIds([0, 0, 0, 0, 0, 90, 1, 1, 1, 1]);
    const t = new LossCaseTracker(frequent, 5);
    const tags = new Uint8Array([0, 1]);
    const positions = Int32Array.from([1]);
    t.record(0, tags, positions, Int32Array.from([8]));
    t.addLosses(0, Float32Array.from([2]));
    expect(t.snapshot().rare.count).toBe(1);
    expect(t.snapshot().frequent.count).toBe(0);
  });

  it('rts / shuffle / electra: one id per real non-special token, so hard masking gets losses', () => {
    const mb = applyMasking({ strategy: 'hard', objective: 'rts' }, randomBatch(Rng.from(5), 4, T), {
      vocab,
      rng: Rng.from(6),
      hardness: hardnessFor(planMasking({ strategy: 'hard', objective: 'rts' }, vocab, T), vocab.size),
    });
    const ids = lossRowTokenIds('tokens', mb, new Int32Array(0), new Int32Array(0));
    expect(ids.length).toBe(4 * T);
    for (let i = 0; i < ids.length; i++) {
      const real = mb.valid[i] === 1 && mb.originalIds[i] >= 5;
      expect(ids[i]).toBe(real ? mb.originalIds[i] : -1);
    }
    const h = hardnessFor(planMasking({ strategy: 'hard', objective: 'rts' }, vocab, T), vocab.size)!;
    const losses = Float32Array.from(ids, (id) => (id >= 0 ? id / 10 : 99));
    updateHardness(h, ids, losses);
    const some = Array.from(ids).find((id) => id >= 0)!;
    expect(h.score(some)).toBeCloseTo(some / 10, 6);
    expect(Array.from(h.values).some((v) => v === 99)).toBe(false);
  });
});

describe('hard strategy settings', () => {
  it('emaDecay reaches the score table (it was always 0.99)', () => {
    const plan = planMasking({ strategy: 'hard', objective: 'mlm', strategyParams: { emaDecay: 0.5 } }, vocab, T);
    const h = hardnessFor(plan, vocab.size)!;
    expect(h.decay).toBe(0.5);
    h.update([7], [4]);
    h.update([7], [2]);
    expect(h.score(7)).toBeCloseTo(3, 9);
    expect(hardnessFor(planMasking({ strategy: 'random', objective: 'mlm' }, vocab, T), vocab.size)).toBeUndefined();
  });
});

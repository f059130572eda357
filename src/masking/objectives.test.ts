// Objectives: corruption rules, the target layout the engine reads (gathered slots, token labels, SBO boundaries,
// no-position flags), head declarations, configuration errors and the one-sentence preview.
import { describe, expect, it } from 'vitest';
import { Rng } from '../data/rng';
import type { Batch } from '../data/types';
import { applyMasking, batchOfOne, planMasking, previewMasking } from './apply';
import { OBJECTIVE_IDS, getObjective } from './catalog';
import { charClasses, FIRST_CHAR_CLASSES, firstCharClass } from './objectives/chars';
import { encodingOf, randomBatch, testVocab } from './testkit';
import { Tag, type MaskedBatch, type MaskingConfig } from './types';

const vocab = testVocab();
const MASK = vocab.specialIds.mask;
const tok = (s: string) => vocab.tokens.indexOf(s);

function run(config: MaskingConfig, seed = 1, batch?: Batch): { mb: MaskedBatch; batch: Batch } {
  const b = batch ?? randomBatch(Rng.from(seed, 'data'), 8, 64, 20);
  return { mb: applyMasking(config, b, { vocab, rng: Rng.from(seed) }), batch: b };
}

/** The common gathered-slot layout: row-local slots, positions ascending, -1 padding, weights 1/count. */
function checkGathered(mb: MaskedBatch) {
  const g = mb.gathered!;
  expect(g.positions.length).toBe(mb.B * g.capacity);
  let count = 0;
  let wsum = 0;
  for (let b = 0; b < mb.B; b++) {
    let prev = -1;
    let ended = false;
    for (let s = b * g.capacity; s < (b + 1) * g.capacity; s++) {
      const p = g.positions[s];
      if (p < 0) {
        ended = true;
        expect(g.targets[s]).toBe(-1);
        expect(g.weights[s]).toBe(0);
        continue;
      }
      expect(ended).toBe(false);
      expect(Math.floor(p / mb.T)).toBe(b);
      expect(p).toBeGreaterThan(prev);
      prev = p;
      expect(g.targets[s]).toBeGreaterThanOrEqual(0);
      expect(g.targets[s]).toBeLessThan(g.classes);
      count++;
      wsum += g.weights[s];
    }
  }
  expect(g.count).toBe(count);
  if (count) expect(wsum).toBeCloseTo(1, 5);
}

describe('mlm and slm', () => {
  it('mlm: targets are the original ids at exactly the selected positions; tags match the input', () => {
    const { mb, batch } = run({ strategy: 'random', objective: 'mlm' });
    checkGathered(mb);
    const g = mb.gathered!;
    expect(g.count).toBe(mb.selectedCount);
    expect(g.classes).toBe(vocab.size);
    for (let s = 0; s < g.positions.length; s++) {
      if (g.positions[s] < 0) continue;
      expect(mb.selected[g.positions[s]]).toBe(1);
      expect(g.targets[s]).toBe(batch.ids[g.positions[s]]);
    }
    for (let i = 0; i < mb.tags.length; i++) {
      if (mb.tags[i] === Tag.MASKED) expect(mb.inputIds[i]).toBe(MASK);
      if (mb.tags[i] === Tag.REPLACED) expect(mb.inputIds[i]).not.toBe(batch.ids[i]);
      if (mb.tags[i] === Tag.KEPT || mb.tags[i] === Tag.UNTOUCHED) expect(mb.inputIds[i]).toBe(batch.ids[i]);
      expect(mb.tags[i] !== Tag.UNTOUCHED).toBe(mb.selected[i] === 1);
    }
  });

  it('slm: every selected token is swapped for another, never [MASK]', () => {
    const { mb } = run({ strategy: 'whole-word', objective: 'slm' });
    checkGathered(mb);
    for (let i = 0; i < mb.tags.length; i++) {
      if (mb.selected[i]) expect(mb.tags[i]).toBe(Tag.REPLACED);
      expect(mb.inputIds[i] === MASK && mb.originalIds[i] !== MASK).toBe(false);
    }
  });
});

describe('token detection', () => {
  it('rts: uniform random replacements, labels 1 exactly where the token changed, weights over non-pad tokens', () => {
    const { mb, batch } = run({ strategy: 'random', objective: 'rts' });
    expect(mb.gathered).toBeUndefined();
    const { labels, weights } = mb.tokenLabels!;
    const real = batch.valid.reduce((a, v) => a + v, 0);
    let wsum = 0;
    for (let i = 0; i < labels.length; i++) {
      expect(labels[i]).toBe(batch.valid[i] && mb.inputIds[i] !== batch.ids[i] ? 1 : 0);
      expect(weights[i]).toBeCloseTo(batch.valid[i] ? 1 / real : 0, 7);
      wsum += weights[i];
      if (mb.selected[i]) expect(mb.tags[i]).toBe(Tag.REPLACED);
    }
    expect(wsum).toBeCloseTo(1, 5);
    expect(labels.reduce((a, x) => a + x, 0)).toBe(mb.selectedCount);
  });

  it('shuffle: selected positions take tokens from a permutation of their row; every selected one is labelled 1', () => {
    const { mb, batch } = run({ strategy: 'random', objective: 'shuffle', strategyParams: { rate: 0.3 } });
    const { labels } = mb.tokenLabels!;
    let moved = 0;
    let back = 0;
    for (let b = 0; b < batch.B; b++) {
      const lo = b * batch.T;
      const rowTokens = new Set<number>();
      for (let t = 0; t < batch.T; t++)
        if (batch.valid[lo + t] && batch.ids[lo + t] >= 5) rowTokens.add(batch.ids[lo + t]);
      for (let t = 0; t < batch.T; t++) {
        const i = lo + t;
        if (!mb.selected[i]) {
          expect(mb.inputIds[i]).toBe(batch.ids[i]);
          expect(labels[i]).toBe(0);
          continue;
        }
        // Yamaguchi et al.'s collator: shuffled_word_mask is the selection itself.
        expect(labels[i]).toBe(1);
        expect(rowTokens.has(mb.inputIds[i])).toBe(true);
        expect(mb.tags[i]).toBe(mb.inputIds[i] !== batch.ids[i] ? Tag.REPLACED : Tag.KEPT);
        if (mb.inputIds[i] !== batch.ids[i]) moved++;
        else back++;
      }
    }
    // A permutation source on padding or a special token leaves the token in place (their collator does the same);
    // these rows are 20..64 long in T = 64, so about a third of the sources fall there.
    expect(moved).toBeGreaterThan(mb.selectedCount / 4);
    expect(back).toBeGreaterThan(0);
    expect(moved + back).toBe(mb.selectedCount);
  });
});

describe('character objectives', () => {
  it('first-char: 29 classes (a-z, punctuation, digit, other), always [MASK]', () => {
    expect(FIRST_CHAR_CLASSES.length).toBe(29);
    expect([
      firstCharClass('k'),
      firstCharClass('K'),
      firstCharClass(','),
      firstCharClass('1'),
      firstCharClass('é'),
    ]).toEqual([10, 10, 26, 27, 28]);
    const enc = encodingOf(vocab, 'the garden ##ing , 1812 é king');
    const batch = batchOfOne(enc, vocab);
    const classesOf = (of: string) => {
      const mb = applyMasking(
        { strategy: 'random', objective: 'first-char', strategyParams: { rate: 1 }, objectiveParams: { of } },
        batch,
        { vocab, rng: Rng.from(1) },
      );
      checkGathered(mb);
      for (let t = 1; t < batch.T - 1; t++) expect(mb.inputIds[t]).toBe(MASK);
      return Array.from(mb.gathered!.targets.subarray(0, mb.gathered!.count)).map((c) => FIRST_CHAR_CLASSES[c]);
    };
    expect(classesOf('word')).toEqual(['t', 'g', 'g', 'punctuation', 'digit', 'other', 'k']);
    expect(classesOf('token')).toEqual(['t', 'g', 'i', 'punctuation', 'digit', 'other', 'k']);
  });

  it('char-n: classes are the distinct first/last n characters of the vocabulary', () => {
    const first1 = charClasses(vocab, 1, 'first');
    const expected = new Set(vocab.tokens.slice(5).map((t) => Array.from(t.replace(/^##/, ''))[0]));
    expect(first1.names).toEqual([...expected].sort());
    const last2 = charClasses(vocab, 2, 'last');
    expect(last2.names[last2.classOf[tok('garden')]]).toBe('en');
    expect(last2.names[last2.classOf[tok('##ing')]]).toBe('ng');
    expect(last2.classOf[MASK]).toBe(-1);
    // More characters, more classes (the "complexity" dial).
    const sizes = [1, 2, 3, 4, 5].map((n) => charClasses(vocab, n, 'first').names.length);
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeGreaterThanOrEqual(sizes[i - 1]);
    const plan = planMasking({ strategy: 'random', objective: 'char-n', objectiveParams: { n: 3 } }, vocab, 64);
    expect(plan.heads[0]).toMatchObject({ kind: 'k-class', classes: charClasses(vocab, 3, 'first').names.length });

    const { mb, batch } = run({ strategy: 'random', objective: 'char-n', objectiveParams: { n: 2, side: 'last' } });
    checkGathered(mb);
    const g = mb.gathered!;
    for (let s = 0; s < g.positions.length; s++)
      if (g.positions[s] >= 0) expect(g.targets[s]).toBe(last2.classOf[batch.ids[g.positions[s]]]);
  });
});

describe('electra', () => {
  it('85% [MASK], 15% kept, no random tokens; generator targets and a zeroed discriminator label layout', () => {
    let masked = 0;
    let kept = 0;
    for (let seed = 0; seed < 6; seed++) {
      const { mb } = run({ strategy: 'random', objective: 'electra' }, seed, randomBatch(Rng.from(seed), 16, 128, 100));
      checkGathered(mb);
      for (let i = 0; i < mb.tags.length; i++) {
        expect(mb.tags[i]).not.toBe(Tag.REPLACED);
        if (mb.tags[i] === Tag.MASKED) masked++;
        if (mb.tags[i] === Tag.KEPT) kept++;
      }
      expect(Array.from(mb.tokenLabels!.labels).every((x) => x === 0)).toBe(true);
      expect(mb.tokenLabels!.weights.reduce((a, x) => a + x, 0)).toBeCloseTo(1, 5);
      expect(mb.gathered!.count).toBe(mb.selectedCount);
    }
    expect(Math.abs(masked / (masked + kept) - 0.85)).toBeLessThan(0.02);
    const heads = planMasking({ strategy: 'random', objective: 'electra' }, vocab, 64).heads;
    expect(heads.map((h) => [h.name, h.kind, h.lossWeight])).toEqual([
      ['generator', 'vocabulary', 1],
      ['discriminator', 'binary', 50],
    ]);
  });
});

describe('sbo', () => {
  it('each span target knows the tokens just outside its span and its offset inside it', () => {
    const { mb, batch } = run(
      { strategy: 'span', objective: 'sbo', strategyParams: { rate: 0.3 } },
      3,
      randomBatch(Rng.from(3), 8, 96, 60),
    );
    checkGathered(mb);
    const g = mb.gathered!;
    const sbo = mb.sbo!;
    let usable = 0;
    let wsum = 0;
    for (let s = 0; s < g.positions.length; s++) {
      const p = g.positions[s];
      if (p < 0) continue;
      const l = sbo.left[s];
      const r = sbo.right[s];
      if (l < 0) {
        expect(sbo.weights[s]).toBe(0);
        continue;
      }
      usable++;
      wsum += sbo.weights[s];
      expect(l).toBeLessThan(p);
      expect(r).toBeGreaterThan(p);
      expect(mb.selected[l]).toBe(0);
      expect(mb.selected[r]).toBe(0);
      expect(batch.valid[l] && batch.valid[r]).toBe(1);
      for (let q = l + 1; q < r; q++) expect(mb.selected[q]).toBe(1);
      expect(sbo.rel[s]).toBe(Math.min(p - l - 1, sbo.maxRel - 1));
    }
    expect(usable).toBeGreaterThan(0);
    expect(wsum).toBeCloseTo(1, 5);
  });
});

describe('meap', () => {
  it('masks the same positions in every row, predicts the next original token, declares causal attention', () => {
    const batch = randomBatch(Rng.from(4), 6, 40, 40); // full rows
    const { mb } = run({ strategy: 'random', objective: 'meap' }, 4, batch);
    expect(mb.causal).toBe(true);
    expect(planMasking({ strategy: 'random', objective: 'meap' }, vocab, 40).causal).toBe(true);
    const rowMask = (b: number) => Array.from(mb.selected.subarray(b * 40, b * 40 + 40)).join('');
    for (let b = 1; b < 6; b++) expect(rowMask(b)).toBe(rowMask(0));
    expect(mb.selectedCount).toBe(6 * Math.round(0.15 * 39));
    const g = mb.gathered!;
    checkGathered(mb);
    expect(g.capacity).toBe(40);
    expect(g.count).toBe(6 * 39);
    for (let s = 0; s < g.positions.length; s++)
      if (g.positions[s] >= 0) expect(g.targets[s]).toBe(batch.ids[g.positions[s] + 1]);
    expect(() => planMasking({ strategy: 'span', objective: 'meap' }, vocab, 40)).toThrow(
      /only with strategies random/,
    );
  });
});

describe('position', () => {
  it('hides positions, not tokens: no-position flags at selected tokens, targets = their positions (T classes)', () => {
    const { mb, batch } = run({ strategy: 'random', objective: 'position' });
    expect(Array.from(mb.inputIds)).toEqual(Array.from(batch.ids));
    expect(Array.from(mb.noPosition!)).toEqual(Array.from(mb.selected));
    checkGathered(mb);
    const g = mb.gathered!;
    expect(g.classes).toBe(64);
    for (let s = 0; s < g.positions.length; s++)
      if (g.positions[s] >= 0) expect(g.targets[s]).toBe(g.positions[s] % 64);
  });
});

describe('catalogue and configuration', () => {
  it('every objective declares heads, an explanation and a reference', () => {
    for (const id of OBJECTIVE_IDS) {
      const o = getObjective(id);
      expect(o.explanation.length).toBeGreaterThan(100);
      expect(o.references.length).toBeGreaterThan(0);
      const heads = o.heads(
        vocab,
        64,
        planMasking({ strategy: o.defaultStrategy, objective: id }, vocab, 64).objectiveParams,
      );
      expect(heads.length).toBeGreaterThan(0);
      for (const h of heads) expect(h.classes).toBeGreaterThan(1);
    }
  });

  it('rejects unknown ids, unknown or out-of-range parameters and a split over 100%', () => {
    expect(() => planMasking({ strategy: 'nope' as 'random', objective: 'mlm' }, vocab, 8)).toThrow(
      /unknown masking strategy "nope"/,
    );
    expect(() => planMasking({ strategy: 'random', objective: 'mlm', strategyParams: { rat: 0.2 } }, vocab, 8)).toThrow(
      /unknown parameter "rat"/,
    );
    expect(() =>
      planMasking({ strategy: 'random', objective: 'mlm', strategyParams: { rate: 1.5 } }, vocab, 8),
    ).toThrow(/\[0, 1\]/);
    expect(() =>
      planMasking(
        { strategy: 'random', objective: 'mlm', strategyParams: { maskFrac: 0.8, randomFrac: 0.3 } },
        vocab,
        8,
      ),
    ).toThrow(/exceed 1/);
    expect(() =>
      planMasking({ strategy: 'span', objective: 'mlm', strategyParams: { maxSpan: 2.5 } }, vocab, 8),
    ).toThrow(/integer/);
  });

  it('rejects ids outside the vocabulary and arrays of the wrong size', () => {
    const b = batchOfOne(encodingOf(vocab, 'the king'), vocab);
    expect(() =>
      applyMasking(
        { strategy: 'random', objective: 'mlm' },
        { ...b, ids: Int32Array.of(2, 999, 3, 0) },
        { vocab, rng: Rng.from(1) },
      ),
    ).toThrow(/outside the vocabulary/);
    expect(() =>
      applyMasking(
        { strategy: 'random', objective: 'mlm' },
        { ...b, valid: new Int32Array(2) },
        { vocab, rng: Rng.from(1) },
      ),
    ).toThrow(/batch.valid has 2/);
  });

  it('previews one sentence with the same code as training', () => {
    const enc = encodingOf(vocab, 'once upon time the king went over the river');
    const config: MaskingConfig = { strategy: 'random', objective: 'first-char', strategyParams: { rate: 0.3 } };
    const { masked, tokens } = previewMasking(config, enc, { vocab, rng: Rng.from(2) });
    const direct = applyMasking(config, batchOfOne(enc, vocab), { vocab, rng: Rng.from(2) });
    expect(Array.from(masked.inputIds)).toEqual(Array.from(direct.inputIds));
    expect(tokens.length).toBe(enc.ids.length + 2);
    expect(tokens[0]).toMatchObject({ original: '[CLS]', tag: 'untouched', target: null });
    const hidden = tokens.filter((t) => t.tag === 'masked');
    expect(hidden.length).toBe(3);
    for (const t of hidden) {
      expect(t.shown).toBe('[MASK]');
      expect(t.target).toBe(t.original[0]);
    }
  });
});

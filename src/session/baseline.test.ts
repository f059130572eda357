// The frequency baseline against a count done by hand on a tiny corpus, and the plateau exit and status line.
import { describe, expect, it } from 'vitest';
import { packSequences } from '../data/batching';
import { unigramCounts } from '../data/dataset';
import { trainWordLevel } from '../data/wordLevel';
import { frequencyBaseline, PLATEAU_MARGIN, plateauExitStep, plateauStatus, stepAbove } from './baseline';

describe('frequency baseline', () => {
  // Training split "a a a b b c": counts a 3, b 2, c 1 (N = 6), three non-special ids.
  const tok = trainWordLevel('a a a b b c', { vocabSize: 20 });
  const train = packSequences([tok.encode('a a a b b c')], 16);
  const counts = unigramCounts(train, tok.vocabSize);
  const id = (w: string) => tok.encode(w).ids[0];

  it('matches a hand count: add-one unigram cross-entropy and top-token accuracy over the held-out targets', () => {
    // Held-out targets a, c, b, a in two batches; one padded slot (-1) and one slot without a position are ignored.
    const batches = [
      { positions: Int32Array.from([0, 5, -1]), targets: Int32Array.from([id('a'), id('c'), id('b')]) },
      { positions: Int32Array.from([1, 2, 3]), targets: Int32Array.from([id('b'), id('a'), -1]) },
    ];
    const b = frequencyBaseline(counts, batches);
    // p(a) = 4/9, p(b) = 3/9, p(c) = 2/9 (each count + 1 over 6 + 3)
    const hand = -(2 * Math.log(4 / 9) + Math.log(3 / 9) + Math.log(2 / 9)) / 4;
    expect(tok.vocabSize).toBe(8);
    expect(b.targets).toBe(4);
    expect(b.loss).toBeCloseTo(hand, 12);
    expect(b.accuracy).toBe(0.5);
    expect(b.topId).toBe(id('a'));
  });

  it("a held-out token never seen in training costs ln((N + V') / 1), not infinity", () => {
    const b = frequencyBaseline(counts, [{ positions: Int32Array.from([0]), targets: Int32Array.from([1]) }]);
    expect(b.loss).toBeCloseTo(Math.log(9), 12);
    expect(b.accuracy).toBe(0);
  });
});

describe('plateau exit and status', () => {
  const evals = [
    { step: 0, accuracy: 0.0 },
    { step: 50, accuracy: 0.066 },
    { step: 100, accuracy: 0.07 },
    { step: 150, accuracy: 0.09 },
    { step: 200, accuracy: 0.2 },
  ];
  it('finds the first evaluation the margin above the baseline', () => {
    expect(PLATEAU_MARGIN).toBe(0.02);
    expect(plateauExitStep(evals, 0.066)).toBe(150);
    expect(plateauExitStep(evals.slice(0, 3), 0.066)).toBeNull();
    expect(stepAbove(evals, 0.066, 0.1)).toBe(200);
    expect(stepAbove(evals.slice(0, 4), 0.066, 0.1)).toBeNull();
  });
  it('says where the run stands', () => {
    expect(plateauStatus(evals.slice(0, 3), 0.066)).toMatch(
      /^At the frequency guess: the model has learned which tokens are common/,
    );
    expect(plateauStatus(evals, 0.066)).toBe('Uses context: +13.4 points over the frequency guess (since step 150).');
    expect(plateauStatus([], 0.066)).toBe('');
  });
});

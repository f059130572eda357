// Time left counts the evaluations still to come at their measured mean, not only the steps.
import { describe, expect, it } from 'vitest';
import { defaultExperiment } from '../../session/config';
import { evalsLeft, progressFraction, timeLeftMs } from './progress';

describe('time left', () => {
  const config = defaultExperiment();
  config.train = { ...config.train, steps: 300, evalEvery: 50 };
  it('counts evaluations every evalEvery steps and one at the end', () => {
    expect(evalsLeft(0, 300, 50)).toBe(6);
    expect(evalsLeft(120, 300, 50)).toBe(4);
    expect(evalsLeft(0, 310, 50)).toBe(7);
    expect(evalsLeft(300, 300, 50)).toBe(0);
  });
  it('adds the evaluations to the steps (the first evaluation, which compiles, is left out of the mean)', () => {
    // 200 steps left at 400 ms = 80 s, plus 4 evaluations at 10 s = 40 s.
    const run = { step: 100, totalSteps: 300, msPerStep: 400, evalMs: [30_000, 10_000, 10_000], config };
    expect(timeLeftMs(run)).toBe(120_000);
    expect(timeLeftMs({ ...run, msPerStep: 0 })).toBeNaN();
    // Total 300 x 0.4 + 6 x 10 = 180 s; 60 s done.
    expect(progressFraction(run)).toBeCloseTo(60 / 180, 10);
    expect(progressFraction({ ...run, msPerStep: 0 })).toBeCloseTo(1 / 3, 10);
  });
});

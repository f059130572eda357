// Warmup reaches the peak; linear and cosine decay end at the floor; invalid schedules are refused.
import { describe, expect, it } from 'vitest';
import { learningRate, validateSchedule, type LrSchedule } from './schedule';

const base: LrSchedule = { lr: 1e-3, warmupSteps: 10, totalSteps: 110, decay: 'linear', minRatio: 0.1 };

describe('learningRate', () => {
  it('warms up linearly to the peak', () => {
    expect(learningRate(base, 0)).toBeCloseTo(1e-4, 12);
    expect(learningRate(base, 9)).toBeCloseTo(1e-3, 12);
  });
  it.each(['linear', 'cosine'] as const)('%s decay goes from peak to floor monotonically', (decay) => {
    const s = { ...base, decay };
    expect(learningRate(s, 10)).toBeCloseTo(1e-3, 12);
    expect(learningRate(s, 110)).toBeCloseTo(1e-4, 12);
    expect(learningRate(s, 60)).toBeCloseTo(5.5e-4, 12);
    for (let t = 11; t < 110; t++) expect(learningRate(s, t)).toBeLessThanOrEqual(learningRate(s, t - 1) + 1e-15);
  });
  it('constant stays at the peak', () => {
    expect(learningRate({ ...base, decay: 'constant' }, 100)).toBe(1e-3);
  });
  it('refuses impossible settings with a message naming them', () => {
    expect(() => validateSchedule({ ...base, lr: 0 })).toThrow(/learning rate/);
    expect(() => validateSchedule({ ...base, warmupSteps: 200 })).toThrow(/warmup/);
    expect(() => validateSchedule({ ...base, totalSteps: 0 })).toThrow(/steps/);
  });
});

// The divergence rule on plain loss series: quiet training never fires; a finite blow-up fires once the smoothed
// loss passes max(2 x the first step's loss, ln V + 3); the message says what happened and what to change.
import { describe, expect, it } from 'vitest';
import { divergenceMessage, DivergenceWatch, suggestedRate } from './divergence';

describe('DivergenceWatch', () => {
  it('never fires on a falling or noisy loss', () => {
    const w = new DivergenceWatch(2048);
    for (let s = 0; s < 500; s++) expect(w.push(s, 7.6 - s * 0.005 + (s % 3) * 0.3)).toBeUndefined();
  });

  it('fires on a blow-up from the second step, once three losses are in', () => {
    const w = new DivergenceWatch(256);
    expect(w.push(0, 5.5)).toBeUndefined();
    expect(w.push(1, 1016)).toBeUndefined();
    expect(w.push(2, 1063)).toEqual({
      step: 2,
      smoothed: expect.closeTo((5.5 + 1016 + 1063) / 3, 10),
      limit: expect.closeTo(11, 10),
    });
  });

  it('fires on a finite blow-up, at the limit max(2 x first, ln V + 3)', () => {
    const w = new DivergenceWatch(2048);
    for (let s = 0; s < 10; s++) expect(w.push(s, 7)).toBeUndefined();
    expect(w.limit).toBeCloseTo(14, 10);
    let fired;
    for (let s = 10; s < 40 && !fired; s++) fired = w.push(s, s < 20 ? 7 : 100);
    // The window mean passes 14 with the first loss of 100: (9 x 7 + 100) / 10 = 16.3 > 14.
    expect(fired).toEqual({ step: 20, smoothed: expect.closeTo(16.3, 10), limit: expect.closeTo(14, 10) });
  });

  it('uses ln V + 3 when it is the larger', () => {
    const w = new DivergenceWatch(50_000);
    for (let s = 0; s < 10; s++) w.push(s, 3);
    expect(w.limit).toBeCloseTo(Math.log(50_000) + 3, 10);
  });

  it('words the divergence and suggests a quarter of the rate, at most 1e-3', () => {
    expect(suggestedRate(10)).toBe(0.001);
    expect(suggestedRate(0.001)).toBe(0.00025);
    expect(divergenceMessage({ step: 21, smoothed: 25.6, limit: 14 }, -1, 10)).toBe(
      'Training diverged: the mean training loss of the last steps (up to 10) reached 25.60 at step 22, above the limit 14.00 (twice the ' +
        "first step's loss, or ln V + 3). The weights were rolled back to step 0. Resume at a lower learning rate (0.001 is filled in), or lower the gradient clip.",
    );
  });
});

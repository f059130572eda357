// The compact axis tick text: the labels issue 16 found cut off (7.656, 14000 / 10500, the learning rate's "0e+0")
// come out short and distinct.
import { describe, expect, it } from 'vitest';
import { valueAxis } from './axes';
import { fmtTick, tickStep } from './format';

describe('fmtTick', () => {
  it('gives losses 3 significant digits, and more only where neighbouring ticks would look alike', () => {
    expect(fmtTick(7.656)).toBe('7.66');
    expect(fmtTick(6.25)).toBe('6.25');
    expect(fmtTick(3)).toBe('3');
    expect(fmtTick(0.015)).toBe('0.015');
    const step = tickStep([7.634, 7.656]);
    expect(step).toBeCloseTo(0.0055, 10);
    expect([7.634, 7.645, 7.656].map((v) => fmtTick(v, step))).toEqual(['7.634', '7.645', '7.656']);
    expect([6, 6.5, 7].map((v) => fmtTick(v, 0.5))).toEqual(['6', '6.5', '7']);
  });

  it('writes steps, tokens and FLOPs with k, M, G, T', () => {
    expect([0, 3500, 7000, 10500, 14000].map((v) => fmtTick(v))).toEqual(['0', '3.5k', '7k', '10.5k', '14k']);
    expect(fmtTick(1250)).toBe('1.25k');
    expect(fmtTick(123456)).toBe('123k');
    expect(fmtTick(999_600)).toBe('1M');
    expect(fmtTick(999.7)).toBe('1k');
    expect(fmtTick(2_400_000)).toBe('2.4M');
    expect(fmtTick(5.6e9)).toBe('5.6G');
    expect(fmtTick(7.5e12)).toBe('7.5T');
    expect(fmtTick(3.2e15)).toBe('3.2e15');
  });

  it('writes small learning rates as a short exponent and 0 as "0"', () => {
    expect([0, 0.00075, 0.0015, 0.00225, 0.003].map((v) => fmtTick(v))).toEqual([
      '0',
      '7.5e-4',
      '1.5e-3',
      '2.25e-3',
      '3e-3',
    ]);
    expect(fmtTick(1e-4)).toBe('1e-4');
    expect(fmtTick(0.02)).toBe('0.02');
    // Rounding noise next to zero on an axis whose ticks are 7.5e-4 apart.
    expect(fmtTick(1e-19, 0.00075)).toBe('0');
  });

  it('keeps the sign, and gives no text for what is not a number', () => {
    expect(fmtTick(-0.5)).toBe('-0.5');
    expect(fmtTick(-14000)).toBe('-14k');
    expect(fmtTick(-3e-3)).toBe('-3e-3');
    expect(fmtTick(Number.NaN)).toBe('');
    expect(fmtTick(Infinity)).toBe('');
  });

  it('is at most 7 characters for any value an axis here shows', () => {
    for (const v of [7.656, 14000, 10500, 0.00225, 123456, 999_600, 1.23e14, 3.21e17, 99.95, 0.0123])
      expect(fmtTick(v).length).toBeLessThanOrEqual(7);
  });
});

describe('tickStep', () => {
  it('is the range over the gaps between ticks, ignoring gaps in the data; none for one value', () => {
    expect(tickStep([1, undefined, 5, Number.NaN, 3])).toBe(1);
    expect(tickStep([2, 2])).toBeUndefined();
    expect(tickStep([])).toBeUndefined();
  });
});

describe('valueAxis', () => {
  it('is wide enough for its longest label, and labels a narrow loss range apart', () => {
    const loss = valueAxis([7.656, 7.645, 7.634]);
    expect([7.634, 7.645, 7.656].map(loss.tickFormatter)).toEqual(['7.634', '7.645', '7.656']);
    expect(loss.width).toBeGreaterThanOrEqual(5 * 7 + 12);
    const lr = valueAxis([0, 0.00075, 0.003]);
    expect(lr.tickFormatter(0)).toBe('0');
    expect(lr.tickFormatter(0.00225)).toBe('2.25e-3');
    expect(lr.width).toBeGreaterThanOrEqual(7 * 7 + 12);
    expect(valueAxis([0, 100], { unit: '%' }).width).toBeGreaterThanOrEqual(4 * 7 + 12);
    expect(valueAxis([]).width).toBe(36);
  });
});

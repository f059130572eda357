// The fusion sets as the bench and the tests name them: all, none, or names joined by +, read back as written.
import { describe, expect, it } from 'vitest';
import { fused, FUSIONS, fusionsName, parseFusions } from './fusion';

describe('fusion sets', () => {
  it('reads all, none and named sets, and writes them back the same way', () => {
    expect(parseFusions('all')).toEqual(FUSIONS);
    expect(parseFusions('none')).toEqual([]);
    expect(parseFusions('gelu+residual')).toEqual(['residual', 'gelu']);
    for (const spec of ['all', 'none', 'residual+gelu', 'bias_grad'])
      expect(fusionsName(parseFusions(spec))).toBe(spec);
    expect(fusionsName(undefined)).toBe('all');
  });

  it('names an unknown fusion', () => {
    expect(() => parseFusions('residual+glue')).toThrow(/unknown fusion "glue"/);
  });

  it('turns every fusion on unless the tuning lists those in use', () => {
    for (const f of FUSIONS) {
      expect(fused({}, f)).toBe(true);
      expect(fused({ fusions: [] }, f)).toBe(false);
      expect(fused({ fusions: [f] }, f)).toBe(true);
    }
    expect(fused({ fusions: ['gelu'] }, 'residual')).toBe(false);
  });
});

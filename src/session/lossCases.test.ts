// Loss split by case: slots are attributed to masked/replaced/kept and frequent/rare, averaged over a window.
import { describe, expect, it } from 'vitest';
import { Tag } from '../masking/types';
import { frequentIds, LossCaseTracker } from './lossCases';

describe('LossCaseTracker', () => {
  it('splits the most frequent ids covering half the corpus from the rest', () => {
    const f = frequentIds([0, 0, 0, 0, 0, 50, 30, 10, 5, 5]);
    expect(Array.from(f)).toEqual([0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
    const g = frequentIds([0, 0, 0, 0, 0, 40, 30, 10, 10, 10]);
    expect(Array.from(g)).toEqual([0, 0, 0, 0, 0, 1, 1, 0, 0, 0]);
  });

  it('averages losses per case over the window and ignores empty slots', () => {
    const t = new LossCaseTracker(Uint8Array.from([0, 0, 0, 0, 0, 1, 0, 0]), 2);
    const tags = Uint8Array.from([Tag.UNTOUCHED, Tag.MASKED, Tag.REPLACED, Tag.KEPT, Tag.MASKED]);
    t.record(0, tags, Int32Array.from([1, 2, 3, 4, -1]), Int32Array.from([5, 6, 7, 5, -1]));
    t.addLosses(0, Float32Array.from([1, 2, 3, 5, 100]));
    let s = t.snapshot();
    expect(s.masked).toEqual({ loss: 3, count: 2 });
    expect(s.replaced).toEqual({ loss: 2, count: 1 });
    expect(s.kept).toEqual({ loss: 3, count: 1 });
    expect(s.frequent).toEqual({ loss: 3, count: 2 });
    expect(s.rare).toEqual({ loss: 2.5, count: 2 });
    // The window keeps the last 2 steps only.
    for (const step of [1, 2]) {
      t.record(step, tags, Int32Array.from([1]), Int32Array.from([6]));
      t.addLosses(step, Float32Array.from([7]));
    }
    s = t.snapshot();
    expect(s.steps).toBe(2);
    expect(s.masked).toEqual({ loss: 7, count: 2 });
    expect(Number.isNaN(s.replaced.loss)).toBe(true);
  });
});

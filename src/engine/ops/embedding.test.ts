// The embedding backward's CPU sort (sortIds, the id_sort fusion) against a plain stable sort: keys, positions in
// order within an id, out-of-range ids last as V, and each sorted row's run.
import { describe, expect, it } from 'vitest';
import { sortedIdsArrays, sortIds } from './embedding';

describe('sortIds', () => {
  it('sorts positions stably by id, out-of-range ids last, with every row its run', () => {
    const V = 7;
    const ids = [3, -1, 3, 0, 6, 7, 3, 0, 100, 2];
    const out = sortedIdsArrays(ids.length, V);
    sortIds(ids, V, out);
    const key = (id: number) => (id >= 0 && id < V ? id : V);
    const expected = ids.map((id, i) => [key(id), i]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(Array.from(out.keys)).toEqual(expected.map((e) => e[0]));
    expect(Array.from(out.vals)).toEqual(expected.map((e) => e[1]));
    for (let i = 0; i < ids.length; i++) {
      const [start, end] = [out.seg[2 * i], out.seg[2 * i + 1]];
      expect(start).toBeLessThanOrEqual(i);
      expect(end).toBeGreaterThan(i);
      for (let j = start; j < end; j++) expect(out.keys[j]).toBe(out.keys[i]);
      if (start > 0) expect(out.keys[start - 1]).not.toBe(out.keys[i]);
      if (end < ids.length) expect(out.keys[end]).not.toBe(out.keys[i]);
    }
  });

  it('reuses its arrays from one batch to the next, and refuses arrays too small', () => {
    const out = sortedIdsArrays(4, 3);
    sortIds([2, 2, 2, 2], 3, out);
    sortIds([1, 0, 1, 0], 3, out);
    expect(Array.from(out.keys)).toEqual([0, 0, 1, 1]);
    expect(Array.from(out.vals)).toEqual([1, 3, 0, 2]);
    expect(() => sortIds([0, 1, 2, 3, 4], 3, out)).toThrow(/sortIds/);
  });
});

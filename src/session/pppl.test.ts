// Pseudo-perplexity batches: every real, non-special token of the sample is masked exactly once, alone.
import { describe, expect, it } from 'vitest';
import type { SequenceSet } from '../data/batching';
import { pseudoPerplexityBatches } from './run';

describe('pseudoPerplexityBatches', () => {
  // Two sequences of T=6: [CLS] a b c [SEP] [PAD] and [CLS] d [UNK] [SEP] [PAD] [PAD].
  const set: SequenceSet = {
    T: 6,
    count: 2,
    ids: Int32Array.from([2, 10, 11, 12, 3, 0, 2, 13, 1, 3, 0, 0]),
    wordIds: Int32Array.from([-1, 0, 1, 2, -1, -1, -1, 0, 1, -1, -1, -1]),
    valid: Int32Array.from([1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0]),
    tokens: 5,
  };

  it('masks each of the 4 real words once, in rows of B, with weights summing to 1', () => {
    const batches = pseudoPerplexityBatches(set, 8, 3);
    expect(batches).toHaveLength(2);
    const targets = batches.flatMap((b) => Array.from(b.targets).filter((t) => t >= 0));
    expect(targets).toEqual([10, 11, 12, 13]);
    const weights = batches.flatMap((b) => Array.from(b.weights));
    expect(weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 6);
    for (const b of batches) {
      b.positions.forEach((p, k) => {
        if (p < 0) return;
        const row = b.ids.subarray(k * 6, (k + 1) * 6);
        expect(p).toBe(k * 6 + row.indexOf(4));
        expect(row.filter((id) => id === 4)).toHaveLength(1);
      });
    }
  });

  it('takes only the first `count` sequences', () => {
    expect(pseudoPerplexityBatches(set, 1, 8).flatMap((b) => Array.from(b.targets).filter((t) => t >= 0))).toEqual([
      10, 11, 12,
    ]);
  });
});

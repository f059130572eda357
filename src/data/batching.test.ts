// Sequence packing, the seeded batch order, held-out batches, and the prepareData pipeline.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BatchOrder, heldOutBatches, packSequences } from './batching';
import { prepareData, unigramCounts } from './dataset';
import { trainWordLevel } from './wordLevel';
import type { Encoding } from './types';

const FAIRY = readFileSync(new URL('../../public/corpora/fairy-tales.txt', import.meta.url), 'utf8');
const enc = (ids: number[], wordIds: number[]): Encoding => ({
  ids: Int32Array.from(ids),
  wordIds: Int32Array.from(wordIds),
});
const row = (xs: Int32Array, T: number, s: number): number[] => Array.from(xs.subarray(s * T, (s + 1) * T));

describe('packSequences', () => {
  it('writes [CLS] tokens [SEP] [PAD]..., never cutting a word that fits, renumbering words per sequence', () => {
    // words: (10 11) (12) (13 14 15) (16); T = 6 leaves room for 4 tokens
    const set = packSequences([enc([10, 11, 12, 13, 14, 15, 16], [0, 0, 1, 2, 2, 2, 3])], 6);
    expect(set.count).toBe(2);
    expect(row(set.ids, 6, 0)).toEqual([2, 10, 11, 12, 3, 0]);
    expect(row(set.wordIds, 6, 0)).toEqual([-1, 0, 0, 1, -1, -1]);
    expect(row(set.valid, 6, 0)).toEqual([1, 1, 1, 1, 1, 0]);
    expect(row(set.ids, 6, 1)).toEqual([2, 13, 14, 15, 16, 3]);
    expect(row(set.wordIds, 6, 1)).toEqual([-1, 0, 0, 0, 1, -1]);
    expect(set.tokens).toBe(7);
  });

  it('cuts only a word longer than a whole sequence', () => {
    const set = packSequences([enc([5, 6, 7, 8, 9, 20], [0, 0, 0, 0, 0, 1])], 5);
    expect([0, 1].map((s) => row(set.ids, 5, s))).toEqual([
      [2, 5, 6, 7, 3],
      [2, 8, 9, 20, 3],
    ]);
    expect(row(set.wordIds, 5, 1)).toEqual([-1, 0, 0, 1, -1]);
  });

  it('keeps words of different blocks apart, and gives literal specials -1', () => {
    const set = packSequences([enc([10], [0]), enc([11, 4, 12], [0, -1, 1])], 8);
    expect(row(set.ids, 8, 0)).toEqual([2, 10, 11, 4, 12, 3, 0, 0]);
    expect(row(set.wordIds, 8, 0)).toEqual([-1, 0, 1, -1, 2, -1, -1, -1]);
  });

  it('keeps every token of a real text, in order', () => {
    const tok = trainWordLevel(FAIRY, { vocabSize: 500 });
    const e = tok.encode(FAIRY.slice(0, 20000));
    const set = packSequences([e], 64);
    const packed = Array.from(set.ids).filter((id) => id !== 0 && id !== 2 && id !== 3);
    expect(packed).toEqual(Array.from(e.ids));
    expect(set.tokens).toBe(e.ids.length);
  });
});

describe('BatchOrder', () => {
  const set = packSequences(
    [
      enc(
        Array.from({ length: 300 }, (_, i) => 5 + (i % 50)),
        Array.from({ length: 300 }, (_, i) => i),
      ),
    ],
    8,
  );

  it('gives the same batches for the same seed and other batches for another seed', () => {
    const a = new BatchOrder(set, 4, 'seed-1');
    const b = new BatchOrder(set, 4, 'seed-1');
    const c = new BatchOrder(set, 4, 'seed-2');
    for (const step of [0, 1, 7, 12, 40]) expect(b.batchAt(step)).toEqual(a.batchAt(step));
    expect(c.batchAt(0).ids).not.toEqual(a.batchAt(0).ids);
  });

  it('visits distinct sequences within an epoch and reshuffles the next epoch', () => {
    const order = new BatchOrder(set, 4, 1);
    expect(order.batchesPerEpoch).toBe(Math.floor(set.count / 4));
    const epoch = (e: number) =>
      Array.from({ length: order.batchesPerEpoch }, (_, k) => [...order.rowsAt(e * order.batchesPerEpoch + k)]).flat();
    const first = epoch(0);
    expect(new Set(first).size).toBe(first.length);
    expect(epoch(1)).not.toEqual(first);
    expect(epoch(0)).toEqual(first); // random access: going back gives the same batches
  });

  it('fills a given batch without allocating a new one', () => {
    const order = new BatchOrder(set, 4, 1);
    const out = order.batchAt(0);
    const again = order.batchAt(3, out);
    expect(again).toBe(out);
    expect(again.ids).toEqual(new BatchOrder(set, 4, 1).batchAt(3).ids);
  });

  it('explains when there are fewer sequences than the batch size', () => {
    expect(() => new BatchOrder(set, set.count + 1, 1)).toThrow(/fewer than the batch size/);
  });
});

describe('heldOutBatches', () => {
  it('covers each sequence once, in order, padding the last batch with empty rows', () => {
    const set = packSequences(
      [
        enc(
          Array.from({ length: 50 }, () => 7),
          Array.from({ length: 50 }, (_, i) => i),
        ),
      ],
      12,
    );
    const batches = heldOutBatches(set, 3);
    expect(set.count).toBe(5);
    expect(batches).toHaveLength(2);
    expect(row(batches[1].ids, 12, 0)).toEqual(row(set.ids, 12, 3));
    expect(row(batches[1].valid, 12, 2)).toEqual(new Array(12).fill(0));
  });
});

describe('prepareData', () => {
  it('is fixed by the seed: split, tokenizer and sequences', () => {
    const opts = { T: 64, seed: 5 };
    const a = prepareData(FAIRY, { kind: 'wordpiece', vocabSize: 1000 }, opts);
    const b = prepareData(FAIRY, { kind: 'wordpiece', vocabSize: 1000 }, opts);
    expect(b.tokenizer.vocab.tokens).toEqual(a.tokenizer.vocab.tokens);
    expect(b.train.ids).toEqual(a.train.ids);
    expect(b.heldOut.ids).toEqual(a.heldOut.ids);
    const c = prepareData(FAIRY, { kind: 'wordpiece', vocabSize: 1000 }, { T: 64, seed: 6 });
    expect(c.heldOut.ids).not.toEqual(a.heldOut.ids);
    expect(a.heldOut.tokens / (a.train.tokens + a.heldOut.tokens)).toBeGreaterThan(0.07);
    expect(a.train.count).toBeGreaterThan(a.heldOut.count * 5);
  });

  it('trains the tokenizer on the training blocks only', () => {
    const paragraphs = Array.from({ length: 40 }, (_, i) => `story marker${i} begins here and ends there.\n`.repeat(3));
    const text = paragraphs.join('\n');
    const { tokenizer, split } = prepareData(
      text,
      { kind: 'word', vocabSize: 1000 },
      { T: 16, seed: 1, blockChars: 100 },
    );
    const markers = (blocks: typeof split.train) => blocks.map((b) => /marker\d+/.exec(text.slice(b.start, b.end))![0]);
    expect(split.heldOut.length).toBeGreaterThan(0);
    for (const m of markers(split.heldOut)) expect(tokenizer.tokenToId(m)).toBeUndefined();
    for (const m of markers(split.train)) expect(tokenizer.tokenToId(m)).toBeDefined();
  });
});

describe('unigramCounts', () => {
  it('counts each ordinary token of the sequences, leaving out specials and padding', () => {
    const set = packSequences([enc([5, 6, 5, 4, 7], [0, 1, 2, -1, 3])], 5);
    expect(Array.from(unigramCounts(set, 8))).toEqual([0, 0, 0, 0, 0, 2, 1, 1]);
  });
});

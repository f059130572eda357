// Sequences of length T ([CLS] tokens [SEP] [PAD]...) packed from tokenized blocks, and batches in a data order that
// depends on the seed alone: epoch e visits the sequences in the permutation Rng.from(seed, 'data-order', e).

import { Rng, type SeedKey } from './rng';
import { SPECIAL_IDS, type Batch, type Encoding } from './types';

/** count sequences of length T, flattened row-major; wordIds renumbered from 0 in each sequence, -1 on specials. */
export interface SequenceSet {
  T: number;
  count: number;
  ids: Int32Array;
  wordIds: Int32Array;
  valid: Int32Array;
  /** Tokens other than [CLS], [SEP] and [PAD]. */
  tokens: number;
}

/**
 * Packs encodings (one per block, in order) into sequences holding up to T - 2 tokens between [CLS] and [SEP].
 * Words are never cut, unless a single word is longer than a whole sequence; a word that does not fit in what is
 * left of a sequence starts the next one.
 */
export function packSequences(encodings: readonly Encoding[], T: number): SequenceSet {
  if (!Number.isInteger(T) || T < 3) throw new Error(`sequence length must be at least 3 ([CLS] x [SEP]), got ${T}`);
  const room = T - 2;
  const rows: { ids: number[]; words: number[] }[] = [];
  let row = { ids: [] as number[], words: [] as number[] };
  let tokens = 0;
  const flush = (): void => {
    if (row.ids.length) rows.push(row);
    row = { ids: [], words: [] };
  };
  let wordBase = 0; // makes word ids unique across encodings, so two blocks' words never merge
  for (const enc of encodings) {
    let maxWord = -1;
    let i = 0;
    while (i < enc.ids.length) {
      // The word starting at i: tokens sharing its word id (a special token in the text is a unit of its own).
      let j = i + 1;
      if (enc.wordIds[i] >= 0) while (j < enc.ids.length && enc.wordIds[j] === enc.wordIds[i]) j++;
      if (j - i > room - row.ids.length && row.ids.length > 0) flush();
      for (let k = i; k < j; k++) {
        if (row.ids.length === room) flush();
        row.ids.push(enc.ids[k]);
        row.words.push(enc.wordIds[k] >= 0 ? wordBase + enc.wordIds[k] : -1);
        maxWord = Math.max(maxWord, enc.wordIds[k]);
      }
      tokens += j - i;
      i = j;
    }
    wordBase += maxWord + 1;
  }
  flush();

  const count = rows.length;
  const ids = new Int32Array(count * T).fill(SPECIAL_IDS.pad);
  const wordIds = new Int32Array(count * T).fill(-1);
  const valid = new Int32Array(count * T);
  rows.forEach((r, s) => {
    const o = s * T;
    ids[o] = SPECIAL_IDS.cls;
    let next = -1;
    let prev = Number.NaN;
    r.ids.forEach((id, k) => {
      ids[o + 1 + k] = id;
      const w = r.words[k];
      if (w >= 0) {
        if (w !== prev) next++;
        wordIds[o + 1 + k] = next;
      }
      prev = w;
    });
    ids[o + 1 + r.ids.length] = SPECIAL_IDS.sep;
    valid.fill(1, o, o + r.ids.length + 2);
  });
  return { T, count, ids, wordIds, valid, tokens };
}

function emptyBatch(B: number, T: number): Batch {
  return { B, T, ids: new Int32Array(B * T), wordIds: new Int32Array(B * T), valid: new Int32Array(B * T) };
}

/** Copies sequences into a batch; rows past the list are all [PAD] (valid 0). */
export function fillBatch(set: SequenceSet, rows: ArrayLike<number>, out: Batch): Batch {
  const { T } = set;
  if (out.T !== T) throw new Error(`batch has T=${out.T}, sequences have T=${T}`);
  for (let b = 0; b < out.B; b++) {
    const o = b * T;
    if (b < rows.length) {
      const s = rows[b] * T;
      out.ids.set(set.ids.subarray(s, s + T), o);
      out.wordIds.set(set.wordIds.subarray(s, s + T), o);
      out.valid.set(set.valid.subarray(s, s + T), o);
    } else {
      out.ids.fill(SPECIAL_IDS.pad, o, o + T);
      out.wordIds.fill(-1, o, o + T);
      out.valid.fill(0, o, o + T);
    }
  }
  return out;
}

/**
 * Training batches in a seeded order: each epoch is a fresh permutation of the sequences, cut into
 * floor(count / B) batches (the few sequences left over wait for a later epoch's permutation).
 * batchAt(step) is random access: a run resumed or compared at step s sees the same batch.
 */
export class BatchOrder {
  readonly batchesPerEpoch: number;
  private epoch = -1;
  private perm: Int32Array = new Int32Array(0);

  constructor(
    readonly set: SequenceSet,
    readonly B: number,
    readonly seed: SeedKey,
  ) {
    if (!Number.isInteger(B) || B < 1) throw new Error(`batch size must be a positive integer, got ${B}`);
    if (set.count < B) {
      throw new Error(
        `only ${set.count} training sequence${set.count === 1 ? '' : 's'} of length ${set.T}, fewer than the batch size ${B}: add text, or lower the batch size or sequence length`,
      );
    }
    this.batchesPerEpoch = Math.floor(set.count / B);
  }

  /** Which sequences make up batch `step` (0-based, over all epochs). */
  rowsAt(step: number): Int32Array {
    if (!Number.isInteger(step) || step < 0) throw new Error(`step must be a non-negative integer, got ${step}`);
    const epoch = Math.floor(step / this.batchesPerEpoch);
    if (epoch !== this.epoch) {
      this.perm = Rng.from(this.seed, 'data-order', epoch).permutation(this.set.count);
      this.epoch = epoch;
    }
    const k = step % this.batchesPerEpoch;
    return this.perm.subarray(k * this.B, (k + 1) * this.B);
  }

  /** Batch `step`, written into `out` when given (no allocation), else into a new Batch. */
  batchAt(step: number, out: Batch = emptyBatch(this.B, this.set.T)): Batch {
    if (out.B !== this.B) throw new Error(`batch has B=${out.B}, expected ${this.B}`);
    return fillBatch(this.set, this.rowsAt(step), out);
  }
}

/** The held-out sequences in fixed order as batches of B; the last one is padded with empty rows. */
export function heldOutBatches(set: SequenceSet, B: number): Batch[] {
  const out: Batch[] = [];
  for (let s = 0; s < set.count; s += B) {
    const rows = Int32Array.from({ length: Math.min(B, set.count - s) }, (_, k) => s + k);
    out.push(fillBatch(set, rows, emptyBatch(B, set.T)));
  }
  return out;
}

/** The real tokens of each packed sequence (no [CLS]/[SEP]/[PAD]) as encodings, e.g. to build a PMI lexicon. */
export function* sequenceEncodings(set: SequenceSet): Generator<Encoding> {
  for (let s = 0; s < set.count; s++) {
    const o = s * set.T;
    let len = 0;
    while (len < set.T && set.valid[o + len]) len++;
    yield { ids: set.ids.subarray(o + 1, o + len - 1), wordIds: set.wordIds.subarray(o + 1, o + len - 1) };
  }
}

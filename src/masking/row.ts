// One row of a batch as strategies see it: which positions may be masked, how pieces group into words, and the
// selection a strategy writes back (selected flags and unit ids). Also the masking budget K shared by strategies.

/** A word: the contiguous maskable positions [start, end) sharing one word id. */
export interface Word {
  start: number;
  end: number;
}

export interface RowView {
  T: number;
  ids: Int32Array;
  wordIds: Int32Array;
  valid: Int32Array;
  /** 1 where the position may be selected: a real, non-special token. */
  maskable: Uint8Array;
  /** Number of maskable positions. */
  n: number;
  /** Maskable positions in increasing order. */
  candidates: Int32Array;
  /** Words in order of position. */
  words: Word[];
  /** Index into `words` per position, -1 where not maskable. */
  wordOf: Int32Array;
}

/** What a strategy writes for one row: views into the batch's `selected` and `units` arrays. */
export interface RowSelection {
  selected: Uint8Array;
  units: Int32Array;
}

export function rowView(
  T: number,
  ids: Int32Array,
  wordIds: Int32Array,
  valid: Int32Array,
  special: Uint8Array,
): RowView {
  const maskable = new Uint8Array(T);
  const wordOf = new Int32Array(T).fill(-1);
  const words: Word[] = [];
  const cand: number[] = [];
  for (let t = 0; t < T; t++) {
    if (!valid[t] || special[ids[t]]) continue;
    maskable[t] = 1;
    cand.push(t);
    const w = wordIds[t];
    const prev = words.length ? words[words.length - 1] : null;
    // Continue the current word when this piece directly follows it with the same (non-negative) word id.
    if (prev && prev.end === t && w >= 0 && wordIds[t - 1] === w) {
      prev.end = t + 1;
    } else {
      words.push({ start: t, end: t + 1 });
    }
    wordOf[t] = words.length - 1;
  }
  return { T, ids, wordIds, valid, maskable, n: cand.length, candidates: Int32Array.from(cand), words, wordOf };
}

/**
 * K, the number of tokens to corrupt: 0 when r = 0 or nothing is maskable, otherwise at least 1 and at most n.
 * BERT rounds (max(1, round(r n))); SpanBERT takes the ceiling.
 */
export function budget(rate: number, n: number, rounding: 'round' | 'ceil' = 'round'): number {
  if (!(rate > 0) || n === 0) return 0;
  const k = rounding === 'ceil' ? Math.ceil(rate * n - 1e-9) : Math.round(rate * n);
  return Math.min(n, Math.max(1, k));
}

/** Whether word b starts right where word a ends (no special token or gap between them). */
export function adjacent(a: Word, b: Word): boolean {
  return a.end === b.start;
}

/**
 * Gives every maskable position a unit id numbered 0.. in order of first appearance: positions that share a
 * non-negative `raw` value form one unit; positions with raw = -1 become their own word's unit.
 */
export function finishUnits(row: RowView, units: Int32Array): void {
  const rename = new Map<number, number>();
  const wordUnit = new Map<number, number>();
  let next = 0;
  for (let t = 0; t < row.T; t++) {
    if (!row.maskable[t]) {
      units[t] = -1;
      continue;
    }
    const raw = units[t];
    if (raw >= 0) {
      let u = rename.get(raw);
      if (u === undefined) rename.set(raw, (u = next++));
      units[t] = u;
    } else {
      const w = row.wordOf[t];
      let u = wordUnit.get(w);
      if (u === undefined) wordUnit.set(w, (u = next++));
      units[t] = u;
    }
  }
}

/** Units that are maximal runs of selected positions (spans after merging); unselected positions get word units. */
export function runUnits(row: RowView, sel: RowSelection): void {
  let run = -1;
  let nextRun = 0;
  for (let t = 0; t < row.T; t++) {
    if (sel.selected[t]) {
      if (t === 0 || !sel.selected[t - 1]) run = nextRun++;
      sel.units[t] = run;
    } else {
      sel.units[t] = -1;
    }
  }
  finishUnits(row, sel.units);
}

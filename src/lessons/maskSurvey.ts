// Lesson 3's count: mask many training sequences with one scheme and count the words it touched, how many of
// those had several pieces, and how many of these it split (some pieces corrupted, some left as they were).
import { BatchOrder, fillBatch, type SequenceSet } from '../data/batching';
import { Rng } from '../data/rng';
import type { Batch } from '../data/types';
import { applyMasking } from '../masking';
import { rowView } from '../masking/row';
import { specialMask } from '../masking/sampling';
import type { MaskingConfig, PmiLexicon, VocabInfo } from '../masking/types';
import type { MaskSurveyRow } from './summaries';

export interface SurveyInput {
  set: SequenceSet;
  vocab: VocabInfo;
  masking: MaskingConfig;
  label: string;
  sequences: number;
  seed: number;
  lexicon?: PmiLexicon;
}

export function surveyMasks(input: SurveyInput): MaskSurveyRow {
  const { set, vocab, masking } = input;
  const T = set.T;
  const total = Math.min(input.sequences, set.count);
  const B = Math.max(1, Math.min(32, total));
  const order = new BatchOrder(set, B, input.seed);
  const ctx = { vocab, rng: Rng.from(input.seed, 'lesson-survey'), progress: 0, lexicon: input.lexicon };
  const special = specialMask(vocab);
  const row: MaskSurveyRow = {
    label: input.label,
    sequences: 0,
    wordsTouched: 0,
    multiTouched: 0,
    multiSplit: 0,
    rate: 0,
  };
  let maskable = 0;
  let corrupted = 0;
  const batches = new Map<number, Batch>();
  for (let step = 0; row.sequences < total; step++) {
    const rows = order.rowsAt(step).subarray(0, Math.min(B, total - row.sequences));
    let batch = batches.get(rows.length);
    if (!batch) {
      const n = rows.length * T;
      batch = { B: rows.length, T, ids: new Int32Array(n), wordIds: new Int32Array(n), valid: new Int32Array(n) };
      batches.set(rows.length, batch);
    }
    fillBatch(set, rows, batch);
    const mb = applyMasking(masking, batch, ctx);
    maskable += mb.maskableCount;
    corrupted += mb.selectedCount;
    for (let b = 0; b < batch.B; b++) {
      const lo = b * T;
      const view = rowView(
        T,
        batch.ids.subarray(lo, lo + T),
        batch.wordIds.subarray(lo, lo + T),
        batch.valid.subarray(lo, lo + T),
        special,
      );
      for (const w of view.words) {
        let hit = 0;
        for (let t = w.start; t < w.end; t++) hit += mb.selected[lo + t];
        if (hit === 0) continue;
        row.wordsTouched++;
        if (w.end - w.start < 2) continue;
        row.multiTouched++;
        if (hit < w.end - w.start) row.multiSplit++;
      }
    }
    row.sequences += rows.length;
  }
  row.rate = maskable > 0 ? corrupted / maskable : 0;
  return row;
}

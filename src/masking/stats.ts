// Statistics of sampled masks (the `npm run masks` report and the tests): achieved rate, replacement split, lengths
// of corrupted word runs, and words or units that were only partly corrupted.
import type { Batch } from '../data/types';
import { rowView } from './row';
import { specialMask } from './sampling';
import { Tag, type MaskedBatch, type VocabInfo } from './types';

export interface MaskStatsSummary {
  sequences: number;
  maskable: number;
  corrupted: number;
  /** corrupted / maskable. */
  rate: number;
  /** Fractions of corrupted tokens shown as [MASK], as another token, unchanged. */
  split: { mask: number; random: number; keep: number };
  /** Lengths in words of maximal runs of corrupted words (a word counts if any of its pieces is corrupted). */
  span_length_words_histogram: Record<string, number>;
  mean_span_length_words: number;
  /** Words with some but not all pieces corrupted. */
  words_split: number;
  words_corrupted: number;
  /** Strategy units (PMI units, n-grams, words...) with some but not all pieces corrupted. */
  units_split: number;
  units_corrupted: number;
  targets: number;
  truncated: number;
}

export class MaskStats {
  private sequences = 0;
  private maskable = 0;
  private corrupted = 0;
  private masked = 0;
  private replaced = 0;
  private kept = 0;
  private readonly runs = new Map<number, number>();
  private wordsSplit = 0;
  private wordsCorrupted = 0;
  private unitsSplit = 0;
  private unitsCorrupted = 0;
  private targets = 0;
  private truncated = 0;

  constructor(private readonly vocab: VocabInfo) {}

  add(mb: MaskedBatch, batch: Batch): void {
    const { B, T } = mb;
    const special = specialMask(this.vocab);
    this.targets += mb.gathered?.count ?? 0;
    this.truncated += mb.truncated;
    for (let b = 0; b < B; b++) {
      const lo = b * T;
      const row = rowView(
        T,
        batch.ids.subarray(lo, lo + T),
        batch.wordIds.subarray(lo, lo + T),
        batch.valid.subarray(lo, lo + T),
        special,
      );
      this.sequences++;
      this.maskable += row.n;
      for (let t = 0; t < T; t++) {
        if (!mb.selected[lo + t]) continue;
        this.corrupted++;
        const tag = mb.tags[lo + t];
        if (tag === Tag.MASKED) this.masked++;
        else if (tag === Tag.REPLACED) this.replaced++;
        else this.kept++;
      }
      let run = 0;
      row.words.forEach((w, i) => {
        let hit = 0;
        for (let t = w.start; t < w.end; t++) hit += mb.selected[lo + t];
        if (hit > 0) this.wordsCorrupted++;
        if (hit > 0 && hit < w.end - w.start) this.wordsSplit++;
        const continues = i > 0 && row.words[i - 1].end === w.start;
        if (hit > 0) {
          run = continues ? run + 1 : 1;
        } else {
          this.closeRun(run);
          run = 0;
        }
        if (hit > 0 && (i + 1 >= row.words.length || row.words[i + 1].start !== w.end)) {
          this.closeRun(run);
          run = 0;
        }
      });
      const unitSize = new Map<number, number>();
      const unitHit = new Map<number, number>();
      for (let t = 0; t < T; t++) {
        const u = mb.units[lo + t];
        if (u < 0) continue;
        unitSize.set(u, (unitSize.get(u) ?? 0) + 1);
        unitHit.set(u, (unitHit.get(u) ?? 0) + mb.selected[lo + t]);
      }
      for (const [u, size] of unitSize) {
        const hit = unitHit.get(u) ?? 0;
        if (hit > 0) this.unitsCorrupted++;
        if (hit > 0 && hit < size) this.unitsSplit++;
      }
    }
  }

  private closeRun(len: number): void {
    if (len > 0) this.runs.set(len, (this.runs.get(len) ?? 0) + 1);
  }

  summary(): MaskStatsSummary {
    const hist: Record<string, number> = {};
    let runs = 0;
    let words = 0;
    for (const len of [...this.runs.keys()].sort((a, b) => a - b)) {
      const c = this.runs.get(len) as number;
      hist[String(len)] = c;
      runs += c;
      words += c * len;
    }
    const c = this.corrupted || 1;
    return {
      sequences: this.sequences,
      maskable: this.maskable,
      corrupted: this.corrupted,
      rate: this.maskable ? this.corrupted / this.maskable : 0,
      split: { mask: this.masked / c, random: this.replaced / c, keep: this.kept / c },
      span_length_words_histogram: hist,
      mean_span_length_words: runs ? words / runs : 0,
      words_split: this.wordsSplit,
      words_corrupted: this.wordsCorrupted,
      units_split: this.unitsSplit,
      units_corrupted: this.unitsCorrupted,
      targets: this.targets,
      truncated: this.truncated,
    };
  }
}

// Training loss split by case over a sliding window of steps: by what happened to the target position (masked,
// replaced by a random token, kept unchanged) and by how frequent the target token is in the corpus.
import { Tag } from '../masking/types';

export interface CaseStat {
  /** Mean unweighted cross-entropy over the window's targets of this case, NaN when none. */
  loss: number;
  count: number;
}

export interface LossByCase {
  masked: CaseStat;
  replaced: CaseStat;
  kept: CaseStat;
  frequent: CaseStat;
  rare: CaseStat;
  /** Steps in the window. */
  steps: number;
}

const CASES = ['masked', 'replaced', 'kept', 'frequent', 'rare'] as const;
type Case = (typeof CASES)[number];

/** Ids that together cover `share` of the corpus tokens, most frequent first: the "frequent" tokens. */
export function frequentIds(unigramCounts: ArrayLike<number>, share = 0.5): Uint8Array {
  const ids = Array.from({ length: unigramCounts.length }, (_, i) => i).sort(
    (a, b) => unigramCounts[b] - unigramCounts[a],
  );
  const total = ids.reduce((s, i) => s + unigramCounts[i], 0);
  const out = new Uint8Array(unigramCounts.length);
  let acc = 0;
  for (const i of ids) {
    if (acc >= share * total) break;
    out[i] = 1;
    acc += unigramCounts[i];
  }
  return out;
}

interface StepCases {
  /** Per target slot: the case index bits (tag case, frequency case), or -1 for an empty slot. */
  tagCase: Int8Array;
  freqCase: Int8Array;
}

export class LossCaseTracker {
  private readonly pending = new Map<number, StepCases>();
  private readonly window: { step: number; sums: Float64Array; counts: Float64Array }[] = [];

  constructor(
    private readonly frequent: Uint8Array,
    private readonly windowSteps = 50,
  ) {}

  /**
   * Remembers the case of each target slot of a step: tags (B*T) of the masked batch, slot positions, and the
   * vocabulary id each slot is about (-1 = empty; for class heads the original token, not the class index:
   * runMasks.lossRowTokenIds).
   */
  record(step: number, tags: Uint8Array, positions: Int32Array, tokenIds: Int32Array): void {
    const n = positions.length;
    const tagCase = new Int8Array(n).fill(-1);
    const freqCase = new Int8Array(n).fill(-1);
    for (let i = 0; i < n; i++) {
      const p = positions[i];
      const t = tokenIds[i];
      if (p < 0 || t < 0) continue;
      const tag = tags[p];
      tagCase[i] = tag === Tag.MASKED ? 0 : tag === Tag.REPLACED ? 1 : tag === Tag.KEPT ? 2 : -1;
      freqCase[i] = t < this.frequent.length && this.frequent[t] ? 3 : 4;
    }
    this.pending.set(step, { tagCase, freqCase });
  }

  /** Adds a step's per-slot losses (read back from the GPU) to the window. */
  addLosses(step: number, losses: Float32Array): void {
    const c = this.pending.get(step);
    this.pending.delete(step);
    if (!c) return;
    const sums = new Float64Array(CASES.length);
    const counts = new Float64Array(CASES.length);
    for (let i = 0; i < c.tagCase.length; i++) {
      for (const k of [c.tagCase[i], c.freqCase[i]]) {
        if (k < 0) continue;
        sums[k] += losses[i];
        counts[k]++;
      }
    }
    this.window.push({ step, sums, counts });
    while (this.window.length > this.windowSteps) this.window.shift();
  }

  snapshot(): LossByCase {
    const sums = new Float64Array(CASES.length);
    const counts = new Float64Array(CASES.length);
    for (const w of this.window) {
      for (let k = 0; k < CASES.length; k++) {
        sums[k] += w.sums[k];
        counts[k] += w.counts[k];
      }
    }
    const stat = (k: number): CaseStat => ({
      loss: counts[k] > 0 ? sums[k] / counts[k] : Number.NaN,
      count: counts[k],
    });
    const out = { steps: this.window.length } as LossByCase;
    CASES.forEach((name: Case, k) => (out[name] = stat(k)));
    return out;
  }
}

// The frequency baseline: the "always guess by frequency" model scored on a run's fixed held-out targets, from the
// training split's token counts; and where a run's held-out accuracy leaves that plateau.
import { NUM_SPECIAL } from '../data/tokenizer';
import type { EngineBatch } from '../engine/trainer';

export interface FrequencyBaseline {
  /** Mean cross-entropy (nats) of the unigram model over the held-out targets. */
  loss: number;
  /** Share of held-out targets equal to the most frequent training token. */
  accuracy: number;
  /** The most frequent training token's id. */
  topId: number;
  targets: number;
}

/**
 * The unigram model of the training split: p(id) = (count(id) + 1) / (N + V'), over the V' = V - 5 ids that are
 * not special tokens (add-one smoothing, so a held-out token never seen in training costs a finite loss), and its
 * always-guess-the-top-token accuracy, on the held-out targets of `batches` (rows with position >= 0).
 */
export function frequencyBaseline(
  trainCounts: ArrayLike<number>,
  batches: readonly Pick<EngineBatch, 'positions' | 'targets'>[],
): FrequencyBaseline {
  const V = trainCounts.length;
  const words = V - NUM_SPECIAL;
  if (words < 1) throw new Error('the frequency baseline needs at least one non-special token');
  let N = 0;
  let topId = NUM_SPECIAL;
  for (let id = NUM_SPECIAL; id < V; id++) {
    N += trainCounts[id];
    if (trainCounts[id] > trainCounts[topId]) topId = id;
  }
  let loss = 0;
  let hits = 0;
  let targets = 0;
  for (const b of batches) {
    for (let i = 0; i < b.targets.length; i++) {
      const t = b.targets[i];
      if (t < 0 || b.positions[i] < 0) continue;
      const c = t >= NUM_SPECIAL && t < V ? trainCounts[t] : 0;
      loss -= Math.log((c + 1) / (N + words));
      if (t === topId) hits++;
      targets++;
    }
  }
  return { loss: targets > 0 ? loss / targets : 0, accuracy: targets > 0 ? hits / targets : 0, topId, targets };
}

/** A run has left the frequency plateau at the first evaluation whose held-out accuracy is this far above the baseline. */
export const PLATEAU_MARGIN = 0.02;

/** The step of the first evaluation at least PLATEAU_MARGIN above the baseline accuracy, or null. */
export function plateauExitStep(
  evals: readonly { step: number; accuracy: number }[],
  baselineAccuracy: number,
): number | null {
  const e = evals.find((x) => x.accuracy >= baselineAccuracy + PLATEAU_MARGIN);
  return e ? e.step : null;
}

/** The first evaluation step at least `points` (a share: 0.1 = 10 points) above the baseline accuracy, or null. */
export function stepAbove(
  evals: readonly { step: number; accuracy: number }[],
  baselineAccuracy: number,
  points: number,
): number | null {
  const e = evals.find((x) => x.accuracy >= baselineAccuracy + points);
  return e ? e.step : null;
}

/** Where a run stands against the frequency guess, in one sentence for the page. */
export function plateauStatus(evals: readonly { step: number; accuracy: number }[], baselineAccuracy: number): string {
  const last = evals[evals.length - 1];
  if (!last) return '';
  const exit = plateauExitStep(evals, baselineAccuracy);
  const points = (last.accuracy - baselineAccuracy) * 100;
  if (exit === null || last.accuracy < baselineAccuracy + PLATEAU_MARGIN) {
    return 'At the frequency guess: the model has learned which tokens are common, not yet how context decides.';
  }
  return `Uses context: +${points.toFixed(1)} points over the frequency guess (since step ${exit}).`;
}

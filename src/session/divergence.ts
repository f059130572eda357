// The divergence rule, stated once: training has diverged when the mean training loss of the last (up to) WINDOW
// steps, at least MIN_STEPS of them, rises above max(2 x the first step's loss, ln V + 3). The first step's loss is
// measured on the initial weights, so a blow-up from step 1 on is caught too. This catches a finite blow-up
// (lr 10, clip 1e6); a non-finite loss the engine catches itself. The run is then rolled back to a snapshot.
export const DIVERGENCE_WINDOW = 10;
/** Losses the window needs before the rule applies (one early spike is not a divergence). */
export const DIVERGENCE_MIN_STEPS = 3;

export interface Divergence {
  step: number;
  /** Mean training loss of the last DIVERGENCE_WINDOW steps. */
  smoothed: number;
  limit: number;
}

/** Watches a run's training losses (one per step, in order) and says when the rule fires. */
export class DivergenceWatch {
  private readonly recent: number[] = [];
  private first: number | undefined;

  constructor(private readonly V: number) {}

  /** The loss limit: max(2 x the first step's loss, ln V + 3); undefined before the first step. */
  get limit(): number | undefined {
    return this.first === undefined ? undefined : Math.max(2 * this.first, Math.log(this.V) + 3);
  }

  push(step: number, loss: number): Divergence | undefined {
    this.first ??= loss;
    this.recent.push(loss);
    if (this.recent.length > DIVERGENCE_WINDOW) this.recent.shift();
    const limit = this.limit!;
    if (this.recent.length < DIVERGENCE_MIN_STEPS) return undefined;
    const smoothed = this.recent.reduce((a, b) => a + b, 0) / this.recent.length;
    return smoothed > limit ? { step, smoothed, limit } : undefined;
  }

  /** Forgets the steps after a rollback (the window starts again; the first step's loss is kept). */
  reset(): void {
    this.recent.length = 0;
  }
}

/** The message after a divergence, saying what happened and what to change. */
export function divergenceMessage(d: Divergence, restoredStep: number, lr: number): string {
  return (
    `Training diverged: the mean training loss of the last steps (up to ${DIVERGENCE_WINDOW}) reached ${d.smoothed.toFixed(2)} at step ${d.step + 1}, ` +
    `above the limit ${d.limit.toFixed(2)} (twice the first step's loss, or ln V + 3). The weights were rolled back to step ${restoredStep + 1}. ` +
    `Resume at a lower learning rate (${suggestedRate(lr)} is filled in), or lower the gradient clip.`
  );
}

/** The learning rate Resume suggests after a divergence or a non-finite loss: a quarter of the current one, at most 1e-3. */
export function suggestedRate(lr: number): number {
  return +Math.min(lr / 4, 1e-3).toPrecision(3);
}

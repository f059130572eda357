// A lesson's step budget from the time the class has and the speed this device was measured at (a run's ms/step,
// scaled to the lesson's model by the step's matrix-product FLOPs), and the sentence that says so.
import { trainStepFlops } from '../engine/profile';
import { expectedVocab } from '../session/computeBudget';
import { modelShape, type ExperimentConfig } from '../session/config';
import { int } from './summaries';
import type { StepBudget } from './types';

/** A measured speed: a run's ms per step with that step's FLOPs, on an adapter. */
export interface SpeedSample {
  msPerStep: number;
  flopsPerStep: number;
  adapter: string;
}

/** The times a teacher can give a lesson's training (seconds). */
export const TIME_CHOICES: readonly { seconds: number; label: string }[] = [
  { seconds: 30, label: '30 seconds' },
  { seconds: 120, label: '2 minutes' },
  { seconds: 300, label: '5 minutes' },
  { seconds: 900, label: '15 minutes' },
];

/** Assumed before anything was measured here: about a software adapter's speed (0.4 s per tiny step of 0.83 GFLOP). */
export const ASSUMED_MS_PER_GFLOP = 480;

export { expectedVocab };

/** Matrix-product FLOPs of one training step of the config (targets at the strategy's rate, 15% by default). */
export function configStepFlops(e: ExperimentConfig, V = expectedVocab(e)): number {
  const m = modelShape(e, V);
  const rate = typeof e.masking.strategyParams?.rate === 'number' ? e.masking.strategyParams.rate : 0.15;
  const M = Math.max(1, Math.round(rate * e.train.B * m.T));
  return trainStepFlops(m, e.train.B, M).total;
}

export interface PlannedSteps {
  steps: number;
  /** ms per step the plan assumed for this config. */
  msPerStep: number;
  measured: boolean;
  /** One sentence for the page: where the speed came from and what the time buys. */
  note: string;
}

/** Steps for one run of `config` in `seconds` (shared by `runs` runs), within the lesson's bounds. */
export function planSteps(
  budget: StepBudget,
  config: ExperimentConfig,
  seconds: number,
  speed?: SpeedSample,
  runs = 1,
): PlannedSteps {
  const flops = configStepFlops(config);
  const measured = !!speed && speed.msPerStep > 0 && speed.flopsPerStep > 0;
  const msPerStep = measured ? speed.msPerStep * (flops / speed.flopsPerStep) : (ASSUMED_MS_PER_GFLOP * flops) / 1e9;
  if (budget.fixedSteps !== undefined) {
    const steps = budget.fixedSteps;
    return {
      steps,
      msPerStep,
      measured,
      note: `${int(steps)} steps, about ${fmtSeconds((steps * msPerStep) / 1000)} at ${measured ? 'the speed measured here' : 'an assumed speed'}.`,
    };
  }
  const raw = Math.floor((seconds * 1000) / Math.max(1e-6, runs * msPerStep));
  const steps = Math.min(budget.maxSteps, Math.max(budget.minSteps, raw));
  const speedText = measured
    ? `At ${msPerStep.toFixed(0)} ms per step (measured on ${speed.adapter} at ${speed.msPerStep.toFixed(0)} ms per step, scaled to this model by its FLOPs)`
    : `Not measured on this device yet, so at an assumed ${msPerStep.toFixed(0)} ms per step (a software adapter's speed; this run measures it)`;
  const share = runs > 1 ? ` shared by ${runs} runs` : '';
  const bound =
    steps === raw
      ? ''
      : steps === budget.maxSteps
        ? `, capped at the lesson's ${int(steps)}`
        : `, raised to the lesson's least, ${int(steps)}`;
  return {
    steps,
    msPerStep,
    measured,
    note: `${speedText}, ${fmtSeconds(seconds)}${share} buys ${int(raw)} steps per run${bound}; evaluations and probes add time.`,
  };
}

export function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return '–';
  if (s < 90) return `${Math.max(1, Math.round(s))} s`;
  const m = Math.round(s / 60);
  return `${m} minute${m === 1 ? '' : 's'}`;
}

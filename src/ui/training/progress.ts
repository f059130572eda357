// Time left and progress of a run, counting its evaluations (each held-out evaluation is timed by the worker).
import type { LiveRun } from '../../session/records';

/** Evaluations still to come after `step`: every evalEvery steps, and one at the end. */
export function evalsLeft(step: number, totalSteps: number, evalEvery: number): number {
  const every = Math.max(1, evalEvery);
  let n = Math.floor(totalSteps / every) - Math.floor(step / every);
  if (totalSteps % every !== 0 && step < totalSteps) n++;
  return Math.max(0, n);
}

function meanEvalMs(run: Pick<LiveRun, 'evalMs'>): number {
  const xs = run.evalMs ?? [];
  // The first evaluation also compiles its pipelines: later ones are the better guide once there are any.
  const use = xs.length > 1 ? xs.slice(1) : xs;
  return use.length ? use.reduce((a, b) => a + b, 0) / use.length : 0;
}

/** Milliseconds left: steps at the measured ms/step plus the evaluations still to come at their measured mean. */
export function timeLeftMs(run: Pick<LiveRun, 'step' | 'totalSteps' | 'msPerStep' | 'evalMs' | 'config'>): number {
  if (!(run.msPerStep > 0)) return NaN;
  return (
    (run.totalSteps - run.step) * run.msPerStep +
    evalsLeft(run.step, run.totalSteps, run.config.train.evalEvery) * meanEvalMs(run)
  );
}

/** Share of the run's time done (steps and evaluations), or of its steps before anything is measured. */
export function progressFraction(
  run: Pick<LiveRun, 'step' | 'totalSteps' | 'msPerStep' | 'evalMs' | 'config'>,
): number {
  const stepsFrac = run.step / Math.max(1, run.totalSteps);
  if (!(run.msPerStep > 0)) return stepsFrac;
  const total = timeLeftMs({ ...run, step: 0 });
  const left = timeLeftMs(run);
  return total > 0 ? Math.min(1, Math.max(0, 1 - left / total)) : stepsFrac;
}

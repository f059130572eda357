// Start, Pause, Resume and Reset, the progress bar with time left (steps and evaluations), and throughput.
import type { LiveRun } from '../../session/records';
import { suggestedRate } from '../../session/divergence';
import { fmtDuration, fmtRate } from './format';
import { progressFraction, timeLeftMs } from './progress';

export interface ControlsProps {
  run?: LiveRun;
  canStart: boolean;
  startHint?: string;
  onStart(): void;
  onPause(): void;
  onResume(): void;
  onReset(): void;
}

export function TrainingControls({ run, canStart, startHint, onStart, onPause, onResume, onReset }: ControlsProps) {
  const state = run?.state;
  const busy = state === 'preparing' || state === 'training';
  // Progress and time left count the held-out evaluations (timed by the worker), not only the steps.
  const frac = run ? progressFraction(run) : 0;
  const left = run ? timeLeftMs(run) / 1000 : NaN;
  return (
    <div className="controls" data-testid="training-controls">
      <div className="buttons">
        {!busy && state !== 'paused' && (
          <button type="button" onClick={onStart} disabled={!canStart} data-testid="start">
            {run ? 'Train again' : 'Start training'}
          </button>
        )}
        {state === 'training' && (
          <button type="button" onClick={onPause} data-testid="pause">
            Pause
          </button>
        )}
        {(state === 'paused' || (state === 'diverged' && !!run?.resumable)) && run && run.step < run.totalSteps && (
          <button type="button" onClick={onResume} data-testid="resume">
            {state === 'diverged' ? `Resume at learning rate ${suggestedRate(run.config.train.lr)}` : 'Resume'}
          </button>
        )}
        {run && (
          <button type="button" className="secondary" onClick={onReset} data-testid="reset">
            Reset
          </button>
        )}
        {!canStart && startHint && <span className="muted">{startHint}</span>}
      </div>
      {run && (
        <>
          <div
            className="progress"
            role="progressbar"
            aria-label="Training progress"
            aria-valuemin={0}
            aria-valuemax={run.totalSteps}
            aria-valuenow={run.step}
          >
            <div className="bar" style={{ width: `${(frac * 100).toFixed(1)}%` }} />
          </div>
          <p className="stats" data-testid="run-status" data-state={state}>
            <span>
              {state === 'preparing' ? (run.message ?? 'Preparing…') : `Step ${run.step} / ${run.totalSteps}`}
            </span>
            {state === 'training' && <span>about {fmtDuration(left)} left</span>}
            <span data-testid="tokens-per-s">{fmtRate(run.tokensPerS)} tokens/s</span>
            <span>{run.msPerStep > 0 ? `${run.msPerStep.toFixed(1)} ms/step` : '– ms/step'}</span>
            <span className={`state state-${state}`}>{state}</span>
          </p>
          {(state === 'failed' || state === 'diverged') && run.message && (
            <p className="error" role="alert" data-testid="run-error">
              {run.message}
              {state === 'diverged' &&
                ' A diverged run keeps no weights: Keep final weights stores only a finished run.'}
            </p>
          )}
        </>
      )}
    </div>
  );
}

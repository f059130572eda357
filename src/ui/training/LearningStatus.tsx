// Where the run stands against the frequency guess ("at the frequency guess" / "uses context: +X points"), and on a
// CPU adapter how long this experiment takes at the measured speed, with the toy-language preset offered instead.
import { plateauStatus } from '../../session/baseline';
import { classPreset } from '../../session/presets';
import type { LiveRun } from '../../session/records';
import { fmtDuration } from './format';
import { timeLeftMs } from './progress';

export function LearningStatus({ run, onToyPreset }: { run: LiveRun; onToyPreset(): void }) {
  const base = run.info?.baseline;
  const status = base && run.evals.length > 1 ? plateauStatus(run.evals, base.accuracy) : undefined;
  const toy = classPreset('toy-language');
  const onCpu = run.info?.cpuAdapter && run.msPerStep > 0 && run.state === 'training';
  const total = onCpu ? timeLeftMs({ ...run, step: 0 }) / 1000 : NaN;
  const isToy = run.config.corpus === toy.config().corpus;
  return (
    <>
      {status && (
        <p
          className={`learning-status ${status.startsWith('Uses') ? 'uses-context' : 'at-plateau'}`}
          data-testid="learning-status"
        >
          {status}
        </p>
      )}
      {onCpu && !isToy && (
        <p className="muted cpu-note" data-testid="cpu-note">
          This adapter ({run.info?.adapter}) runs on the CPU: at the measured {run.msPerStep.toFixed(0)} ms per step and
          the evaluations, all {run.totalSteps.toLocaleString('en-US')} steps take about {fmtDuration(total)}. A laptop
          GPU does them in seconds to minutes. Here a model that leaves the frequency plateau within minutes is the toy
          language:{' '}
          <button type="button" className="secondary small" onClick={onToyPreset} data-testid="cpu-note-toy">
            {toy.title}
          </button>
        </p>
      )}
    </>
  );
}

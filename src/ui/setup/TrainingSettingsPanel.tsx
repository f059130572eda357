// Training settings: learning rate and its schedule (warmup, decay, floor), batch, steps, weight decay, gradient
// clipping, evaluation interval and the seed, with the learning-rate curve and the schedule's own validation.
import { learningRate, validateSchedule, type LrSchedule } from '../../engine/schedule';
import { scheduleOf } from '../../session/config';
import { useExperimentStore } from '../../store/experiment';
import { SEED_RULE, trainRule } from '../../session/settingRules';
import { NumberField, Panel, SelectField } from './controls';

const DECAYS: readonly { value: LrSchedule['decay']; label: string }[] = [
  { value: 'linear', label: 'Linear decay' },
  { value: 'cosine', label: 'Cosine decay' },
  { value: 'constant', label: 'Constant' },
];

export function TrainingSettingsPanel() {
  const t = useExperimentStore((s) => s.config.train);
  const seed = useExperimentStore((s) => s.config.seed);
  const setTrain = useExperimentStore((s) => s.setTrain);
  const setSeed = useExperimentStore((s) => s.setSeed);
  const sched = scheduleOf(t);
  let schedError: string | null = null;
  try {
    validateSchedule({ ...sched, warmupSteps: t.warmup });
  } catch (e) {
    schedError = e instanceof Error ? e.message : String(e);
  }
  const field = (
    key: 'lr' | 'minLrRatio' | 'B' | 'steps' | 'warmup' | 'weightDecay' | 'maxGradNorm' | 'evalEvery',
    label: string,
    help: string,
    error?: string | null,
  ) => {
    return (
      <NumberField
        label={label}
        value={t[key]}
        rule={trainRule(key)}
        help={help}
        error={error}
        testId={`train-${key}`}
        onChange={(v) => v !== undefined && setTrain({ [key]: v })}
      />
    );
  };
  return (
    <Panel title="Training" testId="training-settings" summary={`${t.steps} steps × ${t.B}, lr ${t.lr}`}>
      <div className="field-grid">
        {field('lr', 'Learning rate', 'Peak AdamW learning rate, reached at the end of warmup.')}
        <SelectField
          label="Decay after warmup"
          value={t.decay}
          options={DECAYS}
          testId="train-decay"
          onChange={(decay) => setTrain({ decay })}
        />
        {field('minLrRatio', 'Floor (× peak)', 'The rate decays to this fraction of the peak.')}
        {field(
          'warmup',
          'Warmup steps',
          'Steps over which the rate climbs linearly from 0.',
          /warmup/.test(schedError ?? '') ? schedError : null,
        )}
        {field(
          'steps',
          'Steps',
          'Optimizer steps in the run.',
          /steps/.test(schedError ?? '') && !/warmup/.test(schedError ?? '') ? schedError : null,
        )}
        {field('B', 'Batch size', 'Sequences per step.')}
        {field('weightDecay', 'Weight decay', 'AdamW decay on weight matrices (not on biases or LayerNorms).')}
        {field('maxGradNorm', 'Gradient clip', 'Largest global gradient norm; larger gradients are scaled down.')}
        {field('evalEvery', 'Evaluate every', 'Steps between held-out evaluations.')}
        <NumberField
          label="Seed"
          value={seed}
          rule={SEED_RULE}
          testId="seed"
          help="One seed for the weights, the data split and order, and the masks: the same seed gives the same run."
          onChange={(v) => v !== undefined && setSeed(v)}
        />
      </div>
      {!schedError && <LrCurve schedule={sched} />}
    </Panel>
  );
}

function LrCurve({ schedule }: { schedule: LrSchedule }) {
  const w = 240;
  const h = 60;
  const n = 60;
  const steps = Array.from({ length: n + 1 }, (_, i) => Math.round((i / n) * (schedule.totalSteps - 1)));
  const lrs = steps.map((s) => learningRate(schedule, s));
  const pts = lrs
    .map((v, i) => `${((i / n) * w).toFixed(1)},${(h - (v / schedule.lr) * (h - 4)).toFixed(1)}`)
    .join(' ');
  return (
    <figure className="sparkline">
      <svg
        viewBox={`0 0 ${w} ${h}`}
        width={w}
        height={h}
        role="img"
        aria-label={`Learning rate: warmup ${schedule.warmupSteps} steps to ${schedule.lr}, then ${schedule.decay} to ${schedule.lr * schedule.minRatio}`}
      >
        <polyline points={pts} fill="none" stroke="var(--accent)" strokeWidth={2} />
      </svg>
      <figcaption className="field-help">
        Learning rate over {schedule.totalSteps} steps: peak {schedule.lr} after {schedule.warmupSteps} warmup steps,{' '}
        {schedule.decay} to {+(schedule.lr * schedule.minRatio).toPrecision(3)}.
      </figcaption>
    </figure>
  );
}

// Masking-rate schedules, a modifier on any strategy (constant, linear or cosine decay), and the rate presets.
import { num, resolveParams, str } from './params';
import { REFS } from './strategy';
import type { ParamSpec, ParamValues, PaperRef } from './types';

export const SCHEDULE_SPEC: {
  name: string; explanation: string; references: readonly PaperRef[]; params: readonly ParamSpec[];
} = {
  name: 'Masking-rate schedule',
  explanation:
    'The masking rate does not have to stay fixed. Starting high (many hidden tokens, a hard puzzle with lots of ' +
    'training signal) and lowering it over training helped in two studies. "Constant" keeps the strategy\'s rate; ' +
    'linear and cosine decay go from the start rate to the end rate as training progresses.',
  references: [REFS.ankner, REFS.yang, REFS.mosaic, REFS.wettig],
  params: [
    {
      key: 'kind', label: 'Schedule', kind: 'choice', default: 'constant',
      options: [
        { value: 'constant', label: 'constant (the strategy\'s rate)' },
        { value: 'linear', label: 'linear: start → end' },
        { value: 'cosine', label: 'cosine: end + (start - end)(1 + cos(πt))/2' },
      ],
      help: 'How the rate changes with training progress t (0 at the first step, 1 at the last).',
    },
    {
      key: 'start', label: 'Start rate', kind: 'number', default: 0.3, min: 0, max: 1, step: 0.01,
      help: 'Rate at the first step (linear and cosine).',
    },
    {
      key: 'end', label: 'End rate', kind: 'number', default: 0.15, min: 0, max: 1, step: 0.01,
      help: 'Rate at the last step (linear and cosine).',
    },
  ],
};

/** The rate at training progress t in [0, 1]; `constantRate` is the strategy's own rate. */
export function scheduledRate(schedule: ParamValues | undefined, constantRate: number, progress: number): number {
  const p = resolveParams('schedule', SCHEDULE_SPEC.params, schedule);
  const t = Math.min(1, Math.max(0, progress));
  const start = num(p, 'start');
  const end = num(p, 'end');
  switch (str(p, 'kind')) {
    case 'linear':
      return start + (end - start) * t;
    case 'cosine':
      return end + ((start - end) * (1 + Math.cos(Math.PI * t))) / 2;
    default:
      return constantRate;
  }
}

/** The largest rate the schedule ever reaches (sizes target buffers once per run). */
export function maxScheduledRate(schedule: ParamValues | undefined, constantRate: number): number {
  const p = resolveParams('schedule', SCHEDULE_SPEC.params, schedule);
  return str(p, 'kind') === 'constant' ? constantRate : Math.max(num(p, 'start'), num(p, 'end'));
}

/** Ready-made settings: strategy parameters (rate and split) and a schedule. */
export interface RatePreset {
  id: string;
  label: string;
  note: string;
  strategyParams: ParamValues;
  schedule: ParamValues;
}

export const RATE_PRESETS: readonly RatePreset[] = [
  {
    id: 'bert-15', label: '15%, 80/10/10 (BERT)', note: 'The original recipe.',
    strategyParams: { rate: 0.15, maskFrac: 0.8, randomFrac: 0.1 }, schedule: { kind: 'constant' },
  },
  {
    id: 'mosaic-30', label: '30%, 80/10/10 (MosaicBERT)', note: 'MosaicBERT masks twice as much.',
    strategyParams: { rate: 0.3, maskFrac: 0.8, randomFrac: 0.1 }, schedule: { kind: 'constant' },
  },
  {
    id: 'wettig-40', label: '40%, always [MASK] (Wettig et al.)',
    note: 'Wettig et al.: 40% with 100/0/0 matched or beat 15% at large scale; small models prefer lower rates.',
    strategyParams: { rate: 0.4, maskFrac: 1, randomFrac: 0 }, schedule: { kind: 'constant' },
  },
  {
    id: 'linear-30-15', label: 'Linear decay 30% → 15% (Ankner et al.)', note: 'High rate early, BERT rate late.',
    strategyParams: { maskFrac: 0.8, randomFrac: 0.1 }, schedule: { kind: 'linear', start: 0.3, end: 0.15 },
  },
  {
    id: 'linear-30-0', label: 'Linear decay 0.30 (1 - t)', note: 'Decays all the way to 0.',
    strategyParams: { maskFrac: 0.8, randomFrac: 0.1 }, schedule: { kind: 'linear', start: 0.3, end: 0 },
  },
  {
    id: 'cosine-32-2', label: 'Cosine 0.15 (1 + cos πt) + 0.02 (Yang et al.)', note: 'From 32% down to 2%.',
    strategyParams: { maskFrac: 0.8, randomFrac: 0.1 }, schedule: { kind: 'cosine', start: 0.32, end: 0.02 },
  },
];

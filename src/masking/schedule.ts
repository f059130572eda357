// Masking-rate schedules, a modifier on any strategy (constant, linear or cosine; linear may also increase, the
// control Ankner et al. ran), and the rate presets.
import { num, resolveParams, str } from './params';
import { REFS } from './papers';
import type { ParamSpec, ParamValues, PaperRef } from './types';

export const SCHEDULE_SPEC: {
  name: string;
  explanation: string;
  references: readonly PaperRef[];
  params: readonly ParamSpec[];
} = {
  name: 'Masking-rate schedule',
  explanation:
    'The masking rate does not have to stay fixed. Starting high (many hidden tokens, lots of training signal) ' +
    'and lowering it over training helped modestly in two studies: Ankner et al. (2024, BERT-base and -large) ' +
    'gained up to about half a GLUE point with a linear decay from 30% to 15%, and Yang et al. (2023) report ' +
    'gains from a decaying rate too. An increasing rate (15% to 30%) is the control Ankner et al. compared ' +
    'against. Differences that small are well below what a toy run\'s probe can resolve. "Constant" keeps the ' +
    "strategy's rate; linear and cosine go from the start rate to the end rate as training progresses.",
  references: [REFS.ankner, REFS.yang, REFS.mosaic, REFS.wettig],
  params: [
    {
      key: 'kind',
      label: 'Schedule',
      kind: 'choice',
      default: 'constant',
      options: [
        { value: 'constant', label: "constant (the strategy's rate)" },
        { value: 'linear', label: 'linear: start → end (down, or up as a control)' },
        { value: 'cosine', label: 'cosine: end + (start - end)(1 + cos(πt))/2' },
      ],
      help: 'How the rate changes with training progress t (0 at the first step, 1 at the last).',
    },
    {
      key: 'start',
      label: 'Start rate',
      kind: 'number',
      default: 0.3,
      min: 0,
      max: 1,
      step: 0.01,
      help: 'Rate at the first step (linear and cosine).',
    },
    {
      key: 'end',
      label: 'End rate',
      kind: 'number',
      default: 0.15,
      min: 0,
      max: 1,
      step: 0.01,
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
    id: 'bert-15',
    label: '15%, 80/10/10 (BERT)',
    note: 'The original recipe.',
    strategyParams: { rate: 0.15, maskFrac: 0.8, randomFrac: 0.1 },
    schedule: { kind: 'constant' },
  },
  {
    id: 'mosaic-30',
    label: '30%, 80/10/10 (MosaicBERT)',
    note: 'MosaicBERT (Portes et al. 2023) trains at 30%, following Wettig et al.',
    strategyParams: { rate: 0.3, maskFrac: 0.8, randomFrac: 0.1 },
    schedule: { kind: 'constant' },
  },
  {
    id: 'wettig-40',
    label: '40%, always [MASK] (Wettig et al.)',
    note: 'Wettig et al. (BERT-large): 40% with 100/0/0 matched or slightly beat 15%; their argument predicts that small models prefer lower rates.',
    strategyParams: { rate: 0.4, maskFrac: 1, randomFrac: 0 },
    schedule: { kind: 'constant' },
  },
  {
    id: 'linear-30-15',
    label: 'Linear decay 30% → 15% (Ankner et al.)',
    note: 'High rate early, BERT rate late: up to about +0.5 GLUE at BERT-base in Ankner et al.',
    strategyParams: { maskFrac: 0.8, randomFrac: 0.1 },
    schedule: { kind: 'linear', start: 0.3, end: 0.15 },
  },
  {
    id: 'linear-15-30',
    label: 'Linear increase 15% → 30% (control, Ankner et al.)',
    note: 'The opposite of the decay: the control schedule Ankner et al. compared decaying rates against.',
    strategyParams: { maskFrac: 0.8, randomFrac: 0.1 },
    schedule: { kind: 'linear', start: 0.15, end: 0.3 },
  },
  {
    id: 'linear-30-0',
    label: 'Linear decay 0.30 (1 - t)',
    note: 'Decays all the way to 0.',
    strategyParams: { maskFrac: 0.8, randomFrac: 0.1 },
    schedule: { kind: 'linear', start: 0.3, end: 0 },
  },
  {
    id: 'cosine-32-2',
    label: 'Cosine 0.15 (1 + cos πt) + 0.02 (Yang et al.)',
    note: 'From 32% down to 2%.',
    strategyParams: { maskFrac: 0.8, randomFrac: 0.1 },
    schedule: { kind: 'cosine', start: 0.32, end: 0.02 },
  },
];

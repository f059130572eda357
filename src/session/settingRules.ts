// What each numeric setting accepts, declared once: the page's field shows "Allowed: ..." from the same rule that
// the validation (validate.ts) and the share-link reader (experimentUrl.ts) check, so a value is refused with one
// rule and one wording wherever it is typed or read.
import type { ParamSpec } from '../masking/types';
import type { TrainSettings } from './config';

export interface NumberRule {
  min: number;
  /** Infinity: no upper bound. */
  max: number;
  integer: boolean;
  /** The lower bound itself is excluded (a learning rate above 0). */
  openMin?: boolean;
  /** Why the bounds are what they are, said with the refusal ("5 special tokens plus at least one word"). */
  why?: string;
}

/** "a whole number from 1 to 4096", "a number above 0 up to 10", "a number above 0". */
export function ruleText(r: NumberRule): string {
  const kind = r.integer ? 'a whole number' : 'a number';
  const low = `${r.openMin ? 'above' : 'from'} ${r.min}`;
  return r.max === Infinity ? `${kind} ${low}` : `${kind} ${low} ${r.openMin ? 'up to' : 'to'} ${r.max}`;
}

/** Why `v` breaks the rule ("is above 10", "must be above 0", ...), or undefined when it keeps it. */
export function ruleProblem(r: NumberRule, v: number): string | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v)) return 'is not a number';
  if (r.integer && !Number.isInteger(v)) return 'is not a whole number';
  if (r.openMin ? v <= r.min : v < r.min) return r.openMin ? `must be above ${r.min}` : `is below ${r.min}`;
  if (v > r.max) return `is above ${r.max}`;
  return undefined;
}

/** A number read from text (a share link), or null when it is not one or breaks the rule. */
export function parseByRule(r: NumberRule, raw: string): number | null {
  if (raw.trim() === '') return null;
  const v = Number(raw);
  return ruleProblem(r, v) === undefined ? v : null;
}

/** The rule of a numeric masking parameter: its spec's bounds. */
export function paramRule(spec: Extract<ParamSpec, { kind: 'number' | 'integer' }>): NumberRule {
  return { min: spec.min, max: spec.max, integer: spec.kind === 'integer' };
}

export interface TrainField {
  key: keyof TrainSettings;
  /** The share-link name, also the setting a problem names. */
  url: string;
  label: string;
  rule: NumberRule;
}

/** The numeric training settings, their share-link names and rules. */
export const TRAIN_FIELDS: readonly TrainField[] = [
  { key: 'lr', url: 'lr', label: 'learning rate', rule: { min: 0, max: 10, integer: false, openMin: true } },
  { key: 'minLrRatio', url: 'minlr', label: 'learning-rate floor', rule: { min: 0, max: 1, integer: false } },
  { key: 'B', url: 'batch', label: 'batch size', rule: { min: 1, max: 4096, integer: true } },
  { key: 'steps', url: 'steps', label: 'steps', rule: { min: 1, max: 10_000_000, integer: true } },
  { key: 'warmup', url: 'warmup', label: 'warmup steps', rule: { min: 0, max: 10_000_000, integer: true } },
  { key: 'weightDecay', url: 'wd', label: 'weight decay', rule: { min: 0, max: 10, integer: false } },
  { key: 'maxGradNorm', url: 'clip', label: 'gradient clip', rule: { min: 0, max: 1_000_000, integer: false } },
  { key: 'evalEvery', url: 'eval', label: 'evaluation interval', rule: { min: 1, max: 10_000_000, integer: true } },
];

export function trainRule(key: keyof TrainSettings): NumberRule {
  const f = TRAIN_FIELDS.find((x) => x.key === key);
  if (!f) throw new Error(`no rule for the training setting ${key}`);
  return f.rule;
}

export const MAX_SEED = 2 ** 32 - 1;
/** The run's seed and the static masks' seed. */
export const SEED_RULE: NumberRule = { min: 0, max: MAX_SEED, integer: true };

export const VOCAB_RULE: NumberRule = {
  min: 6,
  max: 1_000_000,
  integer: true,
  why: '5 special tokens plus at least one word',
};
/** The share link's minimum count of a vocabulary entry (tok.min). */
export const TOKEN_MIN_COUNT_RULE: NumberRule = { min: 0, max: 1_000_000, integer: true };

export const MODEL_KEYS = ['L', 'C', 'NH', 'F', 'T'] as const;
export type ModelKey = (typeof MODEL_KEYS)[number];

/** Bounds of the custom model fields (the combination is checked too: C divisible by NH, memory). */
export const MODEL_RULES: Readonly<Record<ModelKey, NumberRule>> = {
  L: { min: 1, max: 48, integer: true },
  C: { min: 1, max: 4096, integer: true },
  NH: { min: 1, max: 64, integer: true },
  F: { min: 1, max: 16384, integer: true },
  T: { min: 3, max: 2048, integer: true },
};

/** A comparison's own settings (the page's setup; the probe budget is the comparison's, not the experiment's). */
export const COMPARISON_RULES = {
  seedCount: { min: 1, max: 5, integer: true },
  mlmSteps: { min: 1, max: 2000, integer: true },
  downstreamSequences: { min: 4, max: 4000, integer: true },
  /** Tokens or FLOPs per run. */
  budgetAmount: { min: 0, max: Infinity, integer: false, openMin: true },
} as const satisfies Record<string, NumberRule>;

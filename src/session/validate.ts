// One validation of a whole experiment, shared by the page (Start stays disabled while a problem stands), the URL
// reader, the worker and the CLI: each problem names its setting, the value, why it cannot run and what is allowed.
import type { ModelConfig } from '../engine/config';
import { getObjective, getStrategy, OBJECTIVE_IDS, SCHEDULE_SPEC, STRATEGY_IDS } from '../masking';
import type { ParamSpec, ParamValue } from '../masking/types';
import { modelShape, type ExperimentConfig, type TrainSettings } from './config';
import { estimateMemory, formatBytes, MEMORY_BUDGET_BYTES } from './memory';

/** The device limits that decide what fits (GPUSupportedLimits or the adapter summary's record). */
export interface DeviceLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

export interface ValidateOptions {
  /** The vocabulary size when known (the tokenizer's setting otherwise). */
  V?: number;
  /** The device's limits, when a device is known: the largest buffer must fit them. */
  limits?: DeviceLimits;
  /** Held-out sequences, when known (sizes the evaluation batch). */
  heldOut?: number;
  /** GPU memory one experiment may use (default MEMORY_BUDGET_BYTES). */
  budgetBytes?: number;
}

export interface Problem {
  /** The setting, by its share-link name: lr, batch, m.C, tok, sp.rate, ... */
  setting: string;
  /** The value as the user gave it. */
  value: string;
  /** Why it cannot run, in plain words. */
  reason: string;
  /** What would be accepted. */
  allowed: string;
}

const MODEL_KEYS = ['L', 'C', 'NH', 'F', 'T'] as const;
type ModelKey = (typeof MODEL_KEYS)[number];

/** Bounds of the custom model fields (the combination is checked too: C divisible by NH, memory). */
export const MODEL_FIELD_RANGE: Readonly<Record<ModelKey, [number, number]>> = {
  L: [1, 48],
  C: [1, 4096],
  NH: [1, 64],
  F: [1, 16384],
  T: [3, 2048],
};

export interface NumField {
  key: keyof TrainSettings;
  url: string;
  label: string;
  min: number;
  max: number;
  integer: boolean;
  /** Lower bound excluded (learning rate > 0). */
  openMin?: boolean;
}

/** The numeric training settings, their share-link names and ranges. */
export const TRAIN_FIELDS: readonly NumField[] = [
  { key: 'lr', url: 'lr', label: 'learning rate', min: 0, max: 10, integer: false, openMin: true },
  { key: 'minLrRatio', url: 'minlr', label: 'learning-rate floor', min: 0, max: 1, integer: false },
  { key: 'B', url: 'batch', label: 'batch size', min: 1, max: 4096, integer: true },
  { key: 'steps', url: 'steps', label: 'steps', min: 1, max: 10_000_000, integer: true },
  { key: 'warmup', url: 'warmup', label: 'warmup steps', min: 0, max: 10_000_000, integer: true },
  { key: 'weightDecay', url: 'wd', label: 'weight decay', min: 0, max: 10, integer: false },
  { key: 'maxGradNorm', url: 'clip', label: 'gradient clip', min: 0, max: 1_000_000, integer: false },
  { key: 'evalEvery', url: 'eval', label: 'evaluation interval', min: 1, max: 10_000_000, integer: true },
];

export const MAX_SEED = 2 ** 32 - 1;
export const VOCAB_RANGE: readonly [number, number] = [6, 1_000_000];

/** "a whole number from 1 to 4096", "a number above 0 up to 10". */
export function rangeText(min: number, max: number, integer: boolean, openMin = false): string {
  return `${integer ? 'a whole number' : 'a number'} ${openMin ? 'above' : 'from'} ${min} ${openMin ? 'up to' : 'to'} ${max}`;
}

/** Why a number is out of its range, or undefined when it is in it. */
export function numberProblem(
  v: number,
  min: number,
  max: number,
  integer: boolean,
  openMin = false,
): string | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v)) return 'is not a number';
  if (integer && !Number.isInteger(v)) return 'is not a whole number';
  if (openMin ? v <= min : v < min) return openMin ? `must be above ${min}` : `is below ${min}`;
  if (v > max) return `is above ${max}`;
  return undefined;
}

function paramProblem(spec: ParamSpec, v: ParamValue): string | undefined {
  switch (spec.kind) {
    case 'number':
    case 'integer':
      return typeof v === 'number' ? numberProblem(v, spec.min, spec.max, spec.kind === 'integer') : 'is not a number';
    case 'choice':
      return spec.options.some((o) => o.value === v) ? undefined : 'is not one of the choices';
    case 'boolean':
      return typeof v === 'boolean' ? undefined : 'is not true or false';
  }
}

function allowedOf(spec: ParamSpec): string {
  switch (spec.kind) {
    case 'number':
    case 'integer':
      return rangeText(spec.min, spec.max, spec.kind === 'integer');
    case 'choice':
      return spec.options.map((o) => o.value).join(', ');
    case 'boolean':
      return 'true or false';
  }
}

/** The model shape checks (integers in range, C divisible by NH), each with the setting it names. */
export function modelProblems(e: ExperimentConfig, V: number): Problem[] {
  const out: Problem[] = [];
  const shape: ModelConfig = modelShape(e, V);
  for (const k of MODEL_KEYS) {
    const [min, max] = MODEL_FIELD_RANGE[k];
    const why = numberProblem(shape[k], min, max, true);
    if (why)
      out.push({
        setting: `m.${k}`,
        value: String(shape[k]),
        reason: `model ${k}=${shape[k]} ${why}`,
        allowed: rangeText(min, max, true),
      });
  }
  if (out.length === 0 && shape.C % shape.NH !== 0) {
    const fits = [1, 2, 4, 8, 16, 32, 64].filter((h) => shape.C % h === 0 && h <= MODEL_FIELD_RANGE.NH[1]);
    out.push({
      setting: 'm.NH',
      value: String(shape.NH),
      reason: `width C=${shape.C} is not divisible by heads NH=${shape.NH}`,
      allowed: `a number of heads that divides C=${shape.C} (such as ${fits.join(', ')})`,
    });
  }
  return out;
}

/**
 * Every problem of an experiment that can be known before any data is read or memory allocated. `V` is the
 * vocabulary size when known (the tokenizer's setting otherwise).
 */
export function validateExperiment(e: ExperimentConfig, opts: ValidateOptions = {}): Problem[] {
  const out: Problem[] = [];
  for (const f of TRAIN_FIELDS) {
    const v = e.train[f.key] as number;
    const why = numberProblem(v, f.min, f.max, f.integer, f.openMin);
    if (why)
      out.push({
        setting: f.url,
        value: String(v),
        reason: `the ${f.label} ${why}`,
        allowed: rangeText(f.min, f.max, f.integer, f.openMin),
      });
  }
  const seedWhy = numberProblem(e.seed, 0, MAX_SEED, true);
  if (seedWhy)
    out.push({
      setting: 'seed',
      value: String(e.seed),
      reason: `the seed ${seedWhy}`,
      allowed: rangeText(0, MAX_SEED, true),
    });

  const vs = e.tokenizer.vocabSize;
  if (vs !== undefined) {
    const why = numberProblem(vs, VOCAB_RANGE[0], VOCAB_RANGE[1], true);
    if (why) {
      out.push({
        setting: 'tok',
        value: String(vs),
        reason: `the vocabulary size ${why} (5 special tokens plus at least one word)`,
        allowed: rangeText(VOCAB_RANGE[0], VOCAB_RANGE[1], true),
      });
    }
  }
  const V = opts.V ?? (vs !== undefined && vs >= VOCAB_RANGE[0] ? vs : 100);
  const shape = modelProblems(e, V);
  out.push(...shape);

  const m = e.masking;
  if (!STRATEGY_IDS.includes(m.strategy)) {
    out.push({
      setting: 'strategy',
      value: String(m.strategy),
      reason: 'no such masking strategy',
      allowed: STRATEGY_IDS.join(', '),
    });
  }
  if (!OBJECTIVE_IDS.includes(m.objective)) {
    out.push({
      setting: 'objective',
      value: String(m.objective),
      reason: 'no such objective',
      allowed: OBJECTIVE_IDS.join(', '),
    });
  }
  if (STRATEGY_IDS.includes(m.strategy) && OBJECTIVE_IDS.includes(m.objective)) {
    const obj = getObjective(m.objective);
    const strat = getStrategy(m.strategy);
    if (obj.strategies && !obj.strategies.includes(m.strategy)) {
      out.push({
        setting: 'strategy',
        value: m.strategy,
        reason: `objective "${obj.id}" works only with ${obj.strategies.join(', ')}`,
        allowed: obj.strategies.join(', '),
      });
    }
    const groups: [string, string, readonly ParamSpec[], Readonly<Record<string, ParamValue>> | undefined][] = [
      ['sp', `strategy "${strat.id}"`, strat.params, m.strategyParams],
      ['op', `objective "${obj.id}"`, obj.params, m.objectiveParams],
      ['rs', 'the rate schedule', SCHEDULE_SPEC.params, m.schedule],
    ];
    for (const [prefix, owner, specs, values] of groups) {
      for (const [key, v] of Object.entries(values ?? {})) {
        const spec = specs.find((s) => s.key === key);
        if (!spec) {
          out.push({
            setting: `${prefix}.${key}`,
            value: String(v),
            reason: `${owner} has no parameter "${key}"`,
            allowed: specs.map((s) => s.key).join(', ') || 'none',
          });
          continue;
        }
        const why = paramProblem(spec, v);
        if (why)
          out.push({
            setting: `${prefix}.${key}`,
            value: String(v),
            reason: `${spec.label} ${why}`,
            allowed: allowedOf(spec),
          });
      }
    }
    const sp = m.strategyParams;
    if (
      sp &&
      typeof sp.maskFrac === 'number' &&
      typeof sp.randomFrac === 'number' &&
      sp.maskFrac + sp.randomFrac > 1 + 1e-9
    ) {
      out.push({
        setting: 'sp.randomFrac',
        value: String(sp.randomFrac),
        reason: `the [MASK] share ${sp.maskFrac} and the random-token share ${sp.randomFrac} add up to more than 1`,
        allowed: `at most ${+(1 - sp.maskFrac).toFixed(6)} with a [MASK] share of ${sp.maskFrac}`,
      });
    }
  }
  if (shape.length === 0 && out.length === 0) out.push(...memoryProblems(e, V, opts));
  return out;
}

/** The memory checks: the largest buffer against the device's limits, the whole run against the budget. */
export function memoryProblems(e: ExperimentConfig, V: number, opts: ValidateOptions = {}): Problem[] {
  const out: Problem[] = [];
  const est = estimateMemory(e, V, { heldOut: opts.heldOut });
  if (opts.limits) {
    const max = Math.min(Number(opts.limits.maxStorageBufferBindingSize), Number(opts.limits.maxBufferSize));
    if (est.largest.bytes > max) {
      const { setting, what, bytes } = est.largest;
      out.push({
        setting,
        value: settingValue(e, setting),
        reason: `${what} needs ${formatBytes(bytes)} in one buffer; this GPU allows ${formatBytes(max)} per buffer`,
        allowed: `a smaller ${setting} (one buffer of at most ${formatBytes(max)})`,
      });
    }
  }
  const budget = opts.budgetBytes ?? MEMORY_BUDGET_BYTES;
  if (est.totalBytes > budget) {
    out.push({
      setting: 'memory',
      value: formatBytes(est.totalBytes),
      reason: `the run needs about ${formatBytes(est.totalBytes)} of GPU memory (${est.params.toLocaleString('en-US')} parameters with gradients, AdamW moments and snapshots, and the activations); MaskLab allows ${formatBytes(budget)}`,
      allowed: `at most ${formatBytes(budget)}: a smaller model (L, C, F), batch size or sequence length T`,
    });
  }
  return out;
}

function settingValue(e: ExperimentConfig, setting: string): string {
  const shape = modelShape(e, 0);
  if (setting.startsWith('m.')) return String(shape[setting.slice(2) as ModelKey]);
  if (setting === 'batch') return String(e.train.B);
  return '';
}

/** One problem as a sentence: "lr = 1000: the learning rate is above 10 (allowed: a number above 0 up to 10)". */
export function problemText(p: Problem): string {
  return `${p.setting} = ${p.value}: ${p.reason} (allowed: ${p.allowed})`;
}

/** Thrown by the worker and the CLI for an experiment that cannot run; the message lists every problem. */
export class ExperimentError extends Error {
  constructor(readonly problems: readonly Problem[]) {
    super(`This experiment cannot run: ${problems.map(problemText).join('; ')}.`);
    this.name = 'ExperimentError';
  }
}

/** Throws ExperimentError when the experiment has any problem. */
export function assertRunnable(e: ExperimentConfig, opts: ValidateOptions = {}): void {
  const problems = validateExperiment(e, opts);
  if (problems.length > 0) throw new ExperimentError(problems);
}

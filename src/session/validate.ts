// One validation of a whole experiment, shared by the page (Start stays disabled while a problem stands), the URL
// reader, the worker and the CLI: each problem names its setting, the value, why it cannot run and what is allowed.
import type { ModelConfig } from '../engine/config';
import { getObjective, getStrategy, OBJECTIVE_IDS, SCHEDULE_SPEC, STRATEGY_IDS } from '../masking';
import type { ParamSpec, ParamValue } from '../masking/types';
import { modelShape, type ExperimentConfig } from './config';
import { estimateMemory, formatBytes, MEMORY_BUDGET_BYTES } from './memory';
import {
  MAX_SEED,
  MODEL_KEYS,
  MODEL_RULES,
  paramRule,
  ruleProblem,
  ruleText,
  SEED_RULE,
  TRAIN_FIELDS,
  VOCAB_RULE,
  type ModelKey,
  type NumberRule,
} from './settingRules';

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

export { MAX_SEED, MODEL_RULES, TRAIN_FIELDS, VOCAB_RULE };

/** A problem for `setting` when `v` breaks `rule`: "the <label> <why>", and what the rule allows. */
function ruleCheck(setting: string, label: string, rule: NumberRule, v: number): Problem | undefined {
  const why = ruleProblem(rule, v);
  if (!why) return undefined;
  return {
    setting,
    value: String(v),
    reason: `${label} ${why}${rule.why ? ` (${rule.why})` : ''}`,
    allowed: ruleText(rule),
  };
}

function paramProblem(spec: ParamSpec, v: ParamValue): string | undefined {
  switch (spec.kind) {
    case 'number':
    case 'integer':
      return typeof v === 'number' ? ruleProblem(paramRule(spec), v) : 'is not a number';
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
      return ruleText(paramRule(spec));
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
    const p = ruleCheck(`m.${k}`, `model ${k}=${shape[k]}`, MODEL_RULES[k], shape[k]);
    if (p) out.push(p);
  }
  if (out.length === 0 && shape.C % shape.NH !== 0) {
    const fits = [1, 2, 4, 8, 16, 32, 64].filter((h) => shape.C % h === 0 && h <= MODEL_RULES.NH.max);
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
    const p = ruleCheck(f.url, `the ${f.label}`, f.rule, e.train[f.key] as number);
    if (p) out.push(p);
  }
  const seed = ruleCheck('seed', 'the seed', SEED_RULE, e.seed);
  if (seed) out.push(seed);
  if (e.masking.staticSeed !== undefined) {
    const p = ruleCheck('static.seed', 'the static mask seed', SEED_RULE, e.masking.staticSeed);
    if (p) out.push(p);
  }
  const vs = e.tokenizer.vocabSize;
  if (vs !== undefined) {
    const p = ruleCheck('tok', 'the vocabulary size', VOCAB_RULE, vs);
    if (p) out.push(p);
  }
  const V = opts.V ?? (vs !== undefined && vs >= VOCAB_RULE.min ? vs : 100);
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

// Parameter handling shared by strategies, objectives and schedules: defaults, validation with clear messages,
// typed getters, and the controls most strategies share (rate, replacement split).
import type { ParamSpec, ParamValue, ParamValues, Split } from './types';

/** Fills defaults and checks every value against its spec; throws naming the owner, key and allowed range. */
export function resolveParams(owner: string, specs: readonly ParamSpec[], values: ParamValues = {}): ParamValues {
  const known = new Set(specs.map((s) => s.key));
  for (const key of Object.keys(values)) {
    if (!known.has(key))
      throw new Error(`${owner}: unknown parameter "${key}" (known: ${[...known].join(', ') || 'none'})`);
  }
  const out: Record<string, ParamValue> = {};
  for (const spec of specs) {
    const v = values[spec.key] ?? spec.default;
    out[spec.key] = checkValue(owner, spec, v);
  }
  return out;
}

function checkValue(owner: string, spec: ParamSpec, v: ParamValue): ParamValue {
  const where = `${owner}: parameter "${spec.key}" (${spec.label})`;
  switch (spec.kind) {
    case 'number':
    case 'integer': {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${where} must be a number, got ${String(v)}`);
      if (spec.kind === 'integer' && !Number.isInteger(v)) throw new Error(`${where} must be an integer, got ${v}`);
      if (v < spec.min || v > spec.max) throw new Error(`${where} must be in [${spec.min}, ${spec.max}], got ${v}`);
      return v;
    }
    case 'choice': {
      if (typeof v !== 'string' || !spec.options.some((o) => o.value === v)) {
        throw new Error(`${where} must be one of ${spec.options.map((o) => o.value).join(' | ')}, got ${String(v)}`);
      }
      return v;
    }
    case 'boolean': {
      if (typeof v !== 'boolean') throw new Error(`${where} must be true or false, got ${String(v)}`);
      return v;
    }
  }
}

export function num(p: ParamValues, key: string): number {
  const v = p[key];
  if (typeof v !== 'number') throw new Error(`parameter "${key}" is not a number`);
  return v;
}

export function str(p: ParamValues, key: string): string {
  const v = p[key];
  if (typeof v !== 'string') throw new Error(`parameter "${key}" is not a string`);
  return v;
}

export function bool(p: ParamValues, key: string): boolean {
  const v = p[key];
  if (typeof v !== 'boolean') throw new Error(`parameter "${key}" is not a boolean`);
  return v;
}

export function rateParam(def = 0.15): ParamSpec {
  return {
    key: 'rate',
    label: 'Masking rate',
    kind: 'number',
    default: def,
    min: 0,
    max: 1,
    step: 0.01,
    help: 'Fraction of the maskable tokens (special tokens and padding excluded) that are corrupted.',
  };
}

/** The m/r/k split as two controls: keep = 1 - mask - random. */
export function splitParams(mask = 0.8, random = 0.1): ParamSpec[] {
  return [
    {
      key: 'maskFrac',
      label: 'Share set to [MASK]',
      kind: 'number',
      default: mask,
      min: 0,
      max: 1,
      step: 0.05,
      help: 'Of the selected tokens, the share replaced by the [MASK] token.',
    },
    {
      key: 'randomFrac',
      label: 'Share replaced by a random token',
      kind: 'number',
      default: random,
      min: 0,
      max: 1,
      step: 0.05,
      help: 'Of the selected tokens, the share replaced by a random token; the rest stay unchanged (but are still predicted).',
    },
  ];
}

export function splitOf(owner: string, p: ParamValues): Split {
  const mask = num(p, 'maskFrac');
  const random = num(p, 'randomFrac');
  if (mask + random > 1 + 1e-9) {
    throw new Error(`${owner}: [MASK] share ${mask} + random share ${random} exceed 1`);
  }
  return { mask, random, keep: Math.max(0, 1 - mask - random) };
}

export function replacementParam(def: 'uniform' | 'unigram'): ParamSpec {
  return {
    key: 'replacement',
    label: 'Random tokens drawn',
    kind: 'choice',
    default: def,
    options: [
      { value: 'uniform', label: 'uniformly over the vocabulary' },
      { value: 'unigram', label: 'by corpus frequency' },
    ],
    help: 'Where random replacement tokens come from: every non-special token equally likely, or as often as in the corpus.',
  };
}

// The whole experiment as a compact, readable query string (the URL hash and localStorage use it), and its
// decoder: every field is validated on its own; a bad or unknown one keeps its default and is listed as ignored.
import { CORPORA } from '../data/corpora';
import { isToyCorpus, parseToyCorpus } from '../data/toyLanguage';
import { DEFAULT_VOCAB_SIZE } from '../data/train';
import type { TokenizerKind } from '../data/tokenizer';
import { MODEL_PRESETS, type ModelConfig } from '../engine/config';
import type { LrSchedule } from '../engine/schedule';
import { getObjective, getStrategy, OBJECTIVE_IDS, SCHEDULE_SPEC, STRATEGY_IDS } from '../masking';
import type { MaskingConfig, ObjectiveId, ParamSpec, ParamValue, StrategyId } from '../masking/types';
import { defaultExperiment, type ExperimentConfig } from './config';
import { CLASS_PRESETS } from './presets';
import { modelProblems } from './validate';
import {
  MAX_SEED,
  MODEL_RULES,
  paramRule,
  parseByRule,
  ruleText,
  SEED_RULE,
  TOKEN_MIN_COUNT_RULE,
  TRAIN_FIELDS,
  VOCAB_RULE,
} from './settingRules';

/*
 * Keys (in the order they are written):
 *   corpus=fairy-tales | toy[:sentences:seed] | custom:<id>     tok=wordpiece:2048 (kind[:vocab size])   tok.min=2
 *   model=tiny|mini|small|custom          m.L m.C m.NH m.F m.T (model overrides)
 *   strategy=span  objective=mlm  sp.<key>=<value> (strategy params)  op.<key>=<value> (objective params)
 *   rs.kind rs.start rs.end (masking-rate schedule)  static=1  static.seed=N
 *   lr decay minlr batch steps warmup wd clip eval (training)   seed
 *   preset=toy-language (a class preset, read first: the other keys override it; never written)
 */

export interface DecodedExperiment {
  config: ExperimentConfig;
  /** One readable line per value that was ignored (the default was kept). */
  ignored: string[];
}

const TOKENIZER_KINDS: readonly TokenizerKind[] = ['wordpiece', 'word', 'char'];
const DECAYS: readonly LrSchedule['decay'][] = ['constant', 'linear', 'cosine'];
const MODEL_KEYS = ['L', 'C', 'NH', 'F', 'T'] as const;
type ModelKey = (typeof MODEL_KEYS)[number];

// The ranges are the validation's (validate.ts); re-exported for the setup panels that show them.
export { MAX_SEED, MODEL_RULES, TRAIN_FIELDS };

/** Values stay readable: only characters that would break the query are escaped (':' and ',' are kept). */
function esc(v: string): string {
  return encodeURIComponent(v).replace(/%3A/gi, ':').replace(/%2C/gi, ',');
}

function paramText(v: ParamValue): string {
  return typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v);
}

/** The experiment as "corpus=...&tok=...&..." (no leading '#'). */
export function encodeExperiment(e: ExperimentConfig): string {
  const out: [string, string][] = [];
  const put = (k: string, v: string | number) => out.push([k, String(v)]);
  put('corpus', e.corpus);
  put('tok', e.tokenizer.vocabSize === undefined ? e.tokenizer.kind : `${e.tokenizer.kind}:${e.tokenizer.vocabSize}`);
  if (e.tokenizer.minFrequency !== undefined) put('tok.min', e.tokenizer.minFrequency);
  put('model', e.model.preset);
  for (const k of MODEL_KEYS) {
    const v = e.model.overrides?.[k];
    if (v !== undefined) put(`m.${k}`, v);
  }
  const m = e.masking;
  put('strategy', m.strategy);
  put('objective', m.objective);
  for (const [k, v] of Object.entries(m.strategyParams ?? {})) put(`sp.${k}`, paramText(v));
  for (const [k, v] of Object.entries(m.objectiveParams ?? {})) put(`op.${k}`, paramText(v));
  for (const [k, v] of Object.entries(m.schedule ?? {})) put(`rs.${k}`, paramText(v));
  if (m.staticMasks !== undefined) put('static', m.staticMasks ? 1 : 0);
  if (m.staticSeed !== undefined) put('static.seed', m.staticSeed);
  const t = e.train;
  put('lr', t.lr);
  put('decay', t.decay);
  for (const f of TRAIN_FIELDS) if (f.key !== 'lr') put(f.url, t[f.key] as number);
  put('seed', e.seed);
  return out.map(([k, v]) => `${esc(k)}=${esc(v)}`).join('&');
}

/** A masking parameter value from URL text, checked against its spec; or an explanation of why not. */
export function parseParam(spec: ParamSpec, raw: string): { value: ParamValue } | { error: string } {
  switch (spec.kind) {
    case 'number':
    case 'integer': {
      const rule = paramRule(spec);
      const v = parseByRule(rule, raw);
      return v === null ? { error: `must be ${ruleText(rule)}` } : { value: v };
    }
    case 'choice':
      return spec.options.some((o) => o.value === raw)
        ? { value: raw }
        : { error: `must be one of ${spec.options.map((o) => o.value).join(', ')}` };
    case 'boolean':
      if (raw === 'true' || raw === '1') return { value: true };
      if (raw === 'false' || raw === '0') return { value: false };
      return { error: 'must be true or false' };
  }
}

function parseBool(raw: string): boolean | null {
  if (raw === '1' || raw === 'true') return true;
  if (raw === '0' || raw === 'false') return false;
  return null;
}

const CUSTOM_CORPUS = /^custom:[A-Za-z0-9-]{1,64}$/;

export function isKnownCorpus(id: string): boolean {
  if (isToyCorpus(id)) {
    try {
      parseToyCorpus(id);
      return true;
    } catch {
      return false;
    }
  }
  return CORPORA.some((c) => c.id === id) || CUSTOM_CORPUS.test(id);
}

/** Splits "#a=1&b=2" (or "?a=1", "a=1") into ordered pairs; the last of repeated keys wins. */
function pairs(query: string): Map<string, string> {
  const q = query.replace(/^[#?]/, '');
  const map = new Map<string, string>();
  for (const part of q.split('&')) {
    if (!part) continue;
    const at = part.indexOf('=');
    const rawKey = at < 0 ? part : part.slice(0, at);
    const rawVal = at < 0 ? '' : part.slice(at + 1);
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
      } catch {
        return s;
      }
    };
    map.set(decode(rawKey), decode(rawVal));
  }
  return map;
}

/** Reads an experiment from a query string. Missing fields take the defaults of `base` without comment. */
export function decodeExperiment(query: string, base: ExperimentConfig = defaultExperiment()): DecodedExperiment {
  const p = pairs(query);
  const ignored: string[] = [];
  // preset=<id> (a class preset) replaces the base; every other key then overrides the preset's value.
  const presetId = p.get('preset');
  const preset = presetId === undefined ? undefined : CLASS_PRESETS.find((x) => x.id === presetId);
  if (presetId !== undefined && !preset) {
    ignored.push(
      `preset=${presetId}: no such class preset (known: ${CLASS_PRESETS.map((x) => x.id).join(', ')}); kept the defaults`,
    );
  }
  const e: ExperimentConfig = preset ? preset.config() : structuredClone(base);
  const seen = new Set<string>(['preset']);
  const take = (k: string): string | undefined => {
    seen.add(k);
    return p.get(k);
  };
  const bad = (k: string, raw: string, why: string, kept: string) => ignored.push(`${k}=${raw}: ${why}; kept ${kept}`);

  const corpus = take('corpus');
  if (corpus !== undefined) {
    if (isKnownCorpus(corpus)) e.corpus = corpus;
    else
      bad(
        'corpus',
        corpus,
        `no such corpus (known: ${CORPORA.map((c) => c.id).join(', ')}, toy, toy:<sentences 100-500000>:<seed>, or custom:<id>)`,
        e.corpus,
      );
  }

  const tok = take('tok');
  if (tok !== undefined) {
    const [kind, size, ...rest] = tok.split(':');
    if (!TOKENIZER_KINDS.includes(kind as TokenizerKind) || rest.length > 0) {
      bad(
        'tok',
        tok,
        `the tokenizer must be ${TOKENIZER_KINDS.join(', ')} with an optional :vocabulary size`,
        e.tokenizer.kind,
      );
    } else {
      e.tokenizer = { kind: kind as TokenizerKind };
      if (size !== undefined) {
        const v = parseByRule(VOCAB_RULE, size);
        const def = DEFAULT_VOCAB_SIZE[kind as TokenizerKind];
        // A bad size keeps the kind's default, written out so the field shows it.
        if (def !== undefined) e.tokenizer.vocabSize = def;
        if (v === null) {
          ignored.push(
            `tok=${tok}: the vocabulary size must be ${ruleText(VOCAB_RULE)}; kept the ${kind} default${def === undefined ? ' (every character)' : ` ${def}`}`,
          );
        } else e.tokenizer.vocabSize = v;
      }
    }
  }
  const tokMin = take('tok.min');
  if (tokMin !== undefined) {
    const v = parseByRule(TOKEN_MIN_COUNT_RULE, tokMin);
    if (v === null) bad('tok.min', tokMin, `must be ${ruleText(TOKEN_MIN_COUNT_RULE)}`, 'the default');
    else e.tokenizer.minFrequency = v;
  }

  const model = take('model');
  if (model !== undefined) {
    if (model === 'custom' || model in MODEL_PRESETS)
      e.model = { preset: model as ExperimentConfig['model']['preset'] };
    else bad('model', model, `must be ${Object.keys(MODEL_PRESETS).join(', ')} or custom`, e.model.preset);
  }
  const overrides: Partial<Pick<ModelConfig, ModelKey>> = {};
  for (const k of MODEL_KEYS) {
    const raw = take(`m.${k}`);
    if (raw === undefined) continue;
    const v = parseByRule(MODEL_RULES[k], raw);
    if (v === null) bad(`m.${k}`, raw, `must be ${ruleText(MODEL_RULES[k])}`, 'the preset value');
    else overrides[k] = v;
  }
  if (Object.keys(overrides).length > 0) {
    const next: ExperimentConfig = { ...e, model: { ...e.model, overrides } };
    // Fields valid one by one can still make an invalid shape together (C=7 with NH=3): the link's shape is ignored.
    const shape = modelProblems(next, 100);
    if (shape.length > 0) {
      const given = Object.entries(overrides)
        .map(([k, v]) => `m.${k}=${v}`)
        .join(', ');
      ignored.push(`${given}: ${shape.map((q) => q.reason).join('; ')}; the link's model shape was not used`);
    } else e.model = next.model;
  }

  decodeMasking(e, take, bad, ignored);

  const decay = take('decay');
  if (decay !== undefined) {
    if (DECAYS.includes(decay as LrSchedule['decay'])) e.train.decay = decay as LrSchedule['decay'];
    else bad('decay', decay, `must be ${DECAYS.join(', ')}`, e.train.decay);
  }
  for (const f of TRAIN_FIELDS) {
    const raw = take(f.url);
    if (raw === undefined) continue;
    const v = parseByRule(f.rule, raw);
    if (v === null) bad(f.url, raw, `must be ${ruleText(f.rule)}`, String(e.train[f.key]));
    else (e.train[f.key] as number) = v;
  }
  const seed = take('seed');
  if (seed !== undefined) {
    const v = parseByRule(SEED_RULE, seed);
    if (v === null) bad('seed', seed, `must be ${ruleText(SEED_RULE)}`, String(e.seed));
    else e.seed = v;
  }

  const owners: Record<string, string> = {
    sp: `strategy "${e.masking.strategy}"`,
    op: `objective "${e.masking.objective}"`,
    rs: 'the rate schedule',
  };
  for (const [k, v] of p) {
    if (seen.has(k)) continue;
    const owner = owners[k.split('.')[0]];
    const shown = `${k}${v ? `=${v}` : ''}`;
    ignored.push(owner ? `${shown}: ${owner} has no parameter "${k.slice(3)}"` : `${shown}: not a MaskLab setting`);
  }
  return { config: e, ignored };
}

type Take = (k: string) => string | undefined;
type Bad = (k: string, raw: string, why: string, kept: string) => void;

function decodeMasking(e: ExperimentConfig, take: Take, bad: Bad, ignored: string[]): void {
  const m: MaskingConfig = e.masking;
  const strategy = take('strategy');
  const objective = take('objective');
  const stratChanged = strategy !== undefined && strategy !== m.strategy;
  const objChanged = objective !== undefined && objective !== m.objective;
  if (strategy !== undefined) {
    if (STRATEGY_IDS.includes(strategy as StrategyId)) m.strategy = strategy as StrategyId;
    else bad('strategy', strategy, `no such strategy (known: ${STRATEGY_IDS.join(', ')})`, m.strategy);
  }
  if (objective !== undefined) {
    if (OBJECTIVE_IDS.includes(objective as ObjectiveId)) m.objective = objective as ObjectiveId;
    else bad('objective', objective, `no such objective (known: ${OBJECTIVE_IDS.join(', ')})`, m.objective);
  }
  const obj = getObjective(m.objective);
  if (obj.strategies && !obj.strategies.includes(m.strategy)) {
    ignored.push(
      `strategy=${m.strategy}: objective "${obj.id}" works only with ${obj.strategies.join(', ')}; used ${obj.defaultStrategy}`,
    );
    m.strategy = obj.defaultStrategy;
  }
  // Params of the base config belong to its strategy/objective; a different one starts from its own defaults.
  if (stratChanged) delete m.strategyParams;
  if (objChanged) delete m.objectiveParams;
  const strat = getStrategy(m.strategy);
  const groups: [string, readonly ParamSpec[], 'strategyParams' | 'objectiveParams' | 'schedule'][] = [
    ['sp', strat.params, 'strategyParams'],
    ['op', obj.params, 'objectiveParams'],
    ['rs', SCHEDULE_SPEC.params, 'schedule'],
  ];
  for (const [prefix, specs, field] of groups) {
    const values: Record<string, ParamValue> = { ...(m[field] ?? {}) };
    for (const spec of specs) {
      const key = `${prefix}.${spec.key}`;
      const raw = take(key);
      if (raw === undefined) continue;
      const r = parseParam(spec, raw);
      if ('error' in r) bad(key, raw, `${spec.label} ${r.error}`, 'the default');
      else values[spec.key] = r.value;
    }
    if (Object.keys(values).length > 0) m[field] = values;
  }
  const sp = m.strategyParams;
  if (
    sp &&
    typeof sp.maskFrac === 'number' &&
    typeof sp.randomFrac === 'number' &&
    sp.maskFrac + sp.randomFrac > 1 + 1e-9
  ) {
    ignored.push(
      `sp.maskFrac=${sp.maskFrac}, sp.randomFrac=${sp.randomFrac}: the two shares add up to more than 1; kept the defaults`,
    );
    const rest = { ...sp };
    delete rest.maskFrac;
    delete rest.randomFrac;
    m.strategyParams = rest;
  }
  const st = take('static');
  if (st !== undefined) {
    const v = parseBool(st);
    if (v === null) bad('static', st, 'must be 1 or 0', 'off');
    else m.staticMasks = v;
  }
  const ss = take('static.seed');
  if (ss !== undefined) {
    const v = parseByRule(SEED_RULE, ss);
    if (v === null) bad('static.seed', ss, `must be ${ruleText(SEED_RULE)}`, '0');
    else m.staticSeed = v;
  }
}

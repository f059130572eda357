// What a comparison is: schemes x seeds on one shared experiment, its saved record (entries and what each run
// measured), the per-run configs (only masking and seed differ), and when two schemes are the same one.
import type { MaskingConfig } from '../masking/types';
import { resolveBudget, type ComputeBudget } from './computeBudget';
import { modelShape, type ExperimentConfig } from './config';
import { DEFAULT_PROBE_BUDGET, type ProbeBudget, type ProbeResults } from './probes';
import type { AttentionSnapshot } from './records';
import { getObjective, getStrategy, resolveParams, SCHEDULE_SPEC } from '../masking';

export type ComparisonState = 'running' | 'done' | 'stopped' | 'interrupted';
export type EntryState = 'pending' | 'training' | 'probing' | 'done' | 'failed' | 'stopped';

/** What a finished run measured: the shared evaluation (or its own, without a vocabulary head), speed, probes. */
export interface RunResult {
  /**
   * The run's own-head figures (not comparable across objectives): 'mlm': the fixed 15% [MASK] held-out masks through
   * its vocabulary head; 'next-token': MEAP's next-token loss; 'objective': the objective's own loss.
   */
  evalKind: 'mlm' | 'objective' | 'next-token';
  evalLoss?: number;
  evalAccuracy?: number;
  evalStep?: number;
  pseudoPerplexity?: number;
  steps: number;
  /** Training tokens seen: steps x B x T (the same for every run of a comparison). */
  tokens: number;
  tokensPerS: number;
  msPerStep: number;
  probes?: ProbeResults;
  /**
   * Toy language: the first evaluation where a head or path found the verb's subject past an attractor
   * (session/syntax.ts; null: never in this run; absent: not scored).
   */
  syntaxOnsetStep?: number | null;
}

/** One planned run: a scheme at a seed, and what became of it. */
export interface ComparisonEntry {
  scheme: number;
  seed: number;
  runId?: string;
  state: EntryState;
  message?: string;
  result?: RunResult;
  attention?: AttentionSnapshot;
}

export interface ComparisonRecord {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  preset?: string;
  /** The shared experiment: tokenizer, model, steps, batch, learning rate... (its masking and seed are replaced per run). */
  base: ExperimentConfig;
  schemes: MaskingConfig[];
  seeds: number[];
  budget: ProbeBudget;
  probeText: string;
  state: ComparisonState;
  message?: string;
  /** The scheme every other is compared with (paired differences and verdicts); default 0. */
  reference?: number;
  /** The training budget (computeBudget.ts); absent: base.train.steps for every scheme. */
  compute?: ComputeBudget;
  /** Steps per scheme the budget resolved to when the comparison was made (saved, so a reload keeps them). */
  schemeSteps?: number[];
  /** In training order: every scheme at the first seed, then at the next seed, ... */
  entries: ComparisonEntry[];
}

/** "span/mlm · 15%", "random/mlm · 15% · 80/10/10", "random/char-n · 15% · n=2": a scheme in a few characters. */
export function schemeLabel(m: MaskingConfig): string {
  const s = getStrategy(m.strategy);
  const sp = m.strategyParams ?? {};
  const rate = sp.rate ?? s.params.find((p) => p.key === 'rate')?.default;
  const parts = [`${m.strategy}/${m.objective}`];
  if (typeof rate === 'number') parts.push(`${Math.round(rate * 100)}%`);
  if (sp.maskFrac !== undefined || sp.randomFrac !== undefined) {
    const mask = Number(sp.maskFrac ?? 0.8);
    const random = Number(sp.randomFrac ?? 0.1);
    parts.push([mask, random, 1 - mask - random].map((x) => Math.round(x * 100)).join('/'));
  }
  for (const [k, v] of Object.entries(m.objectiveParams ?? {})) parts.push(`${k}=${String(v)}`);
  const sch = m.schedule;
  if (sch && sch.kind !== undefined && sch.kind !== 'constant') {
    const pc = (x: unknown) => `${Math.round(Number(x) * 100)}%`;
    parts[1] = `${String(sch.kind)} ${pc(sch.start ?? 0.3)}→${pc(sch.end ?? 0.15)}`;
  }
  return parts.join(' · ');
}

/** The config of one run: the shared experiment with this scheme's masking and this seed. */
export function entryConfig(
  c: Pick<ComparisonRecord, 'base' | 'schemes' | 'schemeSteps'>,
  e: Pick<ComparisonEntry, 'scheme' | 'seed'>,
): ExperimentConfig {
  const cfg = { ...structuredClone(c.base), masking: structuredClone(c.schemes[e.scheme]), seed: e.seed };
  const steps = c.schemeSteps?.[e.scheme];
  if (steps !== undefined && steps !== cfg.train.steps) {
    cfg.train.steps = steps;
    cfg.train.warmup = Math.min(cfg.train.warmup, Math.floor(steps / 10));
  }
  return cfg;
}

/** Training tokens every run of the comparison sees: steps x B x T. */
export function tokenBudget(base: ExperimentConfig): number {
  return base.train.steps * base.train.B * modelShape(base, 2).T;
}

/** Seeds base, base+1, ... (count of them, 1..5). */
export function seedList(base: number, count: number): number[] {
  return Array.from({ length: Math.max(1, Math.min(5, Math.round(count))) }, (_, i) => base + i);
}

let counter = 0;

/** A new comparison, every entry pending, seed-major so that each scheme has a first result early. */
export function newComparison(
  opts: {
    name: string;
    base: ExperimentConfig;
    schemes: MaskingConfig[];
    seeds: number[];
    budget?: ProbeBudget;
    probeText: string;
    preset?: string;
    /** The training budget; steps per scheme are resolved here (computeBudget.ts). */
    compute?: ComputeBudget;
    reference?: number;
  },
  now = Date.now(),
): ComparisonRecord {
  if (opts.schemes.length < 2) throw new Error('a comparison needs at least two schemes');
  if (opts.seeds.length < 1) throw new Error('a comparison needs at least one seed');
  const entries: ComparisonEntry[] = opts.seeds.flatMap((seed) =>
    opts.schemes.map((_, scheme) => ({ scheme, seed, state: 'pending' as const })),
  );
  const rec: ComparisonRecord = {
    id: `cmp-${now.toString(36)}-${counter++}`,
    name: opts.name.trim() || `Comparison ${new Date(now).toISOString().slice(0, 16).replace('T', ' ')}`,
    createdAt: now,
    updatedAt: now,
    base: structuredClone(opts.base),
    schemes: structuredClone(opts.schemes),
    seeds: [...opts.seeds],
    budget: { ...(opts.budget ?? DEFAULT_PROBE_BUDGET) },
    probeText: opts.probeText,
    state: 'running',
    entries,
  };
  if (opts.preset) rec.preset = opts.preset;
  if (opts.reference !== undefined) rec.reference = opts.reference;
  if (opts.compute && opts.compute.kind !== 'steps') {
    rec.compute = { ...opts.compute };
    rec.schemeSteps = resolveBudget(rec.base, rec.schemes, rec.compute, opts.reference ?? 0).map((b) => b.steps);
  }
  return rec;
}

/** A scheme with every default filled in (strategy, objective and schedule parameters): what actually runs. */
export function resolvedScheme(m: MaskingConfig): string {
  const s = getStrategy(m.strategy);
  const o = getObjective(m.objective);
  const sched = resolveParams('schedule', SCHEDULE_SPEC.params, m.schedule);
  return JSON.stringify({
    strategy: s.id,
    objective: o.id,
    sp: resolveParams(`strategy "${s.id}"`, s.params, m.strategyParams),
    op: resolveParams(`objective "${o.id}"`, o.params, m.objectiveParams),
    schedule: sched.kind === 'constant' ? { kind: 'constant' } : sched,
    staticMasks: m.staticMasks ? (m.staticSeed ?? 0) : false,
  });
}

/** Pairs of scheme indices that are the same scheme once defaults are applied (whatever their labels say). */
export function duplicateSchemes(schemes: readonly MaskingConfig[]): [number, number][] {
  const keys = schemes.map((m) => {
    try {
      return resolvedScheme(m);
    } catch {
      return `invalid:${JSON.stringify(m)}`;
    }
  });
  const out: [number, number][] = [];
  for (let i = 0; i < keys.length; i++)
    for (let j = i + 1; j < keys.length; j++) if (keys[i] === keys[j]) out.push([i, j]);
  return out;
}

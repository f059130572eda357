// What a comparison is (schemes x seeds on one shared experiment), its saved record, the literature presets, the
// per-run configs (only masking and seed differ), and the per-scheme summary (mean and spread over seeds).
import { getStrategy } from '../masking';
import type { MaskingConfig } from '../masking/types';
import { modelShape, type ExperimentConfig } from '../session/config';
import { DEFAULT_PROBE_BUDGET, type ProbeBudget, type ProbeResults } from '../session/probes';

export type ComparisonState = 'running' | 'done' | 'stopped' | 'interrupted';
export type EntryState = 'pending' | 'training' | 'probing' | 'done' | 'failed' | 'stopped';

/** The attention maps of the probe sentence at the end of a run (row = query, column = key). */
export interface AttentionSnapshot {
  step: number;
  tokens: string[];
  L: number;
  NH: number;
  /** L * NH * n * n, n = tokens.length. */
  attention: Float32Array;
}

/** What a finished run measured: the shared evaluation (or its own, without a vocabulary head), speed, probes. */
export interface RunResult {
  /** 'mlm': the fixed 15% [MASK] held-out evaluation through the run's vocabulary head; 'objective': the objective's own. */
  evalKind: 'mlm' | 'objective';
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
  return parts.join(' · ');
}

/** The config of one run: the shared experiment with this scheme's masking and this seed. */
export function entryConfig(c: Pick<ComparisonRecord, 'base' | 'schemes'>, e: Pick<ComparisonEntry, 'scheme' | 'seed'>): ExperimentConfig {
  return { ...structuredClone(c.base), masking: structuredClone(c.schemes[e.scheme]), seed: e.seed };
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
export function newComparison(opts: { name: string; base: ExperimentConfig; schemes: MaskingConfig[]; seeds: number[]; budget?: ProbeBudget; probeText: string; preset?: string }, now = Date.now()): ComparisonRecord {
  if (opts.schemes.length < 2) throw new Error('a comparison needs at least two schemes');
  if (opts.seeds.length < 1) throw new Error('a comparison needs at least one seed');
  const entries: ComparisonEntry[] = opts.seeds.flatMap((seed) => opts.schemes.map((_, scheme) => ({ scheme, seed, state: 'pending' as const })));
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
  return rec;
}

// ------------------------------------------------------------------------------------------------------- presets

export interface ComparisonPreset {
  id: string;
  title: string;
  /** One sentence on what the paper found. */
  finding: string;
  cite: string;
  schemes: MaskingConfig[];
}

const bert = { rate: 0.15, maskFrac: 0.8, randomFrac: 0.1 };

export const COMPARISON_PRESETS: readonly ComparisonPreset[] = [
  {
    id: 'units',
    title: 'BERT 80/10/10 vs whole-word vs span vs PMI',
    cite: 'Joshi et al. 2020 (SpanBERT); Levine et al. 2021 (PMI-Masking)',
    finding:
      'SpanBERT found masking contiguous spans beats masking random tokens (and whole words) on span-selection tasks, and PMI-Masking found masking collocations by PMI reaches BERT\'s quality in a fraction of the training and beats random-span and whole-word masking.',
    schemes: [
      { strategy: 'random', objective: 'mlm', strategyParams: bert },
      { strategy: 'whole-word', objective: 'mlm', strategyParams: { rate: 0.15 } },
      { strategy: 'span', objective: 'mlm', strategyParams: { rate: 0.15 } },
      { strategy: 'pmi', objective: 'mlm', strategyParams: { rate: 0.15 } },
    ],
  },
  {
    id: 'rate',
    title: 'Masking rate 15% vs 30% vs 40%',
    cite: 'Wettig et al. 2023 (Should You Mask 15%?); Portes et al. 2023 (MosaicBERT)',
    finding:
      'Wettig et al. found that masking 40% of tokens matches or beats the customary 15% for large models (MosaicBERT adopted 30%), while small models tend to prefer lower rates.',
    schemes: [0.15, 0.3, 0.4].map((rate) => ({ strategy: 'random', objective: 'mlm', strategyParams: { rate, maskFrac: 0.8, randomFrac: 0.1 } })),
  },
  {
    id: 'complexity',
    title: 'Task complexity: first-char, char-2, char-3, MLM',
    cite: 'Yamaguchi et al. 2023 (How does the task complexity of masked pretraining objectives affect downstream performance?)',
    finding:
      'Yamaguchi et al. found that downstream performance grows with the complexity of the masked objective: predicting only the first character lags MLM clearly, and predicting more characters narrows the gap.',
    schemes: [
      { strategy: 'random', objective: 'first-char', strategyParams: { rate: 0.15 } },
      { strategy: 'random', objective: 'char-n', strategyParams: { rate: 0.15 }, objectiveParams: { n: 2 } },
      { strategy: 'random', objective: 'char-n', strategyParams: { rate: 0.15 }, objectiveParams: { n: 3 } },
      { strategy: 'random', objective: 'mlm', strategyParams: bert },
    ],
  },
  {
    id: 'discriminative',
    title: 'MLM vs random token substitution vs ELECTRA',
    cite: 'Clark et al. 2020 (ELECTRA); Yamaguchi et al. 2021 (Frustratingly simple pretraining alternatives to MLM)',
    finding:
      'ELECTRA found that detecting replaced tokens, which learns from every token rather than the 15% masked, beats MLM at the same compute, most of all for small models; random token substitution, a generator-free variant, comes close to MLM.',
    schemes: [
      { strategy: 'random', objective: 'mlm', strategyParams: bert },
      { strategy: 'random', objective: 'rts', strategyParams: { rate: 0.15 } },
      { strategy: 'random', objective: 'electra', strategyParams: { rate: 0.15 } },
    ],
  },
];

// ------------------------------------------------------------------------------------------------------ summary

export interface Spread {
  mean: number;
  /** Sample standard deviation (0 for one value). */
  std: number;
  min: number;
  max: number;
  n: number;
}

/** Mean and spread of the finite values (undefined when there are none). */
export function spread(xs: readonly (number | undefined)[]): Spread | undefined {
  const v = xs.filter((x): x is number => x !== undefined && Number.isFinite(x));
  if (v.length === 0) return undefined;
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
  return { mean, std, min: Math.min(...v), max: Math.max(...v), n: v.length };
}

/** The figures a run contributes to the table; loss, accuracy and PPPL come from the MLM probe without a vocabulary head. */
export function sharedFigures(r: RunResult): { loss?: number; accuracy?: number; pppl?: number; viaProbe: boolean } {
  if (r.evalKind === 'mlm') return { loss: r.evalLoss, accuracy: r.evalAccuracy, pppl: r.pseudoPerplexity, viaProbe: false };
  const m = r.probes?.mlm;
  return { loss: m?.loss, accuracy: m?.accuracy, pppl: m?.pseudoPerplexity, viaProbe: true };
}

export interface SchemeSummary {
  scheme: number;
  label: string;
  done: number;
  planned: number;
  /** Some figures come from the MLM probe (the scheme has no vocabulary head). */
  viaProbe: boolean;
  loss?: Spread;
  accuracy?: Spread;
  pppl?: Spread;
  mlmProbeLoss?: Spread;
  mlmProbeAccuracy?: Spread;
  downstream?: Spread;
  tokensPerS?: Spread;
}

/** One row per scheme over the runs that finished (state done with a result). */
export function summarize(c: Pick<ComparisonRecord, 'schemes' | 'entries'>): SchemeSummary[] {
  return c.schemes.map((m, scheme) => {
    const planned = c.entries.filter((e) => e.scheme === scheme);
    const results = planned.filter((e) => e.state === 'done' && e.result).map((e) => e.result!);
    const shared = results.map(sharedFigures);
    return {
      scheme,
      label: schemeLabel(m),
      done: results.length,
      planned: planned.length,
      viaProbe: shared.some((s) => s.viaProbe),
      loss: spread(shared.map((s) => s.loss)),
      accuracy: spread(shared.map((s) => s.accuracy)),
      pppl: spread(shared.map((s) => s.pppl)),
      mlmProbeLoss: spread(results.map((r) => r.probes?.mlm?.loss)),
      mlmProbeAccuracy: spread(results.map((r) => r.probes?.mlm?.accuracy)),
      downstream: spread(results.map((r) => r.probes?.downstream?.accuracy)),
      tokensPerS: spread(results.map((r) => (r.tokensPerS > 0 ? r.tokensPerS : undefined))),
    };
  });
}

// What a comparison is (schemes x seeds on one shared experiment), its saved record, the literature presets, the
// per-run configs (only masking and seed differ), and the per-scheme summary (mean and spread over seeds).
import type { MaskingConfig } from '../masking/types';
import { resolveBudget, type ComputeBudget } from './computeBudget';
import { modelShape, type ExperimentConfig } from './config';
import { DEFAULT_PROBE_BUDGET, type ProbeBudget, type ProbeResults } from './probes';
import { DOWNSTREAM_TASKS, type DownstreamTaskId } from './downstream';
import { baselineLabel, pairedDifference, smallTestWarning, type PairedDifference, type SeedFigure } from './stats';
import { getObjective, getStrategy, resolveParams, SCHEDULE_SPEC } from '../masking';

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
    cite: 'Joshi et al. 2020 (SpanBERT, arXiv 1907.10529); Levine et al. 2021 (PMI-Masking, arXiv 2010.01825)',
    finding:
      'SpanBERT (Joshi et al. 2020, BERT-large scale) found that masking random contiguous spans beat masking random ' +
      'tokens and whole words, most on span-selection tasks such as SQuAD, with smaller gains elsewhere. PMI-Masking ' +
      '(Levine et al. 2021, BERT-base scale) found that masking collocations chosen by PMI reached the end-of-training ' +
      'quality of prior masking approaches (random-span, whole-word) in about half the training, and did better at the ' +
      'end. Those gains are a few points on question answering after millions of steps. A toy run here (a 2-layer model, ' +
      'a small text, a few hundred steps) can show how the schemes differ in what they hide and in the shared probe ' +
      'figures; differences that size are usually inside noise, and PMI needs enough text to find collocations at all.',
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
    cite: 'Wettig et al. 2023 (Should You Mask 15%?, arXiv 2202.08005); Portes et al. 2023 (MosaicBERT, arXiv 2312.17482)',
    finding:
      'Wettig et al. (2023) found that masking 40% of the tokens, all replaced by [MASK] (no random or kept tokens), ' +
      'matched or slightly beat 15% for BERT-large on GLUE and SQuAD; their analysis predicts that smaller models ' +
      'prefer lower rates. MosaicBERT (Portes et al. 2023, BERT-base) trains at 30%. Here the 2-layer tiny model is far ' +
      'smaller than either, so the papers lead one to expect 15% to do at least as well; the 40% scheme uses ' +
      "Wettig's 100/0/0 split. A toy run shows the trend at one seed budget, not whether it holds at scale.",
    schemes: [
      { strategy: 'random', objective: 'mlm', strategyParams: { rate: 0.15, maskFrac: 0.8, randomFrac: 0.1 } },
      { strategy: 'random', objective: 'mlm', strategyParams: { rate: 0.3, maskFrac: 0.8, randomFrac: 0.1 } },
      { strategy: 'random', objective: 'mlm', strategyParams: { rate: 0.4, maskFrac: 1, randomFrac: 0 } },
    ],
  },
  {
    id: 'complexity',
    title: 'Task complexity: first-char, char-2, char-3, MLM',
    cite:
      'Yamaguchi et al. 2023 (How does the task complexity of masked pretraining objectives affect downstream ' +
      'performance?, arXiv 2305.10992); Yamaguchi et al. 2021 (arXiv 2109.01819)',
    finding:
      'Yamaguchi et al. (2023, BERT-base scale, GLUE, SQuAD and UD) found that more complex masked objectives tend to ' +
      "do better downstream, and that at least half of MLM's complexity (number of classes) is needed to perform " +
      'comparably to MLM. Simple objectives such as first-character prediction had earlier been reported close to MLM ' +
      'in some settings (Yamaguchi et al. 2021). A toy run can test the trend under one shared probe: every scheme here ' +
      'is scored by the same fresh probe head on its frozen encoder, since the heads themselves predict different things.',
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
    cite:
      'Clark et al. 2020 (ELECTRA, arXiv 2003.10555); Di Liello et al. 2022 (arXiv 2210.13536); Yamaguchi et al. 2021 ' +
      '(arXiv 2109.01819)',
    finding:
      'ELECTRA (Clark et al. 2020) found that replaced-token detection, which learns from every token rather than the ' +
      "15% masked, was more compute-efficient than MLM at every size they trained, counting the generator's cost, and " +
      'most of all for small models. Random token substitution without a generator came close to MLM in Di Liello et ' +
      'al. (2022) and Yamaguchi et al. (2021), at BERT-base scale. This comparison fixes the training tokens, not the ' +
      "compute: ELECTRA's generator costs extra FLOPs per step (see the FLOPs column). A toy run can show which encoder " +
      "the shared probe reads best at this budget; it cannot show what happens at the papers' scale.",
    schemes: [
      { strategy: 'random', objective: 'mlm', strategyParams: bert },
      { strategy: 'random', objective: 'rts', strategyParams: { rate: 0.15 } },
      { strategy: 'random', objective: 'electra', strategyParams: { rate: 0.15 } },
    ],
  },
  {
    id: 'yamaguchi2021',
    title: 'Simple alternatives to MLM: shuffle, shuffle+random, token type, first-char',
    cite: 'Yamaguchi et al. 2021 (Frustratingly Simple Pretraining Alternatives to Masked Language Modeling, arXiv 2109.01819)',
    finding:
      'Yamaguchi et al. (2021, BERT-base and medium-size models, GLUE and SQuAD) compared five simple objectives with ' +
      'MLM: shuffle+random (3-way) came closest to MLM on average, first-character prediction and shuffle detection ' +
      'followed, token-type prediction was weaker; MLM stayed ahead on average. A toy run can show the same ordering ' +
      'or not in the shared probe figures; differences smaller than the interval are noise.',
    schemes: [
      { strategy: 'random', objective: 'mlm', strategyParams: bert },
      { strategy: 'random', objective: 'shuffle', strategyParams: { rate: 0.15 } },
      { strategy: 'random', objective: 'shuffle-random', strategyParams: { rate: 0.15 } },
      { strategy: 'random', objective: 'token-type', strategyParams: { rate: 0.15 } },
      { strategy: 'random', objective: 'first-char', strategyParams: { rate: 0.15 } },
    ],
  },
  {
    id: 'schedule',
    title: 'Rate schedule: constant 15% vs decay 30% to 15% vs increase 15% to 30%',
    cite: 'Ankner et al. 2024 (Dynamic Masking Rate Schedules for MLM Pretraining, arXiv 2305.15096)',
    finding:
      'Ankner et al. (BERT-base and -large) found that decaying the masking rate linearly from 30% to 15% beat a ' +
      'constant rate by up to about 0.5 GLUE points, and compared it against the reverse, an increasing rate, as a ' +
      'control. A gain that small is well below what a toy probe can resolve: expect "inside noise" here.',
    schemes: [
      { strategy: 'random', objective: 'mlm', strategyParams: bert },
      {
        strategy: 'random',
        objective: 'mlm',
        strategyParams: { maskFrac: 0.8, randomFrac: 0.1 },
        schedule: { kind: 'linear', start: 0.3, end: 0.15 },
      },
      {
        strategy: 'random',
        objective: 'mlm',
        strategyParams: { maskFrac: 0.8, randomFrac: 0.1 },
        schedule: { kind: 'linear', start: 0.15, end: 0.3 },
      },
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

/** A scheme's figure over its seeds: mean and spread, and a test-set 95% interval of the mean. */
export interface Figure extends Spread {
  /** mean -+ 1.96 sqrt(sum of the runs' squared bootstrap errors) / n: test noise only. */
  lo?: number;
  hi?: number;
  /** "at chance" / "at frequency baseline" when the interval reaches it. */
  baseline?: 'at chance' | 'at frequency baseline';
  /** Per seed: value and bootstrap error (for the paired differences). */
  bySeed: Map<number, SeedFigure>;
}

function figure(values: { seed: number; value?: number; se?: number }[]): Figure | undefined {
  const ok = values.filter(
    (v): v is { seed: number; value: number; se?: number } => v.value !== undefined && Number.isFinite(v.value),
  );
  const sp = spread(ok.map((v) => v.value));
  if (!sp) return undefined;
  const f: Figure = { ...sp, bySeed: new Map(ok.map((v) => [v.seed, { value: v.value, se: v.se }])) };
  if (ok.every((v) => v.se !== undefined && Number.isFinite(v.se))) {
    const half = (1.96 * Math.sqrt(ok.reduce((a, v) => a + (v.se ?? 0) ** 2, 0))) / ok.length;
    f.lo = sp.mean - half;
    f.hi = sp.mean + half;
  }
  return f;
}

export interface TaskSummary {
  id: DownstreamTaskId;
  name: string;
  closeTo: string;
  accuracy?: Figure;
  chance: number;
  testExamples?: number;
  /** Set when the task has fewer than SMALL_TEST_EXAMPLES test examples: its interval is wide. */
  smallTest?: string;
  paired?: PairedDifference;
}

export interface SchemeSummary {
  scheme: number;
  label: string;
  done: number;
  planned: number;
  /** The shared probe (the same for every run): masked loss, accuracy, pseudo-perplexity at the fixed masks. */
  probeLoss?: Figure;
  probeAccuracy?: Figure;
  probePppl?: Spread;
  /** Set when the shared probe's evaluation has fewer than SMALL_TEST_EXAMPLES targets. */
  probeSmallTest?: string;
  /** Training steps of the scheme's runs (they differ between schemes under a FLOPs budget). */
  steps?: Spread;
  /** Always guessing by training-set frequency on the same targets (mean over the scheme's runs). */
  frequencyLoss?: number;
  frequencyAccuracy?: number;
  /** Own-head figures: not comparable across objectives. ownKind says what they are. */
  ownKind?: RunResult['evalKind'];
  ownLoss?: Spread;
  ownAccuracy?: Spread;
  ownPppl?: Spread;
  tasks: TaskSummary[];
  tokensPerS?: Spread;
  tokens?: number;
  flops?: Spread;
  /** Against the reference scheme (absent for the reference itself). */
  pairedLoss?: PairedDifference;
  pairedAccuracy?: PairedDifference;
  /** Older records only: the single word-order probe and the probe-or-own mixture. */
  loss?: Spread;
  accuracy?: Spread;
  pppl?: Spread;
  viaProbe: boolean;
  mlmProbeLoss?: Spread;
  mlmProbeAccuracy?: Spread;
  downstream?: Spread;
}

/** The figures a run contributed in older records: loss, accuracy and PPPL from its own head or the MLM probe. */
export function sharedFigures(r: RunResult): { loss?: number; accuracy?: number; pppl?: number; viaProbe: boolean } {
  if (r.evalKind === 'mlm' && !r.probes?.mlm)
    return { loss: r.evalLoss, accuracy: r.evalAccuracy, pppl: r.pseudoPerplexity, viaProbe: false };
  const m = r.probes?.mlm;
  return { loss: m?.loss, accuracy: m?.accuracy, pppl: m?.pseudoPerplexity, viaProbe: true };
}

/** The downstream tasks a comparison's runs report (the toy language's agreement only there), in catalogue order. */
function tasksOf(c: Pick<ComparisonRecord, 'entries'>) {
  const seen = new Set(c.entries.flatMap((e) => (e.result?.probes?.tasks ?? []).map((t) => t.id)));
  return DOWNSTREAM_TASKS.filter((t) => seen.has(t.id) || (!t.toyOnly && seen.size === 0));
}

/** One row per scheme over the runs that finished (state done with a result), with paired verdicts vs the reference. */
export function summarize(c: Pick<ComparisonRecord, 'schemes' | 'entries'> & { reference?: number }): SchemeSummary[] {
  const ref = Math.min(c.schemes.length - 1, Math.max(0, c.reference ?? 0));
  const rows = c.schemes.map((m, scheme): SchemeSummary => {
    const planned = c.entries.filter((e) => e.scheme === scheme);
    const done = planned.filter((e) => e.state === 'done' && e.result);
    const results = done.map((e) => e.result!);
    const shared = results.map(sharedFigures);
    const probe = done.map((e) => ({ seed: e.seed, p: e.result!.probes?.mlm }));
    const mean = (xs: (number | undefined)[]) => spread(xs)?.mean;
    const kinds = [...new Set(results.map((r) => r.probes?.ownEvalKind ?? r.evalKind))];
    const tasks: TaskSummary[] = tasksOf(c).map((t) => {
      const per = done.map((e) => ({ seed: e.seed, r: e.result!.probes?.tasks?.find((x) => x.id === t.id) }));
      const accuracy = figure(per.map(({ seed, r }) => ({ seed, value: r?.accuracy.value, se: r?.accuracy.se })));
      if (accuracy?.lo !== undefined)
        accuracy.baseline = baselineLabel({ lo: accuracy.lo, hi: accuracy.hi! }, { chance: 0.5 });
      const testExamples = per.find((x) => x.r)?.r?.testExamples;
      const smallTest = smallTestWarning(t.name, testExamples);
      return {
        id: t.id,
        name: t.name,
        closeTo: t.closeTo,
        accuracy,
        chance: 0.5,
        testExamples,
        ...(smallTest ? { smallTest } : {}),
      };
    });
    const probeLoss = figure(probe.map(({ seed, p }) => ({ seed, value: p?.loss, se: p?.lossEstimate?.se })));
    const probeAccuracy = figure(
      probe.map(({ seed, p }) => ({ seed, value: p?.accuracy, se: p?.accuracyEstimate?.se })),
    );
    const probeTargets = probe.map(({ p }) => p?.targets).filter((n): n is number => n !== undefined);
    const probeSmall = smallTestWarning('shared probe', probeTargets.length ? Math.min(...probeTargets) : undefined);
    const frequencyLoss = mean(probe.map(({ p }) => p?.frequencyLoss));
    const frequencyAccuracy = mean(probe.map(({ p }) => p?.frequencyAccuracy));
    if (probeLoss?.lo !== undefined)
      probeLoss.baseline = baselineLabel({ lo: probeLoss.lo, hi: probeLoss.hi! }, { frequency: frequencyLoss }, false);
    if (probeAccuracy?.lo !== undefined)
      probeAccuracy.baseline = baselineLabel(
        { lo: probeAccuracy.lo, hi: probeAccuracy.hi! },
        { frequency: frequencyAccuracy },
      );
    return {
      scheme,
      label: schemeLabel(m),
      done: results.length,
      planned: planned.length,
      probeLoss,
      probeAccuracy,
      probePppl: spread(probe.map(({ p }) => p?.pseudoPerplexity)),
      ...(probeSmall ? { probeSmallTest: probeSmall } : {}),
      steps: spread(results.map((r) => r.steps)),
      frequencyLoss,
      frequencyAccuracy,
      ownKind: kinds.length === 1 ? kinds[0] : undefined,
      ownLoss: spread(results.map((r) => r.evalLoss)),
      ownAccuracy: spread(
        results.map((r) => ((r.probes?.ownEvalKind ?? r.evalKind) === 'mlm' ? r.evalAccuracy : undefined)),
      ),
      ownPppl: spread(results.map((r) => r.pseudoPerplexity)),
      tasks,
      tokensPerS: spread(results.map((r) => (r.tokensPerS > 0 ? r.tokensPerS : undefined))),
      tokens: results[0]?.tokens,
      flops: spread(
        results.map((r) => (r.probes?.trainFlopsPerStep ? r.probes.trainFlopsPerStep * r.steps : undefined)),
      ),
      viaProbe: shared.some((x) => x.viaProbe),
      loss: spread(shared.map((x) => x.loss)),
      accuracy: spread(shared.map((x) => x.accuracy)),
      pppl: spread(shared.map((x) => x.pppl)),
      mlmProbeLoss: spread(results.map((r) => r.probes?.mlm?.loss)),
      mlmProbeAccuracy: spread(results.map((r) => r.probes?.mlm?.accuracy)),
      downstream: spread(results.map((r) => r.probes?.downstream?.accuracy)),
    };
  });
  const base = rows[ref];
  for (const r of rows) {
    if (r === base || !base) continue;
    if (base.probeLoss && r.probeLoss)
      r.pairedLoss = pairedDifference(base.probeLoss.bySeed, r.probeLoss.bySeed, false);
    if (base.probeAccuracy && r.probeAccuracy)
      r.pairedAccuracy = pairedDifference(base.probeAccuracy.bySeed, r.probeAccuracy.bySeed, true);
    r.tasks.forEach((t, i) => {
      const b = base.tasks[i].accuracy;
      if (b && t.accuracy) t.paired = pairedDifference(b.bySeed, t.accuracy.bySeed, true);
    });
  }
  return rows;
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

// A comparison in figures per scheme: mean and spread over seeds, intervals that count seeds and independent test
// units, labels at chance or at the frequency baseline, paired differences with verdicts against the reference
// scheme (none from one seed), a causal run's next-token column, and how many verdicts chance alone would give.
import { getObjective } from '../masking';
import { DOWNSTREAM_TASKS, type DownstreamTaskId } from './downstream';
import {
  baselineLabel,
  meanOverSeeds,
  multipleComparisons,
  pairedDifference,
  smallTestWarning,
  type PairedDifference,
  type SeedFigure,
  type SeedInterval,
  type UnitTotals,
} from './stats';
import { schemeLabel, type ComparisonRecord, type RunResult } from './comparisonRecord';

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

/**
 * A scheme's figure over its seeds: mean and spread, and a 95% interval of the scheme's mean (stats.meanOverSeeds:
 * the seed spread and the test noise over independent units; with one seed, that run's test noise alone).
 */
export interface Figure extends Spread {
  lo?: number;
  hi?: number;
  /** How the interval was made (seeds, basis, test units shared between seeds). */
  interval?: SeedInterval;
  /** "at chance" / "at frequency baseline" when the interval reaches it. */
  baseline?: 'at chance' | 'at frequency baseline';
  /** Independent test units (held-out passages; minimal pairs) per run, the fewest; absent on older records. */
  units?: number;
  /** Per seed: value and test noise (per-unit totals; older records: a standard error), for the paired differences. */
  bySeed: Map<number, SeedFigure>;
}

interface SeedValue {
  seed: number;
  value?: number;
  se?: number;
  totals?: UnitTotals;
  units?: number;
}

function figure(values: SeedValue[]): Figure | undefined {
  const ok = values.filter(
    (v): v is SeedValue & { value: number } => v.value !== undefined && Number.isFinite(v.value),
  );
  const sp = spread(ok.map((v) => v.value));
  if (!sp) return undefined;
  const bySeed = new Map(ok.map((v): [number, SeedFigure] => [v.seed, { value: v.value, se: v.se, totals: v.totals }]));
  const f: Figure = { ...sp, bySeed };
  const units = ok.map((v) => v.units ?? v.totals?.sums.length).filter((u): u is number => u !== undefined);
  if (units.length) f.units = Math.min(...units);
  if (ok.every((v) => v.totals || (v.se !== undefined && Number.isFinite(v.se)))) {
    const iv = meanOverSeeds(bySeed);
    if (iv) Object.assign(f, { lo: iv.lo, hi: iv.hi, interval: iv });
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
  /** Independent test units (held-out passages; minimal pairs for agreement) per run. */
  units?: number;
  /** Set when the task has fewer than SMALL_TEST_UNITS independent test units: its interval is wide. */
  smallTest?: string;
  paired?: PairedDifference;
}

export interface SchemeSummary {
  scheme: number;
  label: string;
  done: number;
  planned: number;
  /** A causal scheme (MEAP): no shared probe; scored by next-token figures in a column of their own. */
  causal: boolean;
  /** The shared probe (the same for every bidirectional run): masked loss, accuracy, pseudo-perplexity at the fixed masks. */
  probeLoss?: Figure;
  probeAccuracy?: Figure;
  probePppl?: Spread;
  /** Held-out targets of the shared probe's evaluation and the passages they sit in (per run, the fewest). */
  probeTargets?: number;
  probeUnits?: number;
  /** Set when the shared probe's evaluation has fewer than SMALL_TEST_UNITS passages. */
  probeSmallTest?: string;
  /** Older records only: the shared probe decoded through the run's own wte (tied), which favours vocabulary objectives. */
  probeTied?: boolean;
  /** A causal run's own next-token loss and accuracy on the held-out text (MEAP), with intervals over passages. */
  nextTokenLoss?: Figure;
  nextTokenAccuracy?: Figure;
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
  /** Against the reference scheme (absent for the reference itself): shared probe, or next-token when both are causal. */
  pairedLoss?: PairedDifference;
  pairedAccuracy?: PairedDifference;
  pairedNextLoss?: PairedDifference;
  pairedNextAccuracy?: PairedDifference;
  /** Older records only: the single word-order probe and the probe-or-own mixture. */
  loss?: Spread;
  accuracy?: Spread;
  pppl?: Spread;
  viaProbe: boolean;
  mlmProbeLoss?: Spread;
  mlmProbeAccuracy?: Spread;
  downstream?: Spread;
  /** Toy language: the runs' syntax-onset steps (mean and spread of those that had one) and how many never did. */
  syntaxOnset?: { steps?: Spread; never: number; runs: number };
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

const minOf = (xs: (number | undefined)[]) => {
  const v = xs.filter((x): x is number => x !== undefined);
  return v.length ? Math.min(...v) : undefined;
};

/** A scheme's row: its figures over the runs that finished (state done with a result). */
function schemeRow(c: Pick<ComparisonRecord, 'schemes' | 'entries'>, scheme: number): SchemeSummary {
  const m = c.schemes[scheme];
  const planned = c.entries.filter((e) => e.scheme === scheme);
  const done = planned.filter((e) => e.state === 'done' && e.result);
  const results = done.map((e) => e.result!);
  const shared = results.map(sharedFigures);
  const probe = done.map((e) => ({ seed: e.seed, p: e.result!.probes?.mlm }));
  const next = done.map((e) => ({ seed: e.seed, p: e.result!.probes?.nextToken }));
  const mean = (xs: (number | undefined)[]) => spread(xs)?.mean;
  const kinds = [...new Set(results.map((r) => r.probes?.ownEvalKind ?? r.evalKind))];
  const tasks: TaskSummary[] = tasksOf(c).map((t) => {
    const per = done.map((e) => ({ seed: e.seed, r: e.result!.probes?.tasks?.find((x) => x.id === t.id) }));
    const accuracy = figure(
      per.map(({ seed, r }) => ({
        seed,
        value: r?.accuracy.value,
        se: r?.accuracy.se,
        totals: r?.totals,
        units: r?.units ?? r?.accuracy.units,
      })),
    );
    if (accuracy?.lo !== undefined)
      accuracy.baseline = baselineLabel({ lo: accuracy.lo, hi: accuracy.hi! }, { chance: 0.5 });
    const testExamples = minOf(per.map((x) => x.r?.testExamples));
    // Older records count examples: their units are unknown.
    const units = accuracy?.units;
    const unitName = t.id === 'agreement' ? 'minimal pairs' : 'held-out passages';
    const smallTest = smallTestWarning(t.name, units ?? testExamples, testExamples, units ? unitName : 'test examples');
    return {
      id: t.id,
      name: t.name,
      closeTo: t.closeTo,
      accuracy,
      chance: 0.5,
      testExamples,
      ...(units !== undefined ? { units } : {}),
      ...(smallTest ? { smallTest } : {}),
    };
  });
  const probeLoss = figure(
    probe.map(({ seed, p }) => ({ seed, value: p?.loss, se: p?.lossEstimate?.se, totals: p?.lossTotals })),
  );
  const probeAccuracy = figure(
    probe.map(({ seed, p }) => ({ seed, value: p?.accuracy, se: p?.accuracyEstimate?.se, totals: p?.accuracyTotals })),
  );
  const probeTargets = minOf(probe.map(({ p }) => p?.targets));
  const probeUnits = probeAccuracy?.units;
  const probeSmall = smallTestWarning(
    'shared probe',
    probeUnits ?? probeTargets,
    probeTargets,
    probeUnits ? 'held-out passages' : 'held-out targets',
    'masked targets',
  );
  const frequencyLoss = mean(probe.map(({ p }) => p?.frequencyLoss));
  const frequencyAccuracy = mean(probe.map(({ p }) => p?.frequencyAccuracy));
  if (probeLoss?.lo !== undefined)
    probeLoss.baseline = baselineLabel({ lo: probeLoss.lo, hi: probeLoss.hi! }, { frequency: frequencyLoss }, false);
  if (probeAccuracy?.lo !== undefined)
    probeAccuracy.baseline = baselineLabel(
      { lo: probeAccuracy.lo, hi: probeAccuracy.hi! },
      { frequency: frequencyAccuracy },
    );
  const nextFigure = (pick: 'loss' | 'accuracy') =>
    figure(
      next.map(({ seed, p }) => ({
        seed,
        value: p?.[pick],
        totals: p?.[pick === 'loss' ? 'lossTotals' : 'accuracyTotals'],
      })),
    );
  return {
    scheme,
    label: schemeLabel(m),
    done: results.length,
    planned: planned.length,
    causal: getObjective(m.objective).evaluation === 'causal-next-token',
    probeLoss,
    probeAccuracy,
    probePppl: spread(probe.map(({ p }) => p?.pseudoPerplexity)),
    ...(probeTargets !== undefined ? { probeTargets } : {}),
    ...(probeUnits !== undefined ? { probeUnits } : {}),
    ...(probeSmall && (probeLoss || probeAccuracy) ? { probeSmallTest: probeSmall } : {}),
    ...(probe.some(({ p }) => p && !p.ownOutput) ? { probeTied: true } : {}),
    nextTokenLoss: nextFigure('loss'),
    nextTokenAccuracy: nextFigure('accuracy'),
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
    flops: spread(results.map((r) => (r.probes?.trainFlopsPerStep ? r.probes.trainFlopsPerStep * r.steps : undefined))),
    viaProbe: shared.some((x) => x.viaProbe),
    loss: spread(shared.map((x) => x.loss)),
    accuracy: spread(shared.map((x) => x.accuracy)),
    pppl: spread(shared.map((x) => x.pppl)),
    mlmProbeLoss: spread(results.map((r) => r.probes?.mlm?.loss)),
    mlmProbeAccuracy: spread(results.map((r) => r.probes?.mlm?.accuracy)),
    downstream: spread(results.map((r) => r.probes?.downstream?.accuracy)),
    ...syntaxOnsetOf(results),
  };
}

/** The syntax onsets of a scheme's runs, when they were scored (the toy language). */
function syntaxOnsetOf(results: readonly RunResult[]): Pick<SchemeSummary, 'syntaxOnset'> {
  const o = results.map((r) => r.syntaxOnsetStep).filter((s) => s !== undefined);
  if (o.length === 0) return {};
  const steps = spread(o.filter((s) => s !== null));
  return { syntaxOnset: { ...(steps ? { steps } : {}), never: o.filter((s) => s === null).length, runs: o.length } };
}

/**
 * One row per scheme over the runs that finished, with paired differences against the reference: the shared probe
 * and every task (next-token figures when both schemes are causal). A difference over fewer than 2 seeds has no
 * verdict (stats.pairedDifference).
 */
export function summarize(c: Pick<ComparisonRecord, 'schemes' | 'entries'> & { reference?: number }): SchemeSummary[] {
  const ref = Math.min(c.schemes.length - 1, Math.max(0, c.reference ?? 0));
  const rows = c.schemes.map((_, scheme) => schemeRow(c, scheme));
  const base = rows[ref];
  const pair = (b: Figure | undefined, r: Figure | undefined, higherIsBetter: boolean) =>
    b && r ? pairedDifference(b.bySeed, r.bySeed, higherIsBetter) : undefined;
  for (const r of rows) {
    if (r === base || !base) continue;
    r.pairedLoss = pair(base.probeLoss, r.probeLoss, false);
    r.pairedAccuracy = pair(base.probeAccuracy, r.probeAccuracy, true);
    r.pairedNextLoss = pair(base.nextTokenLoss, r.nextTokenLoss, false);
    r.pairedNextAccuracy = pair(base.nextTokenAccuracy, r.nextTokenAccuracy, true);
    r.tasks.forEach((t, i) => (t.paired = pair(base.tasks[i].accuracy, t.accuracy, true)));
  }
  return rows;
}

/** Every paired difference of a summary (for counting verdicts). */
export function pairedDifferences(rows: readonly SchemeSummary[]): PairedDifference[] {
  return rows.flatMap((r) =>
    [r.pairedLoss, r.pairedAccuracy, r.pairedNextLoss, r.pairedNextAccuracy, ...r.tasks.map((t) => t.paired)].filter(
      (d): d is PairedDifference => d !== undefined,
    ),
  );
}

/**
 * What a results table says about its verdicts as a whole: how many paired differences it shows, how many have a
 * verdict (2 seeds or more) and how many of those read better or worse, how many better/worse verdicts chance alone
 * would give at that count (5% each when nothing differs), and whether some difference has one seed only.
 */
export function verdictSummary(rows: readonly SchemeSummary[]) {
  const all = pairedDifferences(rows);
  return {
    differences: all.length,
    ...multipleComparisons(all.map((d) => d.verdict)),
    oneSeed: all.some((d) => d.n < 2),
  };
}

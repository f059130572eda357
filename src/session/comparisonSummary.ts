// A comparison in figures per scheme: mean and spread over seeds, test-set intervals, labels at chance or at the
// frequency baseline, and paired differences with verdicts against the reference scheme.
import { DOWNSTREAM_TASKS, type DownstreamTaskId } from './downstream';
import { baselineLabel, pairedDifference, smallTestWarning, type PairedDifference, type SeedFigure } from './stats';
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

// A whole comparison without a page (the Node CLI, tests): every pending entry trained with TrainingRun, its own-head
// evaluation, then the very probes the page's worker runs (runProbes), into the same ComparisonRecord; and the
// report (per run and per scheme, paired differences and verdicts) that the CLI prints and the JSON export carries.
import type { PreparedData } from '../data/dataset';
import type { Kernels } from '../engine/kernels';
import { entryConfig, type ComparisonRecord, type RunResult, schemeLabel } from './comparisonRecord';
import { summarize } from './comparisonSummary';
import { runProbes } from './probes';
import { prepareExperimentData, TrainingRun } from './run';
import { SMALL_TEST_EXAMPLES, type PairedDifference } from './stats';

export interface ComparisonRunHooks {
  log?: (line: string) => void;
  /** Called after each entry finishes (the record is updated in place). */
  onEntry?: (rec: ComparisonRecord, index: number) => void;
}

/** Trains and probes every pending entry of `rec` in order, on `text`; entries get state done/failed and a result. */
export async function runComparison(
  k: Kernels,
  rec: ComparisonRecord,
  text: string,
  hooks: ComparisonRunHooks = {},
): Promise<ComparisonRecord> {
  const log = hooks.log ?? (() => {});
  const dataBySeed = new Map<number, PreparedData>();
  for (const [i, e] of rec.entries.entries()) {
    if (e.state !== 'pending') continue;
    const cfg = entryConfig(rec, e);
    const label = `${schemeLabel(rec.schemes[e.scheme])} · seed ${e.seed}`;
    let data = dataBySeed.get(cfg.seed);
    if (!data) dataBySeed.set(cfg.seed, (data = prepareExperimentData(text, cfg)));
    let run: TrainingRun | undefined;
    try {
      let last = -1;
      run = new TrainingRun(k, cfg, data, { onMetrics: (m) => (last = m.loss) });
      const t0 = performance.now();
      for (let s = 0; s < cfg.train.steps; s++) {
        run.step();
        if (s % 4 === 3) await new Promise((r) => setTimeout(r, 0));
        if ((s + 1) % Math.max(1, Math.round(cfg.train.steps / 5)) === 0)
          log(
            `[${i + 1}/${rec.entries.length}] ${label}: step ${s + 1}/${cfg.train.steps}${last >= 0 ? `, loss ${last.toFixed(4)}` : ''}`,
          );
      }
      await run.trainer.flush();
      const seconds = (performance.now() - t0) / 1000;
      log(`[${i + 1}/${rec.entries.length}] ${label}: trained in ${seconds.toFixed(1)} s`);
      let tp = performance.now();
      const phase = (what: string) => {
        const now = performance.now();
        log(`[${i + 1}/${rec.entries.length}] ${label}: ${what} in ${((now - tp) / 1000).toFixed(1)} s`);
        tp = now;
      };
      const own = await run.evaluate();
      const tokens = run.trainer.step * cfg.train.B * run.model.T;
      const result: RunResult = {
        evalKind: run.evalKind,
        evalLoss: own.loss,
        evalAccuracy: own.accuracy,
        evalStep: run.trainer.step,
        steps: run.trainer.step,
        tokens,
        tokensPerS: tokens / Math.max(1e-9, seconds),
        msPerStep: (1000 * seconds) / Math.max(1, run.trainer.step),
      };
      const pppl = await run.pseudoPerplexity();
      if (pppl !== undefined) result.pseudoPerplexity = pppl;
      phase('own-head evaluation');
      log(`[${i + 1}/${rec.entries.length}] ${label}: probing`);
      const probes = await runProbes(k, run, rec.budget, {
        onPhase: (what, ms) => log(`[${i + 1}/${rec.entries.length}] ${label}: ${what} in ${(ms / 1000).toFixed(1)} s`),
      });
      phase('probes');
      if (probes) result.probes = probes;
      rec.entries[i] = {
        ...e,
        state: 'done',
        result,
        ...(probes?.downstreamError ? { message: `Some downstream tasks did not run: ${probes.downstreamError}` } : {}),
      };
    } catch (err) {
      rec.entries[i] = { ...e, state: 'failed', message: err instanceof Error ? err.message : String(err) };
      log(`[${i + 1}/${rec.entries.length}] ${label}: failed: ${rec.entries[i].message}`);
    } finally {
      run?.destroy();
    }
    rec.updatedAt = Date.now();
    hooks.onEntry?.(rec, i);
  }
  rec.state = 'done';
  return rec;
}

const round = (x: number | undefined, d = 4) => (x === undefined || !Number.isFinite(x) ? null : Number(x.toFixed(d)));
const diff = (p: PairedDifference | undefined) =>
  p
    ? { mean: round(p.mean, 5), lo: round(p.lo, 5), hi: round(p.hi, 5), seeds: p.n, basis: p.basis, verdict: p.verdict }
    : null;

/** The comparison in figures: per run (shared probe, tasks with intervals, FLOPs, tokens) and per scheme (paired). */
export function comparisonReport(rec: ComparisonRecord) {
  const runs = rec.entries.map((e) => {
    const r = e.result;
    const m = r?.probes?.mlm;
    const fps = r?.probes?.trainFlopsPerStep;
    return {
      scheme: schemeLabel(rec.schemes[e.scheme]),
      seed: e.seed,
      state: e.state,
      message: e.message ?? null,
      probe: m
        ? {
            loss: round(m.loss),
            lossLo: round(m.lossEstimate?.lo),
            lossHi: round(m.lossEstimate?.hi),
            accuracy: round(m.accuracy),
            accuracyLo: round(m.accuracyEstimate?.lo),
            accuracyHi: round(m.accuracyEstimate?.hi),
            pseudoPerplexity: round(m.pseudoPerplexity, 2),
            targets: m.targets,
            steps: m.steps,
            frequencyLoss: round(m.frequencyLoss),
            frequencyAccuracy: round(m.frequencyAccuracy),
          }
        : null,
      ownHead: r
        ? {
            kind: r.probes?.ownEvalKind ?? r.evalKind,
            loss: round(r.evalLoss),
            accuracy: round(r.evalAccuracy),
            comparable: false,
          }
        : null,
      downstream: (r?.probes?.tasks ?? []).map((t) => ({
        task: t.id,
        closeTo: t.closeTo,
        accuracy: round(t.accuracy.value),
        lo: round(t.accuracy.lo),
        hi: round(t.accuracy.hi),
        chance: t.chance,
        testExamples: t.testExamples,
        smallTest: t.testExamples < SMALL_TEST_EXAMPLES,
      })),
      tokens: r?.tokens ?? null,
      flopsPerStep: fps ?? null,
      flops: fps && r ? fps * r.steps : null,
      tokensPerS: round(r?.tokensPerS, 1),
    };
  });
  const rows = summarize(rec);
  const ref = rows[Math.min(rows.length - 1, Math.max(0, rec.reference ?? 0))];
  const schemes = rows.map((s) => ({
    scheme: s.label,
    runs: s.done,
    reference: s === ref,
    probeLoss: round(s.probeLoss?.mean),
    probeLossBaseline: s.probeLoss?.baseline ?? null,
    probeAccuracy: round(s.probeAccuracy?.mean),
    probeAccuracyBaseline: s.probeAccuracy?.baseline ?? null,
    steps: s.steps?.mean ?? null,
    flops: s.flops?.mean ?? null,
    paired:
      s === ref
        ? null
        : {
            against: ref?.label ?? null,
            probeLoss: diff(s.pairedLoss),
            probeAccuracy: diff(s.pairedAccuracy),
            downstream: Object.fromEntries(s.tasks.map((t) => [t.id, diff(t.paired)])),
          },
    downstream: Object.fromEntries(
      s.tasks.map((t) => [t.id, { accuracy: round(t.accuracy?.mean), baseline: t.accuracy?.baseline ?? null }]),
    ),
  }));
  // One warning per small test set (the same tasks and probe for every run, so the first scheme's are enough).
  const warnings = [
    ...new Set(rows.flatMap((s) => [s.probeSmallTest, ...s.tasks.map((t) => t.smallTest)]).filter((w) => !!w)),
  ];
  return {
    comparison: rec.name,
    reference: ref?.label ?? null,
    budget: rec.compute ?? { kind: 'steps' },
    probeBudget: { steps: rec.budget.mlmSteps, downstreamSequences: rec.budget.downstreamSequences },
    warnings,
    runs,
    schemes,
  };
}

// A comparison in figures for the CLI and JSON: per run (shared probe, downstream tasks with intervals, FLOPs,
// tokens) and per scheme (paired differences and verdicts against the reference), with the small-test warnings.
import { schemeLabel, type ComparisonRecord } from './comparisonRecord';
import { summarize } from './comparisonSummary';
import { SMALL_TEST_EXAMPLES, type PairedDifference } from './stats';

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

// A comparison in figures for the CLI and JSON: per run (shared probe or a causal run's next-token figures,
// downstream tasks with intervals and their independent units, FLOPs, tokens) and per scheme (paired differences and
// verdicts against the reference, none from one seed), with the small-test warnings and the count of verdicts.
import { schemeLabel, type ComparisonRecord } from './comparisonRecord';
import { summarize, verdictSummary, type Figure } from './comparisonSummary';
import { ONE_SEED_MESSAGE, SMALL_TEST_UNITS, type PairedDifference } from './stats';

const round = (x: number | undefined, d = 4) => (x === undefined || !Number.isFinite(x) ? null : Number(x.toFixed(d)));
const diff = (p: PairedDifference | undefined) =>
  p
    ? {
        mean: round(p.mean, 5),
        lo: round(p.lo, 5),
        hi: round(p.hi, 5),
        seeds: p.n,
        basis: p.basis,
        independent_units: p.units ?? null,
        verdict: p.verdict,
        ...(p.verdict === null ? { note: ONE_SEED_MESSAGE } : {}),
      }
    : null;
const schemeFigure = (f: Figure | undefined) =>
  f ? { mean: round(f.mean), lo: round(f.lo), hi: round(f.hi), independent_units: f.units ?? null } : null;

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
            independent_units: m.accuracyEstimate?.units ?? null,
            smallTest: (m.accuracyEstimate?.units ?? m.targets) < SMALL_TEST_UNITS,
            steps: m.steps,
            outputLayer: m.ownOutput ? 'own' : 'tied to the run (older record)',
            frequencyLoss: round(m.frequencyLoss),
            frequencyAccuracy: round(m.frequencyAccuracy),
          }
        : null,
      nextToken: r?.probes?.nextToken
        ? {
            loss: round(r.probes.nextToken.loss),
            lossLo: round(r.probes.nextToken.lossEstimate.lo),
            lossHi: round(r.probes.nextToken.lossEstimate.hi),
            accuracy: round(r.probes.nextToken.accuracy),
            accuracyLo: round(r.probes.nextToken.accuracyEstimate.lo),
            accuracyHi: round(r.probes.nextToken.accuracyEstimate.hi),
            targets: r.probes.nextToken.targets,
            independent_units: r.probes.nextToken.accuracyEstimate.units ?? null,
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
        independent_units: t.units ?? t.accuracy.units ?? null,
        smallTest: (t.units ?? t.accuracy.units ?? t.testExamples) < SMALL_TEST_UNITS,
      })),
      tokens: r?.tokens ?? null,
      flopsPerStep: fps ?? null,
      flops: fps && r ? fps * r.steps : null,
      tokensPerS: round(r?.tokensPerS, 1),
      ...(r?.syntaxOnsetStep !== undefined ? { syntaxOnsetStep: r.syntaxOnsetStep } : {}),
    };
  });
  const rows = summarize(rec);
  const ref = rows[Math.min(rows.length - 1, Math.max(0, rec.reference ?? 0))];
  const schemes = rows.map((s) => ({
    scheme: s.label,
    runs: s.done,
    reference: s === ref,
    causal: s.causal,
    probeLoss: round(s.probeLoss?.mean),
    probeLossInterval: schemeFigure(s.probeLoss),
    probeLossBaseline: s.probeLoss?.baseline ?? null,
    probeAccuracy: round(s.probeAccuracy?.mean),
    probeAccuracyInterval: schemeFigure(s.probeAccuracy),
    probeAccuracyBaseline: s.probeAccuracy?.baseline ?? null,
    nextTokenLoss: schemeFigure(s.nextTokenLoss),
    nextTokenAccuracy: schemeFigure(s.nextTokenAccuracy),
    steps: s.steps?.mean ?? null,
    flops: s.flops?.mean ?? null,
    ...(s.syntaxOnset
      ? {
          syntaxOnset: {
            mean: s.syntaxOnset.steps?.mean ?? null,
            std: s.syntaxOnset.steps?.std ?? null,
            min: s.syntaxOnset.steps?.min ?? null,
            max: s.syntaxOnset.steps?.max ?? null,
            never: s.syntaxOnset.never,
            runs: s.syntaxOnset.runs,
          },
        }
      : {}),
    paired:
      s === ref
        ? null
        : {
            against: ref?.label ?? null,
            probeLoss: diff(s.pairedLoss),
            probeAccuracy: diff(s.pairedAccuracy),
            nextTokenLoss: diff(s.pairedNextLoss),
            nextTokenAccuracy: diff(s.pairedNextAccuracy),
            downstream: Object.fromEntries(s.tasks.map((t) => [t.id, diff(t.paired)])),
          },
    downstream: Object.fromEntries(
      s.tasks.map((t) => [
        t.id,
        {
          accuracy: round(t.accuracy?.mean),
          lo: round(t.accuracy?.lo),
          hi: round(t.accuracy?.hi),
          baseline: t.accuracy?.baseline ?? null,
          testExamples: t.testExamples ?? null,
          independent_units: t.units ?? null,
        },
      ]),
    ),
  }));
  const v = verdictSummary(rows);
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
    verdicts: {
      differences: v.differences,
      withVerdict: v.made,
      betterOrWorse: v.decided,
      expectedByChance: round(v.byChance, 2),
      note: verdictNote(v),
    },
    runs,
    schemes,
  };
}

/**
 * The count of verdicts in words: how many comparisons the table makes, how many better/worse verdicts chance alone
 * would give at that count, and the one-seed message when a difference has no verdict.
 */
export function verdictNote(v: ReturnType<typeof verdictSummary>): string {
  const parts: string[] = [];
  if (v.oneSeed) parts.push(`${ONE_SEED_MESSAGE[0].toUpperCase()}${ONE_SEED_MESSAGE.slice(1)}.`);
  if (v.made > 0)
    parts.push(
      `${v.made} paired ${v.made === 1 ? 'comparison' : 'comparisons'} with a verdict, ${v.decided} better or worse; ` +
        `if no scheme differed from the reference, chance alone would give about ${v.byChance.toFixed(1)} better/worse ` +
        `verdicts at this count (5% each).`,
    );
  return parts.join(' ');
}

/**
 * The results table as text lines (the CLI prints it): per scheme the shared probe (or a causal run's next-token
 * figures) and every task with its interval, independent units and paired difference, then the count of verdicts and
 * the warnings.
 */
export function comparisonTable(rec: ComparisonRecord): string[] {
  const pct = (x?: number) => (x === undefined || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(1)}%`);
  const f3 = (x?: number) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(3));
  const fig = (f: Figure | undefined, fmt: (x?: number) => string) =>
    `${fmt(f?.mean)} [${fmt(f?.lo)}, ${fmt(f?.hi)}]${f?.baseline ? ` ${f.baseline}` : ''}`;
  const delta = (d: PairedDifference | undefined, fmt: (x?: number) => string) =>
    d ? `  Δ ${fmt(d.mean)} [${fmt(d.lo)}, ${fmt(d.hi)}] ${d.verdict ?? 'no verdict (one seed)'}` : '';
  const rows = summarize(rec);
  const reference = Math.min(rows.length - 1, Math.max(0, rec.reference ?? 0));
  const out: string[] = [];
  for (const s of rows) {
    out.push('', `${s.label}  (${s.done}/${s.planned} runs)${s.scheme === reference ? '  [reference]' : ''}`);
    if (s.causal) {
      out.push(
        `  next-token loss ${fig(s.nextTokenLoss, f3)}${delta(s.pairedNextLoss, f3)}  (causal: no shared probe)`,
      );
      out.push(`  next-token acc. ${fig(s.nextTokenAccuracy, pct)}${delta(s.pairedNextAccuracy, pct)}`);
    } else {
      const units = s.probeUnits !== undefined ? `  (${s.probeUnits} passages, ${s.probeTargets} targets)` : '';
      out.push(`  probe loss ${fig(s.probeLoss, f3)}${delta(s.pairedLoss, f3)}${units}`);
      out.push(`  probe acc. ${fig(s.probeAccuracy, pct)}${delta(s.pairedAccuracy, pct)}`);
    }
    for (const t of s.tasks) {
      const units = t.units !== undefined ? `  (${t.units} units, ${t.testExamples} test examples)` : '';
      out.push(`  ${t.name.padEnd(16)} ${fig(t.accuracy, pct)}${delta(t.paired, pct)}${units}`);
    }
    out.push(
      `  own head (not comparable): ${s.ownKind ?? '–'} loss ${f3(s.ownLoss?.mean)}; ${s.steps ? Math.round(s.steps.mean) : '–'} steps, FLOPs ${s.flops ? s.flops.mean.toExponential(2) : '–'}`,
    );
    const o = s.syntaxOnset;
    if (o)
      out.push(
        `  syntax onset (verb -> subject past an attractor): ` +
          (o.steps
            ? `step ${Math.round(o.steps.mean)} ± ${Math.round(o.steps.std)} (${o.steps.min}-${o.steps.max}) over ${o.steps.n} runs`
            : 'never') +
          (o.never > 0 ? `; never in ${o.never} of ${o.runs} runs` : ''),
      );
  }
  const note = verdictNote(verdictSummary(rows));
  if (note) out.push('', note);
  for (const w of comparisonReport(rec).warnings) out.push(`warning: ${w}`);
  return out;
}

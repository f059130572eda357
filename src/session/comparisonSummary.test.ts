// The comparison's summary and report on synthetic results: every figure states its independent units; one seed
// gives paired differences without a verdict (and says so), two seeds give verdicts; the table counts its verdicts
// and what chance alone would give; a causal (MEAP) scheme has a next-token column of its own and no probe figures.
import { describe, expect, it } from 'vitest';
import { Rng } from '../data/rng';
import type { MaskingConfig } from '../masking/types';
import { newComparison, type RunResult } from './comparisonRecord';
import { comparisonReport, comparisonTable } from './comparisonReport';
import { summarize, verdictSummary } from './comparisonSummary';
import { comparisonToCsv, comparisonToJson, parseComparisonJson } from './comparisonExport';
import { defaultExperiment } from './config';
import type { DownstreamTaskResult } from './downstream';
import type { NextTokenResult } from './probes';
import { bootstrapUnits, ONE_SEED_MESSAGE, unitTotals } from './stats';

const mlm: MaskingConfig = { strategy: 'random', objective: 'mlm' };
const rts: MaskingConfig = { strategy: 'random', objective: 'rts' };
const meap: MaskingConfig = { strategy: 'random', objective: 'meap' };

/** Per-example 0/1 results of `passages` passages with `k` examples each, right with probability p. */
function figures(rng: Rng, p: number, passages: number, k: number, key: string) {
  const values: number[] = [];
  const units: number[] = [];
  for (let u = 0; u < passages; u++)
    for (let i = 0; i < k; i++) {
      values.push(rng.float() < p ? 1 : 0);
      units.push(u);
    }
  const totals = unitTotals(values, units, key);
  return { totals, estimate: bootstrapUnits(totals) };
}

function result(scheme: MaskingConfig, seed: number, p: number): RunResult {
  const rng = Rng.from('summary', scheme.objective, seed);
  const key = `seed-${seed}`;
  const task = figures(rng, p, 102, 11, key);
  const t: DownstreamTaskResult = {
    id: 'word-order',
    name: 'Word order',
    closeTo: '',
    accuracy: task.estimate,
    totals: task.totals,
    units: 102,
    trainAccuracy: 0.9,
    chance: 0.5,
    majority: 0.5,
    trainExamples: 1600,
    testExamples: 1122,
  };
  const r: RunResult = {
    evalKind: scheme.objective === 'meap' ? 'next-token' : scheme.objective === 'mlm' ? 'mlm' : 'objective',
    evalLoss: 5,
    steps: 10,
    tokens: 100,
    tokensPerS: 10,
    msPerStep: 1,
    probes: { ms: 1, tasks: [t], trainFlopsPerStep: 1e9 },
  };
  const acc = figures(rng, p / 3, 512, 5, `probe-${seed}`);
  const loss = { ...acc.totals, sums: acc.totals.sums.map((s, u) => 5 * acc.totals.counts[u] - s) };
  const n: NextTokenResult = {
    loss: loss.sums.reduce((a, b) => a + b, 0) / 2560,
    accuracy: acc.estimate.value,
    targets: 2560,
    lossEstimate: bootstrapUnits(loss),
    accuracyEstimate: acc.estimate,
    lossTotals: loss,
    accuracyTotals: acc.totals,
  };
  // A causal run has next-token figures; the others the shared probe's (the same numbers, for the test).
  if (scheme.objective === 'meap') r.probes!.nextToken = n;
  else r.probes!.mlm = { ...n, steps: 10, trainLoss: 5, ownOutput: true, maskRow: true };
  return r;
}

function comparison(seeds: number[], schemes = [mlm, rts, meap]) {
  const rec = newComparison({ name: 'c', base: defaultExperiment(), schemes, seeds, probeText: '' });
  rec.entries = rec.entries.map((e) => ({
    ...e,
    state: 'done' as const,
    result: result(rec.schemes[e.scheme], e.seed, e.scheme === 1 ? 0.8 : 0.6),
  }));
  return rec;
}

describe('comparison summary and report', () => {
  it('one seed: every paired difference has verdict null and the one-seed message; independent units everywhere', () => {
    const rec = comparison([1]);
    const rows = summarize(rec);
    const diffs = [rows[1].pairedLoss, rows[1].pairedAccuracy, rows[1].tasks[0].paired];
    for (const d of diffs) {
      expect(d).toBeDefined();
      expect(d!.verdict).toBeNull();
    }
    // rts is far better on word order (80% vs 60%), yet one seed cannot say so about the schemes.
    expect(rows[1].tasks[0].paired!.lo).toBeGreaterThan(0);
    const report = comparisonReport(rec);
    for (const run of report.runs) {
      for (const t of run.downstream) expect(t.independent_units).toBe(102);
      if (run.probe) expect(run.probe.independent_units).toBe(512);
    }
    const paired = report.schemes[1].paired!;
    expect(paired.probeAccuracy!.verdict).toBeNull();
    expect(paired.probeAccuracy!.note).toBe(ONE_SEED_MESSAGE);
    expect(paired.downstream['word-order']!.verdict).toBeNull();
    expect(report.schemes[1].downstream['word-order'].independent_units).toBe(102);
    expect(report.verdicts.withVerdict).toBe(0);
    expect(report.verdicts.note).toContain('One seed: this compares two trained models, not two schemes');
    expect(comparisonTable(rec).join('\n')).toContain('no verdict (one seed)');
    // Under 1,000 independent units: flagged, counting passages.
    expect(report.warnings.join(' ')).toMatch(
      /Word order: only 102 independent held-out passages \(1,122 test examples\)/,
    );
  });

  it('two seeds: verdicts return; the table counts them and what chance alone would give', () => {
    const rec = comparison([1, 2]);
    const rows = summarize(rec);
    expect(rows[1].tasks[0].paired!.verdict).toBe('better');
    expect(rows[1].tasks[0].paired!.n).toBe(2);
    const v = verdictSummary(rows);
    // rts: probe loss, probe accuracy, word order; meap: word order only (no probe, and the reference is not causal).
    expect(v.differences).toBe(4);
    expect(v.made).toBe(4);
    expect(v.byChance).toBeCloseTo(0.2, 12);
    expect(v.oneSeed).toBe(false);
    const report = comparisonReport(rec);
    expect(report.verdicts).toMatchObject({ differences: 4, withVerdict: 4, expectedByChance: 0.2 });
    expect(report.verdicts.note).toMatch(/4 paired comparisons with a verdict, \d better or worse; .*about 0\.2/);
    expect(report.schemes[1].paired!.downstream['word-order']!.verdict).toBe('better');
  });

  it("MEAP's column: a causal scheme has next-token figures of its own and no shared-probe figures", () => {
    const rec = comparison([1, 2]);
    const [, , m] = summarize(rec);
    expect(m.causal).toBe(true);
    expect(m.probeLoss).toBeUndefined();
    expect(m.probeAccuracy).toBeUndefined();
    expect(m.pairedLoss).toBeUndefined();
    expect(m.nextTokenLoss!.mean).toBeGreaterThan(0);
    expect(m.nextTokenAccuracy!.units).toBe(512);
    expect(m.nextTokenAccuracy!.lo).toBeLessThan(m.nextTokenAccuracy!.mean);
    const report = comparisonReport(rec);
    const run = report.runs.find((r) => r.scheme.startsWith('random/meap'))!;
    expect(run.probe).toBeNull();
    expect(run.nextToken!.independent_units).toBe(512);
    expect(report.schemes[2].causal).toBe(true);
    expect(report.schemes[2].nextTokenAccuracy!.independent_units).toBe(512);
    // Two causal schemes are paired on their next-token figures.
    const two = summarize(comparison([1, 2], [meap, { ...meap, strategyParams: { rate: 0.3 } }]));
    expect(two[1].pairedNextAccuracy!.n).toBe(2);
    // CSV: next-token columns for the causal run, probe columns empty.
    const csv = comparisonToCsv(rec).trim().split('\r\n');
    const header = csv[0].split(',');
    const row = csv.find((l) => l.includes(',meap,'))!.split(',');
    expect(Number(row[header.indexOf('next_token_accuracy')])).toBeCloseTo(run.nextToken!.accuracy!, 3);
    expect(row[header.indexOf('next_token_independent_units')]).toBe('512');
    expect(row[header.indexOf('probe_accuracy')]).toBe('');
  });

  it('per-passage totals and units survive the JSON file; a bad one is refused', () => {
    const rec = comparison([1]);
    const back = parseComparisonJson(comparisonToJson(rec, [])).comparison;
    expect(summarize(back)).toEqual(summarize(rec));
    const bad = JSON.parse(comparisonToJson(rec, [])) as {
      comparison: { entries: { result: { probes: { tasks: { totals: { counts: number[] } }[] } } }[] };
    };
    bad.comparison.entries[0].result.probes.tasks[0].totals.counts = [1];
    expect(() => parseComparisonJson(JSON.stringify(bad))).toThrow(/counts/);
  });
});

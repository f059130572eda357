// The comparison budget in steps, tokens or FLOPs: the steps each scheme gets, by the engine's analytic FLOPs count.
import { describe, expect, it } from 'vitest';
import { generatorConfig, generatorShape } from '../engine/model/heads/electra';
import { electraStepFlops, trainStepFlops } from '../engine/profile';
import { planMasking } from '../masking';
import type { MaskingConfig } from '../masking/types';
import { entryConfig, newComparison, type RunResult } from './comparisonRecord';
import { summarize } from './comparisonSummary';
import { comparisonReport } from './comparisonReport';
import { comparisonToJson, parseComparisonJson } from './comparisonExport';
import { budgetError, placeholderVocab, resolveBudget, schemeStepFlops } from './computeBudget';
import { defaultExperiment, modelShape } from './config';

const base = defaultExperiment();
base.train.steps = 200;
const mlm: MaskingConfig = { strategy: 'random', objective: 'mlm' };
const electra: MaskingConfig = { strategy: 'random', objective: 'electra' };
const rts: MaskingConfig = { strategy: 'random', objective: 'rts' };

describe('schemeStepFlops', () => {
  const V = base.tokenizer.vocabSize ?? 4096;
  const model = modelShape(base, V);
  const M = base.train.B * planMasking(mlm, placeholderVocab(V), model.T).capacity;
  it('is the engine formula: MLM is trainStepFlops, ELECTRA adds its generator to a binary-head step', () => {
    expect(schemeStepFlops(base, mlm)).toBe(trainStepFlops(model, base.train.B, M).total);
    const gen = generatorConfig(model, generatorShape(model, 0.25));
    const e = schemeStepFlops(base, electra);
    expect(e).toBe(electraStepFlops(model, gen, base.train.B, M).total);
    expect(e).toBeGreaterThan(trainStepFlops(model, base.train.B, M, { kind: 'binary' }).total);
  });
});

describe('resolveBudget', () => {
  it('steps: every scheme the base steps', () => {
    expect(resolveBudget(base, [mlm, electra], { kind: 'steps' }).map((b) => b.steps)).toEqual([200, 200]);
  });
  it('tokens: the steps that see the tokens, the same for every scheme', () => {
    const perStep = base.train.B * modelShape(base, 2).T;
    const r = resolveBudget(base, [mlm, rts], { kind: 'tokens', amount: 50 * perStep + 7 });
    expect(r.map((b) => b.steps)).toEqual([50, 50]);
    expect(r[0].tokens).toBe(50 * perStep);
  });
  it('equal FLOPs: ELECTRA gets fewer steps than MLM, and neither spends more than the reference', () => {
    const [m, e] = resolveBudget(base, [mlm, electra], { kind: 'equal-flops' });
    expect(m.steps).toBe(200);
    const fm = schemeStepFlops(base, mlm);
    const fe = schemeStepFlops(base, electra);
    expect(e.steps).toBe(Math.floor((200 * fm) / fe));
    expect(e.steps).toBeLessThan(200);
    expect(e.flops).toBeLessThanOrEqual(m.flops);
    expect(e.flops + fe).toBeGreaterThan(m.flops);
  });
  it('equal FLOPs with ELECTRA as reference gives MLM more steps', () => {
    const [m, e] = resolveBudget(base, [mlm, electra], { kind: 'equal-flops' }, 1);
    expect(e.steps).toBe(200);
    expect(m.steps).toBeGreaterThan(200);
  });
  it('FLOPs: each scheme the steps it can afford, at least one', () => {
    const fm = schemeStepFlops(base, mlm);
    expect(resolveBudget(base, [mlm, electra], { kind: 'flops', amount: 30.5 * fm })[0].steps).toBe(30);
    expect(resolveBudget(base, [mlm, electra], { kind: 'flops', amount: 1 }).map((b) => b.steps)).toEqual([1, 1]);
  });
  it('refuses a token or FLOPs budget without a positive amount', () => {
    expect(budgetError({ kind: 'flops' })).toMatch(/positive amount/);
    expect(budgetError({ kind: 'tokens', amount: -3 })).toMatch(/tokens/);
    expect(budgetError({ kind: 'equal-flops' })).toBeNull();
    expect(() => resolveBudget(base, [mlm, rts], { kind: 'flops', amount: 0 })).toThrow(/FLOPs/);
  });
});

describe('a comparison with a budget', () => {
  it('saves the budget and the steps it resolved to; each entry trains its scheme steps', () => {
    const rec = newComparison({
      name: 'x',
      base,
      schemes: [mlm, electra],
      seeds: [1, 2],
      probeText: '',
      compute: { kind: 'equal-flops' },
    });
    expect(rec.compute).toEqual({ kind: 'equal-flops' });
    const want = resolveBudget(base, [mlm, electra], { kind: 'equal-flops' }).map((b) => b.steps);
    expect(rec.schemeSteps).toEqual(want);
    const back = JSON.parse(JSON.stringify(rec)) as typeof rec;
    expect(entryConfig(back, { scheme: 1, seed: 2 }).train.steps).toBe(want[1]);
    expect(entryConfig(back, { scheme: 0, seed: 2 }).train.steps).toBe(200);
    const plain = newComparison({ name: 'y', base, schemes: [mlm, electra], seeds: [1], probeText: '' });
    expect(plain.schemeSteps).toBeUndefined();
    expect(entryConfig(plain, { scheme: 1, seed: 1 }).train.steps).toBe(200);
  });
});

describe('small test sets in the results', () => {
  it('flag a task under 1,000 independent test units and a small shared probe, in the summary and the report', () => {
    const rec = newComparison({ name: 'w', base, schemes: [mlm, rts], seeds: [1], probeText: '' });
    // word order: 1,122 examples from 102 passages (flagged: units count); spliced: an older record, 1,170 examples.
    const task = (id: 'word-order' | 'spliced', testExamples: number, units?: number) => ({
      id,
      name: id,
      closeTo: '',
      ...(units ? { units } : {}),
      accuracy: { value: 0.6, lo: 0.55, hi: 0.65, se: 0.02, n: testExamples, ...(units ? { units } : {}) },
      trainAccuracy: 0.7,
      chance: 0.5,
      majority: 0.5,
      trainExamples: 10,
      testExamples,
    });
    const result = (steps: number): RunResult => ({
      evalKind: 'objective',
      steps,
      tokens: 1,
      tokensPerS: 1,
      msPerStep: 1,
      probes: {
        ms: 1,
        mlm: { loss: 6, accuracy: 0.05, targets: 640, steps: 10, trainLoss: 6 },
        tasks: [task('word-order', 1122, 102), task('spliced', 1170)],
        trainFlopsPerStep: 1e9,
      },
    });
    rec.entries = rec.entries.map((e, i) => ({ ...e, state: 'done' as const, result: result(20 + i) }));
    const [s0, s1] = summarize(rec);
    expect(s0.tasks[0].smallTest).toMatch(
      /only 102 independent held-out passages \(1,122 test examples\).*interval is wide/,
    );
    expect(s0.tasks[1].smallTest).toBeUndefined();
    expect(s0.probeSmallTest).toMatch(/shared probe: only 640/);
    expect(s1.steps?.mean).toBe(21);
    const report = comparisonReport(rec);
    expect(report.warnings).toHaveLength(2);
    expect(report.runs[0].downstream.map((t) => t.smallTest)).toEqual([true, false]);
    expect(report.runs[0].downstream.map((t) => t.independent_units)).toEqual([102, null]);
    expect(report.schemes[1].flops).toBe(21e9);
  });
});

describe('the budget in the comparison file', () => {
  it('survives export and import, and a bad one is refused with a reason', () => {
    const rec = newComparison({
      name: 'z',
      base,
      schemes: [mlm, electra],
      seeds: [1],
      probeText: '',
      compute: { kind: 'flops', amount: 1e12 },
      reference: 1,
    });
    const back = parseComparisonJson(comparisonToJson(rec, [])).comparison;
    expect(back.compute).toEqual({ kind: 'flops', amount: 1e12 });
    expect(back.schemeSteps).toEqual(rec.schemeSteps);
    expect(back.reference).toBe(1);
    const bad = JSON.parse(comparisonToJson(rec, [])) as { comparison: { schemeSteps: number[] } };
    bad.comparison.schemeSteps = [3];
    expect(() => parseComparisonJson(JSON.stringify(bad))).toThrow(/schemeSteps/);
  });
});

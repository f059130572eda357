// Comparison plans: two schemes at one seed start from bit-identical encoder weights and see the same batches in
// the same order; presets are valid experiments (ELECTRA's pending reason is shown); per-scheme mean and spread.
import { describe, expect, it } from 'vitest';
import { BatchOrder } from '../data/batching';
import { loadCorpus } from '../data/corpora';
import { Rng } from '../data/rng';
import { bertTensors, initParams, placeTensors, type HeadConfig } from '../engine/model/params';
import { planMasking, vocabInfoOf, countUnigrams, type MaskingPlan } from '../masking';
import { defaultExperiment, modelShape } from './config';
import { isEncoderTensor } from './probes';
import { prepareExperimentData, uniformOf } from './run';
import { decodeExperiment, encodeExperiment } from './experimentUrl';
import { COMPARISON_PRESETS } from './comparisonPresets';
import { entryConfig, newComparison, schemeLabel, seedList, tokenBudget, type RunResult } from './comparisonRecord';
import { spread, summarize } from './comparisonSummary';

/** The single head of these schemes (what TrainingRun's headFor picks for them). */
function headOf(plan: MaskingPlan): HeadConfig {
  const h = plan.heads[0];
  return h.kind === 'k-class'
    ? { kind: 'k-class', K: h.classes }
    : h.kind === 'binary'
      ? { kind: 'binary' }
      : { kind: 'vocabulary' };
}

describe('a comparison is fair', () => {
  it(
    'two schemes, one seed: bit-identical encoder init and the same batches in the same order',
    { timeout: 60_000 },
    async () => {
      const base = defaultExperiment();
      base.tokenizer = { kind: 'wordpiece', vocabSize: 300 };
      base.model = { preset: 'tiny', overrides: { T: 32 } };
      base.train = { ...base.train, B: 4 };
      const c = newComparison({
        name: 'x',
        base,
        schemes: COMPARISON_PRESETS.find((p) => p.id === 'complexity')!.schemes,
        seeds: [5, 6],
        probeText: '',
      });
      const text = (await loadCorpus('fairy-tales')).slice(0, 30_000);
      // What TrainingRun does with each run's config, up to its first step.
      const setups = c.entries
        .filter((e) => e.seed === 5)
        .map((e) => {
          const cfg = entryConfig(c, e);
          const data = prepareExperimentData(text, cfg);
          const model = modelShape(cfg, data.tokenizer.vocabSize);
          const vocab = vocabInfoOf(data.tokenizer, countUnigrams(data.train.ids, data.train.valid, model.V));
          const layout = placeTensors(bertTensors(model, headOf(planMasking(cfg.masking, vocab, model.T))));
          const init = initParams(layout, model.initStd, uniformOf(Rng.from(cfg.seed, 'init')));
          return { cfg, layout, init, order: new BatchOrder(data.train, cfg.train.B, cfg.seed) };
        });
      expect(setups.map((s) => s.cfg.masking.objective)).toEqual(['first-char', 'char-n', 'char-n', 'mlm']);
      const [a, ...rest] = setups;
      for (const b of rest) {
        let n = 0;
        for (const t of a.layout.tensors.filter((x) => isEncoderTensor(x.name))) {
          const u = b.layout.byName.get(t.name)!;
          expect(Array.from(b.init.subarray(u.offset, u.offset + u.size)), t.name).toEqual(
            Array.from(a.init.subarray(t.offset, t.offset + t.size)),
          );
          n++;
        }
        expect(n).toBe(5 + 12 * 2);
        for (const step of [0, 1, 2, 9, 50, 400])
          expect(b.order.batchAt(step).ids, `batch ${step}`).toEqual(a.order.batchAt(step).ids);
      }
      // Another seed gives other weights and another order.
      const e6 = entryConfig(c, { scheme: 0, seed: 6 });
      const data = prepareExperimentData(text, e6);
      expect(new BatchOrder(data.train, 4, 6).rowsAt(0)).not.toEqual(a.order.rowsAt(0));
    },
  );

  it('every run gets the same token budget: steps x B x T', () => {
    const base = defaultExperiment();
    base.train = { ...base.train, steps: 10, B: 4 };
    base.model = { preset: 'tiny', overrides: { T: 32 } };
    expect(tokenBudget(base)).toBe(1280);
    expect(seedList(3, 9)).toEqual([3, 4, 5, 6, 7]);
    expect(seedList(1, 2)).toEqual([1, 2]);
  });
});

describe('presets', () => {
  it('are valid experiments, each with a finding', () => {
    expect(COMPARISON_PRESETS.map((p) => p.id)).toEqual([
      'units',
      'rate',
      'complexity',
      'discriminative',
      'yamaguchi2021',
      'schedule',
    ]);
    for (const p of COMPARISON_PRESETS) {
      expect(p.finding.length).toBeGreaterThan(40);
      for (const m of p.schemes) {
        const d = decodeExperiment(encodeExperiment({ ...defaultExperiment(), masking: m }));
        expect(d.ignored, `${p.id}: ${schemeLabel(m)}`).toEqual([]);
        expect(d.config.masking.objective).toBe(m.objective);
      }
    }
    expect(schemeLabel(COMPARISON_PRESETS[0].schemes[0])).toBe('random/mlm · 15% · 80/10/10');
    expect(schemeLabel(COMPARISON_PRESETS[2].schemes[1])).toBe('random/char-n · 15% · n=2');
    // Every preset text cites its paper with an arXiv id and says what a toy run can or cannot show.
    for (const p of COMPARISON_PRESETS) {
      expect(p.cite, p.id).toMatch(/arXiv \d{4}\.\d{5}/);
      expect(p.finding, p.id).toMatch(/toy/);
    }
    const sched = COMPARISON_PRESETS.find((p) => p.id === 'schedule')!;
    expect(new Set(sched.schemes.map(schemeLabel)).size).toBe(3);
    expect(schemeLabel(sched.schemes[2])).toBe('random/mlm · linear 15%→30% · 80/10/10');
  });
});

describe('summary', () => {
  it('mean, sample std and range over the finite values', () => {
    const s = spread([1, 2, 3, undefined, NaN]);
    expect(s).toMatchObject({ mean: 2, min: 1, max: 3, n: 3 });
    expect(s!.std).toBeCloseTo(1, 12);
    expect(spread([4])).toMatchObject({ mean: 4, std: 0, n: 1 });
    expect(spread([undefined])).toBeUndefined();
  });

  it('one row per scheme over finished runs; runs without a vocabulary head report the MLM probe', () => {
    const c = newComparison({
      name: 'x',
      base: defaultExperiment(),
      schemes: [
        { strategy: 'random', objective: 'mlm' },
        { strategy: 'random', objective: 'rts' },
      ],
      seeds: [1, 2],
      probeText: '',
    });
    const vocab = (loss: number): RunResult => ({
      evalKind: 'mlm',
      evalLoss: loss,
      evalAccuracy: 0.1,
      pseudoPerplexity: 100,
      steps: 1,
      tokens: 1,
      tokensPerS: 10,
      msPerStep: 1,
      probes: {
        downstream: { accuracy: 0.6, trainAccuracy: 1, chance: 0.5, trainExamples: 1, testExamples: 1 },
        ms: 1,
      },
    });
    const rts: RunResult = {
      evalKind: 'objective',
      evalLoss: 0.3,
      steps: 1,
      tokens: 1,
      tokensPerS: 20,
      msPerStep: 1,
      probes: { mlm: { loss: 6.5, accuracy: 0.04, targets: 9, pseudoPerplexity: 500, steps: 5, trainLoss: 6 }, ms: 1 },
    };
    c.entries[0] = { ...c.entries[0], state: 'done', result: vocab(5) };
    c.entries[1] = { ...c.entries[1], state: 'done', result: rts };
    c.entries[2] = { ...c.entries[2], state: 'done', result: vocab(6) };
    c.entries[3] = { ...c.entries[3], state: 'failed', result: rts };
    const [m, r] = summarize(c);
    expect(m).toMatchObject({
      done: 2,
      planned: 2,
      viaProbe: false,
      loss: { mean: 5.5, n: 2 },
      pppl: { mean: 100 },
      downstream: { mean: 0.6 },
    });
    expect(m.mlmProbeLoss).toBeUndefined();
    expect(r).toMatchObject({
      done: 1,
      planned: 2,
      viaProbe: true,
      loss: { mean: 6.5, n: 1 },
      pppl: { mean: 500 },
      mlmProbeAccuracy: { mean: 0.04 },
      tokensPerS: { mean: 20 },
    });
    expect(r.downstream).toBeUndefined();
  });
});

// The comparison's probes on Dawn: runs of two schemes with one seed start from bit-identical encoder weights; the
// shared probe scores mlm and rts runs by one code path (never the mlm run's own head), trains only its head and
// the [MASK] row, and is neutral (wte rows of tokens it never reads leave it unchanged; a tied decoder moves); a
// causal run gets next-token figures instead; the downstream tasks give test accuracies with intervals.
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../data/corpora';
import { useGpu } from '../engine/testing';
import { defaultExperiment, type ExperimentConfig } from './config';
import {
  isEncoderTensor,
  mlmProbe,
  probeInit,
  runProbes,
  sharedEvalBatches,
  sharedProbeHead,
  type ProbeBudget,
  type ProbeResults,
} from './probes';
import { DOWNSTREAM_TASKS } from './downstream';
import { Trainer } from '../engine/trainer';
import { bertTensors, copyTensors, initParams, placeTensors, VOCAB_HEAD } from '../engine/model/params';
import { SPECIAL_IDS } from '../data/types';
import { Rng } from '../data/rng';
import { applyMasking } from '../masking';
import {
  EVAL_MASKING,
  PPPL_SEQUENCES,
  prepareExperimentData,
  pseudoPerplexityBatches,
  TrainingRun,
  uniformOf,
} from './run';
import type { MaskingConfig } from '../masking/types';

function experiment(masking: MaskingConfig): ExperimentConfig {
  const e = defaultExperiment();
  e.tokenizer = { kind: 'wordpiece', vocabSize: 512 };
  e.model = { preset: 'tiny', overrides: { T: 24, L: 1, C: 32, NH: 2, F: 64 } };
  e.train = { ...e.train, B: 4, steps: 6, warmup: 1, lr: 3e-3 };
  e.masking = masking;
  e.seed = 4;
  return e;
}

const BUDGET: ProbeBudget = { mlmSteps: 12, mlmWarmup: 2, mlmLr: 3e-3, downstreamSequences: 24 };

describe('comparison probes', () => {
  const fx = useGpu();

  it(
    'two schemes, one seed: bit-identical encoder weights before step 0 and the same batches',
    { timeout: 600_000 },
    async () => {
      const text = (await loadCorpus('fairy-tales')).slice(0, 40_000);
      const mlm = experiment({ strategy: 'random', objective: 'mlm' });
      const rts = experiment({ strategy: 'random', objective: 'rts' });
      const data = prepareExperimentData(text, mlm);
      const a = new TrainingRun(fx.kernels, mlm, data);
      const b = new TrainingRun(fx.kernels, rts, data);
      const pa = await a.trainer.state.read('params');
      const pb = await b.trainer.state.read('params');
      let compared = 0;
      for (const t of a.trainer.layout.tensors) {
        if (!isEncoderTensor(t.name)) continue;
        const u = b.trainer.layout.byName.get(t.name)!;
        expect(
          Buffer.from(pa.buffer, pa.byteOffset + t.offset * 4, t.size * 4).equals(
            Buffer.from(pb.buffer, pb.byteOffset + u.offset * 4, u.size * 4),
          ),
          t.name,
        ).toBe(true);
        compared++;
      }
      expect(compared).toBe(5 + 12);
      for (const s of [0, 1, 7, 40]) expect(b.masking.order.batchAt(s).ids).toEqual(a.masking.order.batchAt(s).ids);
      // The probe's shared evaluation is exactly the vocabulary run's evaluation.
      const ev = sharedEvalBatches(data, a.vocab, a.model.T);
      expect(ev.B).toBe(a.evalB);
      expect(ev.M).toBe(a.evalM);
      expect(ev.batches).toEqual(a.evalBatches);
      a.destroy();
      b.destroy();
    },
  );

  it(
    'MLM probe on an rts run: encoder frozen, the fresh head learns, shared evaluation and PPPL reported',
    { timeout: 600_000 },
    async () => {
      const text = (await loadCorpus('fairy-tales')).slice(0, 40_000);
      const e = experiment({ strategy: 'random', objective: 'rts' });
      const data = prepareExperimentData(text, e);
      const run = new TrainingRun(fx.kernels, e, data);
      for (let s = 0; s < e.train.steps; s++) run.step();
      await run.trainer.flush();
      const before = await run.trainer.state.read('params');
      const progress: number[] = [];
      const r = await mlmProbe(fx.kernels, run, BUDGET, { onProgress: (_, done) => progress.push(done) });
      expect(r).toBeDefined();
      expect(progress.at(-1)).toBe(BUDGET.mlmSteps);
      const lnV = Math.log(run.model.V);
      console.log(
        `MLM probe (rts run, V=${run.model.V}): loss ${r!.loss.toFixed(3)} (ln V ${lnV.toFixed(3)}), accuracy ${(r!.accuracy * 100).toFixed(1)}% over ${r!.targets} targets, PPPL ${r!.pseudoPerplexity?.toFixed(1)}, train loss ${r!.trainLoss.toFixed(3)}`,
      );
      expect(r!.targets).toBeGreaterThan(0);
      expect(Number.isFinite(r!.loss) && r!.loss > 0).toBe(true);
      // Twelve steps of a fresh head already move the evaluation below chance (ln V).
      expect(r!.loss).toBeLessThan(lnV);
      expect(r!.pseudoPerplexity).toBeGreaterThan(1);
      // The run's own weights are untouched by the probe.
      expect(await run.trainer.state.read('params')).toEqual(before);
      run.destroy();
    },
  );

  it(
    "mlm and rts runs are scored by the same shared probe (the mlm run's own head left behind); [MASK] row trains, nothing else",
    { timeout: 600_000 },
    async () => {
      const text = (await loadCorpus('fairy-tales')).slice(0, 40_000);
      const results: Record<string, ProbeResults> = {};
      for (const objective of ['mlm', 'rts'] as const) {
        const e = experiment({ strategy: 'random', objective });
        const data = prepareExperimentData(text, e);
        const run = new TrainingRun(fx.kernels, e, data);
        for (let s = 0; s < e.train.steps; s++) run.step();
        await run.trainer.flush();
        const own = await run.evaluate();
        const r = await runProbes(fx.kernels, run, BUDGET);
        expect(r?.mlm, objective).toBeDefined();
        results[objective] = r!;
        const m = r!.mlm!;
        expect(m.maskRow).toBe(true);
        expect(m.steps).toBe(BUDGET.mlmSteps);
        expect(m.lossEstimate!.lo).toBeLessThan(m.loss);
        expect(m.lossEstimate!.hi).toBeGreaterThan(m.loss);
        expect(m.accuracyEstimate!.n).toBe(m.targets);
        // Intervals count held-out passages, not targets.
        expect(m.accuracyEstimate!.units).toBe(m.accuracyTotals!.sums.length);
        expect(m.accuracyEstimate!.units).toBeLessThan(m.targets);
        expect(m.ownOutput).toBe(true);
        expect(m.frequencyLoss).toBeGreaterThan(0);
        expect(r!.ownEvalKind).toBe(objective === 'mlm' ? 'mlm' : 'objective');
        expect(r!.trainFlopsPerStep).toBeGreaterThan(0);
        // The mlm run's probe is not its own head: a fresh head at 12 steps scores differently from its trained one.
        if (objective === 'mlm') expect(m.loss).not.toBeCloseTo(own.loss, 4);
        expect(r!.tasks!.map((t) => t.id)).toEqual(DOWNSTREAM_TASKS.filter((t) => !t.toyOnly).map((t) => t.id));
        for (const t of r!.tasks!) {
          expect(t.testExamples).toBeGreaterThan(10);
          expect(t.units).toBe(t.totals!.sums.length);
          expect(t.accuracy.units).toBe(t.units);
          expect(t.accuracy.lo).toBeLessThanOrEqual(t.accuracy.value);
          expect(t.accuracy.hi).toBeGreaterThanOrEqual(t.accuracy.value);
        }
        console.log(
          `${objective}: shared probe loss ${m.loss.toFixed(3)} [${m.lossEstimate!.lo.toFixed(3)}, ${m.lossEstimate!.hi.toFixed(3)}], own-head eval ${own.loss.toFixed(3)}; tasks ${r!.tasks!.map((t) => `${t.id} ${(t.accuracy.value * 100).toFixed(1)}% of ${t.testExamples}`).join(', ')}`,
        );
        run.destroy();
      }
      // The same evaluation: same number of held-out targets for both runs.
      expect(results.mlm.mlm!.targets).toBe(results.rts.mlm!.targets);
    },
  );

  it(
    'the probe trainer changes its head and the [MASK] row of wte, and leaves every other encoder weight bit-identical',
    { timeout: 600_000 },
    async () => {
      const text = (await loadCorpus('fairy-tales')).slice(0, 40_000);
      const e = experiment({ strategy: 'random', objective: 'rts' });
      const data = prepareExperimentData(text, e);
      const run = new TrainingRun(fx.kernels, e, data);
      for (let s = 0; s < 3; s++) run.step();
      await run.trainer.flush();
      const { layout, init } = probeInit(run, run.trainer.layout, await run.trainer.state.read('params'));
      const masked = sharedEvalBatches(data, run.vocab, run.model.T);
      const probe = new Trainer(fx.kernels, run.model, init, {
        B: masked.B,
        M: masked.M,
        head: sharedProbeHead(run.model),
        schedule: { lr: 1e-2, warmupSteps: 0, totalSteps: 5, decay: 'constant', minRatio: 1 },
        freezeEncoder: true,
        probeInputRow: SPECIAL_IDS.mask,
      });
      for (let s = 0; s < 5; s++)
        probe.trainStep({ ...masked.batches[0], weights: masked.batches[0].weights.map((w) => (w > 0 ? 1 / 16 : 0)) });
      await probe.flush();
      const after = await probe.state.read('params');
      const wte = layout.byName.get('wte')!;
      const E = run.model.C;
      const row = (p: Float32Array, r: number) => p.subarray(wte.offset + r * E, wte.offset + (r + 1) * E);
      expect(row(after, SPECIAL_IDS.mask)).not.toEqual(row(init, SPECIAL_IDS.mask));
      let frozen = 0;
      for (const t of layout.tensors) {
        const a = after.subarray(t.offset, t.offset + t.size);
        const b = init.subarray(t.offset, t.offset + t.size);
        if (t.name === 'wte') {
          for (let r = 0; r < run.model.V; r++)
            if (r !== SPECIAL_IDS.mask)
              expect(
                Buffer.from(row(after, r).buffer, row(after, r).byteOffset, E * 4).equals(
                  Buffer.from(row(init, r).buffer, row(init, r).byteOffset, E * 4),
                ),
                `wte row ${r}`,
              ).toBe(true);
        } else if (isEncoderTensor(t.name)) {
          expect(
            Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength)),
            t.name,
          ).toBe(true);
          frozen++;
        } else if (t.name === 'head_w' || t.name === 'cls_w') {
          expect(a, t.name).not.toEqual(b);
        }
      }
      expect(frozen).toBeGreaterThan(5);
      probe.destroy();
      run.destroy();
    },
  );

  it(
    'ELECTRA run: the MLM probe takes the discriminator encoder (not the generator), the downstream probe runs',
    { timeout: 600_000 },
    async () => {
      const text = (await loadCorpus('fairy-tales')).slice(0, 40_000);
      const e = experiment({ strategy: 'random', objective: 'electra' });
      const data = prepareExperimentData(text, e);
      const run = new TrainingRun(fx.kernels, e, data);
      for (let s = 0; s < 3; s++) run.step();
      await run.trainer.flush();
      const params = await run.trainer.state.read('params');
      const { layout, init, copied } = probeInit(run, run.trainer.layout, params);
      expect(copied.some((n) => n.startsWith('gen.'))).toBe(false);
      expect(copied).toContain('h0.qkv_w');
      const src = run.trainer.layout.byName.get('h0.qkv_w')!;
      const dst = layout.byName.get('h0.qkv_w')!;
      expect(init.subarray(dst.offset, dst.offset + dst.size)).toEqual(
        params.subarray(src.offset, src.offset + src.size),
      );
      const r = await runProbes(fx.kernels, run, { ...BUDGET, mlmSteps: 4 });
      expect(r?.mlm?.targets).toBeGreaterThan(0);
      expect(Number.isFinite(r?.mlm?.loss)).toBe(true);
      expect(r?.tasks?.length).toBe(DOWNSTREAM_TASKS.filter((t) => !t.toyOnly).length);
      expect(r?.tasks?.[0].testExamples).toBeGreaterThan(0);
      run.destroy();
    },
  );

  it(
    "the shared probe is neutral: wte rows of tokens it never reads leave its result bit-identical; a tied decoder's moves",
    { timeout: 600_000 },
    async () => {
      const text = (await loadCorpus('fairy-tales')).slice(0, 40_000);
      const e = experiment({ strategy: 'random', objective: 'mlm' });
      const data = prepareExperimentData(text, e);
      const run = new TrainingRun(fx.kernels, e, data);
      for (let s = 0; s < 3; s++) run.step();
      await run.trainer.flush();
      const params = await run.trainer.state.read('params');
      // Every token the probe reads: its training batches, the shared evaluation and the pseudo-perplexity rows.
      const ev = sharedEvalBatches(data, run.vocab, run.model.T);
      const inputs = [
        ...Array.from(
          { length: BUDGET.mlmSteps },
          (_, s) =>
            applyMasking(EVAL_MASKING, run.masking.order.batchAt(s), {
              vocab: run.vocab,
              rng: Rng.from(e.seed, 'mlm-probe', s),
            }).inputIds,
        ),
        ...ev.batches.map((b) => b.ids),
        ...pseudoPerplexityBatches(data.heldOut, PPPL_SEQUENCES, ev.B).map((b) => b.ids),
      ];
      const read = new Set(inputs.flatMap((ids) => Array.from(ids)));
      const unread = Array.from({ length: run.model.V }, (_, i) => i).filter((i) => !read.has(i));
      expect(unread.length).toBeGreaterThan(20);
      const wte = run.trainer.layout.byName.get('wte')!;
      const C = run.model.C;
      const changed = params.slice();
      const rng = Rng.from('neutrality');
      for (const id of unread) for (let j = 0; j < C; j++) changed[wte.offset + id * C + j] = rng.normal();
      const a = (await mlmProbe(fx.kernels, run, BUDGET, {}, params))!;
      const b = (await mlmProbe(fx.kernels, run, BUDGET, {}, changed))!;
      expect([b.loss, b.accuracy, b.trainLoss, b.pseudoPerplexity]).toEqual([
        a.loss,
        a.accuracy,
        a.trainLoss,
        a.pseudoPerplexity,
      ]);
      expect(b.lossTotals).toEqual(a.lossTotals);
      // The probe as it was (a fresh transform decoding through the run's wte): the same rows move its loss.
      const tied = async (p: Float32Array) => {
        const layout = placeTensors(bertTensors(run.model, VOCAB_HEAD));
        const init = initParams(layout, run.model.initStd, uniformOf(Rng.from('tied')));
        const enc = new Map([...run.trainer.layout.byName].filter(([n]) => isEncoderTensor(n)));
        copyTensors({ ...run.trainer.layout, byName: enc }, p, layout, init);
        const t = new Trainer(fx.kernels, run.model, init, {
          B: ev.B,
          M: ev.M,
          head: VOCAB_HEAD,
          schedule: { lr: 1e-3, warmupSteps: 0, totalSteps: 1, decay: 'constant', minRatio: 1 },
        });
        const loss = (await t.evaluate(ev.batches, ev.B, ev.M)).loss;
        t.destroy();
        return loss;
      };
      const [la, lb] = [await tied(params), await tied(changed)];
      console.log(
        `neutrality: ${unread.length} of ${run.model.V} wte rows changed; shared probe loss ${a.loss.toFixed(6)} -> ${b.loss.toFixed(6)}; tied decoder ${la.toFixed(6)} -> ${lb.toFixed(6)}`,
      );
      expect(Math.abs(lb - la)).toBeGreaterThan(1e-3);
      run.destroy();
    },
  );

  it(
    'a causal run (MEAP) is scored by next-token figures with intervals over passages, never by the shared probe',
    { timeout: 600_000 },
    async () => {
      const text = (await loadCorpus('fairy-tales')).slice(0, 40_000);
      const e = experiment({ strategy: 'random', objective: 'meap' });
      const data = prepareExperimentData(text, e);
      const run = new TrainingRun(fx.kernels, e, data);
      for (let s = 0; s < 3; s++) run.step();
      await run.trainer.flush();
      const own = await run.evaluate();
      const r = (await runProbes(fx.kernels, run, { ...BUDGET, mlmSteps: 2 }))!;
      expect(r.mlm).toBeUndefined();
      expect(r.ownEvalKind).toBe('next-token');
      const n = r.nextToken!;
      // The run's own next-token evaluation, now with per-passage totals and intervals.
      expect(n.loss).toBeCloseTo(own.loss, 4);
      expect(n.accuracy).toBeCloseTo(own.accuracy, 6);
      expect(n.lossEstimate.lo).toBeLessThan(n.loss);
      expect(n.accuracyEstimate.units).toBe(n.accuracyTotals.sums.length);
      expect(n.accuracyEstimate.units).toBeGreaterThan(1);
      await expect(mlmProbe(fx.kernels, run, BUDGET)).rejects.toThrow(/causal/);
      expect(r.tasks!.length).toBeGreaterThan(0);
      run.destroy();
    },
  );
});

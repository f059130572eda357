// The comparison's probes on Dawn: runs of two schemes with one seed start from bit-identical encoder weights; the
// probe's shared evaluation is the vocabulary run's own; the MLM probe keeps the encoder frozen and learns; the
// downstream probe gives a test accuracy on the balanced word-order task.
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../data/corpora';
import { useGpu } from '../engine/testing';
import { defaultExperiment, type ExperimentConfig } from './config';
import { downstreamProbe, isEncoderTensor, mlmProbe, probeInit, runProbes, sharedEvalBatches, type ProbeBudget } from './probes';
import { prepareExperimentData, TrainingRun } from './run';
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

  it('two schemes, one seed: bit-identical encoder weights before step 0 and the same batches', { timeout: 600_000 }, async () => {
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
      expect(Buffer.from(pa.buffer, pa.byteOffset + t.offset * 4, t.size * 4).equals(Buffer.from(pb.buffer, pb.byteOffset + u.offset * 4, u.size * 4)), t.name).toBe(true);
      compared++;
    }
    expect(compared).toBe(5 + 12);
    for (const s of [0, 1, 7, 40]) expect(b.order.batchAt(s).ids).toEqual(a.order.batchAt(s).ids);
    // The probe's shared evaluation is exactly the vocabulary run's evaluation.
    const ev = sharedEvalBatches(data, a.vocab, a.model.T);
    expect(ev.B).toBe(a.evalB);
    expect(ev.M).toBe(a.evalM);
    expect(ev.batches).toEqual(a.evalBatches);
    a.destroy();
    b.destroy();
  });

  it('MLM probe on an rts run: encoder frozen, the fresh head learns, shared evaluation and PPPL reported', { timeout: 600_000 }, async () => {
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
    console.log(`MLM probe (rts run, V=${run.model.V}): loss ${r!.loss.toFixed(3)} (ln V ${lnV.toFixed(3)}), accuracy ${(r!.accuracy * 100).toFixed(1)}% over ${r!.targets} targets, PPPL ${r!.pseudoPerplexity?.toFixed(1)}, train loss ${r!.trainLoss.toFixed(3)}`);
    expect(r!.targets).toBeGreaterThan(0);
    expect(Number.isFinite(r!.loss) && r!.loss > 0).toBe(true);
    // Twelve steps of a fresh head already move the evaluation below chance (ln V).
    expect(r!.loss).toBeLessThan(lnV);
    expect(r!.pseudoPerplexity).toBeGreaterThan(1);
    // The run's own weights are untouched by the probe.
    expect(await run.trainer.state.read('params')).toEqual(before);
    run.destroy();
  });

  it('downstream probe and runProbes on a vocabulary run: no MLM probe, an accuracy in [0, 1]', { timeout: 600_000 }, async () => {
    const text = (await loadCorpus('fairy-tales')).slice(0, 40_000);
    const e = experiment({ strategy: 'random', objective: 'mlm' });
    const data = prepareExperimentData(text, e);
    const run = new TrainingRun(fx.kernels, e, data);
    for (let s = 0; s < e.train.steps; s++) run.step();
    const d = await downstreamProbe(run.trainer, data.heldOut, BUDGET);
    expect(d.trainExamples + d.testExamples).toBe(2 * BUDGET.downstreamSequences);
    expect(d.testExamples % 2).toBe(0);
    expect(d.accuracy).toBeGreaterThanOrEqual(0);
    expect(d.accuracy).toBeLessThanOrEqual(1);
    // The same weights give the same figure (deterministic features and classifier).
    expect((await downstreamProbe(run.trainer, data.heldOut, BUDGET)).accuracy).toBe(d.accuracy);
    const all = await runProbes(fx.kernels, run, BUDGET);
    expect(all?.mlm).toBeUndefined();
    expect(all?.downstream?.accuracy).toBe(d.accuracy);
    console.log(`downstream probe (mlm run): test ${(d.accuracy * 100).toFixed(1)}% of ${d.testExamples}, train ${(d.trainAccuracy * 100).toFixed(1)}% of ${d.trainExamples}`);
    run.destroy();
  });

  it('ELECTRA run: the MLM probe takes the discriminator encoder (not the generator), the downstream probe runs', { timeout: 600_000 }, async () => {
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
    expect(init.subarray(dst.offset, dst.offset + dst.size)).toEqual(params.subarray(src.offset, src.offset + src.size));
    const r = await runProbes(fx.kernels, run, { ...BUDGET, mlmSteps: 4 });
    expect(r?.mlm?.targets).toBeGreaterThan(0);
    expect(Number.isFinite(r?.mlm?.loss)).toBe(true);
    expect(r?.downstream?.testExamples).toBeGreaterThan(0);
    run.destroy();
  });
});

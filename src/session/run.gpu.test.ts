// End to end in Node on Dawn: a short run on a shipped corpus (real tokenizer, data split, BERT masking) whose
// held-out masked loss falls well below chance (ln V), and which is reproducible from its seed.
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../data/corpora';
import { useGpu } from '../engine/testing';
import { defaultExperiment, type ExperimentConfig } from './config';
import { prepareExperimentData, TrainingRun } from './run';
import type { StepMetrics } from '../engine/trainer';
import type { ObjectiveId, StrategyId } from '../masking/types';

function experiment(): ExperimentConfig {
  const e = defaultExperiment();
  e.corpus = 'fairy-tales';
  e.tokenizer = { kind: 'wordpiece', vocabSize: 512 };
  e.model = { preset: 'tiny', overrides: { T: 32, L: 2, C: 64, NH: 2, F: 256 } };
  e.train = { ...e.train, B: 16, steps: 80, lr: 3e-3, warmup: 8, evalEvery: 1000 };
  e.seed = 3;
  return e;
}

describe('TrainingRun', () => {
  const fx = useGpu();

  it('learns: held-out masked loss falls well below ln(V) in 80 steps', { timeout: 600_000 }, async () => {
    const e = experiment();
    // First third of the corpus keeps the held-out evaluation short on SwiftShader.
    const text = (await loadCorpus('fairy-tales')).slice(0, 170_000);
    const data = prepareExperimentData(text, e);
    const losses: number[] = [];
    const run = new TrainingRun(fx.kernels, e, data, { onMetrics: (m) => (losses[m.step] = m.loss) });
    const before = await run.evaluate();
    for (let s = 0; s < e.train.steps; s++) {
      run.step();
      if (s % 4 === 3) await new Promise((r) => setTimeout(r, 0));
    }
    await run.trainer.flush();
    const after = await run.evaluate();
    const pppl = await run.pseudoPerplexity();
    const lnV = Math.log(run.model.V);
    // Pseudo-perplexity after training: finite, and below the vocabulary size (chance).
    expect(pppl).toBeGreaterThan(1);
    expect(pppl).toBeLessThan(run.model.V);
    console.log(
      `V=${run.model.V} ln V=${lnV.toFixed(3)} held-out loss ${before.loss.toFixed(3)} -> ${after.loss.toFixed(3)}, accuracy ${(after.accuracy * 100).toFixed(1)}% over ${after.targets} targets, pseudo-perplexity ${pppl?.toFixed(1)}`,
    );
    expect(before.loss).toBeGreaterThan(lnV - 0.3);
    // Measured on SwiftShader (seed 3): 6.26 -> 5.55 (ln V = 6.24). Half a nat below chance leaves room for other
    // adapters' rounding while still failing for a model that does not learn.
    expect(after.loss).toBeLessThan(lnV - 0.5);
    expect(losses.filter((x) => x !== undefined)).toHaveLength(e.train.steps);
    run.destroy();
  });

  const schemes: [StrategyId, ObjectiveId][] = [
    ['span', 'slm'],
    ['random', 'rts'],
    ['random', 'shuffle'],
    ['random', 'first-char'],
    ['random', 'char-n'],
    ['pmi', 'mlm'],
    ['hard', 'mlm'],
    ['whole-word', 'mlm'],
    ['random', 'meap'],
    ['random', 'electra'],
    ['random', 'position'],
    ['span', 'sbo'],
    ['random', 'shuffle-random'],
    ['random', 'token-type'],
    // Issue 15: these threw building their held-out masks, and hard + rts got no losses (it ran as random).
    ['pmi', 'first-char'],
    ['pmi', 'rts'],
    ['hard', 'rts'],
    ['hard', 'char-n'],
  ];
  it('trains every objective of the catalogue', { timeout: 600_000 }, async () => {
    const text = (await loadCorpus('fairy-tales')).slice(0, 60_000);
    const base = experiment();
    base.model = { preset: 'tiny', overrides: { T: 24, L: 1, C: 32, NH: 2, F: 64 } };
    base.train = { ...base.train, B: 4, steps: 4, warmup: 1 };
    const data = prepareExperimentData(text, base);
    for (const [strategy, objective] of schemes) {
      const e = {
        ...base,
        masking: { strategy, objective, strategyParams: strategy === 'pmi' ? { minCount: 2 } : undefined },
      };
      const losses: number[] = [];
      let last: StepMetrics | undefined;
      let hardSeen = 0;
      const run = new TrainingRun(fx.kernels, e, data, {
        onMetrics: (m) => {
          losses.push(m.loss);
          last = m;
        },
      });
      for (let s = 0; s < 4; s++) run.step();
      await run.trainer.flush();
      const ev = await run.evaluate();
      if (run.hardness) hardSeen = run.hardness.score(5) + run.hardness.score(100);
      expect(losses, `${strategy}/${objective}`).toHaveLength(4);
      expect(
        losses.every((x) => Number.isFinite(x) && x > 0),
        `${strategy}/${objective}: ${losses}`,
      ).toBe(true);
      expect(Number.isFinite(ev.loss) && ev.loss > 0, `${strategy}/${objective} eval`).toBe(true);
      // MEAP, a causal decoder, is scored by next-token loss (its own column), not at masked positions.
      expect(run.evalKind).toBe(
        objective === 'meap' ? 'next-token' : ['mlm', 'slm', 'sbo'].includes(objective) ? 'mlm' : 'objective',
      );
      if (objective === 'meap') expect(await run.pseudoPerplexity()).toBeUndefined();
      // Two-part objectives report both parts; the total is their weighted sum.
      if (objective === 'sbo') {
        expect(last!.sbo!.sboLoss).toBeGreaterThan(1);
        expect(last!.loss).toBeCloseTo(last!.sbo!.mlmLoss + last!.sbo!.sboLoss, 3);
      }
      if (objective === 'electra')
        expect(last!.loss).toBeCloseTo(last!.electra!.genLoss + 50 * last!.electra!.discLoss, 2);
      if (strategy === 'pmi') expect(run.lexicon!.entries.length).toBeGreaterThan(0);
      if (strategy === 'hard') expect(hardSeen).toBeGreaterThan(0);
      run.destroy();
    }
  });

  it('trains ELECTRA: held-out generator and discriminator losses fall', { timeout: 600_000 }, async () => {
    const e = experiment();
    e.masking = { strategy: 'random', objective: 'electra' };
    e.train = { ...e.train, B: 8, steps: 40 };
    const text = (await loadCorpus('fairy-tales')).slice(0, 60_000);
    const data = prepareExperimentData(text, e);
    const run = new TrainingRun(fx.kernels, e, data);
    expect(run.head.kind).toBe('electra');
    const before = await run.evaluate();
    for (let s = 0; s < e.train.steps; s++) {
      run.step();
      if (s % 4 === 3) await new Promise((r) => setTimeout(r, 0));
    }
    await run.trainer.flush();
    const after = await run.evaluate();
    const b = before.electra!;
    const a = after.electra!;
    console.log(
      `ELECTRA held-out: generator ${b.genLoss.toFixed(3)} -> ${a.genLoss.toFixed(3)} (acc ${(a.genAccuracy * 100).toFixed(1)}%), discriminator ${b.discLoss.toFixed(3)} -> ${a.discLoss.toFixed(3)} (acc ${(b.discAccuracy * 100).toFixed(1)}% -> ${(a.discAccuracy * 100).toFixed(1)}%), total ${before.loss.toFixed(3)} -> ${after.loss.toFixed(3)}`,
    );
    expect(after.loss).toBeLessThan(before.loss);
    expect(a.genLoss).toBeLessThan(b.genLoss);
    // From ln 2 at init to at least the label prior (measured on SwiftShader, seed 3, 60 steps of B=16: 0.686 ->
    // 0.414, the entropy of its 14.5% replaced share; 60 steps are too few for it to beat that prior).
    expect(a.discLoss).toBeLessThan(b.discLoss - 0.1);
    // The discriminator's features and attention are what probes read.
    const f = await run.trainer.features(data.heldOut.ids.slice(0, 2 * 32), data.heldOut.valid.slice(0, 2 * 32), 2);
    expect(f.length).toBe(2 * 64);
    expect(f.every(Number.isFinite)).toBe(true);
    run.destroy();
  });
});

// The toy-language class preset on a real WebGPU (SwiftShader here), a few steps: its frequency baseline and minimal
// pairs, agreement scored on 200 pairs, and the agreement scorer's two target slots per masked verb give the CPU
// reference's log-probabilities on the trained weights. That the preset leaves the frequency plateau is a learning
// target, measured by `npm run bench:learn -- --presets toy-language` (bench/results/learn-*.json, README).
import { describe, expect, it } from 'vitest';
import { toyLanguageOf } from '../data/toyLanguage';
import { mlmReference } from '../engine/reference/model';
import { useGpu } from '../engine/testing';
import { encodePairs, trainerPairScorer } from './agreement';
import { classPreset } from './presets';
import { prepareExperimentData, TrainingRun } from './run';

describe('toy-language preset', () => {
  const fx = useGpu();

  it(
    'trains a few steps; agreement is scored on the minimal pairs as the float64 reference scores them',
    { timeout: 900_000 },
    async () => {
      const e = classPreset('toy-language').config();
      // Shortened: B=32 and 20 steps (the preset: B=64, 2,000 steps; bench:learn runs them all).
      e.train = { ...e.train, B: 32, steps: 20, warmup: 5 };
      const toy = toyLanguageOf(e.corpus);
      const data = prepareExperimentData(toy.text, e);
      const run = new TrainingRun(fx.kernels, e, data);
      const base = run.baseline!;
      expect(base.accuracy).toBeGreaterThan(0.05);
      expect(run.agreementPairs!.length).toBeGreaterThan(390);
      for (let s = 0; s < e.train.steps; s++) run.step();
      await run.trainer.flush();
      const ev = await run.evaluate();
      const ag = await run.agreement();
      console.log(
        `toy preset (B=32, ${e.train.steps} steps): frequency guess ${(base.accuracy * 100).toFixed(1)}%, held-out accuracy ${(ev.accuracy * 100).toFixed(1)}%; agreement ${(ag!.accuracy * 100).toFixed(1)}% (attractor ${(ag!.accuracyAttractor * 100).toFixed(1)}%)`,
      );
      expect(ev.loss).toBeLessThan(Math.log(run.model.V));
      expect(ag!.pairs).toBe(200);
      expect(ag!.accuracy).toBeGreaterThanOrEqual(0);
      expect(ag!.accuracy).toBeLessThanOrEqual(1);

      // The scorer against the float64 reference on the trained weights: one row per pair, two slots at the mask.
      const { encoded } = encodePairs(toy.pairs.slice(0, 6), data.tokenizer, run.model.T);
      const { scorer } = trainerPairScorer(run.trainer, run.evalB, run.evalM, run.model.T);
      const got = await scorer(encoded);
      const params = await run.trainer.state.read('params');
      const T = run.model.T;
      for (const [j, p] of encoded.entries()) {
        const ref = mlmReference(
          run.model,
          run.trainer.layout,
          params,
          {
            B: 1,
            ids: p.ids,
            valid: p.valid,
            positions: [p.position, p.position],
            targets: [p.good, p.bad],
            weights: [0.5, 0.5],
          },
          false,
        );
        expect(got[j].good).toBeCloseTo(ref.losses[0], 4);
        expect(got[j].bad).toBeCloseTo(ref.losses[1], 4);
        expect(T).toBeGreaterThan(p.position);
      }
      run.destroy();
    },
  );
});

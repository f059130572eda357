// A finite blow-up on a real run (lr 10, gradient clip 1e6, issue 16 case 3): the divergence rule stops it, the
// weights go back to a snapshot taken before it (here the initial weights, bit for bit: the diverged weights are
// not kept), and Resume at the suggested lower rate trains on with finite losses.
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../data/corpora';
import { useGpu } from '../engine/testing';
import { defaultExperiment, scheduleOf } from './config';
import { suggestedRate, type Divergence } from './divergence';
import { prepareExperimentData, TrainingRun } from './run';

describe('divergence on a run', () => {
  const fx = useGpu();

  it('catches a finite blow-up, rolls back and resumes', { timeout: 600_000 }, async () => {
    const e = defaultExperiment();
    e.tokenizer = { kind: 'wordpiece', vocabSize: 256 };
    e.model = { preset: 'tiny', overrides: { T: 32, L: 1, C: 32, NH: 2, F: 64 } };
    e.train = { ...e.train, B: 8, steps: 60, lr: 10, warmup: 0, maxGradNorm: 1e6, decay: 'constant', evalEvery: 1000 };
    const text = (await loadCorpus('fairy-tales')).slice(0, 40_000);
    const losses: number[] = [];
    let diverged: { step: number; restoredStep: number; divergence: Divergence } | undefined;
    let nonFinite = false;
    const run = new TrainingRun(fx.kernels, e, prepareExperimentData(text, e), {
      onMetrics: (m) => losses.push(m.loss),
      onDiverged: (d) => (diverged = d),
      onNonFinite: () => (nonFinite = true),
    });
    const initial = await run.trainer.state.read('params');
    for (let s = 0; s < e.train.steps && !run.trainer.halted; s++) {
      run.step();
      if (s % 4 === 3) {
        await new Promise((r) => setTimeout(r, 0));
        await run.trainer.flush();
      }
    }
    await run.trainer.flush();
    console.log(
      `losses ${losses
        .slice(0, 12)
        .map((l) => l.toFixed(1))
        .join(' ')} ...; diverged ${JSON.stringify(diverged)}`,
    );
    expect(nonFinite).toBe(false);
    expect(diverged).toBeDefined();
    expect(diverged!.divergence.smoothed).toBeGreaterThan(diverged!.divergence.limit);
    expect(Number.isFinite(diverged!.divergence.smoothed)).toBe(true);
    expect(run.trainer.halted).toEqual({ step: diverged!.step, restoredStep: diverged!.restoredStep });
    // Rolled back before the blow-up; the diverged weights are gone.
    expect(run.trainer.step).toBe(diverged!.restoredStep + 1);
    if (diverged!.restoredStep === -1) expect(await run.trainer.state.read('params')).toEqual(initial);
    expect(() => run.step()).toThrow(/halted/);

    // Resume at the suggested rate (1e-3): training goes on, with finite losses.
    run.trainer.resume({ ...scheduleOf(e.train), lr: suggestedRate(e.train.lr) });
    const before = losses.length;
    const from = run.trainer.step;
    for (let s = 0; s < 4; s++) run.step();
    await run.trainer.flush();
    expect(run.trainer.step).toBe(from + 4);
    expect(losses.slice(before).length).toBe(4);
    expect(losses.slice(before).every(Number.isFinite)).toBe(true);
    run.destroy();
  });
});

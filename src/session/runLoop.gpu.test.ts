// The one run loop on a real (tiny) run, as the worker, the CLI and the comparison drive it: the events in order
// (prepared, evaluations at their cadence with pseudo-perplexity at the end, every metrics row once and in order,
// probes after each evaluation), pause and resume between steps, stop, and a divergence halted, reported as
// resumable and resumed at the suggested lower rate.
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../data/corpora';
import { useGpu } from '../engine/testing';
import { defaultExperiment, type ExperimentConfig } from './config';
import { suggestedRate } from './divergence';
import type { EvalPoint, RunInfo, RunState, StepRow } from './records';
import { prepareExperimentData } from './run';
import { openRun, type RunLoopEvents } from './runLoop';
import { ExperimentError } from './validate';

function tinyExperiment(): ExperimentConfig {
  const e = defaultExperiment();
  e.tokenizer = { kind: 'wordpiece', vocabSize: 256 };
  e.model = { preset: 'tiny', overrides: { T: 16, L: 1, C: 32, NH: 2, F: 64 } };
  e.train = { ...e.train, B: 4, steps: 6, warmup: 1, evalEvery: 3 };
  return e;
}

/** Every event a loop sends, in order. */
function recorder(extra: Partial<RunLoopEvents> = {}) {
  const log: string[] = [];
  const states: { state: RunState; message?: string; resumable?: boolean }[] = [];
  const rows: StepRow[] = [];
  const evals: EvalPoint[] = [];
  let info: RunInfo | undefined;
  const events: RunLoopEvents = {
    state: (state, message, resumable) => {
      states.push({ state, message, resumable });
      log.push(`state ${state}`);
    },
    prepared: (i) => {
      info = i;
      log.push('prepared');
    },
    metrics: (m) => {
      rows.push(...m.rows);
      expect(m.tokensPerS).toBeGreaterThan(0);
    },
    eval: (p, ms) => {
      evals.push(p);
      expect(ms).toBeGreaterThanOrEqual(0);
      log.push(`eval ${p.step}`);
    },
    probe: (v) => log.push(`probe ${v.step}${v.atEval ? ' at eval' : ''}`),
    ...extra,
  };
  return { log, states, rows, evals, events, info: () => info };
}

describe('run loop', () => {
  const fx = useGpu();

  it('trains with evaluations at its cadence, every metrics row once, probes after evaluations', async () => {
    const e = tinyExperiment();
    const text = (await loadCorpus('fairy-tales')).slice(0, 30_000);
    const r = recorder();
    const loop = openRun(fx.kernels, e, text, r.events, { adapter: fx.gpu.summary, probeMs: 1e9, flushMs: 0 });
    expect(r.info()).toMatchObject({ model: { T: 16, L: 1, C: 32 }, evalKind: 'mlm', V: 256 });
    await loop.start();
    expect(r.log.filter((l) => !l.startsWith('probe ') || l.endsWith('at eval'))).toEqual([
      'state preparing',
      'prepared',
      'eval 0',
      'probe 0 at eval',
      'state training',
      'eval 3',
      'probe 3 at eval',
      'eval 6',
      'probe 6 at eval',
      'state done',
    ]);
    expect(r.rows.map((m) => m.step)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(r.rows.every((m) => Number.isFinite(m.loss) && m.maskRate! > 0)).toBe(true);
    expect(r.evals.map((p) => p.pseudoPerplexity === undefined)).toEqual([true, true, false]);
    expect(loop.idle).toBe(true);
    loop.destroy();
  });

  it('pauses between steps, resumes to the end, and stops at once when not training', async () => {
    const e = tinyExperiment();
    const data = prepareExperimentData((await loadCorpus('fairy-tales')).slice(0, 30_000), e);
    const r = recorder({
      between: () => {
        if (loop.step === 2 && r.states.filter((s) => s.state === 'paused').length === 0) loop.pause();
        return Promise.resolve();
      },
    });
    const loop = openRun(fx.kernels, e, data, r.events, { adapter: fx.gpu.summary, probeMs: 1e9 });
    await loop.start();
    expect(r.states.map((s) => s.state)).toEqual(['training', 'paused']);
    expect(loop.step).toBe(2);
    expect(loop.idle).toBe(true);
    await loop.resume();
    expect(r.states.map((s) => s.state)).toEqual(['training', 'paused', 'training', 'done']);
    expect(r.rows.map((m) => m.step)).toEqual([0, 1, 2, 3, 4, 5]);
    loop.stop();
    expect(r.states.at(-1)?.state).toBe('stopped');
    loop.destroy();
  });

  it('reports a divergence as resumable and resumes at the suggested lower rate', { timeout: 600_000 }, async () => {
    const e = tinyExperiment();
    e.model = { preset: 'tiny', overrides: { T: 32, L: 1, C: 32, NH: 2, F: 64 } };
    e.train = { ...e.train, B: 8, steps: 60, lr: 10, warmup: 0, maxGradNorm: 1e6, decay: 'constant', evalEvery: 1000 };
    const data = prepareExperimentData((await loadCorpus('fairy-tales')).slice(0, 40_000), e);
    const r = recorder();
    const loop = openRun(fx.kernels, e, data, r.events, { adapter: fx.gpu.summary, probeMs: 1e9 });
    await loop.start();
    const halted = r.states.at(-1)!;
    expect(halted).toMatchObject({ state: 'diverged', resumable: true });
    expect(halted.message).toMatch(/diverged.*rolled back/s);
    expect(loop.step).toBeLessThan(e.train.steps);
    const from = loop.step;
    const resumed = loop.resume();
    expect(loop.experiment.train.lr).toBe(suggestedRate(10));
    loop.pause();
    await resumed;
    expect(r.states.slice(-2).map((s) => s.state)).toEqual(['training', 'paused']);
    expect(loop.step).toBe(from + 1);
    loop.destroy();
  });

  it('refuses an experiment that cannot run before it builds anything, in the page words', async () => {
    const e = tinyExperiment();
    e.train.lr = 1000;
    const r = recorder();
    expect(() => openRun(fx.kernels, e, 'text', r.events, { adapter: fx.gpu.summary })).toThrow(ExperimentError);
    expect(r.log).toEqual([]);
  });
});

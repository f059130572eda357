// Test fixtures for saved runs: a plausible live run and record with n metric rows (used by the unit tests only).
import type { LiveRun, RunRecord } from './records';
import { defaultExperiment } from './config';

export function fakeLiveRun(id: string, n: number, startedAt = Date.UTC(2025, 0, 3, 14, 5)): LiveRun {
  const config = defaultExperiment();
  config.masking = { strategy: 'span', objective: 'mlm', strategyParams: { rate: 0.15, maxSpan: 5 } };
  config.train = { ...config.train, steps: Math.max(n, 1), B: 4 };
  config.seed = 7;
  return {
    id,
    config,
    state: 'training',
    step: n,
    totalSteps: Math.max(n, 1),
    metrics: Array.from({ length: n }, (_, i) => ({
      step: i,
      loss: 7 - i * 0.001,
      accuracy: i / (n + 1),
      targets: 60,
      gradNorm: 1.5,
      lr: 1e-3,
      maskRate: 0.15,
    })),
    evals:
      n > 0
        ? [
            { step: 0, loss: 7.2, accuracy: 0 },
            { step: n, loss: 5.25, accuracy: 0.125 },
          ]
        : [],
    tokensPerS: 1234.5,
    msPerStep: 207.4,
    startedAt,
    info: {
      V: 1024,
      trainSequences: 900,
      heldOutSequences: 100,
      params: 210_000,
      dispatchesPerStep: 120,
      model: { L: 2, C: 64, NH: 2, F: 256, T: 64 },
      evalTargets: 500,
      adapter: 'swiftshader',
    },
    cases: {
      masked: { loss: 6.5, count: 100 },
      replaced: { loss: NaN, count: 0 },
      kept: { loss: 2.1, count: 12 },
      frequent: { loss: 5, count: 80 },
      rare: { loss: 8, count: 32 },
      steps: Math.min(n, 20),
    },
  };
}

export function fakeRecord(id: string, n: number, patch: Partial<RunRecord> = {}): RunRecord {
  const live = fakeLiveRun(id, n);
  const { startedAt, ...rest } = live;
  return { ...rest, name: `run ${id}`, createdAt: startedAt, updatedAt: startedAt + 1000, state: 'done', ...patch };
}

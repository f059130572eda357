// The lessons store's pure parts: which screen a page opens on, the after-run texts from a finished live run and
// from a finished comparison record (paired by seed against the lesson's reference).
import { describe, expect, it } from 'vitest';
import { getLesson } from '../lessons';
import { defaultExperiment } from '../session/config';
import type { ComparisonRecord, RunResult } from '../session/comparisonRecord';
import { comparisonNumbers, firstMaskGuesses, initialMode, trainSummary } from './lessons';
import type { LiveRun } from '../session/records';

describe('which screen the page opens on', () => {
  it('a lesson address opens the lessons, an experiment link the lab, else the remembered choice or the start screen', () => {
    expect(initialMode('#lesson=2', 'lab')).toBe('lessons');
    expect(initialMode('#lesson=2&corpus=fairy-tales', undefined)).toBe('lessons');
    expect(initialMode('#corpus=fairy-tales&seed=3', 'lessons')).toBe('lab');
    expect(initialMode('', 'lessons')).toBe('lessons');
    expect(initialMode('', 'lab')).toBe('lab');
    expect(initialMode('', undefined)).toBe('start');
    expect(initialMode('#', undefined)).toBe('start');
  });
});

const probe = (step: number, top: { token: string; p: number }[]) => ({
  step,
  tokens: [],
  L: 1,
  NH: 1,
  attention: new Float32Array(0),
  predictions: [
    { position: 7, top: [{ token: 'late', p: 0.5 }] },
    { position: 5, top },
  ],
});

describe('after-run texts from a live run', () => {
  const run: LiveRun = {
    id: 'r',
    config: defaultExperiment(),
    state: 'done',
    step: 30,
    totalSteps: 30,
    metrics: [],
    tokensPerS: 1,
    msPerStep: 400,
    startedAt: 0,
    info: {
      V: 2048,
      trainSequences: 1,
      heldOutSequences: 1,
      params: 1,
      dispatchesPerStep: 1,
      model: { L: 2, C: 64, NH: 2, F: 256, T: 64 },
      evalTargets: 1,
      adapter: 'x',
    },
    evals: [
      { step: 30, loss: 6.41, accuracy: 0.059 },
      { step: 0, loss: 7.63, accuracy: 0.0004 },
    ],
  };

  it('lesson 1 reads the first [MASK] of the probe at the start and the end', () => {
    expect(firstMaskGuesses(probe(0, [{ token: 'wolf', p: 0.0005 }]))?.top[0].token).toBe('wolf');
    const text = trainSummary(
      1,
      run,
      probe(0, [{ token: 'wolf', p: 0.0005 }]),
      probe(30, [{ token: 'the', p: 0.08 }]),
    ).join(' ');
    expect(text).toContain('At step 0 the top guess at the first [MASK] was "wolf"');
    expect(text).toContain('After 30 steps its top guesses were "the" (8.0%)');
    expect(text).toContain('from 0.0% at step 0 to 5.9% at step 30, the loss from 7.63 to 6.41');
  });

  it("lesson 2 reports the run's evaluations, the plateau against its baseline and the last agreement", () => {
    expect(trainSummary(2, run).join(' ')).toContain('no frequency baseline');
    const toy: LiveRun = {
      ...run,
      step: 400,
      info: { ...run.info!, V: 128, baseline: { loss: 3.2, accuracy: 0.12 } },
      evals: [
        { step: 0, loss: 4.85, accuracy: 0.01 },
        { step: 200, loss: 3.1, accuracy: 0.125, agreement: { plain: 0.5, attractor: 0.48 } },
        { step: 300, loss: 2.6, accuracy: 0.19, agreement: { plain: 0.83, attractor: 0.2 } },
        { step: 400, loss: 2.4, accuracy: 0.22, agreement: { plain: 0.96, attractor: 0.06 } },
      ],
    };
    const text = trainSummary(2, toy).join(' ');
    expect(text).toContain('left the frequency plateau at step 300');
    expect(text).toContain('+10.0 points over it, at 22.0%');
    expect(text).toContain('Agreement without an attractor reached 96.0% at step 400');
    expect(text).toContain('with an attractor 6.0%: below chance');
  });
});

describe('after-run texts from a comparison', () => {
  const result = (accuracy: number, viaProbe = false): RunResult =>
    viaProbe
      ? {
          evalKind: 'objective',
          steps: 100,
          tokens: 1,
          tokensPerS: 1,
          msPerStep: 1,
          probes: { mlm: { loss: 5, accuracy, targets: 100, steps: 20, trainLoss: 5 }, ms: 1 },
        }
      : { evalKind: 'mlm', evalAccuracy: accuracy, evalLoss: 5, steps: 100, tokens: 1, tokensPerS: 1, msPerStep: 1 };
  const lesson4 = getLesson(4)!;
  const schemes = lesson4.setup.kind === 'compare' ? lesson4.setup.schemes : [];
  const rec = (acc: number[][], viaProbe = false): ComparisonRecord => ({
    id: 'c',
    name: 'x',
    createdAt: 0,
    updatedAt: 0,
    base: { ...defaultExperiment(), train: { ...defaultExperiment().train, steps: 120 } },
    schemes,
    seeds: [1, 2, 3],
    budget: { mlmSteps: 20, mlmWarmup: 2, mlmLr: 1e-3, downstreamSequences: 64 },
    probeText: '',
    state: 'done',
    entries: acc.flatMap((perSeed, scheme) =>
      perSeed.map((a, i) => ({
        scheme,
        seed: i + 1,
        state: 'done' as const,
        result: result(a, viaProbe && scheme > 0),
      })),
    ),
  });

  it('pairs seeds against the reference and keeps scheme indices', () => {
    const n = comparisonNumbers(
      rec([
        [0.1, 0.11, 0.12],
        [0.14, 0.15, 0.16],
        [0.1, 0.12, 0.11],
      ]),
      0,
    );
    expect(n.rows[0].isReference).toBe(true);
    expect(n.rows[1].diff?.verdict).toBe('better');
    expect(n.rows[1].diff?.mean).toBeCloseTo(0.04, 12);
    expect(n.rows[2].diff?.verdict).toBe('inside noise');
    expect(n.budget).toEqual({ kind: 'steps', steps: [120, 120, 120] });
    expect(n.scoring).toBe('same evaluation');
    // Figures without a test-noise estimate and one finished seed: the mean alone, no interval, no verdict.
    const one = rec([[0.1], [0.14], [0.1]]);
    const d = comparisonNumbers(one, 0).rows[1].diff;
    expect(d?.mean).toBeCloseTo(0.04, 12);
    expect(d?.n).toBe(1);
    expect(d?.verdict).toBeUndefined();
    expect(d?.lo).toBeUndefined();
  });

  it("uses the shared probe and the comparison's own paired verdicts when every run has the probe", () => {
    const probed = (accuracy: number): RunResult => ({
      evalKind: 'mlm',
      evalAccuracy: 0.5,
      evalLoss: 5,
      steps: 120,
      tokens: 1,
      tokensPerS: 1,
      msPerStep: 1,
      probes: {
        mlm: {
          loss: 5,
          accuracy,
          targets: 4000,
          steps: 20,
          trainLoss: 5,
          frequencyAccuracy: 0.066,
          accuracyEstimate: { value: accuracy, lo: accuracy - 0.004, hi: accuracy + 0.004, se: 0.002, n: 4000 },
        },
        ms: 1,
      },
    });
    const r = rec([
      [0.1, 0.11, 0.12],
      [0.14, 0.15, 0.16],
      [0.1, 0.12, 0.11],
    ]);
    const acc = [
      [0.1, 0.11, 0.12],
      [0.14, 0.15, 0.16],
      [0.1, 0.12, 0.11],
    ];
    r.entries = r.entries.map((e) => ({ ...e, result: probed(acc[e.scheme][e.seed - 1]) }));
    const n = comparisonNumbers(r, 0);
    expect(n.scoring).toBe('same evaluation');
    expect(n.metric).toContain('shared probe');
    expect(n.rows[1].diff?.verdict).toBe('better');
    expect(n.rows[1].diff?.mean).toBeCloseTo(0.04, 12);
    expect(n.rows[2].diff?.verdict).toBe('inside noise');
    expect(n.frequency).toEqual({ reference: expect.closeTo(0.11, 12), baseline: 0.066 });
  });

  it('flags runs scored through different heads', () => {
    const n = comparisonNumbers(
      rec(
        [
          [0.1, 0.11, 0.12],
          [0.14, 0.15, 0.16],
          [0.1, 0.12, 0.11],
        ],
        true,
      ),
      0,
    );
    expect(n.scoring).toBe('own head for vocabulary heads');
    expect(n.rows[1].diff?.n).toBe(3);
  });
});

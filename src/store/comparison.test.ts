// The comparison store on fake-indexeddb with a fake training store and worker: runs train one after another
// (probes between), each tagged and named; results and attention survive a reload; a reload interrupts, Continue
// resumes; Reset in the Train panel stops it; CSV has one row per run; the JSON file imports back.
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { RunStore } from './runStore';
import { defaultExperiment, type ExperimentConfig } from '../session/config';
import { DEFAULT_PROBE_BUDGET } from '../session/probes';
import type { FromWorker, ToWorker } from '../worker/protocol';
import { createComparisonStore, type StartOptions } from './comparison';
import { ComparisonDb } from './comparisonDb';
import { COMPARISON_CSV_COLUMNS } from '../session/comparisonExport';
import { createRunsStore, persistLiveRuns } from './runs';
import { fakeLiveRun } from '../session/runsTesting';
import type { LiveRun } from '../session/records';

async function settle(): Promise<void> {
  for (let i = 0; i < 60; i++) await new Promise((r) => setImmediate(r));
}

interface FakeTraining {
  run?: LiveRun;
  probeText: string;
  start(config: ExperimentConfig, text: string): void;
  reset(): void;
  setProbeText(text: string): void;
}

function setup(factory = new IDBFactory()) {
  const sent: ToWorker[] = [];
  const listeners = new Set<(m: FromWorker) => void>();
  const started: ExperimentConfig[] = [];
  let n = 0;
  const training = createStore<FakeTraining>((set) => ({
    probeText: '',
    start(config) {
      started.push(config);
      const base = fakeLiveRun(`run${n++}`, 0, 1000 + n);
      set({
        run: { ...base, config, state: 'preparing', totalSteps: config.train.steps, evals: [], cases: undefined },
      });
    },
    reset() {
      set({ run: undefined });
    },
    setProbeText(text) {
      set({ probeText: text });
    },
  }));
  const runs = createRunsStore(() => RunStore.open(factory));
  const stopPersist = persistLiveRuns(training, runs, { throttleMs: 0 });
  const store = createComparisonStore({
    openDb: () => ComparisonDb.open(factory),
    openRuns: () => RunStore.open(factory),
    training,
    runs,
    send: (m) => sent.push(m),
    onMessage: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    loadText: () => Promise.resolve('some text'),
  });
  const emit = (m: FromWorker) => listeners.forEach((fn) => fn(m));
  /** The current run trains to the end: metrics, a final evaluation, attention maps, then done. */
  const finishRun = (loss: number) => {
    const run = training.getState().run!;
    const steps = run.config.train.steps;
    const metrics = Array.from({ length: steps }, (_, s) => ({
      step: s,
      loss: loss + 1 - s / steps,
      accuracy: 0.1,
      targets: 10,
      gradNorm: 1,
      lr: 1e-3,
    }));
    emit({
      type: 'probe',
      runId: run.id,
      step: steps,
      tokens: ['[CLS]', 'a', '[SEP]'],
      L: 1,
      NH: 1,
      attention: Float32Array.from({ length: 9 }, (_, i) => i / 9),
      predictions: [],
    });
    training.setState({
      run: {
        ...run,
        state: 'done',
        step: steps,
        metrics,
        evals: [{ step: steps, loss, accuracy: 0.2, pseudoPerplexity: Math.exp(loss) }],
        tokensPerS: 500,
      },
    });
  };
  const answerProbes = (downstream: number, head: 'vocabulary' | 'binary' = 'vocabulary') => {
    const last = sent[sent.length - 1];
    if (last?.type !== 'probes') throw new Error(`expected a probes command, got ${last?.type}`);
    const mlm =
      head === 'vocabulary'
        ? undefined
        : { loss: 6, accuracy: 0.05, targets: 100, pseudoPerplexity: 400, steps: 5, trainLoss: 6.1 };
    emit({
      type: 'probes',
      runId: last.runId,
      results: {
        mlm,
        downstream: { accuracy: downstream, trainAccuracy: 0.9, chance: 0.5, trainExamples: 20, testExamples: 10 },
        ms: 5,
      },
    });
  };
  return { factory, store, training, runs, sent, started, finishRun, answerProbes, stopPersist };
}

function options(): StartOptions {
  const base = defaultExperiment();
  base.train = { ...base.train, steps: 4, B: 2 };
  base.seed = 11;
  return {
    name: 'mlm vs rts',
    base,
    schemes: [
      { strategy: 'random', objective: 'mlm' },
      { strategy: 'random', objective: 'rts' },
    ],
    seeds: [11, 12],
    budget: { ...DEFAULT_PROBE_BUDGET, mlmSteps: 5 },
    probeText: 'the [MASK] sat',
  };
}

describe('comparison store', () => {
  it('trains schemes x seeds one after another with probes between, then keeps everything across a reload', async () => {
    const s = setup();
    const rec = await s.store.getState().start(options());
    expect(s.training.getState().probeText).toBe('the [MASK] sat');
    // Seed-major order; only masking and seed differ between runs.
    for (const [k, loss] of [
      [0, 5],
      [1, 7],
      [2, 5.2],
      [3, 7.4],
    ] as const) {
      expect(s.started).toHaveLength(k + 1);
      expect(s.sent.filter((m) => m.type === 'probes')).toHaveLength(k);
      s.finishRun(loss);
      await settle();
      expect(s.sent.at(-1)).toMatchObject({ type: 'probes', budget: { mlmSteps: 5 } });
      // The next run waits for the probes.
      expect(s.started).toHaveLength(k + 1);
      s.answerProbes(0.5 + k / 10, k % 2 === 0 ? 'vocabulary' : 'binary');
      await settle();
    }
    expect(s.started.map((c) => [c.masking.objective, c.seed])).toEqual([
      ['mlm', 11],
      ['rts', 11],
      ['mlm', 12],
      ['rts', 12],
    ]);
    for (const c of s.started)
      expect({ ...c, masking: undefined, seed: undefined }).toEqual({
        ...options().base,
        masking: undefined,
        seed: undefined,
      });
    const done = s.store.getState().list.find((c) => c.id === rec.id)!;
    expect(done.state).toBe('done');
    expect(s.store.getState().activeId).toBeUndefined();
    expect(done.entries.map((e) => [e.state, e.result?.evalKind, e.result?.tokens])).toEqual([
      ['done', 'mlm', 4 * 2 * 64],
      ['done', 'objective', 512],
      ['done', 'mlm', 512],
      ['done', 'objective', 512],
    ]);
    expect(done.entries[1].result?.probes?.mlm?.loss).toBe(6);
    expect(done.entries[0].attention?.tokens).toEqual(['[CLS]', 'a', '[SEP]']);

    // Runs are named after the comparison and tagged with it.
    await settle();
    const db = await RunStore.open(s.factory);
    const saved = await db.list();
    expect(saved).toHaveLength(4);
    for (const r of saved) expect(r.comparisonId).toBe(rec.id);
    expect(saved.map((r) => r.name).sort()[0]).toBe('mlm vs rts · random/mlm · 15% · seed 11');

    // A new page on the same database: the comparison is listed with its results and attention.
    s.stopPersist();
    const again = setup(s.factory);
    await again.store.getState().load();
    const back = again.store.getState().list[0];
    expect(back.state).toBe('done');
    expect(back.entries[3].result?.probes?.downstream?.accuracy).toBeCloseTo(0.8);
    expect(back.entries[0].attention?.attention).toEqual(done.entries[0].attention?.attention);
    await again.store.getState().select(back.id);
    expect(Object.keys(again.store.getState().series).sort()).toEqual(['run0', 'run1', 'run2', 'run3']);
    expect(again.store.getState().series.run1.metrics).toHaveLength(4);
    again.stopPersist();
  });

  it('a reload interrupts a running comparison; Continue trains what did not finish', async () => {
    const s = setup();
    await s.store.getState().start({ ...options(), seeds: [11] });
    s.finishRun(5);
    await settle();
    s.answerProbes(0.6);
    await settle();
    expect(s.started).toHaveLength(2);
    s.stopPersist();
    const page2 = setup(s.factory);
    await page2.store.getState().load();
    const c = page2.store.getState().list[0];
    expect(c.state).toBe('interrupted');
    expect(c.entries.map((e) => e.state)).toEqual(['done', 'stopped']);
    await page2.store.getState().resume(c.id);
    expect(page2.started.map((x) => x.masking.objective)).toEqual(['rts']);
    page2.finishRun(7);
    await settle();
    page2.answerProbes(0.55, 'binary');
    await settle();
    expect(page2.store.getState().list[0].state).toBe('done');
    expect(page2.store.getState().list[0].entries[0].result?.evalLoss).toBe(5);
    page2.stopPersist();
  });

  it('Reset in the Train panel stops the comparison; Stop resets the current run', async () => {
    const s = setup();
    await s.store.getState().start(options());
    s.training.getState().reset();
    await settle();
    const c = s.store.getState().list[0];
    expect(c.state).toBe('stopped');
    expect(c.entries[0].state).toBe('stopped');
    expect(s.store.getState().activeId).toBeUndefined();

    await s.store.getState().resume(c.id);
    expect(s.training.getState().run).toBeDefined();
    s.store.getState().stop();
    await settle();
    expect(s.training.getState().run).toBeUndefined();
    expect(s.store.getState().list[0].state).toBe('stopped');
    s.stopPersist();
  });

  it('a diverged run is recorded as failed and the next one trains; a run that cannot start stops the comparison', async () => {
    const s = setup();
    await s.store.getState().start({ ...options(), seeds: [11] });
    const run = s.training.getState().run!;
    s.training.setState({ run: { ...run, state: 'diverged', step: 0, message: 'Training diverged at step 3' } });
    await settle();
    expect(s.started).toHaveLength(2);
    expect(s.store.getState().list[0].entries.map((e) => e.state)).toEqual(['failed', 'training']);
    const second = s.training.getState().run!;
    s.training.setState({ run: { ...second, state: 'failed', step: 0, message: 'No GPU device' } });
    await settle();
    const c = s.store.getState().list[0];
    expect(c.state).toBe('stopped');
    expect(c.message).toContain('No GPU device');
    expect(s.store.getState().activeId).toBeUndefined();
    s.stopPersist();
  });

  it('a run started from the Train panel while probes run stops the comparison', async () => {
    const s = setup();
    await s.store.getState().start(options());
    s.finishRun(5);
    await settle();
    expect(s.store.getState().list[0].entries[0].state).toBe('probing');
    s.training.getState().start(defaultExperiment(), 'x');
    await settle();
    expect(s.store.getState().list[0].state).toBe('stopped');
    expect(s.store.getState().list[0].entries[0].state).toBe('stopped');
    s.stopPersist();
  });

  it('exports one CSV row per run with the evaluation columns, and a JSON file that imports back', async () => {
    const s = setup();
    const rec = await s.store.getState().start({ ...options(), seeds: [11] });
    s.finishRun(5);
    await settle();
    s.answerProbes(0.6);
    await settle();
    s.finishRun(7);
    await settle();
    s.answerProbes(0.7, 'binary');
    await settle();
    const csv = s.store.getState().exportCsv(rec.id).trim().split('\r\n');
    expect(csv).toHaveLength(3);
    const header = csv[0].split(',');
    expect(header).toEqual([...COMPARISON_CSV_COLUMNS]);
    for (const col of [
      'eval_loss',
      'eval_accuracy',
      'pseudo_perplexity',
      'mlm_probe_loss',
      'mlm_probe_accuracy',
      'downstream_accuracy',
      'tokens',
      'seed',
      'scheme',
    ])
      expect(header).toContain(col);
    const rows = csv.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v])));
    expect(
      rows.map((r) => [r.objective, r.eval_loss, r.mlm_probe_loss, r.downstream_accuracy, r.tokens, r.seed]),
    ).toEqual([
      ['mlm', '5', '', '0.6', '512', '11'],
      ['rts', '', '6', '0.7', '512', '11'],
    ]);
    expect(rows[1].objective_eval_loss).toBe('7');

    const json = await s.store.getState().exportJson(rec.id);
    s.stopPersist();
    const other = setup();
    const r = await other.store.getState().importJson(json);
    expect(r).toEqual({ comparison: 'imported', runs: { imported: 2, skipped: 0 } });
    const back = other.store.getState().list[0];
    expect(back.entries.map((e) => e.result?.probes?.downstream?.accuracy)).toEqual([0.6, 0.7]);
    expect(back.entries[0].attention?.attention).toBeInstanceOf(Float32Array);
    expect(other.runs.getState().runs.map((x) => x.comparisonId)).toEqual([rec.id, rec.id]);
    expect(await other.store.getState().importJson(json)).toEqual({
      comparison: 'skipped',
      runs: { imported: 0, skipped: 2 },
    });
    await expect(other.store.getState().importJson('{"format":"masklab-runs"}')).rejects.toThrow(
      /not a MaskLab comparison export/,
    );
    const bad = JSON.parse(json) as { comparison: { schemes: unknown[] } };
    bad.comparison.schemes = [
      { strategy: 'random', objective: 'nope' },
      { strategy: 'random', objective: 'mlm' },
    ];
    await expect(other.store.getState().importJson(JSON.stringify(bad))).rejects.toThrow(/schemes\[0\]/);

    // Deleting the comparison with its runs removes both.
    await other.store.getState().remove(back.id, true);
    expect(other.store.getState().list).toEqual([]);
    expect(other.runs.getState().runs).toEqual([]);
    other.stopPersist();
  });
});

// The runs store on fake-indexeddb: the persister (save at start, throttled while metrics arrive, at once on state
// changes, reset saved as stopped, renames kept, deleted runs not brought back), interrupted-by-reload marking,
// import (validation, duplicates skipped and counted) and export of all or selected runs.
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { RunStore } from './runStore';
import { type LiveRun, type RunRecord } from '../session/records';
import { createRunsStore, defaultRunName, INTERRUPTED_MESSAGE, persistLiveRuns } from './runs';
import { parseRunsJson } from '../session/runsExport';
import { fakeLiveRun, fakeRecord } from '../session/runsTesting';

/** Lets IndexedDB (fake-indexeddb runs on setImmediate) and the persister's write queue finish. */
async function settle(): Promise<void> {
  for (let i = 0; i < 40; i++) await new Promise((r) => setImmediate(r));
}

function setup() {
  const factory = new IDBFactory();
  const runs = createRunsStore(() => RunStore.open(factory));
  const saves: RunRecord[] = [];
  const save = runs.getState().save;
  runs.setState({
    save: (r) => {
      saves.push(structuredClone(r));
      return save(r);
    },
  });
  const training = createStore<{ run?: LiveRun }>(() => ({}));
  return { factory, runs, saves, training };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('persistLiveRuns', () => {
  it('saves at start, at most every 2 s while metrics arrive, and at once on pause, done and reset', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { factory, runs, saves, training } = setup();
    const stop = persistLiveRuns(training, runs, { throttleMs: 2000 });
    const full = fakeLiveRun('r1', 40);
    const at = (n: number, patch: Partial<LiveRun> = {}): LiveRun => ({
      ...full,
      state: 'training',
      step: n,
      metrics: full.metrics.slice(0, n),
      ...patch,
    });

    training.setState({ run: { ...at(0), state: 'preparing' } });
    await settle();
    expect(saves.map((s) => s.state)).toEqual(['preparing']);
    expect(saves[0].name).toBe(defaultRunName(full.config, full.startedAt));

    for (let n = 1; n <= 10; n++) {
      training.setState({ run: at(n) });
      vi.advanceTimersByTime(150);
    }
    await settle();
    // preparing -> training is a state change (saved at once); then 1.5 s of metrics stay within the window.
    expect(saves.map((s) => [s.state, s.metrics.length])).toEqual([
      ['preparing', 0],
      ['training', 1],
    ]);
    vi.advanceTimersByTime(600);
    await settle();
    expect(saves).toHaveLength(3);
    expect(saves[2].metrics).toHaveLength(10);

    // A rename while training survives the next live save.
    await runs.getState().rename('r1', 'my span run');
    training.setState({ run: at(12) });
    training.setState({ run: at(13, { state: 'paused' }) });
    await settle();
    expect(saves).toHaveLength(4);
    expect(saves[3].state).toBe('paused');
    expect(runs.getState().runs[0]).toMatchObject({ name: 'my span run', state: 'paused', step: 13 });

    training.setState({ run: at(40, { state: 'done' }) });
    await settle();
    expect(saves.map((s) => s.state).slice(-1)).toEqual(['done']);

    // A second run, reset while training: saved as stopped.
    training.setState({ run: { ...fakeLiveRun('r2', 3), startedAt: full.startedAt + 60_000 } });
    training.setState({ run: undefined });
    await settle();
    vi.advanceTimersByTime(5000);
    await settle();
    stop();
    const db = await RunStore.open(factory);
    const list = await db.list();
    expect(list.map((s) => [s.id, s.state, s.metricsCount])).toEqual([
      ['r2', 'stopped', 3],
      ['r1', 'done', 40],
    ]);
    expect(list[1].name).toBe('my span run');
    expect((await db.get('r1'))?.metrics).toEqual(full.metrics);
  });

  it('does not bring back a live run deleted meanwhile', async () => {
    const { runs, saves, training } = setup();
    const stop = persistLiveRuns(training, runs, { throttleMs: 0 });
    const run = fakeLiveRun('gone', 5);
    training.setState({ run });
    await settle();
    await runs.getState().remove('gone');
    training.setState({ run: { ...run, state: 'done' } });
    await settle();
    stop();
    expect(saves.length).toBe(2);
    await runs.getState().load();
    expect(runs.getState().runs).toEqual([]);
  });
});

describe('runs store', () => {
  it('marks runs left live by an earlier page as interrupted, and keeps that across a reload', async () => {
    const { factory, runs } = setup();
    const db = await RunStore.open(factory);
    await db.put(fakeRecord('t', 5, { state: 'training', createdAt: 3 }));
    await db.put(fakeRecord('p', 5, { state: 'paused', createdAt: 2 }));
    await db.put(fakeRecord('d', 5, { state: 'done', createdAt: 1 }));
    await db.put(fakeRecord('live', 5, { state: 'training', createdAt: 4 }));
    await runs.getState().load('live');
    const byId = Object.fromEntries(runs.getState().runs.map((r) => [r.id, r]));
    expect(runs.getState().runs.map((r) => r.id)).toEqual(['live', 't', 'p', 'd']);
    expect([byId.t.interrupted, byId.p.interrupted, byId.d.interrupted, byId.live.interrupted]).toEqual([
      true,
      true,
      undefined,
      undefined,
    ]);
    expect(byId.t.message).toBe(INTERRUPTED_MESSAGE);
    expect(INTERRUPTED_MESSAGE).toMatch(/weights were in GPU memory/);
    const reloaded = createRunsStore(() => RunStore.open(factory));
    await reloaded.getState().load();
    expect(
      reloaded
        .getState()
        .runs.filter((r) => r.interrupted)
        .map((r) => r.id),
    ).toEqual(['live', 't', 'p']);

    await reloaded.getState().select('t');
    expect(reloaded.getState().selected?.metrics).toHaveLength(5);
    await reloaded.getState().rename('t', '  new name ');
    expect(reloaded.getState().selected?.name).toBe('new name');
    expect(reloaded.getState().runs.find((r) => r.id === 't')?.name).toBe('new name');
    await reloaded.getState().remove('t');
    expect(reloaded.getState().selectedId).toBeUndefined();
    expect((await db.list()).map((r) => r.id)).toEqual(['live', 'p', 'd']);
  });

  it('exports all or selected runs and imports them back, skipping and counting ids already here', async () => {
    const a = setup();
    const db = await RunStore.open(a.factory);
    await db.put(fakeRecord('x', 30, { createdAt: 2 }));
    await db.put(fakeRecord('y', 3, { createdAt: 1 }));
    await a.runs.getState().load();
    const csvAll = await a.runs.getState().exportCsv();
    expect(csvAll.trim().split('\r\n')).toHaveLength(3);
    const csvOne = await a.runs.getState().exportCsv(['y']);
    expect(csvOne.trim().split('\r\n')[1]).toMatch(/^y,run y,/);
    const json = await a.runs.getState().exportJson(['x']);
    expect(parseRunsJson(json).map((r) => [r.id, r.metrics.length])).toEqual([['x', 30]]);
    const everything = await a.runs.getState().exportJson();

    // Another browser already has run "y"; the file also carries a run that was live when exported.
    const b = setup();
    const bdb = await RunStore.open(b.factory);
    await bdb.put(fakeRecord('y', 1, { name: 'mine' }));
    await b.runs.getState().load();
    const doc = JSON.parse(everything) as { runs: RunRecord[] };
    doc.runs.push({ ...doc.runs[0], id: 'z', state: 'training' }, { ...doc.runs[0] });
    const result = await b.runs.getState().importJson(JSON.stringify(doc));
    expect(result).toEqual({ imported: 2, skipped: 2 });
    const list = b.runs.getState().runs;
    expect(list.map((r) => r.id).sort()).toEqual(['x', 'y', 'z']);
    expect(list.find((r) => r.id === 'y')?.name).toBe('mine');
    expect(list.find((r) => r.id === 'z')?.interrupted).toBe(true);
    expect((await bdb.get('x'))?.metrics).toEqual(fakeRecord('x', 30).metrics);

    await expect(
      b.runs.getState().importJson('{"format":"masklab-runs","version":1,"runs":[{"id":"q"}]}'),
    ).rejects.toThrow(/runs\[0\]/);
    expect((await bdb.list()).map((r) => r.id).sort()).toEqual(['x', 'y', 'z']);
  });

  it('names a run "<strategy>/<objective> seed N, <date>"', () => {
    const run = fakeLiveRun('n', 1, new Date(2025, 0, 3, 14, 5).getTime());
    expect(defaultRunName(run.config, run.startedAt)).toBe('span/mlm seed 7, 2025-01-03 14:05');
  });
});

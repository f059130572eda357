// Two tabs of one origin: two runs stores (and two comparison stores) over one fake IndexedDB, joined by in-process
// channels. Saves, renames, deletes and imports in one show in the other; a burst of messages costs one read; a run
// deleted in one tab is not brought back by a late message, nor saved again by the other tab's persister; a run
// live in a tab that closes or crashes shows as interrupted in the other at once, with its saved metrics.
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { RunStore } from './runStore';
import { defaultExperiment } from '../session/config';
import { createComparisonStore, INTERRUPTED_COMPARISON } from './comparison';
import { comparisonLockName } from './tabSync';
import { ComparisonDb } from './comparisonDb';
import { comparisonToJson } from '../session/comparisonExport';
import { newComparison, type ComparisonRecord } from '../session/comparisonRecord';
import { createRunsStore, INTERRUPTED_MESSAGE, persistLiveRuns } from './runs';
import { runsToJson } from '../session/runsExport';
import { fakeLiveRun, fakeRecord } from '../session/runsTesting';
import { createTabSync, TAB_SYNC_COALESCE_MS } from './tabSync';
import { memoryChannels, memoryLocks, type TabLocks } from './tabSyncTesting';
import type { LiveRun } from '../session/records';

/** Lets IndexedDB and the channels (both on setImmediate) finish what they started. */
async function settle(): Promise<void> {
  for (let i = 0; i < 60; i++) await new Promise((r) => setImmediate(r));
}

/** Messages delivered, the coalescing window passed, the re-read done. */
async function propagate(): Promise<void> {
  await settle();
  vi.advanceTimersByTime(TAB_SYNC_COALESCE_MS);
  await settle();
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Two tabs' runs stores; `listCalls[i]` counts tab i's RunStore.list() calls. */
function twoTabs() {
  const factory = new IDBFactory();
  const channels = memoryChannels();
  const listCalls = [0, 0];
  const tab = (i: number) =>
    createRunsStore(
      async () => {
        const db = await RunStore.open(factory);
        const list = db.list.bind(db);
        db.list = () => {
          listCalls[i]++;
          return list();
        };
        return db;
      },
      createTabSync('masklab-store', channels.factory),
    );
  return { factory, channels, a: tab(0), b: tab(1), listCalls };
}

const ids = (s: { getState(): { runs: { id: string }[] } }) => s.getState().runs.map((r) => r.id);

describe('runs stores in two tabs', () => {
  it('a save, a rename and a delete in one tab show in the other, selection included', async () => {
    const { a, b } = twoTabs();
    await a.getState().load();
    await b.getState().load();
    await a.getState().save(fakeRecord('r1', 5, { createdAt: 1 }));
    await settle();
    expect(ids(b)).toEqual([]); // gathered for the coalescing window first
    await propagate();
    expect(ids(b)).toEqual(['r1']);
    expect(b.getState().runs[0]).toMatchObject({ name: 'run r1', metricsCount: 5 });

    await b.getState().select('r1');
    expect(b.getState().selected?.metrics).toHaveLength(5);
    await a.getState().save(fakeRecord('r1', 8, { createdAt: 1 }));
    await a.getState().rename('r1', 'renamed in A');
    await propagate();
    expect(b.getState().runs[0]).toMatchObject({ name: 'renamed in A', metricsCount: 8 });
    // The selected run's full record is read again.
    expect(b.getState().selected).toMatchObject({ name: 'renamed in A' });
    expect(b.getState().selected?.metrics).toHaveLength(8);

    // And the other way round.
    await b.getState().rename('r1', 'renamed in B');
    await propagate();
    expect(a.getState().runs[0].name).toBe('renamed in B');

    await a.getState().save(fakeRecord('r2', 2, { createdAt: 2 }));
    await propagate();
    expect(ids(b)).toEqual(['r2', 'r1']);
    await a.getState().remove('r1');
    await settle(); // a delete needs no read: it applies as soon as the message arrives
    expect(ids(b)).toEqual(['r2']);
    expect(b.getState().selectedId).toBeUndefined();
    expect(b.getState().selected).toBeUndefined();
  });

  it('an import in one tab appears in the other; a run deleted in one tab comes back only by an import', async () => {
    const { factory, a, b } = twoTabs();
    await a.getState().load();
    await b.getState().load();
    const file = runsToJson([fakeRecord('x', 3, { createdAt: 5 }), fakeRecord('y', 4, { createdAt: 6 })]);
    expect(await a.getState().importJson(file)).toEqual({ imported: 2, skipped: 0 });
    await propagate();
    expect(ids(b)).toEqual(['y', 'x']);

    await b.getState().remove('x');
    await settle();
    expect(ids(a)).toEqual(['y']);
    const db = await RunStore.open(factory);

    // A's persister does not save the run B deleted.
    await a.getState().save(fakeRecord('x', 10, { createdAt: 5 }));
    expect((await db.list()).map((r) => r.id)).toEqual(['y']);
    expect(ids(a)).toEqual(['y']);

    // Importing it again (in A) brings it back in both tabs.
    expect(await a.getState().importJson(file)).toEqual({ imported: 1, skipped: 1 });
    await propagate();
    expect(ids(a)).toEqual(['y', 'x']);
    expect(ids(b)).toEqual(['y', 'x']);
    db.close();
  });

  it('a late message about a run deleted here does not bring it back', async () => {
    const { factory, channels, b } = twoTabs();
    await b.getState().save(fakeRecord('x', 3, { createdAt: 1 }));
    await b.getState().remove('x');
    // Another tab's save of x was on its way: it lands after the delete, then its message arrives.
    const db = await RunStore.open(factory);
    await db.put(fakeRecord('x', 4, { createdAt: 1 }));
    const other = createTabSync('masklab-store', channels.factory);
    other.post({ kind: 'runs-changed', ids: ['x'] });
    await propagate();
    expect(ids(b)).toEqual([]);
    // Its next save is refused too, and the list does not gain it from any later read.
    await b.getState().save(fakeRecord('x', 5, { createdAt: 1 }));
    other.post({ kind: 'runs-changed', ids: ['y'] });
    await propagate();
    expect(ids(b)).toEqual([]);
    other.close();
    db.close();
  });

  it('many saves in a burst cause one read in the other tab, which then shows the last one', async () => {
    const { a, b, listCalls } = twoTabs();
    await a.getState().load();
    await b.getState().load();
    const before = listCalls[1];
    for (let n = 1; n <= 20; n++) await a.getState().save(fakeRecord('live', n, { state: 'training' }));
    await a.getState().rename('live', 'busy run');
    await propagate();
    expect(listCalls[1] - before).toBe(1);
    expect(b.getState().runs).toHaveLength(1);
    expect(b.getState().runs[0]).toMatchObject({ name: 'busy run', metricsCount: 20, state: 'training' });
    // A message does not mark another tab's live run interrupted (only load() does that, for runs no tab holds).
    expect(b.getState().runs[0].interrupted).toBeUndefined();
    // Two bursts separated by more than the window: two reads.
    await a.getState().save(fakeRecord('live', 21, { state: 'training' }));
    await propagate();
    await a.getState().save(fakeRecord('live', 22, { state: 'done' }));
    await propagate();
    expect(listCalls[1] - before).toBe(3);
    expect(b.getState().runs[0]).toMatchObject({ metricsCount: 22, state: 'done' });
  });

  it('runs interrupted by load() in one tab are announced to the others', async () => {
    const { factory, a, b } = twoTabs();
    const db = await RunStore.open(factory);
    await db.put(fakeRecord('old', 3, { state: 'training' }));
    await b.getState().load('old'); // B thinks "old" is its live run
    expect(b.getState().runs[0].interrupted).toBeUndefined();
    await a.getState().load();
    await propagate();
    expect(b.getState().runs[0].interrupted).toBe(true);
    db.close();
  });
});

describe('a run live in a tab that goes away', () => {
  /** Tab A trains (a training store and its persister), tab B lists; both with Web Locks of one origin. */
  function trainingAndWatching() {
    const factory = new IDBFactory();
    const channels = memoryChannels();
    const locks = memoryLocks();
    const locksA = locks.tab();
    const syncA = createTabSync('masklab-store', channels.factory);
    const a = createRunsStore(() => RunStore.open(factory), syncA, locksA);
    const training = createStore<{ run?: LiveRun }>(() => ({}));
    const stopPersisting = persistLiveRuns(training, a, { throttleMs: 0, locks: locksA });
    const b = createRunsStore(
      () => RunStore.open(factory),
      createTabSync('masklab-store', channels.factory),
      locks.tab(),
    );
    /** Tab A is closed or crashes: no last word, its locks and channel go. */
    const closeA = () => {
      locksA.close();
      syncA.close();
      stopPersisting();
    };
    return { factory, a, b, training, closeA };
  }

  it('a paused run of a closed tab is interrupted in the other tab at once, metrics kept, selection too', async () => {
    const { factory, b, training, closeA } = trainingAndWatching();
    await b.getState().load();
    const run = fakeLiveRun('paused-there', 6);
    training.setState({ run: { ...run, state: 'training', step: 4, metrics: run.metrics.slice(0, 4) } });
    training.setState({ run: { ...run, state: 'paused' } });
    await propagate();
    expect(b.getState().runs).toHaveLength(1);
    expect(b.getState().runs[0]).toMatchObject({ id: 'paused-there', state: 'paused', metricsCount: 6 });
    expect(b.getState().runs[0].interrupted).toBeUndefined();
    await b.getState().select('paused-there');

    closeA();
    await settle(); // no reload, no message from A: B's wait for the run's lock ends
    expect(b.getState().runs[0]).toMatchObject({ state: 'paused', metricsCount: 6, interrupted: true });
    expect(b.getState().runs[0].message).toBe(INTERRUPTED_MESSAGE);
    expect(b.getState().selected).toMatchObject({ id: 'paused-there', interrupted: true });
    expect(b.getState().selected?.metrics).toHaveLength(6);
    const db = await RunStore.open(factory);
    expect((await db.list())[0]).toMatchObject({ interrupted: true, state: 'paused', metricsCount: 6 });
    // A late save of the closed page (it was on its way) does not make it live again.
    await db.put({ ...fakeRecord('paused-there', 6), state: 'paused' }, { keepName: true });
    expect((await db.list())[0]).toMatchObject({ interrupted: true, message: INTERRUPTED_MESSAGE });
    db.close();
  });

  it('a tab B opens while A trains watches too; a run A ends or resets is not marked when A lets it go', async () => {
    const { b, training, closeA } = trainingAndWatching();
    const first = fakeLiveRun('ends', 3);
    training.setState({ run: first });
    await settle();
    await b.getState().load(); // opened after A started: held by A, so not marked by load()
    expect(b.getState().runs[0]).toMatchObject({ id: 'ends', state: 'training' });
    expect(b.getState().runs[0].interrupted).toBeUndefined();
    training.setState({ run: { ...first, state: 'done' } });
    await propagate();
    expect(b.getState().runs[0]).toMatchObject({ id: 'ends', state: 'done' });
    expect(b.getState().runs[0].interrupted).toBeUndefined();

    // A run replaced while live is saved stopped before its lock goes.
    const second = fakeLiveRun('reset', 2, Date.UTC(2025, 0, 4));
    training.setState({ run: second });
    await propagate();
    training.setState({ run: undefined });
    await propagate();
    expect(b.getState().runs.find((r) => r.id === 'reset')).toMatchObject({ state: 'stopped' });
    expect(b.getState().runs.find((r) => r.id === 'reset')?.interrupted).toBeUndefined();

    // And a live one, once A crashes, is.
    training.setState({ run: fakeLiveRun('crash', 2, Date.UTC(2025, 0, 5)) });
    await propagate();
    closeA();
    await settle();
    expect(b.getState().runs.map((r) => [r.id, r.state, r.interrupted ?? false])).toEqual([
      ['crash', 'training', true],
      ['reset', 'stopped', false],
      ['ends', 'done', false],
    ]);
  });
});

describe('comparison stores in two tabs', () => {
  function tab(
    factory: IDBFactory,
    channels: ReturnType<typeof memoryChannels>,
    reads = { n: 0 },
    locks: TabLocks | undefined = undefined,
  ) {
    const sync = createTabSync('masklab-store', channels.factory);
    const runs = createRunsStore(() => RunStore.open(factory), sync, locks);
    const training = createStore<{ run?: LiveRun; start(): void; reset(): void; setProbeText(): void }>(() => ({
      start() {},
      reset() {},
      setProbeText() {},
    }));
    return createComparisonStore({
      openDb: async () => {
        const db = await ComparisonDb.open(factory);
        const list = db.list.bind(db);
        db.list = () => {
          reads.n++;
          return list();
        };
        return db;
      },
      openRuns: () => RunStore.open(factory),
      training,
      runs,
      send: () => undefined,
      onMessage: () => () => undefined,
      loadText: () => Promise.resolve('text'),
      sync,
      locks,
    });
  }
  const comparison = (name: string, createdAt: number): ComparisonRecord => ({
    ...newComparison(
      {
        name,
        base: defaultExperiment(),
        schemes: [
          { strategy: 'random', objective: 'mlm' },
          { strategy: 'span', objective: 'mlm' },
        ],
        seeds: [1],
        probeText: 'p',
      },
      createdAt,
    ),
    state: 'stopped',
  });

  it('an import, a rename and a delete in one tab show in the other; a burst costs one read', async () => {
    const factory = new IDBFactory();
    const channels = memoryChannels();
    const reads = { n: 0 };
    const a = tab(factory, channels);
    const b = tab(factory, channels, reads);
    await a.getState().load();
    await b.getState().load();
    const c1 = comparison('first', 1000);
    const c2 = comparison('second', 2000);
    await a.getState().importJson(comparisonToJson(c1, [fakeRecord('cr', 3)]));
    await a.getState().importJson(comparisonToJson(c2, []));
    await propagate();
    expect(b.getState().list.map((c) => c.name)).toEqual(['second', 'first']);
    await propagate(); // the runs store of tab B heard of the imported run too
    const runsB = await RunStore.open(factory);
    expect((await runsB.list()).map((r) => r.id)).toEqual(['cr']);
    runsB.close();

    await b.getState().select(c1.id);
    const before = reads.n;
    for (let i = 1; i <= 5; i++) await a.getState().rename(c1.id, `first, renamed ${i}`);
    await a.getState().rename(c2.id, 'second, renamed');
    await propagate();
    expect(reads.n - before).toBe(1);
    expect(b.getState().list.map((c) => c.name)).toEqual(['second, renamed', 'first, renamed 5']);
    expect(b.getState().selectedId).toBe(c1.id);

    await a.getState().remove(c1.id, false);
    await settle();
    expect(b.getState().list.map((c) => c.name)).toEqual(['second, renamed']);
    expect(b.getState().selectedId).toBeUndefined();
  });

  it('a running comparison is not deleted from a tab that does not run it', async () => {
    const factory = new IDBFactory();
    const channels = memoryChannels();
    const a = tab(factory, channels);
    await a.getState().load();
    const db = await ComparisonDb.open(factory);
    const running = { ...comparison('elsewhere', 3000), state: 'running' as const };
    await db.put(running);
    createTabSync('masklab-store', channels.factory).post({ kind: 'comparisons-changed', ids: [running.id] });
    await propagate();
    expect(a.getState().list.map((c) => [c.name, c.state])).toEqual([['elsewhere', 'running']]);
    await a.getState().remove(running.id, false);
    expect((await db.list()).map((c) => c.id)).toEqual([running.id]);
    db.close();
  });

  it('a comparison running in a tab that closes shows interrupted in the other at once', async () => {
    const factory = new IDBFactory();
    const channels = memoryChannels();
    const locks = memoryLocks();
    const b = tab(factory, channels, undefined, locks.tab());
    await b.getState().load();
    // Tab A runs it: it holds the comparison's Web Lock and has written it as running, its first run training.
    const a = locks.tab();
    const base = comparison('closed there', 4000);
    const running: ComparisonRecord = {
      ...base,
      state: 'running',
      entries: base.entries.map((e, i) => (i === 0 ? { ...e, state: 'training' as const, runId: 'r0' } : e)),
    };
    void a.request(comparisonLockName(running.id), () => new Promise(() => undefined));
    const db = await ComparisonDb.open(factory);
    await db.put(running);
    createTabSync('masklab-store', channels.factory).post({ kind: 'comparisons-changed', ids: [running.id] });
    await propagate();
    expect(b.getState().list.map((c) => c.state)).toEqual(['running']);

    a.close(); // closed or crashed: no word from it, only its lock goes
    await settle();
    const shown = b.getState().list[0];
    expect(shown).toMatchObject({ state: 'interrupted', message: INTERRUPTED_COMPARISON });
    expect(shown.entries[0].state).toBe('stopped');
    expect((await db.get(running.id))?.state).toBe('interrupted');
    db.close();
  });
});

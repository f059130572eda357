// Saved runs in the page: the list (summaries from IndexedDB), the selected run's full record, rename, delete,
// export and import, and the persister that saves the live run as it trains (throttled) and marks runs a reload cut off.
// Other open tabs are told of every write (tabSync.ts) and follow: the list is the same in every tab, and a run
// live in a tab that closes or crashes shows as interrupted in the others at once (its Web Lock is released).
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { LIVE_STATES, RunStore } from './runStore';
import { type KeptFile, type KeptWeightsInfo, type LiveRun, type RunRecord, type RunSummary } from '../session/records';
import type { ExperimentConfig } from '../session/config';
import { parseRunsJson, runsToCsv, runsToJson } from '../session/runsExport';
import {
  browserLocks,
  browserTabSync,
  heldLocks,
  holdLock,
  idBatcher,
  lockWatcher,
  runLockName,
  type LocksLike,
  type TabMessage,
  type TabSync,
} from './tabSync';

export interface ImportResult {
  imported: number;
  /** Runs whose id is already saved here (or repeated in the file): left as they were. */
  skipped: number;
}

export interface RunsState {
  runs: RunSummary[];
  loaded: boolean;
  /** Why the store could not be read or written (shown in the panel). */
  error?: string;
  selectedId?: string;
  /** The selected run's full record (metrics included), once read. */
  selected?: RunRecord;
  /** Reads the list; runs left live by an earlier page (and not held by another open tab) become interrupted. */
  load(liveId?: string): Promise<void>;
  select(id: string | undefined): Promise<void>;
  rename(id: string, name: string): Promise<void>;
  remove(id: string): Promise<void>;
  exportJson(ids?: readonly string[]): Promise<string>;
  exportCsv(ids?: readonly string[]): Promise<string>;
  /** Validates a runs file and adds its runs; throws RunImportError (nothing added) when the file is bad. */
  importJson(text: string): Promise<ImportResult>;
  /** Writes a run (used by the persister); keeps a name given meanwhile and updates the list. */
  save(record: RunRecord): Promise<void>;
  /** Keeps a run's final weights in the browser next to it (false when the run is not saved here). */
  keepWeights(
    id: string,
    format: KeptWeightsInfo['format'],
    step: number,
    files: readonly KeptFile[],
  ): Promise<boolean>;
  /** The files of a run's kept weights (undefined when none were kept). */
  weightFiles(id: string): Promise<KeptFile[] | undefined>;
}

export { LIVE_STATES };
export { heldLocks, runLockName } from './tabSync';

export const INTERRUPTED_MESSAGE =
  'Interrupted: this run was live when its page was reloaded or closed. Its weights were in GPU memory ' +
  'and are gone, so it cannot be resumed; its metrics up to the last save are kept. Use "Load settings" to train it again.';

function pad(n: number): string {
  return n.toString().padStart(2, '0');
}

/** "<strategy>/<objective> seed N, YYYY-MM-DD HH:MM" (local time). */
export function defaultRunName(config: ExperimentConfig, createdAt: number): string {
  const d = new Date(createdAt);
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return `${config.masking.strategy}/${config.masking.objective} seed ${config.seed}, ${date}`;
}

/** The record to save for a live run (a copy; the name is the default one unless given). */
export function recordFromLive(run: LiveRun, name?: string, now = Date.now()): RunRecord {
  const rec: RunRecord = {
    id: run.id,
    name: name ?? defaultRunName(run.config, run.startedAt),
    createdAt: run.startedAt,
    updatedAt: now,
    config: run.config,
    state: run.state,
    step: run.step,
    totalSteps: run.totalSteps,
    metrics: run.metrics,
    evals: run.evals,
    tokensPerS: run.tokensPerS,
    msPerStep: run.msPerStep,
  };
  if (run.message !== undefined) rec.message = run.message;
  if (run.info) rec.info = run.info;
  if (run.cases) rec.cases = run.cases;
  return rec;
}

/** A saved run in the shape the training charts read. */
export function liveFromRecord(r: RunRecord): LiveRun {
  return { ...r, startedAt: r.createdAt };
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The list with `s` in its place, newest first. */
function upsert(runs: RunSummary[], s: RunSummary): RunSummary[] {
  const rest = runs.filter((r) => r.id !== s.id);
  return [...rest, s].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
}

/** The state without these runs: out of the list, and out of the selection if one of them is selected. */
function withoutRuns(st: RunsState, ids: readonly string[]): Partial<RunsState> {
  const gone = new Set(ids);
  return {
    runs: st.runs.filter((r) => !gone.has(r.id)),
    ...(st.selectedId !== undefined && gone.has(st.selectedId) ? { selectedId: undefined, selected: undefined } : {}),
  };
}

/**
 * Deleted runs that must not come back (by the persister's next save, or a late message from another tab): those
 * deleted in this page and those deleted in another tab. Only an import, here or there, brings one back.
 */
class Deleted {
  readonly here = new Set<string>();
  readonly there = new Set<string>();
  has(id: string): boolean {
    return this.here.has(id) || this.there.has(id);
  }
  /** The run was imported again: it may be listed again. */
  restore(id: string): void {
    this.here.delete(id);
    this.there.delete(id);
  }
}

/**
 * The runs store over the database `open` gives. With `sync` (the page's channel in a browser; none in tests unless
 * given), every write is announced to the other tabs, and their writes update this store's list and selection.
 * With `locks` (the page's Web Locks by default), a run live in another tab is watched (see `watch` below).
 */
export function createRunsStore(
  open: () => Promise<RunStore>,
  sync: TabSync | undefined = browserTabSync(),
  locks: LocksLike | undefined = browserLocks(),
): StoreApi<RunsState> {
  let storePromise: Promise<RunStore> | undefined;
  const db = () => {
    storePromise ??= open().catch((e: unknown) => {
      storePromise = undefined;
      throw e;
    });
    return storePromise;
  };

  const removed = new Deleted();
  const announce = (kind: 'runs-changed' | 'runs-imported' | 'runs-removed', ids: string[]) => {
    if (ids.length > 0) sync?.post({ kind, ids });
  };
  /** Runs this page trains (saved live by its persister, or named live at load): never watched. */
  const own = new Set<string>();
  let watch: (r: RunSummary) => void = () => undefined;

  const store = createStore<RunsState>((set, get) => {
    /** Runs an operation on the database; a failure is shown in the panel and rethrown. */
    const guard = async <R>(f: (s: RunStore) => Promise<R>): Promise<R> => {
      try {
        const r = await f(await db());
        if (get().error) set({ error: undefined });
        return r;
      } catch (e) {
        set({ error: message(e) });
        throw e;
      }
    };
    return {
      runs: [],
      loaded: false,
      async load(liveId) {
        await guard(async (s) => {
          if (liveId !== undefined) own.add(liveId);
          const held = await heldLocks(locks);
          let runs = await s.list();
          const marked: string[] = [];
          for (const r of runs) {
            if (r.interrupted || !LIVE_STATES.includes(r.state) || r.id === liveId || held.has(runLockName(r.id)))
              continue;
            const patched = await s.patch(r.id, { interrupted: true, message: INTERRUPTED_MESSAGE });
            if (patched) {
              runs = upsert(runs, patched);
              marked.push(r.id);
            }
          }
          set({ runs: runs.filter((r) => !removed.has(r.id)), loaded: true });
          announce('runs-changed', marked);
          for (const r of get().runs) watch(r);
        });
      },
      async select(id) {
        set({ selectedId: id, selected: id === get().selected?.id ? get().selected : undefined });
        if (id === undefined) return;
        const rec = await guard((s) => s.get(id));
        if (get().selectedId === id) set({ selected: rec });
      },
      async rename(id, name) {
        const clean = name.trim();
        if (!clean) return;
        const s = await guard((st) => st.patch(id, { name: clean }));
        if (!s) return;
        const sel = get().selected;
        set({ runs: upsert(get().runs, s), selected: sel?.id === id ? { ...sel, name: clean } : sel });
        announce('runs-changed', [id]);
      },
      async remove(id) {
        removed.here.add(id);
        await guard((s) => s.delete(id));
        set(withoutRuns(get(), [id]));
        announce('runs-removed', [id]);
      },
      async exportJson(ids) {
        return runsToJson(await guard((s) => s.getMany(ids)));
      },
      async exportCsv(ids) {
        const all = await guard((s) => s.list());
        return runsToCsv(ids ? all.filter((r) => ids.includes(r.id)) : all);
      },
      async importJson(text) {
        const records = parseRunsJson(text);
        return guard(async (s) => {
          const have = new Set((await s.list()).map((r) => r.id));
          let imported = 0;
          let skipped = 0;
          let runs = get().runs;
          const added: string[] = [];
          for (const rec of records) {
            if (have.has(rec.id)) {
              skipped++;
              continue;
            }
            have.add(rec.id);
            removed.restore(rec.id);
            // A run live in the exporting page is not live here.
            const r =
              LIVE_STATES.includes(rec.state) && !rec.interrupted
                ? { ...rec, interrupted: true, message: INTERRUPTED_MESSAGE }
                : rec;
            runs = upsert(runs, await s.put(r));
            added.push(r.id);
            imported++;
          }
          set({ runs });
          announce('runs-imported', added);
          return { imported, skipped };
        });
      },
      async keepWeights(id, format, step, files) {
        if (removed.has(id)) return false;
        const s = await guard((st) => st.putWeights(id, format, step, files));
        if (!s) return false;
        set({ runs: upsert(get().runs, s) });
        announce('runs-changed', [id]);
        return true;
      },
      async weightFiles(id) {
        return guard((s) => s.getWeights(id));
      },
      async save(record) {
        if (removed.has(record.id)) return;
        if (LIVE_STATES.includes(record.state)) own.add(record.id);
        const s = await guard((st) => st.put(record, { keepName: true }));
        const st = get();
        set({
          runs: upsert(st.runs, s),
          ...(st.selectedId === record.id ? { selected: { ...record, name: s.name } } : {}),
        });
        announce('runs-changed', [record.id]);
      },
    };
  });

  watch = watchLiveRuns(store, db, locks, { removed, own, upsert, announce });
  if (sync) followOtherTabs(store, sync, db, removed, upsert, (r) => watch(r));
  return store;
}

/**
 * Waits for the Web Lock of each run live in another tab (tabSync.ts lockWatcher): granted when that tab ended the
 * run (saved first, so nothing is marked) or went away. A run still saved live then is marked interrupted, in this
 * list, the selection and the database, and the other tabs are told. Returns the function that starts a watch.
 */
function watchLiveRuns(
  store: StoreApi<RunsState>,
  db: () => Promise<RunStore>,
  locks: LocksLike | undefined,
  ctx: {
    removed: Deleted;
    own: Set<string>;
    upsert: typeof upsert;
    announce: (kind: 'runs-changed', ids: string[]) => void;
  },
): (r: RunSummary) => void {
  const { removed, own, announce } = ctx;
  const watcher = lockWatcher(locks, (e) => store.setState({ error: message(e) }));
  return (r) => {
    if (r.interrupted || !LIVE_STATES.includes(r.state) || own.has(r.id)) return;
    watcher.watch(runLockName(r.id), async () => {
      if (removed.has(r.id) || own.has(r.id)) return;
      const patched = await (await db()).markInterrupted(r.id, INTERRUPTED_MESSAGE);
      if (!patched || removed.has(r.id)) return;
      const st = store.getState();
      store.setState({
        runs: ctx.upsert(st.runs, patched),
        ...(st.selected?.id === r.id
          ? { selected: { ...st.selected, interrupted: true, message: INTERRUPTED_MESSAGE } }
          : {}),
      });
      announce('runs-changed', [r.id]);
    });
  };
}

/**
 * Keeps a runs store in step with the other tabs: runs they delete leave the list (and the selection) at once;
 * runs they write are read again, all the ids of a burst of messages in one read. Only the runs named are
 * replaced (this page's own newer writes stay), a run missing from the list is added, and a deleted run (here or
 * there) comes back only when imported again; a run deleted there is not saved again here either (Deleted stops
 * the persister). A run another tab says is live is handed to `watch`, which marks it interrupted when that tab goes.
 */
function followOtherTabs(
  store: StoreApi<RunsState>,
  sync: TabSync,
  db: () => Promise<RunStore>,
  removed: Deleted,
  upsert: (runs: RunSummary[], s: RunSummary) => RunSummary[],
  watch: (r: RunSummary) => void,
): void {
  const reread = async (ids: Set<string>) => {
    let listed: RunSummary[];
    try {
      listed = await (await db()).list();
    } catch (e) {
      store.setState({ error: message(e) });
      return;
    }
    const have = new Set(listed.map((r) => r.id));
    let runs = store.getState().runs.filter((r) => !removed.has(r.id) && !(ids.has(r.id) && !have.has(r.id)));
    const mine = new Set(runs.map((r) => r.id));
    for (const r of listed) if (!removed.has(r.id) && (ids.has(r.id) || !mine.has(r.id))) runs = upsert(runs, r);
    store.setState({ runs });
    for (const r of runs) watch(r);
    const { selectedId } = store.getState();
    if (selectedId === undefined || !ids.has(selectedId)) return;
    if (!have.has(selectedId) || removed.has(selectedId)) {
      store.setState({ selectedId: undefined, selected: undefined });
      return;
    }
    const rec = await (await db()).get(selectedId).catch(() => undefined);
    if (rec && store.getState().selectedId === selectedId && !removed.has(selectedId))
      store.setState({ selected: rec });
  };

  const batch = idBatcher(reread);
  sync.subscribe((msg: TabMessage) => {
    if (msg.kind === 'runs-removed') {
      for (const id of msg.ids) {
        removed.there.add(id);
        batch.drop(id);
      }
      store.setState(withoutRuns(store.getState(), msg.ids));
    } else if (msg.kind === 'runs-changed' || msg.kind === 'runs-imported') {
      for (const id of msg.ids) {
        if (msg.kind === 'runs-imported') removed.restore(id);
        if (!removed.has(id)) batch.add(id);
      }
    }
  });
}

export const runsStore = createRunsStore(() => RunStore.open());

export function useRunsStore<T>(selector: (s: RunsState) => T): T {
  return useStore(runsStore, selector);
}

export interface PersistOptions {
  /** Least time between two saves while metrics arrive (state changes save at once). */
  throttleMs?: number;
  /** The Web Locks to hold live runs with (the page's by default). */
  locks?: LocksLike;
}

/**
 * Saves the live run of a training store into a runs store: when it starts, at most every `throttleMs` while
 * metrics arrive, and at once when its state changes (pause, done, stopped, failed). A run the user resets (or
 * replaces) while live is saved as stopped. While a run is live this page holds a Web Lock named after it, so
 * another tab that loads the list does not mark it interrupted. Returns a function that stops persisting.
 */
export function persistLiveRuns(
  training: Pick<StoreApi<{ run?: LiveRun }>, 'getState' | 'subscribe'>,
  runs: StoreApi<RunsState>,
  opts: PersistOptions = {},
): () => void {
  const throttleMs = opts.throttleMs ?? 2000;
  let lastSave = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let latest: LiveRun | undefined;
  let queue: Promise<void> = Promise.resolve();
  const locks = new Map<string, () => void>();

  const lock = (id: string) => {
    if (!locks.has(id)) locks.set(id, holdLock(opts.locks ?? browserLocks(), runLockName(id)));
  };
  const unlock = (id: string) => {
    locks.get(id)?.();
    locks.delete(id);
  };
  const write = (run: LiveRun) => {
    lastSave = Date.now();
    const rec = recordFromLive(run);
    // Writes go one after another, so an older snapshot never lands after a newer one.
    queue = queue.then(() => runs.getState().save(rec)).catch(() => undefined); // the error is shown by the store
    if (!LIVE_STATES.includes(run.state)) queue = queue.then(() => unlock(run.id));
  };
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (latest) write(latest);
  };

  const unsubscribe = training.subscribe((s, prev) => {
    const run = s.run;
    const old = prev.run;
    if (old && old.id !== run?.id) {
      // The previous run was reset or replaced: save its last state (as stopped if it was still live).
      if (timer !== undefined && latest?.id === old.id) clearTimeout(timer);
      timer = undefined;
      // write() lets go of its lock once it is saved as ended (a tab waiting for the lock must not find it live).
      write(LIVE_STATES.includes(old.state) ? { ...old, state: 'stopped' } : old);
    }
    latest = run;
    if (!run || run === old) return;
    if (run.id !== old?.id) {
      lock(run.id);
      write(run);
    } else if (run.state !== old.state) {
      flush();
    } else if (timer === undefined) {
      timer = setTimeout(flush, Math.max(0, lastSave + throttleMs - Date.now()));
    }
  });
  // Leaving the page: write the latest metrics now rather than at the next throttle tick.
  const onHide = () => flush();
  if (typeof window !== 'undefined') window.addEventListener('pagehide', onHide);
  return () => {
    unsubscribe();
    if (typeof window !== 'undefined') window.removeEventListener('pagehide', onHide);
    if (timer !== undefined) clearTimeout(timer);
    for (const id of [...locks.keys()]) unlock(id);
  };
}

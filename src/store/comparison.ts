// Comparisons in the page: the saved list, the one this page runs, persistence and tab sync. The session's driver
// (session/comparisonDriver.ts) sequences the runs through the page's executor (comparisonExecutor.ts: each run
// trains in the worker and is saved as a normal run tagged with the comparison); every state it reaches is saved in
// IndexedDB as it comes. Other open tabs are told of every write (tabSync.ts) and read the changed comparisons
// again, so the saved list is the same in every tab; a tab running a comparison holds its Web Lock.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ComputeBudget } from '../session/computeBudget';
import type { LiveRun, RunEval, StepRow } from '../session/records';
import type { RunStore } from './runStore';
import type { ExperimentConfig } from '../session/config';
import type { ProbeBudget } from '../session/probes';
import type { MaskingConfig } from '../masking/types';
import type { FromWorker, ToWorker } from '../worker/protocol';
import type { ComparisonDb } from './comparisonDb';
import { comparisonToCsv, comparisonToJson, parseComparisonJson } from '../session/comparisonExport';
import { newComparison, type ComparisonRecord } from '../session/comparisonRecord';
import { ComparisonDriver, continueComparison } from '../session/comparisonDriver';
import { runsToJson } from '../session/runsExport';
import type { ImportResult, RunsState } from './runs';
import { pageExecutor } from './comparisonExecutor';
import { followOtherTabs, INTERRUPTED_COMPARISON, interruptIfRunning, loadSeries } from './comparisonTabs';

export { INTERRUPTED_COMPARISON, interruptedComparison } from './comparisonTabs';
import {
  browserLocks,
  browserTabSync,
  comparisonLockName,
  heldLocks,
  holdLock,
  type LocksLike,
  type TabSync,
} from './tabSync';

/** The metric series of a run, for the overlaid curves. */
export interface RunSeries {
  metrics: StepRow[];
  evals: RunEval[];
  /** The frequency guess on the shared held-out targets (the same for every run of a comparison). */
  baseline?: { loss: number; accuracy: number };
}

export interface StartOptions {
  name: string;
  base: ExperimentConfig;
  schemes: MaskingConfig[];
  seeds: number[];
  budget: ProbeBudget;
  probeText: string;
  preset?: string;
  /** The training budget (steps, tokens, FLOPs or equal FLOPs) and the reference scheme it is resolved against. */
  compute?: ComputeBudget;
  reference?: number;
}

export interface ComparisonsState {
  list: ComparisonRecord[];
  loaded: boolean;
  error?: string;
  /** The comparison this page is running (at most one). */
  activeId?: string;
  selectedId?: string;
  /** Progress of the probes of the active comparison's current run. */
  progress?: { runId: string; phase: 'mlm' | 'downstream'; done: number; total: number };
  /** Metric series of saved runs (of the selected comparison), by run id. */
  series: Record<string, RunSeries>;
  /** Reads the list; comparisons left running by an earlier page become interrupted. */
  load(): Promise<void>;
  start(opts: StartOptions): Promise<ComparisonRecord>;
  /** Trains the runs of an interrupted or stopped comparison that did not finish. */
  resume(id: string): Promise<void>;
  stop(): void;
  select(id: string | undefined): Promise<void>;
  rename(id: string, name: string): Promise<void>;
  /** Deletes a comparison, and its runs too when asked. */
  remove(id: string, withRuns: boolean): Promise<void>;
  exportCsv(id: string): string;
  exportJson(id: string): Promise<string>;
  /** Adds a comparison file's comparison (unless one with its id is here) and its runs (duplicates skipped). */
  importJson(text: string): Promise<{ comparison: 'imported' | 'skipped'; runs: ImportResult }>;
}

/** What the store needs from the rest of the page (the real ones in the app, fakes in tests). */
export interface ComparisonDeps {
  openDb(): Promise<ComparisonDb>;
  openRuns(): Promise<RunStore>;
  training: Pick<
    StoreApi<{
      run?: LiveRun;
      start(config: ExperimentConfig, text: string): void;
      reset(): void;
      setProbeText(text: string): void;
    }>,
    'getState' | 'subscribe'
  >;
  runs: StoreApi<RunsState>;
  send(msg: ToWorker): void;
  onMessage(fn: (msg: FromWorker) => void): () => void;
  loadText(corpus: string): Promise<string>;
  /** The channel to the other tabs (default: the page's one in a browser, none elsewhere). */
  sync?: TabSync;
  /** The Web Locks of this origin (default: the page's, none elsewhere). */
  locks?: LocksLike;
}

const newestFirst = (a: ComparisonRecord, b: ComparisonRecord) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1);

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function createComparisonStore(deps: ComparisonDeps): StoreApi<ComparisonsState> {
  let dbPromise: Promise<ComparisonDb> | undefined;
  const db = () => {
    dbPromise ??= deps.openDb().catch((e: unknown) => {
      dbPromise = undefined;
      throw e;
    });
    return dbPromise;
  };
  let writes: Promise<void> = Promise.resolve();
  const sync = deps.sync ?? browserTabSync();
  const locks = deps.locks ?? browserLocks();
  let driver: ComparisonDriver | undefined;
  let watch: (c: ComparisonRecord) => void = () => undefined;

  const store = createStore<ComparisonsState>((set, get) => {
    const fail = (e: unknown) => set({ error: errorText(e) });
    /** Replaces a record in the list and queues its write (writes land in order; other tabs are told after each). */
    const commit = (rec: ComparisonRecord) => {
      set({ list: [rec, ...get().list.filter((c) => c.id !== rec.id)].sort(newestFirst) });
      writes = writes
        .then(async () => {
          await (await db()).put(rec);
          sync?.post({ kind: 'comparisons-changed', ids: [rec.id] });
        })
        .catch(fail);
      return rec;
    };

    /** Runs a comparison with the session's driver, holding its Web Lock until its final state is written. */
    const drive = async (rec: ComparisonRecord) => {
      if (get().activeId) throw new Error('A comparison is already running in this page: stop it first.');
      const text = await deps.loadText(rec.base.corpus);
      deps.training.getState().setProbeText(rec.probeText);
      const release = holdLock(locks, comparisonLockName(rec.id));
      const exec = pageExecutor(deps, text, {
        progress: (progress) => set({ progress }),
        trained: (run) => set({ series: { ...get().series, [run.id]: seriesOf(run) } }),
        fail,
      });
      const d = new ComparisonDriver(rec, exec, { commit: (r) => commit({ ...r, updatedAt: Date.now() }) });
      driver = d;
      commit(rec);
      set({ activeId: rec.id, selectedId: rec.id });
      void d.run().then(() => {
        if (driver === d) driver = undefined;
        if (get().activeId === rec.id) set({ activeId: undefined, progress: undefined });
        // Let go of the lock once the final state is written: a tab waiting for it must not find it running.
        void writes.then(release);
      });
    };

    return {
      list: [],
      loaded: false,
      series: {},
      async load() {
        try {
          const d = await db();
          const held = await heldLocks(locks);
          const out: ComparisonRecord[] = [];
          const marked: string[] = [];
          for (const c of await d.list()) {
            // A comparison running in another tab is held there by its Web Lock.
            const fixed =
              c.state !== 'running' || c.id === get().activeId || held.has(comparisonLockName(c.id))
                ? undefined
                : await interruptIfRunning(d, c.id);
            out.push(fixed ?? c);
            if (fixed) marked.push(fixed.id);
          }
          set({ list: out, loaded: true, error: undefined });
          if (marked.length > 0) sync?.post({ kind: 'comparisons-changed', ids: marked });
          for (const c of out) watch(c);
        } catch (e) {
          fail(e);
        }
      },
      async start(opts) {
        const rec = newComparison(opts);
        await drive(rec);
        return get().list.find((c) => c.id === rec.id) ?? rec;
      },
      async resume(id) {
        const rec = get().list.find((c) => c.id === id);
        if (rec) await drive(continueComparison(rec));
      },
      stop() {
        driver?.stop();
      },
      async select(id) {
        set({ selectedId: id });
        const rec = get().list.find((c) => c.id === id);
        if (rec) await loadSeries(store, deps.openRuns, rec).catch(fail);
      },
      async rename(id, name) {
        const rec = get().list.find((c) => c.id === id);
        if (rec && name.trim()) commit({ ...rec, name: name.trim(), updatedAt: Date.now() });
        await writes;
      },
      async remove(id, withRuns) {
        const rec = get().list.find((c) => c.id === id);
        // A running comparison (here, or in another tab: load() marks the others interrupted) is stopped first.
        if (!rec || get().activeId === id || rec.state === 'running') return;
        try {
          await (await db()).delete(id);
          sync?.post({ kind: 'comparisons-removed', ids: [id] });
          if (withRuns) for (const e of rec.entries) if (e.runId) await deps.runs.getState().remove(e.runId);
          set({
            list: get().list.filter((c) => c.id !== id),
            ...(get().selectedId === id ? { selectedId: undefined } : {}),
          });
        } catch (e) {
          fail(e);
        }
      },
      exportCsv(id) {
        const rec = get().list.find((c) => c.id === id);
        if (!rec) throw new Error(`no comparison ${id}`);
        return comparisonToCsv(rec, new Map(deps.runs.getState().runs.map((r) => [r.id, r.name])));
      },
      async exportJson(id) {
        const rec = get().list.find((c) => c.id === id);
        if (!rec) throw new Error(`no comparison ${id}`);
        const rs = await deps.openRuns();
        try {
          return comparisonToJson(rec, await rs.getMany(rec.entries.flatMap((e) => (e.runId ? [e.runId] : []))));
        } finally {
          rs.close();
        }
      },
      async importJson(json) {
        const { comparison, runs } = parseComparisonJson(json);
        const runsResult =
          runs.length > 0 ? await deps.runs.getState().importJson(runsToJson(runs)) : { imported: 0, skipped: 0 };
        if (get().list.some((c) => c.id === comparison.id)) return { comparison: 'skipped', runs: runsResult };
        const rec: ComparisonRecord =
          comparison.state === 'running'
            ? { ...comparison, state: 'interrupted', message: INTERRUPTED_COMPARISON }
            : comparison;
        commit({ ...rec, updatedAt: Date.now() });
        await writes;
        return { comparison: 'imported', runs: runsResult };
      },
    };
  });

  watch = followOtherTabs(store, db, () => writes, deps.openRuns, sync, locks);
  return store;
}

/** A run's metric series for the comparison's curves. */
function seriesOf(run: LiveRun): RunSeries {
  return { metrics: run.metrics, evals: run.evals, baseline: run.info?.baseline };
}

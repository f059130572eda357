// Comparisons in the page: the saved list, and the one this page runs. Runs train one after another through the
// training store (start run i when run i-1 is done, then its probes), each saved as a normal run tagged with the
// comparison; results, final attention maps and state are saved in IndexedDB as they come. Other open tabs are told
// of every write (tabSync.ts) and read the changed comparisons again, so the saved list is the same in every tab.
import type { ComputeBudget } from '../session/computeBudget';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { LiveRun, RunEval, StepRow } from '../session/records';
import type { RunStore } from './runStore';
import { modelShape, type ExperimentConfig } from '../session/config';
import type { ProbeBudget } from '../session/probes';
import { getObjective, sharesMaskedEvaluation } from '../masking';
import type { MaskingConfig } from '../masking/types';
import type { FromWorker, ToWorker } from '../worker/protocol';
import type { ComparisonDb } from './comparisonDb';
import { comparisonToCsv, comparisonToJson, parseComparisonJson } from '../session/comparisonExport';
import { entryConfig, newComparison, schemeLabel, type AttentionSnapshot, type ComparisonEntry, type ComparisonRecord, type RunResult } from '../session/comparisonRecord';
import { runsToJson } from '../session/runsExport';
import { heldLocks, type ImportResult, type RunsState } from './runs';
import { browserLocks, browserTabSync, idBatcher, type LocksLike, type TabSync } from './tabSync';

export const INTERRUPTED_COMPARISON =
  'Interrupted: its page was reloaded or closed, and the run that was training lived in GPU memory and is gone. Finished runs and their results are kept; Continue trains the rest.';

/** A comparison left running by a page that is gone: interrupted, its training or probing run stopped. */
export function interruptedComparison(c: ComparisonRecord): ComparisonRecord {
  return {
    ...c,
    state: 'interrupted',
    message: INTERRUPTED_COMPARISON,
    entries: c.entries.map((e) =>
      e.state === 'training' || e.state === 'probing'
        ? { ...e, state: 'stopped' as const, message: 'Interrupted: its page was reloaded or closed.' }
        : e,
    ),
  };
}

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

/** The Web Lock a page holds while it runs a comparison, so another tab's load() does not mark it interrupted. */
export const comparisonLockName = (id: string) => `masklab-comparison:${id}`;

const newestFirst = (a: ComparisonRecord, b: ComparisonRecord) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1);

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The final figures of a run from its live state (the probes are added when they arrive). */
export function resultFromLive(run: LiveRun): RunResult {
  const last = run.evals.reduce<LiveRun['evals'][number] | undefined>(
    (b, e) => (!b || e.step > b.step ? e : b),
    undefined,
  );
  const T = run.info?.model.T ?? modelShape(run.config, 2).T;
  const r: RunResult = {
    evalKind: 'mlm',
    steps: run.step,
    tokens: run.step * run.config.train.B * T,
    tokensPerS: run.tokensPerS,
    msPerStep: run.msPerStep,
  };
  if (last) Object.assign(r, { evalLoss: last.loss, evalAccuracy: last.accuracy, evalStep: last.step });
  const pppl = run.evals.find((e) => e.pseudoPerplexity !== undefined)?.pseudoPerplexity;
  if (pppl !== undefined) r.pseudoPerplexity = pppl;
  return r;
}

export function createComparisonStore(deps: ComparisonDeps): StoreApi<ComparisonsState> {
  let dbPromise: Promise<ComparisonDb> | undefined;
  const db = () => {
    dbPromise ??= deps.openDb().catch((e: unknown) => {
      dbPromise = undefined;
      throw e;
    });
    return dbPromise;
  };
  let text: string | undefined;
  /** The latest attention maps of the run being trained or probed. */
  let attention: AttentionSnapshot | undefined;
  let writes: Promise<void> = Promise.resolve();
  const sync = deps.sync ?? browserTabSync();
  const locks = deps.locks ?? browserLocks();
  let unlock: (() => void) | undefined;
  /** Holds the active comparison's Web Lock until unlock() (nothing where there are no Web Locks). */
  const lock = (id: string) => {
    unlock?.();
    const mgr = locks;
    if (!mgr) return;
    const held = new Promise<void>((resolve) => (unlock = resolve));
    mgr.request(comparisonLockName(id), () => held).catch(() => undefined);
  };

  return createStore<ComparisonsState>((set, get) => {
    const fail = (e: unknown) => set({ error: errorText(e) });
    /** Replaces a record in the list and queues its write (writes land in order; other tabs are told after each). */
    const commit = (rec: ComparisonRecord) => {
      const next = { ...rec, updatedAt: Date.now() };
      set({ list: [next, ...get().list.filter((c) => c.id !== rec.id)].sort(newestFirst) });
      writes = writes
        .then(async () => {
          await (await db()).put(next);
          sync?.post({ kind: 'comparisons-changed', ids: [next.id] });
        })
        .catch(fail);
      return next;
    };
    const active = () => get().list.find((c) => c.id === get().activeId);
    const withEntry = (rec: ComparisonRecord, i: number, patch: Partial<ComparisonEntry>): ComparisonRecord => ({
      ...rec,
      entries: rec.entries.map((e, k) => (k === i ? { ...e, ...patch } : e)),
    });
    const finish = (rec: ComparisonRecord, state: ComparisonRecord['state'], message?: string) => {
      const next: ComparisonRecord = { ...rec, state };
      if (message !== undefined) next.message = message;
      else delete next.message;
      commit(next);
      set({ activeId: undefined, progress: undefined });
      // Let go of the lock once the final state is written: a tab waiting for it must not find it running.
      const release = unlock;
      unlock = undefined;
      void writes.then(() => release?.());
    };

    /** Starts the next pending run of the active comparison, or closes it when none is left. */
    const advance = async () => {
      const rec = active();
      if (!rec) return;
      const i = rec.entries.findIndex((e) => e.state === 'pending');
      if (i < 0) {
        finish(rec, 'done');
        return;
      }
      try {
        text ??= await deps.loadText(rec.base.corpus);
      } catch (e) {
        finish(rec, 'stopped', `The text could not be loaded: ${errorText(e)}`);
        return;
      }
      attention = undefined;
      deps.training.getState().start(entryConfig(rec, rec.entries[i]), text);
      const runId = deps.training.getState().run?.id;
      commit(withEntry(rec, i, { state: 'training', runId }));
    };

    /** Names the finished run after the comparison and tags it, in the runs store. */
    const tagRun = async (rec: ComparisonRecord, e: ComparisonEntry) => {
      if (!e.runId) return;
      try {
        await deps.runs
          .getState()
          .rename(e.runId, `${rec.name} · ${schemeLabel(rec.schemes[e.scheme])} · seed ${e.seed}`);
        const rs = await deps.openRuns();
        await rs.patch(e.runId, { comparisonId: rec.id });
        rs.close();
      } catch (err) {
        fail(err);
      }
    };

    deps.training.subscribe((s) => {
      const rec = active();
      if (!rec) return;
      const i = rec.entries.findIndex((e) => e.state === 'training' || e.state === 'probing');
      if (i < 0) return;
      const entry = rec.entries[i];
      const run = s.run;
      if (!run || run.id !== entry.runId) {
        // Reset, or another run started from the Train panel (its worker run replaces ours, probes included).
        finish(
          withEntry(rec, i, {
            state: 'stopped',
            message: 'Stopped: the run was reset or replaced in the Train panel.',
          }),
          'stopped',
          'Stopped from the Train panel.',
        );
        return;
      }
      if (entry.state !== 'training') return;
      if (run.state === 'done') {
        commit(withEntry(rec, i, { state: 'probing', result: resultFromLive(run) }));
        set({
          series: {
            ...get().series,
            [run.id]: { metrics: run.metrics, evals: run.evals, baseline: run.info?.baseline },
          },
        });
        deps.send({ type: 'probes', runId: run.id, budget: rec.budget });
      } else if (run.state === 'failed' && run.step === 0) {
        // Nothing trained: a problem every run would hit (no GPU, a setting the data cannot meet). Stop here.
        finish(
          withEntry(rec, i, { state: 'failed', message: run.message }),
          'stopped',
          `A run failed before its first step: ${run.message ?? 'unknown error'}`,
        );
      } else if (run.state === 'failed' || run.state === 'diverged') {
        // A diverged run is recorded as failed, with the divergence in its message; the others still train.
        const next = withEntry(rec, i, {
          state: 'failed',
          message: run.message,
          result: resultFromLive(run),
          ...(attention ? { attention } : {}),
        });
        commit(next);
        set({
          series: {
            ...get().series,
            [run.id]: { metrics: run.metrics, evals: run.evals, baseline: run.info?.baseline },
          },
        });
        void tagRun(next, next.entries[i]);
        void advance();
      } else if (run.state === 'stopped') {
        finish(withEntry(rec, i, { state: 'stopped' }), 'stopped');
      }
    });

    deps.onMessage((msg) => {
      const rec = active();
      if (!rec || !('runId' in msg)) return;
      const i = rec.entries.findIndex(
        (e) => e.runId === msg.runId && (e.state === 'training' || e.state === 'probing'),
      );
      if (i < 0) return;
      if (msg.type === 'probe') {
        attention = { step: msg.step, tokens: msg.tokens, L: msg.L, NH: msg.NH, attention: msg.attention };
      } else if (msg.type === 'probes-progress') {
        set({ progress: { runId: msg.runId, phase: msg.phase, done: msg.done, total: msg.total } });
      } else if (msg.type === 'probes' && rec.entries[i].state === 'probing') {
        const e = rec.entries[i];
        // What the run's own figures are: the worker says (ownEvalKind); older workers: the objective's evaluation kind.
        const o = getObjective(rec.schemes[e.scheme].objective);
        const fallback =
          o.evaluation === 'causal-next-token' ? 'next-token' : sharesMaskedEvaluation(o) ? 'mlm' : 'objective';
        const result: RunResult = { ...e.result!, evalKind: msg.results?.ownEvalKind ?? fallback };
        if (msg.results) result.probes = msg.results;
        const patch: Partial<ComparisonEntry> = { state: 'done', result };
        if (msg.error) patch.message = `Probes failed: ${msg.error}`;
        else if (msg.results?.downstreamError) patch.message = `No downstream probe: ${msg.results.downstreamError}`;
        if (attention) patch.attention = attention;
        const next = commit(withEntry(rec, i, patch));
        set({ progress: undefined });
        void tagRun(next, next.entries[i]);
        void advance();
      }
    });

    const loadSeries = async (rec: ComparisonRecord) => {
      const ids = rec.entries.flatMap((e) => (e.runId && !get().series[e.runId] ? [e.runId] : []));
      if (ids.length === 0) return;
      const rs = await deps.openRuns();
      try {
        const recs = await rs.getMany(ids);
        const add: Record<string, RunSeries> = {};
        for (const r of recs) add[r.id] = { metrics: r.metrics, evals: r.evals, baseline: r.info?.baseline };
        set({ series: { ...get().series, ...add } });
      } finally {
        rs.close();
      }
    };

    // Other tabs: a comparison deleted there leaves the list at once; written ones are read again, the ids of a
    // burst of messages in one read (after this page's own writes landed). This page's active comparison stays as
    // this page has it: it is the one writing it.
    const reread = async (ids: Set<string>) => {
      try {
        await writes;
        const listed = await (await db()).list();
        const stored = new Set(listed.map((c) => c.id));
        const { activeId, selectedId } = get();
        let list = get().list.filter((c) => c.id === activeId || !ids.has(c.id) || stored.has(c.id));
        const mine = new Set(list.map((c) => c.id));
        for (const c of listed)
          if (c.id !== activeId && (ids.has(c.id) || !mine.has(c.id))) list = [c, ...list.filter((x) => x.id !== c.id)];
        for (const c of list) watch(c);
        set({
          list: list.sort(newestFirst),
          ...(selectedId !== undefined && ids.has(selectedId) && !stored.has(selectedId) && selectedId !== activeId
            ? { selectedId: undefined }
            : {}),
        });
        const sel = list.find((c) => c.id === selectedId);
        if (sel && ids.has(sel.id)) await loadSeries(sel);
      } catch (e) {
        fail(e);
      }
    };
    /**
     * Waits for the Web Lock of a comparison running in another tab: the browser grants it when that tab finishes
     * it (written first, so nothing is marked) or goes away (closed, reloaded, crashed). One still stored as
     * running then is marked interrupted, here, in the database and, by a message, in the other tabs.
     */
    const watching = new Set<string>();
    const watch = (c: ComparisonRecord) => {
      if (!locks || c.state !== 'running' || c.id === get().activeId || watching.has(c.id)) return;
      watching.add(c.id);
      locks
        .request(comparisonLockName(c.id), async () => {
          watching.delete(c.id);
          if (c.id === get().activeId) return;
          const d = await db();
          const now = await d.get(c.id);
          if (!now || now.state !== 'running') return;
          const fixed = interruptedComparison(now);
          await d.put(fixed);
          if (get().list.some((x) => x.id === c.id)) set({ list: get().list.map((x) => (x.id === c.id ? fixed : x)) });
          sync?.post({ kind: 'comparisons-changed', ids: [c.id] });
        })
        .catch((e: unknown) => {
          watching.delete(c.id);
          fail(e);
        });
    };

    const batch = idBatcher(reread);
    sync?.subscribe((msg) => {
      if (msg.kind === 'comparisons-removed') {
        const gone = new Set(msg.ids.filter((id) => id !== get().activeId));
        for (const id of gone) batch.drop(id);
        const { list, selectedId } = get();
        if (list.some((c) => gone.has(c.id)))
          set({
            list: list.filter((c) => !gone.has(c.id)),
            ...(selectedId !== undefined && gone.has(selectedId) ? { selectedId: undefined } : {}),
          });
      } else if (msg.kind === 'comparisons-changed') {
        for (const id of msg.ids) batch.add(id);
      }
    });

    return {
      list: [],
      loaded: false,
      series: {},
      async load() {
        try {
          const d = await db();
          const held = await heldLocks(locks);
          const list = await d.list();
          const out: ComparisonRecord[] = [];
          const marked: string[] = [];
          for (const c of list) {
            // A comparison running in another tab is held there by its Web Lock.
            if (c.state !== 'running' || c.id === get().activeId || held.has(comparisonLockName(c.id))) {
              out.push(c);
              continue;
            }
            const fixed = interruptedComparison(c);
            await d.put(fixed);
            out.push(fixed);
            marked.push(fixed.id);
          }
          set({ list: out, loaded: true, error: undefined });
          if (marked.length > 0) sync?.post({ kind: 'comparisons-changed', ids: marked });
          for (const c of out) watch(c);
        } catch (e) {
          fail(e);
        }
      },
      async start(opts) {
        if (get().activeId) throw new Error('A comparison is already running in this page: stop it first.');
        const rec = newComparison(opts);
        text = await deps.loadText(rec.base.corpus);
        deps.training.getState().setProbeText(rec.probeText);
        commit(rec);
        set({ activeId: rec.id, selectedId: rec.id });
        lock(rec.id);
        await advance();
        return get().list.find((c) => c.id === rec.id) ?? rec;
      },
      async resume(id) {
        if (get().activeId) throw new Error('A comparison is already running in this page: stop it first.');
        const rec = get().list.find((c) => c.id === id);
        if (!rec) return;
        text = await deps.loadText(rec.base.corpus);
        deps.training.getState().setProbeText(rec.probeText);
        const entries = rec.entries.map((e): ComparisonEntry =>
          e.state === 'done' ? e : { scheme: e.scheme, seed: e.seed, state: 'pending' },
        );
        const next: ComparisonRecord = { ...rec, state: 'running', entries };
        delete next.message;
        commit(next);
        set({ activeId: id, selectedId: id });
        lock(id);
        await advance();
      },
      stop() {
        const rec = active();
        if (!rec) return;
        const i = rec.entries.findIndex((e) => e.state === 'training' || e.state === 'probing');
        finish(
          i >= 0 ? withEntry(rec, i, { state: 'stopped', message: 'Stopped by the user.' }) : rec,
          'stopped',
          'Stopped by the user.',
        );
        const runId = i >= 0 ? rec.entries[i].runId : undefined;
        if (runId && deps.training.getState().run?.id === runId) deps.training.getState().reset();
      },
      async select(id) {
        set({ selectedId: id });
        const rec = get().list.find((c) => c.id === id);
        if (rec) await loadSeries(rec).catch(fail);
      },
      async rename(id, name) {
        const rec = get().list.find((c) => c.id === id);
        if (rec && name.trim()) commit({ ...rec, name: name.trim() });
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
        commit(rec);
        await writes;
        return { comparison: 'imported', runs: runsResult };
      },
    };
  });
}

export function useComparisonStore<T>(store: StoreApi<ComparisonsState>, selector: (s: ComparisonsState) => T): T {
  return useStore(store, selector);
}

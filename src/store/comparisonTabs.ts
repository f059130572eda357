// Comparisons across the open tabs of MaskLab: a comparison deleted in another tab leaves this list, written ones
// are read again (one read per burst of messages), and a comparison running in a tab that closes or crashes is
// marked interrupted (its Web Lock is let go), here, in the database and in the other tabs.
import type { StoreApi } from 'zustand/vanilla';
import type { ComparisonRecord } from '../session/comparisonRecord';
import type { ComparisonDb } from './comparisonDb';
import type { ComparisonsState, RunSeries } from './comparison';
import type { RunStore } from './runStore';
import { comparisonLockName, idBatcher, lockWatcher, type LocksLike, type TabSync } from './tabSync';

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

/** A running comparison's record as another tab sees it when the tab running it went away. */
export const interruptIfRunning = async (db: ComparisonDb, id: string): Promise<ComparisonRecord | undefined> => {
  const now = await db.get(id);
  if (!now || now.state !== 'running') return undefined;
  const fixed = interruptedComparison(now);
  await db.put(fixed);
  return fixed;
};

const newestFirst = (a: ComparisonRecord, b: ComparisonRecord) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1);

/** The metric series of a comparison's saved runs that the store does not have yet, read once each. */
export async function loadSeries(
  store: StoreApi<ComparisonsState>,
  openRuns: () => Promise<RunStore>,
  rec: ComparisonRecord,
): Promise<void> {
  const { getState: get, setState: set } = store;
  const ids = rec.entries.flatMap((e) => (e.runId && !get().series[e.runId] ? [e.runId] : []));
  if (ids.length === 0) return;
  const rs = await openRuns();
  try {
    const recs = await rs.getMany(ids);
    const add: Record<string, RunSeries> = {};
    for (const r of recs) add[r.id] = { metrics: r.metrics, evals: r.evals, baseline: r.info?.baseline };
    set({ series: { ...get().series, ...add } });
  } finally {
    rs.close();
  }
}

/**
 * Keeps a comparison store in step with the other tabs, and watches the comparisons they run (`watch` is returned
 * for the store's own load()). This page's active comparison stays as this page has it: it is the one writing it.
 */
export function followOtherTabs(
  store: StoreApi<ComparisonsState>,
  db: () => Promise<ComparisonDb>,
  writes: () => Promise<void>,
  openRuns: () => Promise<RunStore>,
  sync: TabSync | undefined,
  locks: LocksLike | undefined,
): (c: ComparisonRecord) => void {
  const { getState: get, setState: set } = store;
  const fail = (e: unknown) => set({ error: e instanceof Error ? e.message : String(e) });
  /**
   * A comparison running in another tab is watched through its Web Lock (tabSync.ts lockWatcher): one still stored
   * as running when the lock is granted is marked interrupted, here, in the database and, by a message, elsewhere.
   */
  const watcher = lockWatcher(locks, fail);
  const watch = (c: ComparisonRecord) => {
    if (c.state !== 'running' || c.id === get().activeId) return;
    watcher.watch(comparisonLockName(c.id), async () => {
      if (c.id === get().activeId) return;
      const fixed = await interruptIfRunning(await db(), c.id);
      if (!fixed) return;
      if (get().list.some((x) => x.id === c.id)) set({ list: get().list.map((x) => (x.id === c.id ? fixed : x)) });
      sync?.post({ kind: 'comparisons-changed', ids: [c.id] });
    });
  };

  // Other tabs: a comparison deleted there leaves the list at once; written ones are read again, the ids of a burst
  // of messages in one read (after this page's own writes landed). This page's active comparison stays as this page
  // has it: it is the one writing it.
  const reread = async (ids: Set<string>) => {
    try {
      await writes();
      const listed = await (await db()).list();
      const stored = new Set(listed.map((c) => c.id));
      const { activeId, selectedId } = get();
      let list = get().list.filter((c) => c.id === activeId || !ids.has(c.id) || stored.has(c.id));
      const mine = new Set(list.map((c) => c.id));
      for (const c of listed)
        if (c.id !== activeId && (ids.has(c.id) || !mine.has(c.id))) list = [c, ...list.filter((x) => x.id !== c.id)];
      for (const c of list) watch(c);
      const selectionGone = selectedId !== undefined && ids.has(selectedId) && !stored.has(selectedId);
      set({
        list: list.sort(newestFirst),
        ...(selectionGone && selectedId !== activeId ? { selectedId: undefined } : {}),
      });
      const sel = list.find((c) => c.id === selectedId);
      if (sel && ids.has(sel.id)) await loadSeries(store, openRuns, sel);
    } catch (e) {
      fail(e);
    }
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
  return watch;
}

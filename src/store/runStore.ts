// Saved training runs in IndexedDB, so they survive a reload: a small summary per run (listed without reading
// the metric series) and the per-step series (metrics, loss by case) in a second object store, written together.
import { done as idbDone, request as idbRequest } from '../data/idb';
import type { LossByCase } from '../session/lossCases';
import {
  summarize,
  type KeptFile,
  type KeptWeightsInfo,
  type RunRecord,
  type RunState,
  type RunSummary,
  type StepRow,
} from '../session/records';

/** States in which a run still has weights on the GPU of the page that runs it. */
export const LIVE_STATES: readonly RunState[] = ['preparing', 'training', 'paused'];

interface Series {
  metrics: StepRow[];
  cases?: LossByCase;
}

const DB_NAME = 'masklab-runs';
/** 2: the weights store. */
const DB_VERSION = 2;
const RUNS = 'runs';
const SERIES = 'series';
const WEIGHTS = 'weights';

const QUOTA_HINT = 'Delete or export older runs.';
const request = <R>(req: IDBRequest<R>): Promise<R> => idbRequest(req, QUOTA_HINT);
const done = (tx: IDBTransaction): Promise<void> => idbDone(tx, QUOTA_HINT);

function newestFirst(a: RunSummary, b: RunSummary): number {
  return b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

export class RunStore {
  private constructor(private readonly db: IDBDatabase) {}

  /** Opens (creating if needed) the store. `factory` defaults to the browser's indexedDB. */
  static async open(factory: IDBFactory | undefined = globalThis.indexedDB, dbName = DB_NAME): Promise<RunStore> {
    if (!factory) throw new Error('This browser has no IndexedDB, so runs cannot be kept between visits.');
    const req = factory.open(dbName, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(RUNS)) db.createObjectStore(RUNS, { keyPath: 'id' });
      if (!db.objectStoreNames.contains(SERIES)) db.createObjectStore(SERIES);
      if (!db.objectStoreNames.contains(WEIGHTS)) db.createObjectStore(WEIGHTS);
    };
    return new RunStore(await request(req));
  }

  /**
   * Writes a run (summary and series in one transaction) and returns the summary as stored. With `keepName`, a
   * record already stored under this id keeps its name and comparison tag (set while the run was training).
   */
  async put(record: RunRecord, opts: { keepName?: boolean } = {}): Promise<RunSummary> {
    const tx = this.db.transaction([RUNS, SERIES], 'readwrite');
    const runs = tx.objectStore(RUNS);
    let summary = summarize(record);
    const old = await request(runs.get(record.id) as IDBRequest<RunSummary | undefined>);
    // A rename, and the comparison tag, made while the run was training win over the live page's copy.
    if (old && opts.keepName)
      summary = {
        ...summary,
        name: old.name,
        ...(old.comparisonId !== undefined && summary.comparisonId === undefined
          ? { comparisonId: old.comparisonId }
          : {}),
      };
    // Kept weights stay noted until the run is deleted (a later save of the live run does not know of them).
    if (old?.weights && !summary.weights) summary = { ...summary, weights: old.weights };
    // A run marked interrupted stays so while saves still call it live (the last save of a closing page may land
    // after another tab marked it); a save that ends it (done, stopped, ...) clears the mark.
    if (old?.interrupted && !summary.interrupted && LIVE_STATES.includes(summary.state))
      summary = { ...summary, interrupted: true, ...(old.message !== undefined ? { message: old.message } : {}) };
    runs.put(summary);
    tx.objectStore(SERIES).put({ metrics: record.metrics, cases: record.cases } satisfies Series, record.id);
    await done(tx);
    return summary;
  }

  /** Every run's summary, newest first. */
  async list(): Promise<RunSummary[]> {
    const tx = this.db.transaction(RUNS, 'readonly');
    const all = await request(tx.objectStore(RUNS).getAll() as IDBRequest<RunSummary[]>);
    return all.sort(newestFirst);
  }

  /** A whole run, or undefined when there is none with this id. */
  async get(id: string): Promise<RunRecord | undefined> {
    const tx = this.db.transaction([RUNS, SERIES], 'readonly');
    const [summary, series] = await Promise.all([
      request(tx.objectStore(RUNS).get(id) as IDBRequest<RunSummary | undefined>),
      request(tx.objectStore(SERIES).get(id) as IDBRequest<Series | undefined>),
    ]);
    if (!summary) return undefined;
    const { metricsCount: _n, finalTrainLoss: _f, trainLossLast10: _t, lastEval: _e, ...rest } = summary;
    const record: RunRecord = { ...rest, metrics: series?.metrics ?? [] };
    if (series?.cases) record.cases = series.cases;
    return record;
  }

  /** Whole runs for these ids (all runs when omitted), newest first; unknown ids are left out. */
  async getMany(ids?: readonly string[]): Promise<RunRecord[]> {
    const wanted = ids ?? (await this.list()).map((s) => s.id);
    const out = await Promise.all(wanted.map((id) => this.get(id)));
    return out
      .filter((r): r is RunRecord => r !== undefined)
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
  }

  /** Changes a run's summary in place (name, interrupted flag, message); returns it, or undefined if not stored. */
  async patch(
    id: string,
    patch: Partial<Pick<RunSummary, 'name' | 'interrupted' | 'message' | 'comparisonId'>>,
  ): Promise<RunSummary | undefined> {
    const tx = this.db.transaction(RUNS, 'readwrite');
    const runs = tx.objectStore(RUNS);
    const old = await request(runs.get(id) as IDBRequest<RunSummary | undefined>);
    if (!old) {
      await done(tx);
      return undefined;
    }
    const next = { ...old, ...patch };
    runs.put(next);
    await done(tx);
    return next;
  }

  /**
   * Marks a run interrupted, with `message`, if it is stored, still in a live state and not yet marked (one
   * transaction, so a save that ends the run is never overwritten); returns the new summary, or undefined.
   */
  async markInterrupted(id: string, message: string): Promise<RunSummary | undefined> {
    const tx = this.db.transaction(RUNS, 'readwrite');
    const runs = tx.objectStore(RUNS);
    const old = await request(runs.get(id) as IDBRequest<RunSummary | undefined>);
    let next: RunSummary | undefined;
    if (old && !old.interrupted && LIVE_STATES.includes(old.state)) {
      next = { ...old, interrupted: true, message };
      runs.put(next);
    }
    await done(tx);
    return next;
  }

  /** Deletes runs (ids that are not stored are ignored). */
  async delete(...ids: string[]): Promise<void> {
    const tx = this.db.transaction([RUNS, SERIES, WEIGHTS], 'readwrite');
    for (const id of ids) {
      tx.objectStore(RUNS).delete(id);
      tx.objectStore(SERIES).delete(id);
      tx.objectStore(WEIGHTS).delete(id);
    }
    await done(tx);
  }

  /**
   * Keeps a run's final weights (the files of a Hugging Face or checkpoint export) and notes them in its summary;
   * returns the updated summary, or undefined when no run has this id (nothing is written then).
   */
  async putWeights(
    id: string,
    format: KeptWeightsInfo['format'],
    step: number,
    files: readonly KeptFile[],
  ): Promise<RunSummary | undefined> {
    const tx = this.db.transaction([RUNS, WEIGHTS], 'readwrite');
    const runs = tx.objectStore(RUNS);
    const old = await request(runs.get(id) as IDBRequest<RunSummary | undefined>);
    if (!old) {
      tx.abort();
      return undefined;
    }
    const weights: KeptWeightsInfo = { format, step, bytes: files.reduce((n, f) => n + f.bytes.byteLength, 0) };
    const summary = { ...old, weights };
    runs.put(summary);
    tx.objectStore(WEIGHTS).put(
      files.map((f) => ({ name: f.name, bytes: f.bytes })),
      id,
    );
    await done(tx);
    return summary;
  }

  /** The kept weight files of a run (undefined when none were kept). */
  async getWeights(id: string): Promise<KeptFile[] | undefined> {
    const tx = this.db.transaction(WEIGHTS, 'readonly');
    return request(tx.objectStore(WEIGHTS).get(id) as IDBRequest<KeptFile[] | undefined>);
  }

  close(): void {
    this.db.close();
  }
}

// Saved comparisons in IndexedDB (their own database beside the runs, so neither schema waits on the other): the
// comparison record with its per-run results and final attention maps; the runs themselves live in the run store.
import { done as idbDone, request as idbRequest } from '../data/idb';
import type { ComparisonRecord } from '../session/comparisonRecord';

const DB_NAME = 'masklab-comparisons';
const DB_VERSION = 1;
const STORE = 'comparisons';
const QUOTA_HINT = 'Delete or export older comparisons or runs.';
const request = <R>(req: IDBRequest<R>): Promise<R> => idbRequest(req, QUOTA_HINT);
const done = (tx: IDBTransaction): Promise<void> => idbDone(tx, QUOTA_HINT);

export class ComparisonDb {
  private constructor(private readonly db: IDBDatabase) {}

  static async open(factory: IDBFactory | undefined = globalThis.indexedDB, dbName = DB_NAME): Promise<ComparisonDb> {
    if (!factory) throw new Error('This browser has no IndexedDB, so comparisons cannot be kept between visits.');
    const req = factory.open(dbName, DB_VERSION);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE, { keyPath: 'id' });
    };
    return new ComparisonDb(await request(req));
  }

  async put(rec: ComparisonRecord): Promise<void> {
    const tx = this.db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).put(rec);
    await done(tx);
  }

  /** Every comparison, newest first. */
  async list(): Promise<ComparisonRecord[]> {
    const tx = this.db.transaction(STORE, 'readonly');
    const all = await request(tx.objectStore(STORE).getAll() as IDBRequest<ComparisonRecord[]>);
    return all.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
  }

  async get(id: string): Promise<ComparisonRecord | undefined> {
    const tx = this.db.transaction(STORE, 'readonly');
    return request(tx.objectStore(STORE).get(id) as IDBRequest<ComparisonRecord | undefined>);
  }

  async delete(id: string): Promise<void> {
    const tx = this.db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).delete(id);
    await done(tx);
  }

  close(): void {
    this.db.close();
  }
}

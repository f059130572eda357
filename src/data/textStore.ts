// The user's own texts, kept in IndexedDB so they survive a reload: save, list, load, delete.
// Texts and their small descriptions live in two object stores, so listing never reads the texts themselves.
import { done as idbDone, request as idbRequest } from './idb';

export interface StoredTextMeta {
  id: string;
  name: string;
  /** UTF-8 size. */
  bytes: number;
  chars: number;
  /** Milliseconds since 1970, when saved. */
  savedAt: number;
}

export interface StoredText extends StoredTextMeta {
  text: string;
}

const DB_NAME = 'masklab-texts';
const DB_VERSION = 1;
const META = 'meta';
const TEXTS = 'texts';

const QUOTA_HINT = 'Delete older texts and try again.';
const request = <R>(req: IDBRequest<R>): Promise<R> => idbRequest(req, QUOTA_HINT);
const done = (tx: IDBTransaction): Promise<void> => idbDone(tx, QUOTA_HINT);

export class TextStore {
  private constructor(private readonly db: IDBDatabase) {}

  /** Opens (creating if needed) the store. `factory` defaults to the browser's indexedDB. */
  static async open(factory: IDBFactory | undefined = globalThis.indexedDB, dbName = DB_NAME): Promise<TextStore> {
    if (!factory) throw new Error('This browser has no IndexedDB, so texts cannot be kept between visits.');
    const req = factory.open(dbName, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(META)) db.createObjectStore(META, { keyPath: 'id' });
      if (!db.objectStoreNames.contains(TEXTS)) db.createObjectStore(TEXTS);
    };
    return new TextStore(await request(req));
  }

  /** Saves a text under a display name; returns its description (with a new id). */
  async save(name: string, text: string): Promise<StoredTextMeta> {
    const meta: StoredTextMeta = {
      id: crypto.randomUUID(),
      name: name.trim() || 'Untitled text',
      bytes: new TextEncoder().encode(text).length,
      chars: text.length,
      savedAt: Date.now(),
    };
    const tx = this.db.transaction([META, TEXTS], 'readwrite');
    tx.objectStore(TEXTS).put(text, meta.id);
    tx.objectStore(META).put(meta);
    await done(tx);
    return meta;
  }

  /** Every saved text's description, newest first. */
  async list(): Promise<StoredTextMeta[]> {
    const tx = this.db.transaction(META, 'readonly');
    const all = await request(tx.objectStore(META).getAll() as IDBRequest<StoredTextMeta[]>);
    return all.sort((a, b) => b.savedAt - a.savedAt || (a.id < b.id ? -1 : 1));
  }

  /** A saved text, or undefined when there is none with this id. */
  async load(id: string): Promise<StoredText | undefined> {
    const tx = this.db.transaction([META, TEXTS], 'readonly');
    const [meta, text] = await Promise.all([
      request(tx.objectStore(META).get(id) as IDBRequest<StoredTextMeta | undefined>),
      request(tx.objectStore(TEXTS).get(id) as IDBRequest<string | undefined>),
    ]);
    return meta && typeof text === 'string' ? { ...meta, text } : undefined;
  }

  /** Deletes a saved text (nothing happens if it is not there). */
  async delete(id: string): Promise<void> {
    const tx = this.db.transaction([META, TEXTS], 'readwrite');
    tx.objectStore(META).delete(id);
    tx.objectStore(TEXTS).delete(id);
    await done(tx);
  }

  close(): void {
    this.db.close();
  }
}

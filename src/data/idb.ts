// Small promise wrappers over IndexedDB shared by the browser stores (user texts, saved runs), with storage
// errors turned into messages a user can act on.

/** An Error for a failed IndexedDB request; `quotaHint` says what to delete when the quota is exceeded. */
export function storageError(e: DOMException | null, quotaHint: string): Error {
  if (e?.name === 'QuotaExceededError') {
    return new Error(`The browser has no room left to keep this (storage quota exceeded). ${quotaHint}`, { cause: e });
  }
  return new Error(`Browser storage (IndexedDB) failed: ${e?.message ?? 'unknown error'}`, { cause: e ?? undefined });
}

/** The result of a request, or its error. */
export function request<R>(req: IDBRequest<R>, quotaHint: string): Promise<R> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(storageError(req.error, quotaHint));
  });
}

/** Resolves when a transaction commits; rejects when it fails or aborts. */
export function done(tx: IDBTransaction, quotaHint: string): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(storageError(tx.error, quotaHint));
    tx.onabort = () => reject(storageError(tx.error, quotaHint));
  });
}

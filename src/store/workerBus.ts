// The page's message bus to the training worker: the one worker client of the page. Stores send commands with
// sendToWorker and register for the worker's replies with onWorkerMessage (the GPU store, the training store...).
import type { FromWorker, ToWorker } from '../worker/protocol';
import { WorkerClient } from '../worker/client';

let client: WorkerClient | undefined;
const listeners = new Set<(msg: FromWorker) => void>();

/** Registers a listener for every message of the worker; returns an unsubscribe function. */
export function onWorkerMessage(fn: (msg: FromWorker) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Sends a command to the training worker (ignored until the worker is started). */
export function sendToWorker(msg: ToWorker): void {
  client?.send(msg);
}

/** Starts (or restarts) the worker; its messages go to every registered listener. */
export function startWorker(): void {
  client ??= new WorkerClient((msg) => {
    for (const fn of listeners) fn(msg);
  });
  client.start();
}

// GPU status store and the one worker client of the page: GPU messages update this store, everything else goes
// to the listeners other stores register (the training store).
import { create } from 'zustand';
import type { FromWorker, ToWorker } from '../worker/protocol';
import type { GpuStatus } from '../session/records';
import { WorkerClient } from '../worker/client';

export type GpuState = { state: 'starting' } | GpuStatus | { state: 'error'; message: string };

interface GpuStore {
  status: GpuState;
  /** Starts (or restarts) the worker and asks it for a device. */
  start(): void;
  /** Destroys the device on purpose (used to check the lost-device path). */
  loseDevice(): void;
}

let client: WorkerClient | undefined;
const listeners = new Set<(msg: FromWorker) => void>();

/** Registers a listener for the worker's non-GPU messages; returns an unsubscribe function. */
export function onWorkerMessage(fn: (msg: FromWorker) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Sends a command to the training worker (ignored until the worker is started). */
export function sendToWorker(msg: ToWorker): void {
  client?.send(msg);
}

export const useGpuStore = create<GpuStore>((set) => ({
  status: { state: 'starting' },
  start() {
    set({ status: { state: 'starting' } });
    client ??= new WorkerClient((msg) => {
      if (msg.type === 'gpu') set({ status: msg.status });
      else if (msg.type === 'error') set({ status: { state: 'error', message: msg.message } });
      for (const fn of listeners) fn(msg);
    });
    client.start();
  },
  loseDevice() {
    client?.send({ type: 'lose-device' });
  },
}));

// GPU status store: what the worker reported about the adapter and device, and the client that talks to it.
import { create } from 'zustand';
import type { GpuStatus } from '../worker/protocol';
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

export const useGpuStore = create<GpuStore>((set) => ({
  status: { state: 'starting' },
  start() {
    set({ status: { state: 'starting' } });
    client ??= new WorkerClient((msg) => {
      if (msg.type === 'gpu') set({ status: msg.status });
      else set({ status: { state: 'error', message: msg.message } });
    });
    client.start();
  },
  loseDevice() {
    client?.send({ type: 'lose-device' });
  },
}));

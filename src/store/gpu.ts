// The GPU status store: what the worker said of the device (ready, unavailable, lost, or a worker error).
// The worker itself is reached through the message bus (workerBus.ts).
import { create } from 'zustand';
import type { GpuStatus } from '../session/records';
import { onWorkerMessage, sendToWorker, startWorker } from './workerBus';

export type GpuState = { state: 'starting' } | GpuStatus | { state: 'error'; message: string };

interface GpuStore {
  status: GpuState;
  /** Starts (or restarts) the worker and asks it for a device. */
  start(): void;
  /** Destroys the device on purpose (used to check the lost-device path). */
  loseDevice(): void;
}

export const useGpuStore = create<GpuStore>((set) => ({
  status: { state: 'starting' },
  start() {
    set({ status: { state: 'starting' } });
    startWorker();
  },
  loseDevice() {
    sendToWorker({ type: 'lose-device' });
  },
}));

onWorkerMessage((msg) => {
  if (msg.type === 'gpu') useGpuStore.setState({ status: msg.status });
  else if (msg.type === 'error') useGpuStore.setState({ status: { state: 'error', message: msg.message } });
});

// The kernel autotuning as the page sees it: the progress line while the worker tunes (with Skip), the choice the
// current run trains with (variant and timings per role, for the performance panel), and "tune again".
import { create } from 'zustand';
import type { TuneResult } from '../engine/autotune/tune';
import { onWorkerMessage, sendToWorker } from './workerBus';

interface AutotuneStore {
  /** The tuning under way, one line; undefined when none runs. */
  line?: string;
  /** The choice of the latest run (or of the latest "tune again"). */
  result?: TuneResult;
  /** The choice was kept from an earlier tuning of the shape on this adapter. */
  cached?: boolean;
  error?: string;
  /** A "tune again" was asked and has not answered. */
  retuning: boolean;
  skipTuning(): void;
  tuneAgain(): void;
}

export const useAutotuneStore = create<AutotuneStore>((set) => ({
  retuning: false,
  skipTuning() {
    sendToWorker({ type: 'autotune-skip' });
  },
  tuneAgain() {
    set({ retuning: true, error: undefined });
    sendToWorker({ type: 'autotune-again' });
  },
}));

onWorkerMessage((msg) => {
  if (msg.type === 'autotune-progress') useAutotuneStore.setState({ line: msg.line });
  else if (msg.type === 'autotune')
    useAutotuneStore.setState((s) => ({
      retuning: false,
      error: msg.error,
      ...(msg.result ? { result: msg.result, cached: msg.cached } : { result: s.result, cached: s.cached }),
    }));
});

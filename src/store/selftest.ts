// The kernel self-test's store: asks the worker to run it, follows its progress, keeps the last report (with the
// adapter's description and limits) in localStorage, and switches the kernel variant the next runs train on.
import { create } from 'zustand';
import type { CaseResult } from '../engine/selftest/case';
import type { SelfTestReport } from '../engine/selftest/run';
import { scopeOptions, type SelfTestScope } from './selftestScope';
import { SELFTEST_KEY } from './selftestKey';
import { onWorkerMessage, sendToWorker } from './workerBus';

const KEY = SELFTEST_KEY;

interface SelfTestStore {
  running: boolean;
  done: number;
  total: number;
  /** Results so far of the running test. */
  live: CaseResult[];
  report?: SelfTestReport;
  error?: string;
  /** The kernel variant the worker trains the next runs on, when the user chose one. */
  variant?: 'cpu' | 'gpu';
  /** Every case, the quick set, or the whole model's curve alone. */
  run(scope: SelfTestScope): void;
  chooseVariant(cpu: boolean): void;
}

function loadReport(): SelfTestReport | undefined {
  try {
    const text = globalThis.localStorage?.getItem(KEY);
    const r = text ? (JSON.parse(text) as SelfTestReport) : undefined;
    return r?.kind === 'masklab-selftest' ? r : undefined;
  } catch {
    return undefined;
  }
}

function saveReport(r: SelfTestReport): void {
  try {
    globalThis.localStorage?.setItem(KEY, JSON.stringify(r));
  } catch {
    // A full or blocked localStorage loses only the kept copy; the report stays on the page.
  }
}

export const useSelfTestStore = create<SelfTestStore>((set, get) => ({
  running: false,
  done: 0,
  total: 0,
  live: [],
  report: loadReport(),
  run(scope) {
    if (get().running) return;
    set({ running: true, done: 0, total: 0, live: [], error: undefined });
    sendToWorker({ type: 'selftest', options: scopeOptions(scope) });
  },
  chooseVariant(cpu) {
    sendToWorker({ type: 'kernel-variant', cpu });
  },
}));

onWorkerMessage((msg) => {
  if (msg.type === 'selftest-progress') {
    useSelfTestStore.setState((s) => ({ done: msg.done, total: msg.total, live: [...s.live, msg.result] }));
  } else if (msg.type === 'selftest') {
    if (msg.report) saveReport(msg.report);
    useSelfTestStore.setState({ running: false, ...(msg.report ? { report: msg.report } : {}), error: msg.error });
  } else if (msg.type === 'kernel-variant') {
    useSelfTestStore.setState({ variant: msg.cpu ? 'cpu' : 'gpu' });
  }
});

// Live training state in the page: the current run's phase, metric series, evaluations and the latest probe.
import { create } from 'zustand';
import type { ExperimentConfig } from '../session/config';
import { DEFAULT_PROBE_TEXT } from '../session/probeSentence';
import type {
  AttentionSnapshot,
  ExportedFiles,
  ExportFormat,
  KernelProfile,
  LiveRun,
  ProbeView,
} from '../session/records';
import { onWorkerMessage, sendToWorker } from './workerBus';

interface TrainingStore {
  run?: LiveRun;
  probe?: ProbeView;
  probeText: string;
  /** The latest per-kernel timing of the current run, and whether one is being measured. */
  profile?: KernelProfile;
  profiling: boolean;
  measureKernels(): void;
  /** The latest exported files (the training panel saves them as downloads), and whether an export is pending. */
  exported?: ExportedFiles;
  exporting: boolean;
  exportModel(format: ExportFormat): void;
  start(config: ExperimentConfig, text: string): void;
  pause(): void;
  resume(lr?: number): void;
  reset(): void;
  setProbeText(text: string): void;
}

/** At most this many kept attention maps; beyond it every other older one is dropped. */
export const MAX_ATTENTION_SNAPSHOTS = 200;

/** Keeps a snapshot (replacing one of the same step); halves the older ones when the list is full. */
export function keepSnapshot(list: readonly AttentionSnapshot[], s: AttentionSnapshot): AttentionSnapshot[] {
  let out = [...list.filter((x) => x.step !== s.step), s].sort((a, b) => a.step - b.step);
  if (out.length > MAX_ATTENTION_SNAPSHOTS) out = out.filter((_, i) => i % 2 === 0 || i === out.length - 1);
  return out;
}

let counter = 0;

export const useTrainingStore = create<TrainingStore>((set, get) => ({
  probeText: DEFAULT_PROBE_TEXT,
  profiling: false,
  exporting: false,
  exportModel(format) {
    set({ exporting: true });
    sendToWorker({ type: 'export', format });
  },
  measureKernels() {
    set({ profiling: true });
    sendToWorker({ type: 'profile' });
  },
  start(config, text) {
    const id = `run-${Date.now().toString(36)}-${counter++}`;
    set({
      run: {
        id,
        config,
        state: 'preparing',
        step: 0,
        totalSteps: config.train.steps,
        metrics: [],
        evals: [],
        tokensPerS: 0,
        msPerStep: 0,
        startedAt: Date.now(),
        attention: [],
        evalMs: [],
      },
      probe: undefined,
      profile: undefined,
      profiling: false,
    });
    sendToWorker({ type: 'probe', text: get().probeText });
    sendToWorker({ type: 'start', runId: id, config, text });
  },
  pause() {
    sendToWorker({ type: 'pause' });
  },
  resume(lr) {
    const { run } = get();
    // The worker trains on at this rate; the live run says so (a later suggestion starts from it).
    if (run && lr !== undefined)
      set({ run: { ...run, config: { ...run.config, train: { ...run.config.train, lr } } } });
    sendToWorker({ type: 'resume', lr });
  },
  reset() {
    sendToWorker({ type: 'stop' });
    set({
      run: undefined,
      probe: undefined,
      profile: undefined,
      profiling: false,
      exported: undefined,
      exporting: false,
    });
  },
  setProbeText(text) {
    set({ probeText: text });
    sendToWorker({ type: 'probe', text });
  },
}));

onWorkerMessage((msg) => {
  const { run } = useTrainingStore.getState();
  if (!run || !('runId' in msg) || msg.runId !== run.id) return;
  switch (msg.type) {
    case 'run':
      useTrainingStore.setState({
        run: {
          ...run,
          state: msg.state,
          message: msg.message,
          step: msg.step,
          totalSteps: msg.totalSteps,
          resumable: msg.resumable,
        },
      });
      break;
    case 'prepared':
      useTrainingStore.setState({ run: { ...run, info: msg.info } });
      break;
    case 'metrics': {
      const last = msg.rows[msg.rows.length - 1];
      useTrainingStore.setState({
        run: {
          ...run,
          metrics: [...run.metrics, ...msg.rows],
          cases: msg.cases ?? run.cases,
          tokensPerS: msg.tokensPerS,
          msPerStep: msg.msPerStep,
          gpuMemory: msg.gpuMemory ?? run.gpuMemory,
          step: Math.max(run.step, last ? last.step + 1 : 0),
        },
      });
      break;
    }
    case 'eval': {
      const { type: _type, runId: _runId, ms: _ms, ...point } = msg;
      const evals = [...run.evals.filter((e) => e.step !== msg.step), point].sort((a, b) => a.step - b.step);
      useTrainingStore.setState({
        run: { ...run, evals, evalMs: msg.ms === undefined ? run.evalMs : [...(run.evalMs ?? []), msg.ms] },
      });
      break;
    }
    case 'probe': {
      const snap = msg.atEval
        ? { step: msg.step, tokens: msg.tokens, L: msg.L, NH: msg.NH, attention: msg.attention }
        : undefined;
      useTrainingStore.setState({
        probe: msg,
        ...(snap ? { run: { ...run, attention: keepSnapshot(run.attention ?? [], snap) } } : {}),
      });
      break;
    }
    case 'profile':
      useTrainingStore.setState({ profile: msg, profiling: false });
      break;
    case 'exported':
      // Weights kept with a saved run are the runs store's (src/store/keepWeights.ts), not downloads.
      if (!msg.keep) useTrainingStore.setState({ exported: msg, exporting: false });
      break;
  }
});

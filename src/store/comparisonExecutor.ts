// The page's executor for the comparison driver (session/comparisonDriver.ts): a run trains in the worker through
// the training store (so it is shown live in the Train panel and saved like any run), its probes are asked of the
// worker, and a finished run is named after the comparison and tagged with it in the runs store.
import type { StoreApi } from 'zustand/vanilla';
import { getObjective } from '../masking';
import type { ExperimentConfig } from '../session/config';
import { schemeLabel } from '../session/comparisonRecord';
import type { ComparisonExecutor, ProbeOutcome, TrainedRun } from '../session/comparisonDriver';
import { modelShape } from '../session/config';
import type { ProbeBudget } from '../session/probes';
import type { AttentionSnapshot, LiveRun } from '../session/records';
import { ownEvalKind } from '../session/runMasking';
import type { FromWorker, ToWorker } from '../worker/protocol';
import type { RunStore } from './runStore';
import type { RunsState } from './runs';

/** What the executor needs from the page (the real stores and worker in the app, fakes in tests). */
export interface PageDeps {
  training: Pick<
    StoreApi<{ run?: LiveRun; start(config: ExperimentConfig, text: string): void; reset(): void }>,
    'getState' | 'subscribe'
  >;
  runs: StoreApi<RunsState>;
  openRuns(): Promise<RunStore>;
  send(msg: ToWorker): void;
  onMessage(fn: (msg: FromWorker) => void): () => void;
}

export interface PageExecutorHooks {
  /** Progress of the probes of the run being probed (undefined when they end). */
  progress(p: { runId: string; phase: 'mlm' | 'downstream'; done: number; total: number } | undefined): void;
  /** A run ended: its metric series, for the comparison's curves. */
  trained(run: LiveRun): void;
  fail(e: unknown): void;
}

const ENDED: readonly LiveRun['state'][] = ['done', 'failed', 'diverged', 'stopped'];

/** A live run that ended, as the driver reads it. */
export function trainedFromLive(run: LiveRun, attention?: AttentionSnapshot): TrainedRun {
  const T = run.info?.model.T ?? modelShape(run.config, 2).T;
  const state = run.state === 'preparing' || run.state === 'training' || run.state === 'paused' ? 'stopped' : run.state;
  return {
    runId: run.id,
    state,
    ...(run.message !== undefined ? { message: run.message } : {}),
    step: run.step,
    evals: run.evals,
    evalKind: run.info?.evalKind ?? ownEvalKind(getObjective(run.config.masking.objective)),
    tokensPerStep: run.config.train.B * T,
    tokensPerS: run.tokensPerS,
    msPerStep: run.msPerStep,
    ...(attention ? { attention } : {}),
  };
}

/** Trains each run of a comparison on `text` in the page's worker. */
export function pageExecutor(deps: PageDeps, text: string, hooks: PageExecutorHooks): ComparisonExecutor {
  let current: string | undefined;
  /** Waits to end when the comparison is stopped (a probe the worker abandons never answers). */
  const waiting = new Set<() => void>();

  const train = (cfg: ExperimentConfig, started: (runId: string) => void) =>
    new Promise<TrainedRun>((resolve) => {
      let attention: AttentionSnapshot | undefined;
      deps.training.getState().start(cfg, text);
      const runId = deps.training.getState().run?.id;
      if (!runId) return resolve({ ...trainedFromLive(placeholder(cfg)), state: 'failed', message: 'No run started.' });
      current = runId;
      started(runId);
      const offMessages = deps.onMessage((msg) => {
        if (msg.type === 'probe' && msg.runId === runId)
          attention = { step: msg.step, tokens: msg.tokens, L: msg.L, NH: msg.NH, attention: msg.attention };
      });
      const end = (t: TrainedRun) => {
        offMessages();
        unsubscribe();
        waiting.delete(cancelled);
        resolve(t);
      };
      const cancelled = () => end({ ...trainedFromLive(placeholder(cfg)), runId, state: 'stopped' });
      waiting.add(cancelled);
      const unsubscribe = deps.training.subscribe((s) => {
        const run = s.run;
        // Reset, or another run started from the Train panel (its worker run replaces ours, probes included).
        if (!run || run.id !== runId)
          return end({ ...trainedFromLive(placeholder(cfg)), runId, state: 'stopped', replaced: true });
        if (!ENDED.includes(run.state)) return;
        hooks.trained(run);
        end(trainedFromLive(run, attention));
      });
    });

  const probe = (t: TrainedRun, budget: ProbeBudget) =>
    new Promise<ProbeOutcome>((resolve) => {
      const runId = t.runId!;
      const end = (r: ProbeOutcome) => {
        off();
        unsubscribe();
        waiting.delete(cancelled);
        hooks.progress(undefined);
        resolve(r);
      };
      const cancelled = () => end({ error: 'The comparison was stopped.' });
      waiting.add(cancelled);
      const off = deps.onMessage((msg) => {
        if (!('runId' in msg) || msg.runId !== runId) return;
        if (msg.type === 'probes-progress')
          hooks.progress({ runId, phase: msg.phase, done: msg.done, total: msg.total });
        else if (msg.type === 'probes') end(msg.error ? { error: msg.error } : { results: msg.results });
      });
      // Another run started from the Train panel replaces this one in the worker, probes included.
      const unsubscribe = deps.training.subscribe((s) => {
        if (s.run?.id !== runId) end({ error: 'The run was replaced in the Train panel.', replaced: true });
      });
      deps.send({ type: 'probes', runId, budget });
    });

  return {
    train,
    probe,
    cancel() {
      for (const w of [...waiting]) w();
      if (current && deps.training.getState().run?.id === current) deps.training.getState().reset();
    },
    async finished(rec, e) {
      if (!e.runId) return;
      try {
        await deps.runs
          .getState()
          .rename(e.runId, `${rec.name} · ${schemeLabel(rec.schemes[e.scheme])} · seed ${e.seed}`);
        const rs = await deps.openRuns();
        await rs.patch(e.runId, { comparisonId: rec.id });
        rs.close();
      } catch (err) {
        hooks.fail(err);
      }
    },
  };
}

/** A run that never started, for the figures the driver reads of it. */
function placeholder(cfg: ExperimentConfig): LiveRun {
  return {
    id: '',
    config: cfg,
    state: 'stopped',
    step: 0,
    totalSteps: cfg.train.steps,
    metrics: [],
    evals: [],
    tokensPerS: 0,
    msPerStep: 0,
    startedAt: 0,
  };
}

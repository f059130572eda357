// The one comparison driver, for the page and `npm run compare`: trains the pending runs of a comparison one after
// another through an executor (the page's worker, or the engine in this process), probes each finished run, builds
// every RunResult in one place, and hands each new state of the record to a commit hook. Continue re-plans what
// did not finish; stop ends it, marking the run in progress.
import type { PreparedData } from '../data/dataset';
import type { Kernels } from '../engine/kernels';
import type { ExperimentConfig } from './config';
import {
  entryConfig,
  schemeLabel,
  type ComparisonEntry,
  type ComparisonRecord,
  type RunResult,
} from './comparisonRecord';
import { runProbes, type ProbeBudget, type ProbeResults } from './probes';
import type { AttentionSnapshot, EvalPoint } from './records';
import { prepareExperimentData } from './run';
import { openRun, type RunLoop } from './runLoop';
import type { OwnEvalKind } from './runMasking';
import { syntaxOnsetStep } from './syntax';
import type { AdapterSummary } from '../engine/gpu';

/** How a run of a comparison ended, with what it measured on the way. */
export interface TrainedRun {
  runId?: string;
  state: 'done' | 'failed' | 'diverged' | 'stopped';
  message?: string;
  /** Reset or replaced from outside the comparison (the Train panel). */
  replaced?: boolean;
  step: number;
  evals: readonly EvalPoint[];
  evalKind: OwnEvalKind;
  /** Tokens per step: B x T. */
  tokensPerStep: number;
  tokensPerS: number;
  msPerStep: number;
  /** The probe sentence's attention at the end. */
  attention?: AttentionSnapshot;
}

/** The probes of a run, or why there are none (replaced: another run took the GPU, from outside the comparison). */
export interface ProbeOutcome {
  results?: ProbeResults;
  error?: string;
  replaced?: boolean;
}

/** What runs a comparison's runs: the page's worker through the training store, or the engine in Node. */
export interface ComparisonExecutor {
  /** Trains one run to its end; `started` gets the run's id as soon as it has one. */
  train(cfg: ExperimentConfig, started: (runId: string) => void): Promise<TrainedRun>;
  /** The shared probe and the downstream tasks on the run just trained. */
  probe(run: TrainedRun, budget: ProbeBudget): Promise<ProbeOutcome>;
  /** Stops the run in progress (the driver was stopped). */
  cancel(): void;
  /** An entry has ended (done or failed) and its record is committed: the page names and tags its saved run. */
  finished?(rec: ComparisonRecord, entry: ComparisonEntry): Promise<void>;
}

/** The final figures of a trained run: its own-head evaluation (the last), pseudo-perplexity, speed. */
export function runResult(t: TrainedRun): RunResult {
  const last = t.evals.reduce<EvalPoint | undefined>((b, e) => (!b || e.step > b.step ? e : b), undefined);
  const r: RunResult = {
    evalKind: t.evalKind,
    steps: t.step,
    tokens: t.step * t.tokensPerStep,
    tokensPerS: t.tokensPerS,
    msPerStep: t.msPerStep,
  };
  if (last) Object.assign(r, { evalLoss: last.loss, evalAccuracy: last.accuracy, evalStep: last.step });
  const pppl = t.evals.find((e) => e.pseudoPerplexity !== undefined)?.pseudoPerplexity;
  if (pppl !== undefined) r.pseudoPerplexity = pppl;
  if (t.evals.some((e) => e.syntax)) r.syntaxOnsetStep = syntaxOnsetStep(t.evals);
  return r;
}

/** The comparison made ready to train again what did not finish (Continue). */
export function continueComparison(rec: ComparisonRecord): ComparisonRecord {
  const entries = rec.entries.map((e): ComparisonEntry =>
    e.state === 'done' ? e : { scheme: e.scheme, seed: e.seed, state: 'pending' },
  );
  const next: ComparisonRecord = { ...rec, state: 'running', entries };
  delete next.message;
  return next;
}

const withEntry = (rec: ComparisonRecord, i: number, patch: Partial<ComparisonEntry>): ComparisonRecord => ({
  ...rec,
  entries: rec.entries.map((e, k) => (k === i ? { ...e, ...patch } : e)),
});

export interface DriverHooks {
  /** Stores a new state of the record (the page writes it to IndexedDB and tells other tabs); returns what it kept. */
  commit(rec: ComparisonRecord): ComparisonRecord;
  log?(line: string): void;
}

export class ComparisonDriver {
  private rec: ComparisonRecord;
  private stopped = false;

  constructor(
    rec: ComparisonRecord,
    private readonly exec: ComparisonExecutor,
    private readonly hooks: DriverHooks,
  ) {
    this.rec = rec;
  }

  get record(): ComparisonRecord {
    return this.rec;
  }

  /** Trains and probes every pending entry in order; resolves with the record when it is done or stopped. */
  async run(): Promise<ComparisonRecord> {
    for (;;) {
      if (this.stopped) return this.rec;
      const i = this.rec.entries.findIndex((e) => e.state === 'pending');
      if (i < 0) return this.finish(this.rec, 'done');
      const entry = this.rec.entries[i];
      const label = `[${i + 1}/${this.rec.entries.length}] ${schemeLabel(this.rec.schemes[entry.scheme])} · seed ${entry.seed}`;
      this.hooks.log?.(`${label}: training`);
      const t = await this.exec.train(entryConfig(this.rec, entry), (runId) =>
        this.commit(withEntry(this.rec, i, { state: 'training', runId })),
      );
      if (this.stopped) return this.rec;
      if (!(await this.ended(i, t, label))) return this.rec;
    }
  }

  /** Records how entry i's training ended; false when the comparison stops there. */
  private async ended(i: number, t: TrainedRun, label: string): Promise<boolean> {
    const attention = t.attention ? { attention: t.attention } : {};
    if (t.state === 'stopped') {
      if (t.replaced) {
        const message = 'Stopped: the run was reset or replaced in the Train panel.';
        this.finish(withEntry(this.rec, i, { state: 'stopped', message }), 'stopped', 'Stopped from the Train panel.');
      } else this.finish(withEntry(this.rec, i, { state: 'stopped' }), 'stopped');
      return false;
    }
    if (t.state === 'failed' && t.step === 0) {
      // Nothing trained: a problem every run would hit (no GPU, a setting the data cannot meet). Stop here.
      const why = `A run failed before its first step: ${t.message ?? 'unknown error'}`;
      this.finish(withEntry(this.rec, i, { state: 'failed', message: t.message }), 'stopped', why);
      return false;
    }
    const result = runResult(t);
    if (t.state !== 'done') {
      // A diverged run is recorded as failed, with the divergence in its message; the others still train.
      this.hooks.log?.(`${label}: ${t.state}: ${t.message ?? ''}`);
      this.commit(withEntry(this.rec, i, { state: 'failed', message: t.message, result, ...attention }));
      await this.exec.finished?.(this.rec, this.rec.entries[i]);
      return true;
    }
    this.commit(withEntry(this.rec, i, { state: 'probing', result }));
    this.hooks.log?.(`${label}: probing`);
    const p = await this.exec.probe(t, this.rec.budget);
    if (this.stopped) return false;
    if (p.replaced) {
      const message = 'Stopped: the run was reset or replaced in the Train panel.';
      this.finish(withEntry(this.rec, i, { state: 'stopped', message }), 'stopped', 'Stopped from the Train panel.');
      return false;
    }
    const done: RunResult = { ...result, ...(p.results ? { probes: p.results } : {}) };
    const patch: Partial<ComparisonEntry> = { state: 'done', result: done, ...attention };
    if (p.error) patch.message = `Probes failed: ${p.error}`;
    else if (p.results?.downstreamError)
      patch.message = `Some downstream tasks did not run: ${p.results.downstreamError}`;
    this.commit(withEntry(this.rec, i, patch));
    await this.exec.finished?.(this.rec, this.rec.entries[i]);
    return true;
  }

  /** Stops the comparison: the entry in progress is marked stopped and the run in progress is cancelled. */
  stop(message = 'Stopped by the user.'): void {
    if (this.stopped) return;
    this.stopped = true;
    const i = this.rec.entries.findIndex((e) => e.state === 'training' || e.state === 'probing');
    this.finish(i >= 0 ? withEntry(this.rec, i, { state: 'stopped', message }) : this.rec, 'stopped', message);
    if (i >= 0) this.exec.cancel();
  }

  private commit(rec: ComparisonRecord): ComparisonRecord {
    this.rec = this.hooks.commit({ ...rec, updatedAt: Date.now() });
    return this.rec;
  }

  private finish(rec: ComparisonRecord, state: ComparisonRecord['state'], message?: string): ComparisonRecord {
    this.stopped = true;
    const next: ComparisonRecord = { ...rec, state };
    if (message !== undefined) next.message = message;
    else delete next.message;
    return this.commit(next);
  }
}

/**
 * Runs a comparison's runs on the engine in this process (the CLI, benchmarks, tests): each with the run loop, its
 * data prepared once per seed, then the very probes the page's worker runs.
 */
export function engineExecutor(
  k: Kernels,
  adapter: AdapterSummary,
  text: string,
  log: (line: string) => void = () => {},
): ComparisonExecutor {
  const dataBySeed = new Map<number, PreparedData>();
  let loop: RunLoop | undefined;
  let counter = 0;
  return {
    async train(cfg, started) {
      loop?.destroy();
      loop = undefined;
      const runId = `cli-${counter++}`;
      started(runId);
      let data = dataBySeed.get(cfg.seed);
      if (!data) dataBySeed.set(cfg.seed, (data = prepareExperimentData(text, cfg)));
      const evals: EvalPoint[] = [];
      let state: TrainedRun['state'] = 'done';
      let message: string | undefined;
      let last = -1;
      const every = Math.max(1, Math.round(cfg.train.steps / 5));
      const tokensPerStep = cfg.train.B * data.train.T;
      try {
        loop = openRun(
          k,
          cfg,
          data,
          {
            state: (s, m) => {
              if (s === 'diverged' || s === 'failed' || s === 'stopped') [state, message] = [s, m];
            },
            metrics: ({ rows }) => {
              for (const r of rows) {
                last = r.loss;
                if ((r.step + 1) % every === 0)
                  log(`${runId}: step ${r.step + 1}/${cfg.train.steps}, loss ${last.toFixed(4)}`);
              }
            },
            eval: (p) => evals.push(p),
          },
          { adapter, limits: k.device.limits, flushMs: 0 },
        );
        await loop.start();
      } catch (e) {
        return {
          runId,
          state: 'failed',
          message: e instanceof Error ? e.message : String(e),
          step: loop?.step ?? 0,
          evals,
          evalKind: 'mlm',
          tokensPerStep,
          tokensPerS: 0,
          msPerStep: 0,
        };
      }
      const { trainMs, steps } = loop.timing;
      log(`${runId}: trained ${loop.step} steps in ${(trainMs / 1000).toFixed(1)} s`);
      return {
        runId,
        state,
        ...(message !== undefined ? { message } : {}),
        step: loop.step,
        evals,
        evalKind: loop.run.evalKind,
        tokensPerStep,
        tokensPerS: trainMs > 0 ? (steps * tokensPerStep) / (trainMs / 1000) : 0,
        msPerStep: steps > 0 ? trainMs / steps : 0,
      };
    },
    async probe(_t, budget) {
      if (!loop) return { error: 'The run is gone.' };
      const results = await runProbes(k, loop.run, budget, {
        onPhase: (what, ms) => log(`  ${what} in ${(ms / 1000).toFixed(1)} s`),
      });
      loop.destroy();
      loop = undefined;
      return results ? { results } : { error: 'The probes were cancelled.' };
    },
    cancel() {
      loop?.stop();
    },
  };
}

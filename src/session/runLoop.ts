// One run's life, for every driver (the page's worker, `npm run train`, the comparison): validate and prepare, then
// step with one step in flight, evaluate and flush metrics at their cadence, run the probe sentence, pause, resume
// and stop, roll back on a non-finite or diverging loss and resume at a lower rate, and say what the run is
// (RunInfo) and what state it is in. Drivers only translate: calls in, events out.
import { adapterLabel, isCpuAdapter, type AdapterSummary } from '../engine/gpu';
import type { Kernels } from '../engine/kernels';
import type { PreparedData } from '../data/dataset';
import type { ExperimentConfig } from './config';
import { divergenceMessage, suggestedRate } from './divergence';
import type { LossByCase } from './lossCases';
import { DEFAULT_PROBE_TEXT, runProbe } from './probeSentence';
import type { EvalPoint, ProbeView, RunInfo, RunState, StepRow } from './records';
import { prepareExperimentData, TrainingRun } from './run';
import { ExperimentError, validateExperiment } from './validate';
import type { GpuMemoryUsage } from '../engine/gpuMemory';
import { pairCounts } from './agreement';

/** Metrics rows gathered since the last flush, with the speed so far. */
export interface MetricsFlush {
  rows: StepRow[];
  tokensPerS: number;
  msPerStep: number;
  cases?: LossByCase;
  gpuMemory: GpuMemoryUsage;
}

/** What a run tells its driver. Only `state` is required; a driver that does not listen to the rest loses nothing. */
export interface RunLoopEvents {
  state(state: RunState, message?: string, resumable?: boolean): void;
  prepared?(info: RunInfo): void;
  metrics?(m: MetricsFlush): void;
  /** An evaluation's figures and its wall time (ms), steps in flight excluded. */
  eval?(point: EvalPoint, ms: number): void;
  /** The probe sentence through the current weights (only run when the driver listens); atEval: right after one. */
  probe?(view: ProbeView): void;
  /** Between two steps, after any evaluation: the driver's queued requests (a kernel profile, an export). */
  between?(): Promise<void>;
}

export interface RunLoopOptions {
  /** The adapter the run trains on (named in RunInfo). */
  adapter: AdapterSummary;
  /** Lets the driver's other work in between steps (the worker's messages; Node's I/O). */
  yieldBetweenSteps?: () => Promise<void>;
  /** Least time between two metrics flushes (ms). */
  flushMs?: number;
  /** Least time between two probe-sentence runs while training (ms); evaluations run one too. */
  probeMs?: number;
  probeText?: string;
  /** Device limits for the validation (the page's and the CLI's: nothing starts that cannot run). */
  limits?: GPUSupportedLimits;
}

const defaultYield = (): Promise<void> =>
  new Promise((r) => (typeof setImmediate === 'function' ? setImmediate(r) : setTimeout(r, 0)));

/**
 * Validates the experiment and prepares its data (reporting 'preparing'); throws ExperimentError (the page's words)
 * for a setting that cannot run, before anything is built. A driver that picks its kernels from the data (the
 * worker's autotuning) calls it before openRun, which then takes the data as they are.
 */
export function prepareRun(
  config: ExperimentConfig,
  text: string | PreparedData,
  events: Pick<RunLoopEvents, 'state'>,
  opts: Pick<RunLoopOptions, 'limits'>,
): PreparedData {
  const problems = validateExperiment(config, { limits: opts.limits });
  if (problems.length > 0) throw new ExperimentError(problems);
  let data: PreparedData;
  if (typeof text === 'string') {
    events.state('preparing', 'Tokenizing the corpus…');
    data = prepareExperimentData(text, config);
  } else data = text;
  const fit = validateExperiment(config, {
    V: data.tokenizer.vocabSize,
    limits: opts.limits,
    heldOut: data.heldOut.count,
  });
  if (fit.length > 0) throw new ExperimentError(fit);
  return data;
}

/**
 * Validates the experiment, prepares its data and builds the run, reporting 'preparing' and then 'prepared'; throws
 * ExperimentError (the page's words) for a setting that cannot run, before anything is built.
 */
export function openRun(
  k: Kernels,
  config: ExperimentConfig,
  text: string | PreparedData,
  events: RunLoopEvents,
  opts: RunLoopOptions,
): RunLoop {
  const data = prepareRun(config, text, events, opts);
  const loop = new RunLoop(k, config, data, events, opts);
  events.prepared?.(loop.info);
  return loop;
}

export class RunLoop {
  readonly run: TrainingRun;
  private config: ExperimentConfig;
  private paused = false;
  private stopped = false;
  private running = false;
  private destroyed = false;
  private pending: StepRow[] = [];
  private lastFlush = 0;
  private lastProbe = 0;
  private probeWanted = false;
  private probeText: string;
  /** Wall time spent training (pauses and evaluations excluded), steps timed in it, and evaluation time. */
  private trainMs = 0;
  private stepsTimed = 0;
  private evalMs = 0;

  constructor(
    k: Kernels,
    config: ExperimentConfig,
    data: PreparedData,
    private readonly events: RunLoopEvents,
    private readonly opts: RunLoopOptions,
  ) {
    this.config = config;
    this.probeText = opts.probeText ?? DEFAULT_PROBE_TEXT;
    const run: TrainingRun = new TrainingRun(k, config, data, {
      onMetrics: (m) => this.pending.push({ ...m, maskRate: run.takeRate(m.step) }),
      onNonFinite: (i) => {
        const lr = suggestedRate(this.config.train.lr);
        this.halt(
          `The loss became NaN or infinite at step ${i.step + 1}. The weights were rolled back to step ${i.restoredStep + 1}. Resume at a lower learning rate (${lr} is filled in).`,
        );
      },
      onDiverged: (i) => this.halt(divergenceMessage(i.divergence, i.restoredStep, this.config.train.lr)),
    });
    this.run = run;
  }

  /** What the run is: shapes, data, the baseline and pairs it is scored on, the adapter. */
  get info(): RunInfo {
    const run = this.run;
    const m = run.model;
    const a = this.opts.adapter;
    return {
      V: m.V,
      trainSequences: run.data.train.count,
      heldOutSequences: run.data.heldOut.count,
      params: run.trainer.layout.count,
      dispatchesPerStep: run.trainer.dispatchesPerStep,
      model: { L: m.L, C: m.C, NH: m.NH, F: m.F, T: m.T },
      evalKind: run.evalKind,
      evalTargets: run.evalBatches.reduce((s, b) => s + b.positions.filter((p) => p >= 0).length, 0),
      adapter: adapterLabel(a),
      cpuAdapter: isCpuAdapter(a),
      ...(run.baseline ? { baseline: { loss: run.baseline.loss, accuracy: run.baseline.accuracy } } : {}),
      ...(run.agreementPairs ? { agreementPairs: pairCounts(run.agreementPairs) } : {}),
    };
  }

  /** The experiment as it trains now (Resume after a divergence lowers its learning rate). */
  get experiment(): ExperimentConfig {
    return this.config;
  }

  get step(): number {
    return this.run.trainer.step;
  }

  /** Wall time of training (evaluations and pauses excluded) and of evaluations, and the steps timed. */
  get timing(): { trainMs: number; evalMs: number; steps: number } {
    return { trainMs: this.trainMs, evalMs: this.evalMs, steps: this.stepsTimed };
  }

  /** Not training now (paused, stopped, halted or finished): profiles, exports and probes run at once. */
  get idle(): boolean {
    const t = this.run.trainer;
    return !this.running || this.paused || this.stopped || t.halted !== undefined || t.step >= this.config.train.steps;
  }

  /** Evaluates the initial weights, then trains until paused, stopped, halted or done. */
  async start(): Promise<void> {
    await this.evaluate(false);
    this.events.state('training');
    await this.train();
  }

  pause(): void {
    this.paused = true;
  }

  /**
   * Continues a paused run, or one halted by a non-finite loss or a divergence (rolled back), at `lr` or the
   * suggested lower rate. Resolves when it stops again.
   */
  async resume(lr?: number): Promise<void> {
    const t = this.run.trainer;
    if (this.stopped || this.running || (!this.paused && !t.halted)) return;
    if (t.halted) {
      const train = { ...this.config.train, lr: lr ?? suggestedRate(this.config.train.lr) };
      this.config = { ...this.config, train };
      t.resume({ ...t.opt.schedule, lr: train.lr });
    }
    this.paused = false;
    this.events.state('training');
    await this.train();
  }

  /** Stops for good; a run that is not training says so at once, a training one after its current step. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (!this.running) this.events.state('stopped');
  }

  /** A new probe sentence: run at once when idle, else between two steps. */
  setProbeText(text: string): Promise<void> {
    this.probeText = text;
    if (this.idle) return this.probe(false);
    this.probeWanted = true;
    return Promise.resolve();
  }

  /** Frees the run's GPU buffers; a loop still stepping ends after its current step and reports nothing more. */
  destroy(): void {
    this.stopped = true;
    this.destroyed = true;
    this.run.destroy();
  }

  /** Trains with one step in flight: the CPU masks and encodes step t+1 while the GPU runs step t, never more. */
  private async train(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const { steps, evalEvery } = this.config.train;
    const t = this.run.trainer;
    const queue = t.k.device.queue;
    const yieldNow = this.opts.yieldBetweenSteps ?? defaultYield;
    let inFlight: Promise<undefined> | undefined;
    try {
      while (!this.paused && !this.stopped && t.step < steps && !t.halted) {
        const t0 = performance.now();
        this.run.step();
        const submitted = queue.onSubmittedWorkDone();
        if (inFlight) await inFlight;
        inFlight = submitted;
        this.trainMs += performance.now() - t0;
        this.stepsTimed++;
        const step = t.step;
        if (step % evalEvery === 0 || step === steps) await this.evaluate(step === steps);
        if (performance.now() - this.lastFlush > (this.opts.flushMs ?? 150)) this.flush();
        await this.events.between?.();
        if (this.probeWanted || performance.now() - this.lastProbe > (this.opts.probeMs ?? 1500))
          await this.probe(false);
        await yieldNow();
      }
      if (inFlight) await inFlight;
    } finally {
      this.running = false;
    }
    if (this.destroyed || (t.halted && !this.stopped)) return; // halt() reported it
    await t.flush();
    this.flush();
    if (this.stopped) this.events.state('stopped');
    else if (this.paused) this.events.state('paused');
    else if (!t.halted) this.events.state('done');
  }

  /** The held-out evaluation (the last one with pseudo-perplexity), then the probe kept for the attention scrubber. */
  private async evaluate(final: boolean): Promise<void> {
    // The steps in flight finish first, so their GPU time is not counted as evaluation time.
    await this.run.trainer.flush();
    const t0 = performance.now();
    const point = await this.run.evalPoint(final);
    const ms = performance.now() - t0;
    this.evalMs += ms;
    this.events.eval?.(point, ms);
    await this.probe(true);
  }

  private async probe(atEval: boolean): Promise<void> {
    this.probeWanted = false;
    this.lastProbe = performance.now();
    if (!this.events.probe) return;
    const view = await runProbe(this.run, this.probeText);
    this.events.probe(atEval ? { ...view, atEval } : view);
  }

  /** Sends the metrics gathered since the last flush. */
  flush(): void {
    this.lastFlush = performance.now();
    if (this.pending.length === 0) return;
    const s = this.stepsTimed;
    const B = this.config.train.B;
    this.events.metrics?.({
      rows: this.pending,
      tokensPerS: s > 0 ? (s * B * this.run.model.T) / (this.trainMs / 1000) : 0,
      msPerStep: s > 0 ? this.trainMs / s : 0,
      cases: this.run.lossCases?.snapshot(),
      gpuMemory: this.run.trainer.gpuMemory,
    });
    this.pending = [];
  }

  /** The trainer rolled back and halted: the metrics so far, then the state with what to do. */
  private halt(message: string): void {
    if (this.stopped) return;
    this.flush();
    this.events.state('diverged', message, true);
  }
}

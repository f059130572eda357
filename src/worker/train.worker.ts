// The training worker: owns the GPU device, the engine and the current run. Trains in a loop that yields to the
// message queue after every step (so Pause lands within a step) and streams metrics, evaluations and probe
// results back to the page as plain messages.
import { acquireGpu, adapterLabel, GpuUnavailableError, isCpuAdapter, type GpuContext } from '../engine/gpu';
import { Kernels } from '../engine/kernels';
import { canProfile, groupProfile, profileDispatches } from '../engine/profile';
import type { StepMetrics } from '../engine/trainer';
import { runSelfTest } from '../engine/selftest/run';
import { prepareExperimentData, TrainingRun } from '../session/run';
import type { ExperimentConfig } from '../session/config';
import { runProbes, type ProbeBudget } from '../session/probes';
import { exportRunFiles, keptFormat } from '../session/exportFiles';
import { DEFAULT_PROBE_TEXT, runProbe } from '../session/probeSentence';
import { ExperimentError, validateExperiment } from '../session/validate';
import { divergenceMessage, suggestedRate } from '../session/divergence';
import type { ExportFormat, RunState, StepRow } from '../session/records';
import type { FromWorker, ToWorker } from './protocol';

let ctx: GpuContext | undefined;
let kernels: Kernels | undefined;

interface Active {
  id: string;
  run: TrainingRun;
  config: ExperimentConfig;
  paused: boolean;
  stopped: boolean;
  pending: StepRow[];
  lastPost: number;
  lastProbe: number;
  /** Wall time spent training (excluding pauses) and steps completed in it. */
  trainMs: number;
  stepsTimed: number;
}

let active: Active | undefined;
/** Set by a 'profile' command; the training loop (or the idle handler) runs it between steps. */
let profileRequested = false;
/** Set by an 'export' command while training; the loop runs it between steps. */
let exportRequested: ExportFormat | undefined;
let probeText = DEFAULT_PROBE_TEXT;

function post(msg: FromWorker, transfer: Transferable[] = []): void {
  (self as unknown as Worker).postMessage(msg, transfer);
}

async function init(): Promise<void> {
  try {
    ctx = await acquireGpu();
    kernels = new Kernels(ctx.device, { cpu: isCpuAdapter(ctx.summary) });
    const current = ctx;
    post({ type: 'gpu', status: { state: 'ready', summary: current.summary } });
    void current.lost.then((info) => {
      if (ctx === current) {
        ctx = undefined;
        kernels = undefined;
      }
      if (active) {
        post({
          type: 'run',
          runId: active.id,
          state: 'failed',
          step: active.run.trainer.step,
          totalSteps: active.config.train.steps,
          message: 'The GPU device was lost during training.',
        });
        active = undefined;
      }
      post({
        type: 'gpu',
        status: {
          state: 'lost',
          reason: info.reason ?? 'unknown',
          message: info.message || 'The GPU device was lost.',
        },
      });
    });
  } catch (e) {
    if (e instanceof GpuUnavailableError)
      post({ type: 'gpu', status: { state: 'unavailable', kind: e.kind, message: e.message } });
    else post({ type: 'error', message: String(e) });
  }
}

const channel = new MessageChannel();
const waiters: (() => void)[] = [];
channel.port1.onmessage = () => waiters.shift()?.();
/** Lets queued messages (pause, stop, probe) run, without the 4 ms clamp of setTimeout. */
function yieldToMessages(): Promise<void> {
  return new Promise((r) => {
    waiters.push(r);
    channel.port2.postMessage(0);
  });
}

function state(a: Active, s: RunState, message?: string, resumable?: boolean): void {
  post({
    type: 'run',
    runId: a.id,
    state: s,
    step: a.run.trainer.step,
    totalSteps: a.config.train.steps,
    message,
    ...(resumable ? { resumable } : {}),
  });
}

function flushMetrics(a: Active): void {
  if (a.pending.length === 0) return;
  const tokensPerS = a.stepsTimed > 0 ? (a.stepsTimed * a.config.train.B * a.run.model.T) / (a.trainMs / 1000) : 0;
  post({
    type: 'metrics',
    runId: a.id,
    rows: a.pending,
    tokensPerS,
    msPerStep: a.stepsTimed > 0 ? a.trainMs / a.stepsTimed : 0,
    cases: a.run.lossCases?.snapshot(),
    gpuMemory: a.run.trainer.gpuMemory,
  });
  a.pending = [];
  a.lastPost = performance.now();
}

async function probe(a: Active, atEval = false): Promise<void> {
  const view = await runProbe(a.run, probeText);
  post({ type: 'probe', runId: a.id, ...view, ...(atEval ? { atEval } : {}) }, [view.attention.buffer]);
}

/**
 * Times each dispatch of a training step in its own pass. AdamW is left out: running it again would apply an
 * extra optimizer update; zeroing, forward, loss and backward only rewrite activations and gradients, which the
 * next step recomputes. Runs between steps (the loop awaits it like a probe).
 */
async function profile(a: Active): Promise<void> {
  const device = ctx!.device;
  const variants = kernels?.tuning.cpu ? ('cpu' as const) : ('gpu' as const);
  const base = {
    type: 'profile' as const,
    runId: a.id,
    step: a.run.trainer.step,
    totalMs: 0,
    byKernel: [],
    byRole: [],
    dispatches: 0,
    skipped: [],
    variants,
  };
  if (!canProfile(device)) {
    post({
      ...base,
      unavailable:
        'This adapter has no timestamp queries (the timestamp-query feature), so kernels cannot be timed one by one.',
    });
    return;
  }
  const all = a.run.trainer.dispatches;
  const timed = all.filter((d) => !d.kernel.startsWith('adamw.'));
  const p = await profileDispatches(device, timed, { repeats: 2 });
  const g = groupProfile(p);
  post({
    ...base,
    totalMs: p.totalMs,
    byKernel: g.byKernel,
    byRole: g.byRole,
    dispatches: timed.length,
    skipped: all.filter((d) => d.kernel.startsWith('adamw.')).map((d) => d.label),
  });
}

/** The run's weights as files (downloads, or kept with the saved run); read between steps so they belong to one step. */
async function exportModel(a: Active, format: ExportFormat, keep = false): Promise<void> {
  const r = await exportRunFiles(a.run, a.config, format);
  post(
    { type: 'exported', runId: a.id, ...r, ...(keep ? { keep } : {}) },
    r.files.map((f) => f.bytes.buffer),
  );
}

/** Whether the run is not training now (paused, stopped, halted or finished): profiles, exports and probes run at once. */
function idle(a: Active): boolean {
  return a.paused || a.stopped || a.run.trainer.halted !== undefined || a.run.trainer.step >= a.config.train.steps;
}

/** The held-out evaluation, agreement on the toy language's pairs, then the probe kept for the attention scrubber. */
async function evaluate(a: Active, withPseudoPerplexity = false): Promise<void> {
  const t0 = performance.now();
  const r = await a.run.evaluate();
  const ag = await a.run.agreement();
  const pseudoPerplexity = withPseudoPerplexity ? await a.run.pseudoPerplexity() : undefined;
  const agreement = ag ? { plain: ag.accuracy, attractor: ag.accuracyAttractor } : undefined;
  const ms = performance.now() - t0;
  post({
    type: 'eval',
    runId: a.id,
    step: a.run.trainer.step,
    loss: r.loss,
    accuracy: r.accuracy,
    pseudoPerplexity,
    electra: r.electra,
    agreement,
    ms,
  });
  await probe(a, true);
  a.lastProbe = performance.now();
}

/** The comparison's probes on a run that is not training (done, stopped or paused); abandoned if another run starts. */
async function probes(a: Active, budget: ProbeBudget): Promise<void> {
  const base = { type: 'probes' as const, runId: a.id, head: a.run.head.kind };
  let lastPost = 0;
  const results = await runProbes(kernels!, a.run, budget, {
    cancelled: () => active !== a,
    onProgress: (phase, done, total) => {
      const now = performance.now();
      if (now - lastPost < 250 && done < total) return;
      lastPost = now;
      post({ type: 'probes-progress', runId: a.id, phase, done, total });
    },
  });
  if (active !== a) return;
  post(results ? { ...base, results } : { ...base, error: 'The probes were cancelled.' });
}

async function trainLoop(a: Active): Promise<void> {
  const { steps, evalEvery } = a.config.train;
  const device = ctx!.device;
  // One step in flight: the CPU masks and encodes step t+1 while the GPU runs step t, and never more, so Pause
  // and the probe wait for at most one step.
  let inFlight: Promise<undefined> | undefined;
  while (active === a && !a.paused && !a.stopped && a.run.trainer.step < steps && !a.run.trainer.halted) {
    const t0 = performance.now();
    a.run.step();
    const submitted = device.queue.onSubmittedWorkDone();
    if (inFlight) await inFlight;
    inFlight = submitted;
    a.trainMs += performance.now() - t0;
    a.stepsTimed++;
    const step = a.run.trainer.step;
    if (step % evalEvery === 0 || step === steps) await evaluate(a, step === steps);
    const now = performance.now();
    if (now - a.lastPost > 150) flushMetrics(a);
    if (profileRequested) {
      profileRequested = false;
      await profile(a);
    }
    if (exportRequested) {
      const format = exportRequested;
      exportRequested = undefined;
      await exportModel(a, format);
    }
    if (now - a.lastProbe > 1500 || step === steps) {
      a.lastProbe = now;
      await probe(a);
    }
    await yieldToMessages();
  }
  if (inFlight) await inFlight;
  if (active !== a) return;
  await a.run.trainer.flush();
  flushMetrics(a);
  if (a.run.trainer.halted) return; // onNonFinite already reported it
  if (a.stopped) state(a, 'stopped');
  else if (a.paused) state(a, 'paused');
  else {
    await probe(a);
    state(a, 'done');
  }
}

async function start(runId: string, config: ExperimentConfig, text: string): Promise<void> {
  if (!kernels || !ctx) {
    post({
      type: 'run',
      runId,
      state: 'failed',
      step: 0,
      totalSteps: config.train.steps,
      message: 'No GPU device: restart the GPU first.',
    });
    return;
  }
  if (active) {
    active.stopped = true;
    active.run.destroy();
    active = undefined;
  }
  // The page's own validation: an experiment that cannot run is refused in the same words before anything is read.
  const problems = validateExperiment(config, { limits: ctx.device.limits });
  if (problems.length > 0) {
    post({
      type: 'run',
      runId,
      state: 'failed',
      step: 0,
      totalSteps: config.train.steps,
      message: new ExperimentError(problems).message,
    });
    return;
  }
  post({
    type: 'run',
    runId,
    state: 'preparing',
    step: 0,
    totalSteps: config.train.steps,
    message: 'Tokenizing the corpus…',
  });
  await yieldToMessages();
  let run: TrainingRun;
  try {
    const data = prepareExperimentData(text, config);
    run = new TrainingRun(kernels, config, data, {
      onMetrics: (m: StepMetrics) =>
        active?.run === run && active.pending.push({ ...m, maskRate: run.takeRate(m.step) }),
      onNonFinite: (i) => {
        if (active?.run !== run) return;
        flushMetrics(active);
        const lr = suggestedRate(active.config.train.lr);
        state(
          active,
          'diverged',
          `The loss became NaN or infinite at step ${i.step + 1}. The weights were rolled back to step ${i.restoredStep + 1}. Resume at a lower learning rate (${lr} is filled in).`,
          true,
        );
      },
      onDiverged: (i) => {
        if (active?.run !== run) return;
        flushMetrics(active);
        state(active, 'diverged', divergenceMessage(i.divergence, i.restoredStep, active.config.train.lr), true);
      },
    });
  } catch (e) {
    post({
      type: 'run',
      runId,
      state: 'failed',
      step: 0,
      totalSteps: config.train.steps,
      message: e instanceof Error ? e.message : String(e),
    });
    return;
  }
  const a: Active = {
    id: runId,
    run,
    config,
    paused: false,
    stopped: false,
    pending: [],
    lastPost: 0,
    lastProbe: 0,
    trainMs: 0,
    stepsTimed: 0,
  };
  active = a;
  const m = run.model;
  post({
    type: 'prepared',
    runId,
    info: {
      V: m.V,
      trainSequences: run.data.train.count,
      heldOutSequences: run.data.heldOut.count,
      params: run.trainer.layout.count,
      dispatchesPerStep: run.trainer.dispatchesPerStep,
      model: { L: m.L, C: m.C, NH: m.NH, F: m.F, T: m.T },
      evalTargets: run.evalBatches.reduce((s, b) => s + b.positions.filter((p) => p >= 0).length, 0),
      adapter: adapterLabel(ctx.summary),
      cpuAdapter: isCpuAdapter(ctx.summary),
      ...(run.baseline ? { baseline: { loss: run.baseline.loss, accuracy: run.baseline.accuracy } } : {}),
      ...(run.agreementPairs
        ? {
            agreementPairs: {
              plain: run.agreementPairs.filter((p) => !p.attractor).length,
              attractor: run.agreementPairs.filter((p) => p.attractor).length,
            },
          }
        : {}),
    },
  });
  await evaluate(a);
  state(a, 'training');
  await trainLoop(a);
}

function fail(e: unknown): void {
  const message = e instanceof Error ? e.message : String(e);
  if (active) {
    post({
      type: 'run',
      runId: active.id,
      state: 'failed',
      step: active.run.trainer.step,
      totalSteps: active.config.train.steps,
      message,
    });
  } else post({ type: 'error', message });
}

let selfTesting = false;

/** The kernel self-test on this device; refused while a run trains (both would share the GPU). */
async function selfTest(options: Extract<ToWorker, { type: 'selftest' }>['options']): Promise<void> {
  if (!ctx) return post({ type: 'selftest', error: 'There is no GPU device.' });
  if (active && !idle(active))
    return post({ type: 'selftest', error: 'A run is training: pause or stop it first, then test the kernels.' });
  if (selfTesting) return post({ type: 'selftest', error: 'The self-test is already running.' });
  selfTesting = true;
  try {
    const report = await runSelfTest(ctx.device, ctx.summary, {
      ...options,
      onProgress: (p) => post({ type: 'selftest-progress', ...p }),
    });
    post({ type: 'selftest', report });
  } catch (e) {
    post({ type: 'selftest', error: e instanceof Error ? e.message : String(e) });
  } finally {
    selfTesting = false;
  }
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  switch (msg.type) {
    case 'init':
      void init();
      break;
    case 'selftest':
      void selfTest(msg.options);
      break;
    case 'kernel-variant':
      // The next run's Kernels take this tuning; the current run keeps its dispatches.
      if (ctx) kernels = new Kernels(ctx.device, { cpu: msg.cpu });
      post({ type: 'kernel-variant', cpu: msg.cpu });
      break;
    case 'lose-device':
      ctx?.device.destroy();
      break;
    case 'start':
      start(msg.runId, msg.config, msg.text).catch(fail);
      break;
    case 'pause':
      if (active) active.paused = true;
      break;
    case 'resume':
      if (active && (active.paused || active.run.trainer.halted)) {
        const a = active;
        if (a.run.trainer.halted) {
          const cfg = { ...a.config.train, lr: msg.lr ?? suggestedRate(a.config.train.lr) };
          a.config = { ...a.config, train: cfg };
          a.run.trainer.resume({ ...a.run.trainer.opt.schedule, lr: cfg.lr });
        }
        a.paused = false;
        state(a, 'training');
        trainLoop(a).catch(fail);
      }
      break;
    case 'stop':
      if (active) {
        active.stopped = true;
        if (active.paused || active.run.trainer.halted) state(active, 'stopped');
      }
      break;
    case 'profile':
      // Without a run there is nothing to time (the page only offers it for a run).
      if (!active) break;
      if (idle(active)) profile(active).catch(fail);
      else profileRequested = true;
      break;
    case 'export':
      if (!active) break;
      if (idle(active)) exportModel(active, msg.format).catch(fail);
      else exportRequested = msg.format;
      break;
    case 'keep-weights':
      if (!active || active.id !== msg.runId) {
        post({
          type: 'exported',
          runId: msg.runId,
          step: 0,
          format: 'checkpoint',
          files: [],
          keep: true,
          error: 'This run is no longer on the GPU.',
        });
        break;
      }
      exportModel(active, keptFormat(active.run.head), true).catch(fail);
      break;
    case 'probes': {
      const a = active;
      if (!a || a.id !== msg.runId || !kernels) {
        post({
          type: 'probes',
          runId: msg.runId,
          error: 'This run is no longer on the GPU (another run started, or the page was reloaded).',
        });
        break;
      }
      if (!idle(a)) {
        post({ type: 'probes', runId: msg.runId, error: 'The run is still training: probes run on a finished run.' });
        break;
      }
      probes(a, msg.budget).catch((e: unknown) =>
        post({ type: 'probes', runId: msg.runId, error: e instanceof Error ? e.message : String(e) }),
      );
      break;
    }
    case 'probe':
      probeText = msg.text;
      if (active) probe(active).catch(fail);
      break;
  }
};

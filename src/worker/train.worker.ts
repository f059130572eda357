// The training worker: owns the GPU device and relays between the page's messages and the current run's loop
// (session/runLoop.ts), which owns the run's life. Yields to the message queue after every step, so Pause lands
// within a step; profiles, exports and probes asked for while training run between two steps. Before a model
// shape's first run on this adapter it tunes the kernel variants (worker/autotune.ts).
import { acquireGpu, GpuUnavailableError, type GpuContext } from '../engine/gpu';
import { adapterTuning, Kernels } from '../engine/kernels';
import { runSelfTest } from '../engine/selftest/run';
import type { ExperimentConfig } from '../session/config';
import { runProbes, type ProbeBudget } from '../session/probes';
import { exportRunFiles, keptFormat } from '../session/exportFiles';
import { profileStep } from '../session/kernelProfile';
import { DEFAULT_PROBE_TEXT } from '../session/probeSentence';
import { openRun, prepareRun, type RunLoop } from '../session/runLoop';
import type { ExportFormat, RunState } from '../session/records';
import { WorkerTuner } from './autotune';
import type { FromWorker, ToWorker } from './protocol';

let ctx: GpuContext | undefined;
let kernels: Kernels | undefined;
/** The current run and its id; at most one. */
let active: { id: string; loop: RunLoop } | undefined;
/** Asked for while the run trains: run between two steps. */
const requests: (() => Promise<void>)[] = [];
let probeText = DEFAULT_PROBE_TEXT;
let selfTesting = false;
/** The latest start asked for: a start still tuning its kernels gives way to a newer one. */
let starting: string | undefined;
/** Tunes the kernel variants on a shape's first run on this adapter. */
const tuner = new WorkerTuner(post);

function post(msg: FromWorker, transfer: Transferable[] = []): void {
  (self as unknown as Worker).postMessage(msg, transfer);
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

function runState(runId: string, state: RunState, step: number, totalSteps: number, message?: string): void {
  post({ type: 'run', runId, state, step, totalSteps, ...(message !== undefined ? { message } : {}) });
}

async function init(): Promise<void> {
  try {
    ctx = await acquireGpu();
    kernels = new Kernels(ctx.device, adapterTuning(ctx.device, ctx.summary));
    const current = ctx;
    post({ type: 'gpu', status: { state: 'ready', summary: current.summary } });
    void current.lost.then((info) => {
      if (ctx === current) {
        ctx = undefined;
        kernels = undefined;
      }
      if (active) failFor(active.loop)(new Error('The GPU device was lost during training.'));
      active = undefined;
      const message = info.message || 'The GPU device was lost.';
      post({ type: 'gpu', status: { state: 'lost', reason: info.reason ?? 'unknown', message } });
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

/** Runs `job` now when the run is idle, else between two steps. */
function whenIdle(loop: RunLoop, job: () => Promise<void>): void {
  if (loop.idle) job().catch(failFor(loop));
  else requests.push(job);
}

/** The run's kernel timings (session/kernelProfile.ts), read between steps. */
async function profile(runId: string, loop: RunLoop): Promise<void> {
  const variants = kernels?.tuning.cpu ? ('cpu' as const) : ('gpu' as const);
  post({ type: 'profile', runId, ...(await profileStep(ctx!.device, loop.run, loop.step, variants)) });
}

/** The run's weights as files (downloads, or kept with the saved run); read between steps so they belong to one step. */
async function exportModel(runId: string, loop: RunLoop, format: ExportFormat, keep = false): Promise<void> {
  const r = await exportRunFiles(loop.run, loop.experiment, format);
  post(
    { type: 'exported', runId, ...r, ...(keep ? { keep } : {}) },
    r.files.map((f) => f.bytes.buffer),
  );
}

/** The comparison's probes on a run that is not training; abandoned if another run starts. */
async function probes(runId: string, loop: RunLoop, budget: ProbeBudget): Promise<void> {
  const mine = () => active?.loop === loop;
  const results = await runProbes(kernels!, loop.run, budget, {
    cancelled: () => !mine(),
    onProgress: (phase, done, total) => post({ type: 'probes-progress', runId, phase, done, total }),
    progressEveryMs: 250,
  });
  if (!mine()) return;
  post(results ? { type: 'probes', runId, results } : { type: 'probes', runId, error: 'The probes were cancelled.' });
}

async function start(runId: string, config: ExperimentConfig, text: string): Promise<void> {
  const total = config.train.steps;
  if (!kernels || !ctx) return runState(runId, 'failed', 0, total, 'No GPU device: restart the GPU first.');
  active?.loop.destroy();
  active = undefined;
  requests.length = 0;
  starting = runId;
  const device = ctx;
  const preparing = { state: (s: RunState, message?: string) => runState(runId, s, 0, total, message) };
  const data = prepareRun(config, text, preparing, { limits: device.device.limits });
  const onLine = (line: string) => runState(runId, 'preparing', 0, total, line);
  const k = await tuner.forRun(kernels, device.summary, config, data, onLine);
  // Stopped while it tuned (nothing was built), or a newer start came: that one runs.
  if (starting === undefined) return runState(runId, 'stopped', 0, total);
  if (starting !== runId) return;
  const mine = () => active?.id === runId;
  const loop = openRun(
    k,
    config,
    data,
    {
      state: (s, message, resumable) => {
        if (s !== 'preparing' && !mine()) return;
        const step = s === 'preparing' ? 0 : loop.step;
        post({ type: 'run', runId, state: s, step, totalSteps: total, message, ...(resumable ? { resumable } : {}) });
      },
      prepared: (info) => post({ type: 'prepared', runId, info }),
      metrics: (m) => mine() && post({ type: 'metrics', runId, ...m }),
      eval: (point, ms) => mine() && post({ type: 'eval', runId, ...point, ms }),
      probe: (view) => mine() && post({ type: 'probe', runId, ...view }, [view.attention.buffer]),
      between: async () => {
        while (requests.length > 0) await requests.shift()!();
      },
    },
    { adapter: device.summary, limits: device.device.limits, yieldBetweenSteps: yieldToMessages, probeText },
  );
  active = { id: runId, loop };
  loop.start().catch(failFor(loop));
}

/** The error handler of work on `loop` (training, or a request): a failure counts only while it is still the
 * current run (a replaced run's late errors, such as a probe whose buffers were destroyed by the next start, are
 * dropped). */
const failFor = (loop: RunLoop) => (e: unknown) => {
  if (active?.loop === loop) runState(active.id, 'failed', loop.step, loop.experiment.train.steps, errorText(e));
};

/** The kernel self-test on this device; refused while a run trains (both would share the GPU). */
async function selfTest(options: Extract<ToWorker, { type: 'selftest' }>['options']): Promise<void> {
  if (!ctx) return post({ type: 'selftest', error: 'There is no GPU device.' });
  if (active && !active.loop.idle)
    return post({ type: 'selftest', error: 'A run is training: pause or stop it first, then test the kernels.' });
  if (selfTesting) return post({ type: 'selftest', error: 'The self-test is already running.' });
  selfTesting = true;
  try {
    const report = await runSelfTest(ctx.device, ctx.summary, {
      ...options,
      onProgress: (p) => post({ type: 'selftest-progress', ...p }),
    });
    post({ type: 'selftest', report: { ...report, autotune: await tuner.kept(ctx.summary) } });
  } catch (e) {
    post({ type: 'selftest', error: errorText(e) });
  } finally {
    selfTesting = false;
  }
}

/** A command about the current run `runId` (its own, or the current one's when the message names none). */
function forRun(msg: Extract<ToWorker, { type: 'keep-weights' | 'probes' }>): void {
  const a = active;
  if (msg.type === 'keep-weights') {
    if (!a || a.id !== msg.runId) {
      const error = 'This run is no longer on the GPU.';
      return post({ type: 'exported', runId: msg.runId, step: 0, format: 'checkpoint', files: [], keep: true, error });
    }
    return void exportModel(a.id, a.loop, keptFormat(a.loop.run.head), true).catch(failFor(a.loop));
  }
  if (!a || a.id !== msg.runId || !kernels) {
    const error = 'This run is no longer on the GPU (another run started, or the page was reloaded).';
    return post({ type: 'probes', runId: msg.runId, error });
  }
  if (!a.loop.idle)
    return post({
      type: 'probes',
      runId: msg.runId,
      error: 'The run is still training: probes run on a finished run.',
    });
  probes(a.id, a.loop, msg.budget).catch((e: unknown) =>
    post({ type: 'probes', runId: msg.runId, error: errorText(e) }),
  );
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  const a = active;
  switch (msg.type) {
    case 'init':
      return void init();
    case 'selftest':
      return void selfTest(msg.options);
    case 'kernel-variant':
      // The next run's Kernels take this tuning; the current run keeps its dispatches.
      if (ctx) kernels = new Kernels(ctx.device, { ...adapterTuning(ctx.device, ctx.summary), cpu: msg.cpu });
      tuner.picked = true;
      return post({ type: 'kernel-variant', cpu: msg.cpu });
    case 'autotune-skip':
      return tuner.skipTuning();
    case 'autotune-again':
      return void tuner.again(kernels, ctx?.summary, a?.loop);
    case 'lose-device':
      return ctx?.device.destroy();
    case 'start':
      // Refused (a setting that cannot run) or failed while preparing: nothing was built.
      return void start(msg.runId, msg.config, msg.text).catch((e: unknown) =>
        runState(msg.runId, 'failed', 0, msg.config.train.steps, errorText(e)),
      );
    case 'pause':
      return a?.loop.pause();
    case 'resume':
      return void a?.loop.resume(msg.lr).catch(failFor(a.loop));
    case 'stop':
      if (!a && starting !== undefined) {
        // Stopped while its kernels are tuned: the tuning ends at its next run and the run is not built.
        starting = undefined;
        return tuner.skipTuning();
      }
      return a?.loop.stop();
    case 'profile':
      // Without a run there is nothing to time (the page only offers it for a run).
      return a && whenIdle(a.loop, () => profile(a.id, a.loop));
    case 'export':
      return a && whenIdle(a.loop, () => exportModel(a.id, a.loop, msg.format));
    case 'keep-weights':
    case 'probes':
      return forRun(msg);
    case 'probe':
      probeText = msg.text;
      return void a?.loop.setProbeText(msg.text).catch(failFor(a.loop));
  }
};

// The benchmark page: builds both trainers (MaskLab's engine and TF.js-WebGPU) from the same initial weights and
// batches, warms them up, times alternating repeats of N steps, checks first-step losses against the CPU reference.
import { Rng } from '../../src/data/rng';
import { acquireGpu, adapterLabel, type GpuContext } from '../../src/engine/gpu';
import { bertTensors, initParams, placeTensors } from '../../src/engine/model/params';
import { mlmReference } from '../../src/engine/reference/model';
import type { LrSchedule } from '../../src/engine/schedule';
import { benchConfig, randomBatches, targetCapacity } from './batches';
import { oursRunner } from './oursRunner';
import type { BenchRequest, BenchResult, SideName, SideResult } from './protocol';
import type { Runner, RunnerSetup } from './runner';
import { tfjsRunner } from './tfjsRunner';

const statusEl = document.getElementById('status')!;
const logEl = document.getElementById('log')!;

function log(line: string): void {
  console.log(`[bench] ${line}`);
  logEl.textContent += line + '\n';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

async function makeRunner(side: SideName, gpu: GpuContext, s: RunnerSetup): Promise<Runner> {
  return side === 'ours' ? oursRunner(gpu, s) : tfjsRunner(s);
}

async function run(req: BenchRequest): Promise<BenchResult> {
  const bench = benchConfig(req.config);
  const { model, B } = bench;
  const M = targetCapacity(B, model.T);
  const gpu = await acquireGpu();
  const gpuErrors: string[] = [];
  gpu.device.addEventListener('uncapturederror', (e) => gpuErrors.push((e as GPUUncapturedErrorEvent).error.message));
  const adapter = adapterLabel(gpu.summary);
  log(
    `adapter ${adapter}; config ${bench.name} L${model.L} C${model.C} NH${model.NH} T${model.T} B${B} V${model.V} F${model.F}, M=${M}`,
  );

  const layout = placeTensors(bertTensors(model));
  const rng = Rng.from(req.seed, 'init');
  const init = initParams(layout, model.initStd, () => rng.float());
  const batches = randomBatches(model, B, req.batches, req.seed);
  const total = req.warmup + req.repeats * req.steps;
  const schedule: LrSchedule = { lr: req.lr, warmupSteps: 0, totalSteps: total, decay: 'constant', minRatio: 1 };
  const setup: RunnerSetup = { model, B, M, init, batches, schedule };

  const runners = new Map<SideName, Runner>();
  const setupMs = new Map<SideName, number>();
  for (const side of req.sides) {
    const t0 = performance.now();
    const r = await makeRunner(side, gpu, setup);
    for (let i = 0; i < req.warmup; i++) r.step();
    await r.sync();
    setupMs.set(side, performance.now() - t0);
    runners.set(side, r);
    log(`${side}: built and warmed up (${req.warmup} steps) in ${(setupMs.get(side)! / 1000).toFixed(1)} s`);
  }

  const times = new Map<SideName, number[]>(req.sides.map((s) => [s, []]));
  for (let rep = 0; rep < req.repeats; rep++) {
    for (const side of req.sides) {
      const r = runners.get(side)!;
      const t0 = performance.now();
      for (let i = 0; i < req.steps; i++) r.step();
      await r.sync();
      const ms = (performance.now() - t0) / req.steps;
      times.get(side)!.push(ms);
      log(`${side}: repeat ${rep + 1}/${req.repeats}: ${ms.toFixed(1)} ms/step`);
    }
  }
  if (gpuErrors.length) throw new Error(`WebGPU errors on MaskLab's device: ${gpuErrors.slice(0, 3).join(' | ')}`);

  const tokens = B * model.T;
  const result: BenchResult = {
    adapter,
    adapter_info: {
      vendor: gpu.summary.vendor,
      architecture: gpu.summary.architecture,
      device: gpu.summary.device,
      description: gpu.summary.description,
      fallback: gpu.summary.isFallbackAdapter,
    },
    config: bench.name,
    model: { L: model.L, C: model.C, NH: model.NH, F: model.F, T: model.T, V: model.V },
    B,
    M,
    tokens_per_step: tokens,
    steps: req.steps,
    warmup: req.warmup,
    repeats: req.repeats,
    check: {},
    user_agent: navigator.userAgent,
    date: new Date().toISOString(),
  };
  for (const side of req.sides) {
    const r = runners.get(side)!;
    const losses = await r.losses();
    const ms = median(times.get(side)!);
    const res: SideResult = {
      ms_per_step: ms,
      tokens_per_s: (tokens * 1000) / ms,
      repeats_ms: times.get(side)!,
      first_loss: losses[0],
      losses,
      setup_ms: setupMs.get(side)!,
      info: r.info,
    };
    result[side] = res;
    r.dispose();
  }
  if (result.ours && result.tfjs) {
    result.ratio = result.ours.tokens_per_s / result.tfjs.tokens_per_s;
    const n = Math.min(result.ours.losses.length, result.tfjs.losses.length);
    let d = 0;
    for (let i = 0; i < n; i++) d = Math.max(d, Math.abs(result.ours.losses[i] - result.tfjs.losses[i]));
    result.check.max_loss_curve_diff = d;
  }
  if (req.verify) {
    log('computing the first-step loss with the float64 CPU reference');
    const ref = mlmReference(model, layout, init, { B, ...batches[0] }, false).loss;
    result.check.reference_first_loss = ref;
    if (result.ours) result.check.ours_first_loss_error = Math.abs(result.ours.first_loss - ref);
    if (result.tfjs) result.check.tfjs_first_loss_error = Math.abs(result.tfjs.first_loss - ref);
  }
  gpu.device.destroy();
  return result;
}

declare global {
  interface Window {
    masklabBench: { run(req: BenchRequest): Promise<BenchResult> };
  }
}

window.masklabBench = {
  async run(req) {
    statusEl.textContent = 'running';
    try {
      const r = await run(req);
      statusEl.textContent = 'done';
      return r;
    } catch (e) {
      statusEl.textContent = 'failed';
      throw e;
    }
  },
};
statusEl.textContent = 'ready';

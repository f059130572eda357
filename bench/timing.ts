// GPU timing for benchmarks: per-pass GPU time from a timestamp query set when the device has 'timestamp-query',
// wall-clock time over many submits otherwise. Benchmarks only; training uses its own per-kernel timings.
import { encodeDispatches, type Dispatch } from '../src/engine/kernels';
import { PassTimer } from '../src/engine/profile';

// The pass timer lives with the per-kernel profiler (src/engine/profile.ts), which the page uses too.
export { PassTimer };

export type TimingMethod = 'timestamp-query' | 'wall-clock';

export function timingMethod(device: GPUDevice): TimingMethod {
  return device.features.has('timestamp-query') ? 'timestamp-query' : 'wall-clock';
}

export interface Timing {
  method: TimingMethod;
  /** Median time of one run of the dispatch list, in milliseconds. */
  ms: number;
  /** Fastest run. */
  minMs: number;
  reps: number;
}

export interface TimeOptions {
  /** Aim for about this much measured GPU time in total (default 1000 ms). */
  targetMs?: number;
  minReps?: number;
  maxReps?: number;
  /** Force wall-clock timing even when timestamps exist. */
  method?: TimingMethod;
}

function median(xs: ArrayLike<number>): number {
  const s = Array.from(xs).sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** Wall-clock time of `reps` submits of the dispatch list, each submit one pass, waited for at the end. */
async function wallClock(device: GPUDevice, dispatches: readonly Dispatch[], reps: number): Promise<number> {
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) {
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    encodeDispatches(pass, dispatches);
    pass.end();
    device.queue.submit([enc.finish()]);
  }
  await device.queue.onSubmittedWorkDone();
  return (performance.now() - t0) / reps;
}

/**
 * Times a list of dispatches (usually one): a warm-up run (pipeline compilation, caches), an estimate that sets
 * the repetition count, then `reps` passes, each timed by timestamps (or wall-clock averages in groups).
 */
export async function timeDispatches(
  device: GPUDevice,
  dispatches: readonly Dispatch[],
  opts: TimeOptions = {},
): Promise<Timing> {
  const method = opts.method ?? timingMethod(device);
  const targetMs = opts.targetMs ?? 1000;
  const minReps = opts.minReps ?? 3;
  const maxReps = opts.maxReps ?? 200;
  await wallClock(device, dispatches, 1); // warm-up
  const estimate = await wallClock(device, dispatches, 1);
  const reps = Math.max(minReps, Math.min(maxReps, Math.ceil(targetMs / Math.max(estimate, 1e-3))));
  if (method === 'wall-clock') {
    // Groups of submits amortise the wait at the end; the median over groups resists stray slow ones.
    const groups = Math.min(reps, 5);
    const per = Math.max(1, Math.round(reps / groups));
    const samples: number[] = [];
    for (let g = 0; g < groups; g++) samples.push(await wallClock(device, dispatches, per));
    return { method, ms: median(samples), minMs: Math.min(...samples), reps: groups * per };
  }
  const timer = new PassTimer(device, reps);
  const enc = device.createCommandEncoder({ label: 'timed' });
  for (let r = 0; r < reps; r++) {
    const pass = enc.beginComputePass({ timestampWrites: timer.timestampWrites(r) });
    encodeDispatches(pass, dispatches);
    pass.end();
  }
  timer.resolve(enc, reps);
  device.queue.submit([enc.finish()]);
  const ms = await timer.read(reps);
  timer.destroy();
  return { method, ms: median(ms), minMs: Math.min(...ms), reps };
}

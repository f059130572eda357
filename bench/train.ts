// Training-step benchmark: the engine's Trainer on Dawn at the tiny/mini/small model shapes with seeded random
// batches: median ms per step, tokens/s, matmul GFLOP/s, dispatches and bytes read and written per step (analytic,
// from the dispatch list) and a per-kernel time breakdown from timestamp queries; --fusions none,all times the
// graph without and with the fused kernels, their repeats interleaved, and gives the ratio. Prints tables, writes
// bench/results/train-<adapter>.json (-autotune.json with --autotune); --json: last stdout line is JSON.
//   npm run bench -- [--config tiny,mini,small] [--steps N] [--repeats N] [--warmup N] [--json] [--compare tfjs]
//                    [--fusions all|none|NAME+NAME,...] [--autotune] [--retune] [--autotune-budget MS]
//                    [--autotune-file FILE]
// On a GPU machine without node_modules: here `npm run bench:bundle && ../shared/tools/device-pack.sh`, there
// `source .device/boot.sh && node dist-bench/train.mjs`.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../src/data/rng';
import { modelConfig, type ModelConfig, type ModelPreset } from '../src/engine/config';
import type { MemoryCategory } from '../src/engine/gpuMemory';
import { FUSIONS, fusionsName, parseFusions, type Fusion } from '../src/engine/fusion';
import { adapterTuning, Kernels } from '../src/engine/kernels';
import { kernelsWithChoice, tuned, type TuneStore } from '../src/engine/autotune/cache';
import { TUNE_BUDGET_MS, type TuneResult } from '../src/engine/autotune/tune';
import type { TuneShape } from '../src/engine/autotune/workloads';
import { fileTuneStore } from '../src/engine/node/tuneStore';
import { bertTensors, initParams, placeTensors } from '../src/engine/model/params';
import { nodeGpu } from '../src/engine/node/dawn';
import {
  canProfile,
  groupProfile,
  profileDispatches,
  trainStepFlops,
  type DispatchTime,
  type TimeGroup,
} from '../src/engine/profile';
import { Trainer, type EngineBatch } from '../src/engine/trainer';

interface BenchShape {
  preset: ModelPreset;
  V: number;
  B: number;
}

const CONFIGS: Record<string, BenchShape> = {
  tiny: { preset: 'tiny', V: 2048, B: 16 },
  mini: { preset: 'mini', V: 8192, B: 32 },
  small: { preset: 'small', V: 8192, B: 32 },
};

const TARGET_RATE = 0.15;
/** Special ids as in every MaskLab vocabulary: [MASK] = 4, ordinary tokens from 5. */
const MASK = 4;
const FIRST_WORD = 5;

const HELP = `usage: npm run bench -- [--config ${Object.keys(CONFIGS).join(',')}] [--steps N] [--repeats N] [--warmup N]
  [--profile-repeats N] [--seed S] [--out DIR] [--no-write] [--json] [--compare tfjs] [--kernels auto|gpu|cpu]
  [--fusions SETS]
  --kernels picks the kernel variants: auto (default) follows the adapter (barrier-free row kernels and the direct
  matmul on a software adapter), gpu / cpu force one kind, to measure what the choice is worth.
  --fusions lists sets of fused kernels, comma-separated, each all, none or names joined by + (${FUSIONS.join(', ')};
  src/engine/fusion.ts says what each does): each config runs once per set, the timed repeats taking turns, and the
  JSON gives each set's ms/step as a ratio to the first set's (default: all).
  --autotune tunes the kernel variants per config as the page does on first use (each role's checked candidates
  timed at the config's shapes; the choice kept in --autotune-file, default ~/.cache/masklab/autotune.json, and
  reused), prints and records the choice and the timings per role, then benchmarks with it (every fusion set);
  --retune tunes again even when a choice is kept; --autotune-budget MS bounds the tuning of one config (default
  ${TUNE_BUDGET_MS}).
  Default configs: tiny on a fallback (software) adapter, all three on a real GPU.
  --compare tfjs also runs \`npm run bench:tfjs -- --config C --json\` (headless Chromium) per config and puts
  its ours/tfjs figures in the JSON (top-level ours, tfjs, ratio when one config; compare[] always).`;

interface Args {
  configs: string[];
  warmup: number;
  steps: number;
  repeats: number;
  profileRepeats: number;
  seed: string;
  out: string;
  write: boolean;
  json: boolean;
  compare: 'tfjs' | undefined;
  kernels: 'auto' | 'gpu' | 'cpu';
  fusions: (readonly Fusion[])[];
  autotune: boolean;
  retune: boolean;
  autotuneBudget: number;
  autotuneFile: string | undefined;
}

function parseArgs(argv: string[], fallback: boolean): Args {
  const a: Args = {
    configs: fallback ? ['tiny'] : ['tiny', 'mini', 'small'],
    warmup: fallback ? 1 : 5,
    steps: fallback ? 2 : 20,
    repeats: fallback ? 3 : 5,
    profileRepeats: fallback ? 1 : 5,
    seed: 'masklab-bench',
    out: 'bench/results',
    write: true,
    json: false,
    compare: undefined,
    kernels: 'auto',
    fusions: [parseFusions('all')],
    autotune: false,
    retune: false,
    autotuneBudget: TUNE_BUDGET_MS,
    autotuneFile: undefined,
  };
  const int = (name: string, v: string | undefined, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min)
      throw new Error(`--${name} must be an integer >= ${min} (got "${v}")\n${HELP}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value\n${HELP}`);
      return argv[++i];
    };
    if (arg === '--') continue;
    else if (arg === '--help' || arg === '-h') {
      console.log(HELP);
      process.exit(0);
    } else if (arg === '--config')
      a.configs = value()
        .split(',')
        .filter((s) => s.length > 0);
    else if (arg === '--warmup') a.warmup = int('warmup', value(), 1);
    else if (arg === '--steps') a.steps = int('steps', value(), 1);
    else if (arg === '--repeats') a.repeats = int('repeats', value(), 1);
    else if (arg === '--profile-repeats') a.profileRepeats = int('profile-repeats', value(), 1);
    else if (arg === '--seed') a.seed = value();
    else if (arg === '--out') a.out = value();
    else if (arg === '--no-write') a.write = false;
    else if (arg === '--autotune') a.autotune = true;
    else if (arg === '--retune') a.autotune = a.retune = true;
    else if (arg === '--autotune-budget') a.autotuneBudget = int('autotune-budget', value(), 1);
    else if (arg === '--autotune-file') a.autotuneFile = value();
    else if (arg === '--json') a.json = true;
    else if (arg === '--kernels') {
      const v = value();
      if (v !== 'auto' && v !== 'gpu' && v !== 'cpu')
        throw new Error(`--kernels takes auto, gpu or cpu (got "${v}")\n${HELP}`);
      a.kernels = v;
    } else if (arg === '--fusions') {
      try {
        a.fusions = value()
          .split(',')
          .filter((x) => x.length > 0)
          .map(parseFusions);
      } catch (e) {
        throw new Error(`${e instanceof Error ? e.message : String(e)}\n${HELP}`, { cause: e });
      }
      if (a.fusions.length === 0) throw new Error(`--fusions needs at least one set\n${HELP}`);
    } else if (arg === '--compare') {
      const v = value();
      if (v !== 'tfjs') throw new Error(`--compare takes "tfjs" (got "${v}")\n${HELP}`);
      a.compare = v;
    } else throw new Error(`unknown argument "${arg}"\n${HELP}`);
  }
  if (a.autotune && a.kernels !== 'auto')
    throw new Error(`--autotune tunes from the adapter's variants: leave --kernels auto`);
  if (a.configs.length === 0) throw new Error(`--config needs at least one of ${Object.keys(CONFIGS).join(', ')}`);
  for (const c of a.configs)
    if (!CONFIGS[c]) throw new Error(`unknown config "${c}" (${Object.keys(CONFIGS).join(', ')})`);
  return a;
}

/**
 * `count` batches of random ids with P = ceil(0.15 T) targets in every sequence (M = B * P rows), corrupted the
 * BERT way (80% [MASK], 10% random, 10% kept); every position valid. Same seed, same arrays.
 */
function randomBatches(
  cfg: ModelConfig,
  B: number,
  count: number,
  seed: string,
): { batches: EngineBatch[]; M: number } {
  const { T, V } = cfg;
  const P = Math.ceil(TARGET_RATE * T);
  const M = B * P;
  const batches: EngineBatch[] = [];
  for (let n = 0; n < count; n++) {
    const rng = Rng.from(seed, 'train-bench-batch', n);
    const ids = new Int32Array(B * T);
    for (let i = 0; i < ids.length; i++) ids[i] = FIRST_WORD + rng.int(V - FIRST_WORD);
    const positions = new Int32Array(M);
    const targets = new Int32Array(M);
    const weights = new Float32Array(M).fill(1 / M);
    for (let b = 0; b < B; b++) {
      const chosen = Array.from(rng.permutation(T).subarray(0, P)).sort((x, y) => x - y);
      chosen.forEach((t, j) => {
        const r = b * T + t;
        positions[b * P + j] = r;
        targets[b * P + j] = ids[r];
        const u = rng.float();
        if (u < 0.8) ids[r] = MASK;
        else if (u < 0.9) ids[r] = FIRST_WORD + rng.int(V - FIRST_WORD);
      });
    }
    batches.push({ ids, valid: new Int32Array(B * T).fill(1), positions, targets, weights });
  }
  return { batches, M };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

interface RoleRow extends TimeGroup {
  /** Matmul FLOPs of the role per step, where the role has products. */
  flops?: number;
  /** flops / ms of the role in the profiled step. */
  gflops?: number;
}

interface ConfigResult {
  config: string;
  /** The fused kernels in use (fusion.ts): all, none or names joined by +. */
  fusions: string;
  model: { L: number; C: number; NH: number; F: number; T: number; V: number; params: number };
  B: number;
  M: number;
  tokens_per_step: number;
  warmup: number;
  steps: number;
  repeats: number;
  ms_per_step: number;
  repeats_ms: number[];
  tokens_per_s: number;
  flops_per_step: number;
  flops_by_role: Record<string, { forward: number; backward: number; total: number }>;
  gflops_per_s: number;
  dispatches_per_step: number;
  /** Bytes one step reads and writes, analytic: the sum over its dispatches of each kernel's own count. */
  bytes_per_step: { read: number; write: number };
  /** With several fusion sets: this set's ms/step over the first set's, the median of the per-repeat ratios. */
  ms_ratio_to_first?: number;
  /** Those per-repeat ratios (repeat r of this set over repeat r of the first, timed one after the other). */
  ratios_to_first?: number[];
  /** Bytes of the trainer's GPU buffers after the timed steps (its registry of allocations), in all and by category. */
  gpu_bytes: number;
  gpu_bytes_by_category: Record<MemoryCategory, number>;
  setup_ms: number;
  last_loss: number | null;
  /** --autotune: the choice the config ran with, the candidates' checks and timings per role. */
  autotune?: TuneResult & { cached: boolean };
  profile:
    | { available: false; note: string }
    | {
        available: true;
        method: 'timestamp-query';
        repeats: number;
        total_ms: number;
        by_kernel: TimeGroup[];
        by_role: RoleRow[];
        by_op: TimeGroup[];
        dispatches: DispatchTime[];
      };
}

/** The rows of the cross-entropy per step: ceil(0.15 T) targets in every sequence (randomBatches). */
function targetRows(cfg: ModelConfig, B: number): number {
  return B * Math.ceil(TARGET_RATE * cfg.T);
}

/** The config's kept autotune choice, or a new tuning (progress on stderr); printed as a table. */
async function autotuneConfig(k: Kernels, name: string, args: Args, store: TuneStore): Promise<TunedConfig> {
  const shape = CONFIGS[name];
  const cfg = modelConfig(shape.preset, shape.V);
  const tuneShape: TuneShape = { model: cfg, B: shape.B, M: targetRows(cfg, shape.B) };
  let last = '';
  const { result, cached } = await tuned(k, gpu.summary, tuneShape, store, {
    budgetMs: args.autotuneBudget,
    retune: args.retune,
    onProgress: (p) => {
      const line = `autotune ${name}: ${p.role} (${p.index}/${p.count}) ${p.phase} ${p.variant}, ${fmt(p.elapsedMs / 1000, 1)} s of ${fmt(p.budgetMs / 1000, 1)} s`;
      if (line !== last) process.stderr.write(`${line}\n`);
      last = line;
    },
  });
  console.log(tuneReport(name, result, cached));
  return { result, cached };
}

interface TunedConfig {
  result: TuneResult;
  cached: boolean;
}

function tuneReport(name: string, r: TuneResult, cached: boolean): string {
  const head = cached
    ? `${name}: autotune choice kept from ${r.startedAt} (tuned in ${fmt(r.ms / 1000, 2)} s)`
    : `${name}: autotuned in ${fmt(r.ms / 1000, 2)} s (budget ${fmt(r.budgetMs / 1000, 1)} s, ${r.method})`;
  const rows = r.roles.map((x) => [
    x.role,
    x.chosen,
    x.default,
    x.how + (x.note ? ` (${x.note})` : ''),
    `x${fmt(x.fraction, 2)}`,
    x.candidates
      .map((c) =>
        c.verified
          ? `${c.variant} ${c.ms === undefined ? 'not timed' : `${fmt(c.ms, 2)} ms`}${c.pruned ? ' (pruned)' : ''}`
          : `${c.variant} FAILED its check`,
      )
      .join(', '),
  ]);
  return [head, table(['role', 'chosen', 'default', 'how', 'rows', 'candidates (median GPU ms)'], rows, 6)].join('\n');
}

/** One fusion set's trainer on a config, and the repeats timed so far. */
interface Run {
  fusions: readonly Fusion[];
  trainer: Trainer;
  losses: Map<number, number>;
  setupMs: number;
  repeatsMs: number[];
}

/**
 * Every fusion set of args on one config (with the autotuner's choice when tuned): trainers built and warmed up,
 * then the timed repeats take turns.
 */
async function benchConfig(k: Kernels, name: string, args: Args, tune?: TunedConfig): Promise<ConfigResult[]> {
  const base = tune ? kernelsWithChoice(k, tune.result.choice) : k;
  const device = base.device;
  const shape = CONFIGS[name];
  const cfg = modelConfig(shape.preset, shape.V);
  const { B } = shape;
  const { batches, M } = randomBatches(cfg, B, 4, args.seed);
  const layout = placeTensors(bertTensors(cfg));
  const initRng = Rng.from(args.seed, 'init');
  const init = initParams(layout, cfg.initStd, () => initRng.float());
  const runs: Run[] = [];
  const step = (r: Run) => r.trainer.trainStep(batches[r.trainer.step % batches.length]);
  try {
    for (const fusions of args.fusions) {
      const losses = new Map<number, number>();
      const t0 = performance.now();
      const trainer = new Trainer(base.withTuning({ ...base.tuning, fusions }), cfg, init, {
        B,
        M,
        schedule: { lr: 1e-3, warmupSteps: 0, totalSteps: 1_000_000, decay: 'constant', minRatio: 1 },
        maxGradNorm: 1.0,
        onMetrics: (m) => losses.set(m.step, m.loss),
      });
      const run: Run = { fusions, trainer, losses, setupMs: 0, repeatsMs: [] };
      runs.push(run);
      for (let s = 0; s < args.warmup; s++) step(run);
      await device.queue.onSubmittedWorkDone();
      run.setupMs = performance.now() - t0;
    }
    for (let r = 0; r < args.repeats; r++) {
      for (const run of runs) {
        const start = performance.now();
        for (let s = 0; s < args.steps; s++) step(run);
        await device.queue.onSubmittedWorkDone();
        run.repeatsMs.push((performance.now() - start) / args.steps);
      }
    }
    const out: ConfigResult[] = [];
    for (const run of runs) {
      const r = await result(device, name, cfg, { B, M }, run, batches[0], args);
      out.push(tune ? { ...r, autotune: { cached: tune.cached, ...tune.result } } : r);
    }
    if (runs.length > 1)
      for (const [i, o] of out.entries()) {
        o.ratios_to_first = runs[i].repeatsMs.map((ms, r) => ms / runs[0].repeatsMs[r]);
        o.ms_ratio_to_first = median(o.ratios_to_first);
      }
    return out;
  } finally {
    for (const run of runs) run.trainer.destroy();
  }
}

/** A run's figures: timings, FLOPs, dispatches and bytes per step, memory, and its profiled step. */
async function result(
  device: GPUDevice,
  name: string,
  cfg: ModelConfig,
  shape: { B: number; M: number },
  run: Run,
  batch: EngineBatch,
  args: Args,
): Promise<ConfigResult> {
  const { trainer, repeatsMs } = run;
  const { B, M } = shape;
  await trainer.flush();
  const memory = trainer.gpuMemory;
  const lastLoss = run.losses.get(trainer.step - 1) ?? null;
  const msPerStep = median(repeatsMs);
  const tokens = B * cfg.T;
  const flops = trainStepFlops(cfg, B, M);
  let profile: ConfigResult['profile'];
  if (canProfile(device)) {
    // A separate, untimed step: one compute pass per dispatch, each with a pair of timestamps.
    trainer.graph.writeInputs(batch);
    const p = await profileDispatches(device, trainer.dispatches, { repeats: args.profileRepeats });
    const g = groupProfile(p);
    const byRole: RoleRow[] = g.byRole.map((r) => {
      const f = flops.byRole[r.key]?.total;
      return f === undefined ? r : { ...r, flops: f, gflops: r.ms > 0 ? f / (r.ms * 1e6) : 0 };
    });
    profile = {
      available: true,
      method: p.method,
      repeats: p.repeats,
      total_ms: p.totalMs,
      by_kernel: g.byKernel,
      by_role: byRole,
      by_op: g.byOp,
      dispatches: p.dispatches,
    };
  } else profile = { available: false, note: 'no timestamp queries' };
  return {
    config: name,
    fusions: fusionsName(run.fusions),
    model: { L: cfg.L, C: cfg.C, NH: cfg.NH, F: cfg.F, T: cfg.T, V: cfg.V, params: trainer.layout.count },
    B,
    M,
    tokens_per_step: tokens,
    warmup: args.warmup,
    steps: args.steps,
    repeats: args.repeats,
    ms_per_step: msPerStep,
    repeats_ms: repeatsMs,
    tokens_per_s: tokens / (msPerStep / 1000),
    flops_per_step: flops.total,
    flops_by_role: flops.byRole,
    gflops_per_s: flops.total / (msPerStep * 1e6),
    dispatches_per_step: trainer.dispatchesPerStep,
    bytes_per_step: trainer.trafficPerStep,
    gpu_bytes: memory.totalBytes,
    gpu_bytes_by_category: memory.byCategory,
    setup_ms: run.setupMs,
    last_loss: lastLoss,
    profile,
  };
}

/** First and third quartiles (of a sorted copy; the nearest ranks). */
function quartiles(xs: number[]): [number, number] {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))];
  return [at(0.25), at(0.75)];
}

function fmt(n: number, digits: number): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function table(head: string[], rows: string[][], alignLeft = 1): string {
  const w = head.map((_, c) => Math.max(head[c].length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) =>
    r.map((cell, c) => (c < alignLeft ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join('  ');
  return [line(head), ...rows.map(line)].map((l) => '  ' + l).join('\n');
}

function report(r: ConfigResult): string {
  const m = r.model;
  const out: string[] = [];
  out.push(
    `${r.config}: L${m.L} C${m.C} NH${m.NH} F${m.F} T${m.T} B${r.B} V${m.V}, M=${r.M} targets, ${m.params.toLocaleString('en-US')} parameters, fusions ${r.fusions}`,
  );
  out.push(
    `  ${fmt(r.ms_per_step, 2)} ms/step (median of ${r.repeats} x ${r.steps} steps: ${r.repeats_ms.map((x) => fmt(x, 1)).join(', ')}), ` +
      `${fmt(r.tokens_per_s, 0)} tokens/s, ${fmt(r.gflops_per_s, 2)} GFLOP/s (${fmt(r.flops_per_step / 1e9, 3)} GFLOP/step in matmuls), ` +
      `${r.dispatches_per_step} dispatches/step, setup ${fmt(r.setup_ms / 1000, 1)} s, last loss ${r.last_loss?.toFixed(4) ?? 'none'}`,
  );
  out.push(
    `  ${fmt(r.bytes_per_step.read / 1e6, 2)} MB read, ${fmt(r.bytes_per_step.write / 1e6, 2)} MB written per step (analytic)` +
      (r.ms_ratio_to_first === undefined
        ? ''
        : `; ms/step ${fmt(r.ms_ratio_to_first, 3)}x the first fusion set's (median of ${r.repeats} interleaved repeats; quartiles ${quartiles(
            r.ratios_to_first ?? [],
          )
            .map((x) => fmt(x, 3))
            .join(' - ')})`),
  );
  const mib = (b: number) => `${fmt(b / 2 ** 20, 2)} MiB`;
  out.push(
    `  GPU memory ${mib(r.gpu_bytes)}: ` +
      Object.entries(r.gpu_bytes_by_category)
        .filter(([, b]) => b > 0)
        .map(([c, b]) => `${c} ${mib(b)}`)
        .join(', '),
  );
  const p = r.profile;
  if (!p.available) {
    out.push(`  per-kernel times: ${p.note}`);
    return out.join('\n');
  }
  out.push(
    `  per-kernel GPU time (timestamp queries, one pass per dispatch, median of ${p.repeats} profiled step(s)): ${fmt(p.total_ms, 2)} ms in all`,
  );
  const row = (g: TimeGroup) => [g.key, fmt(g.ms, 3), `${fmt(100 * g.share, 1)}%`, String(g.count)];
  out.push(table(['kernel', 'ms', 'share', 'n'], p.by_kernel.map(row)));
  out.push(
    table(
      ['role', 'ms', 'share', 'n', 'GFLOP/s'],
      p.by_role.map((g) => [...row(g), g.gflops === undefined ? '' : fmt(g.gflops, 2)]),
    ),
  );
  return out.join('\n');
}

function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'unknown'
  );
}

/**
 * The TF.js harness's figures for one config: its `ours` (MaskLab in the same browser) and `tfjs` sides. Its own
 * results file is left alone (--no-write): this run's JSON carries the figures.
 */
async function compareTfjs(config: string): Promise<Record<string, unknown>> {
  if (!existsSync(join(process.cwd(), 'bench/browser/run.ts')))
    throw new Error(
      '--compare tfjs needs the TF.js harness bench/browser/run.ts (run from the project root, with node_modules)',
    );
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'bench:tfjs', '--', '--config', config, '--json', '--no-write'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString();
      process.stderr.write(d);
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`npm run bench:tfjs -- --config ${config} exited with ${code}`)),
    );
  });
  const last = stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as Record<string, unknown>;
  } catch {
    throw new Error(`npm run bench:tfjs printed no JSON last line (got "${last.slice(0, 200)}")`);
  }
}

const gpu = await nodeGpu(['disable-dawn-features=timestamp_quantization']);
const s = gpu.summary;
let args: Args;
try {
  args = parseArgs(process.argv.slice(2), s.isFallbackAdapter);
} catch (e) {
  gpu.close();
  throw e;
}
const results: ConfigResult[] = [];
try {
  const auto = adapterTuning(gpu.device, gpu.summary);
  const k = new Kernels(gpu.device, args.kernels === 'auto' ? auto : { ...auto, cpu: args.kernels === 'cpu' });
  console.log(
    `kernel variants: ${k.tuning.cpu ? 'CPU (one thread per row, direct matmul)' : 'GPU (a workgroup per row, tiled matmul)'}${args.kernels === 'auto' ? ', from the adapter' : ', forced'}; fusion sets: ${args.fusions.map(fusionsName).join(', ')}`,
  );
  console.log(
    `adapter: ${gpu.label}${s.isFallbackAdapter ? ' (fallback)' : ''}; per-kernel timing: ${canProfile(gpu.device) ? 'timestamp queries' : 'no timestamp queries'}`,
  );
  const store = args.autotune ? fileTuneStore(args.autotuneFile) : undefined;
  if (store) console.log(`autotune choices kept in ${store.file}`);
  for (const c of args.configs) {
    const tune = store ? await autotuneConfig(k, c, args, store) : undefined;
    for (const r of await benchConfig(k, c, args, tune)) {
      results.push(r);
      console.log(report(r));
    }
  }
} finally {
  gpu.close();
}

const compare: Record<string, unknown>[] = [];
if (args.compare === 'tfjs') {
  for (const r of results) {
    try {
      const t = await compareTfjs(r.config);
      compare.push({
        config: r.config,
        adapter: t.adapter,
        ours: t.ours,
        tfjs: t.tfjs,
        ratio: t.ratio,
        node: { tokens_per_s: r.tokens_per_s, ms_per_step: r.ms_per_step },
      });
    } catch (e) {
      compare.push({ config: r.config, error: e instanceof Error ? e.message : String(e) });
    }
  }
  for (const c of compare) {
    const side = (x: unknown) => (x as { tokens_per_s?: number } | undefined)?.tokens_per_s;
    if ('error' in c) console.log(`tfjs comparison, ${String(c.config)}: ${String(c.error)}`);
    else
      console.log(
        `tfjs comparison, ${String(c.config)} in headless Chromium (${String(c.adapter)}): MaskLab ${fmt(side(c.ours) ?? NaN, 0)} tokens/s, ` +
          `TF.js ${fmt(side(c.tfjs) ?? NaN, 0)} tokens/s (this Node/Dawn run: ${fmt((c.node as { tokens_per_s: number }).tokens_per_s, 0)} tokens/s)`,
      );
  }
}

const out = {
  tool: 'masklab training-step benchmark (bench/train.ts)',
  date: new Date().toISOString(),
  adapter: gpu.label,
  machine: { adapter: s, platform: `${process.platform} ${process.arch}`, node: process.version },
  args,
  notes: {
    ms_per_step:
      'wall clock over `steps` trainStep calls ending with queue.onSubmittedWorkDone, median over `repeats`, after `warmup` steps',
    flops:
      'matmul products only (see trainStepFlops in src/engine/profile.ts): Linears forward + dX + dW over B*T rows, attention QK^T, PV and their 4 gradient products, MLM head dense and decoder over M rows',
    profile:
      'a separate untimed step with each dispatch in its own compute pass between two timestamps; grouped by Dispatch.kernel, by role (label without layer prefix, first part) and by op (label without layer prefix)',
  },
  results,
  ...(args.compare ? { compare } : {}),
};
if (args.write) {
  mkdirSync(args.out, { recursive: true });
  const file = join(
    args.out,
    `train-${slug(gpu.label)}${args.kernels === 'auto' ? '' : `-${args.kernels}-kernels`}${args.autotune ? '-autotune' : ''}.json`,
  );
  writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  console.log(`wrote ${file}`);
}
if (args.json) {
  // One line: the figures without the per-dispatch lists (the file keeps them).
  const brief = results.map((r) => ({
    ...r,
    profile: r.profile.available ? (({ dispatches: _d, by_op: _o, ...p }) => p)(r.profile) : r.profile,
  }));
  const one =
    compare.length === 1 && !('error' in compare[0])
      ? {
          config: compare[0].config,
          ours: compare[0].ours,
          tfjs: compare[0].tfjs,
          ratio: compare[0].ratio,
          node: compare[0].node,
        }
      : {};
  console.log(
    JSON.stringify({
      adapter: gpu.label,
      date: out.date,
      ...one,
      results: brief,
      ...(args.compare ? { compare } : {}),
    }),
  );
}

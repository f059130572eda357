// Kernel lab: GFLOP/s of the matmul family at the reference models' Linear shapes (forward and both backward
// products) and at large squares, each result spot-checked against float64 dot products; prints a table and
// writes bench/results/kernels-<adapter>.json. Run: npm run bench:kernels -- [--models tiny,mini] [--sizes 512]
// [--compare] [--target-ms 1000] [--wall-clock] [--fp32-peak TFLOPS] [--out DIR]. With --fp32-peak (the GPU's FP32
// peak, as bench/device.sh finds it) each square's best variant is also given as a share of that peak. On a GPU machine without node_modules: here
// `npm run bench:bundle && /work/shared/tools/device-pack.sh`, there `source .device/boot.sh && node dist-bench/kernels.mjs`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createStorage, readF32 } from '../src/engine/buffers';
import { adapterTuning, type Dispatch, Kernels, runDispatches } from '../src/engine/kernels';
import { nodeGpu } from '../src/engine/node/dawn';
import {
  biasGrad,
  canVec4,
  chooseSplits,
  chooseTile,
  matmul,
  matmulFlops,
  matmulSplitK,
  planMatmul,
  splitKScratchFloats,
  type MatmulTile,
} from '../src/engine/ops/matmul';
import { rng } from '../src/engine/testing';
import { timeDispatches, timingMethod, type Timing } from './timing';

interface ModelShape {
  L: number;
  C: number;
  NH: number;
  T: number;
  B: number;
  V: number;
}

const MODELS: Record<string, ModelShape> = {
  tiny: { L: 2, C: 64, NH: 2, T: 64, B: 16, V: 2048 },
  mini: { L: 4, C: 256, NH: 4, T: 128, B: 32, V: 8192 },
  small: { L: 6, C: 512, NH: 8, T: 128, B: 32, V: 8192 },
};

interface Case {
  group: string;
  name: string;
  M: number;
  N: number;
  K: number;
  transA: boolean;
  transB: boolean;
  bias: boolean;
  accumulate: boolean;
  /** bias_grad instead of matmul (M, N only). */
  biasGrad?: boolean;
}

/** Every Linear of a BERT layer and the MLM head, as (name, out_features, in_features). */
function linears(m: ModelShape): [string, number, number][] {
  const { C, V } = m;
  return [
    ['qkv', 3 * C, C],
    ['attn_out', C, C],
    ['ffn_up', 4 * C, C],
    ['ffn_down', C, 4 * C],
    ['head_dense', C, C],
    ['decoder', V, C],
  ];
}

/** y = x W^T + b, dX = dY W, dW += dY^T X, db += colsum(dY) for each Linear at M = B*T rows. */
function modelCases(name: string, m: ModelShape): Case[] {
  const M = m.B * m.T;
  const out: Case[] = [];
  for (const [layer, o, i] of linears(m)) {
    const base = { group: name, bias: false, accumulate: false, transA: false, transB: false };
    out.push({ ...base, name: `${layer}.forward`, M, N: o, K: i, transB: true, bias: true });
    out.push({ ...base, name: `${layer}.dinput`, M, N: i, K: o });
    out.push({ ...base, name: `${layer}.dweight`, M: o, N: i, K: M, transA: true, accumulate: true });
    out.push({ ...base, name: `${layer}.dbias`, M, N: o, K: 1, biasGrad: true });
  }
  return out;
}

function squareCases(n: number): Case[] {
  const base = { group: 'square', M: n, N: n, K: n, bias: false, accumulate: false, transA: false };
  return [
    { ...base, name: `${n}^3 nn`, transB: false },
    { ...base, name: `${n}^3 nt`, transB: true },
  ];
}

interface Args {
  models: string[];
  sizes: number[];
  compare: boolean;
  targetMs: number;
  out: string;
  /** Force wall-clock timing (default: timestamps when the adapter has them). */
  wallClock: boolean;
  /** The GPU's FP32 peak in TFLOP/s (0: unknown). */
  fp32Peak: number;
}

function parseArgs(argv: string[], fallback: boolean): Args {
  const args: Args = {
    models: fallback ? ['tiny'] : ['tiny', 'mini', 'small'],
    sizes: fallback ? [256, 512] : [512, 1024, 2048, 4096],
    compare: !fallback,
    targetMs: fallback ? 300 : 1000,
    out: 'bench/results',
    wallClock: false,
    fp32Peak: 0,
  };
  const list = (v: string | undefined) => (v ?? '').split(',').filter((s) => s.length > 0);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') continue;
    else if (a === '--models') args.models = list(argv[++i]);
    else if (a === '--sizes') args.sizes = list(argv[++i]).map(Number);
    else if (a === '--compare') args.compare = true;
    else if (a === '--no-compare') args.compare = false;
    else if (a === '--target-ms') args.targetMs = Number(argv[++i]);
    else if (a === '--out') args.out = argv[++i];
    else if (a === '--wall-clock') args.wallClock = true;
    else if (a === '--fp32-peak') args.fp32Peak = Number(argv[++i]);
    else
      throw new Error(
        `unknown argument ${a}; use --models tiny,mini,small --sizes 512,1024 --compare --target-ms N --wall-clock --fp32-peak TFLOPS --out DIR`,
      );
  }
  for (const m of args.models) if (!MODELS[m]) throw new Error(`unknown model "${m}" (tiny, mini, small)`);
  for (const s of args.sizes) if (!Number.isInteger(s) || s < 1) throw new Error(`bad size ${s}`);
  if (!(args.fp32Peak >= 0)) throw new Error('--fp32-peak needs a number of TFLOP/s');
  return args;
}

/** A tiled kernel (tile side, load path, K split in `splits` parts) or a direct kernel (CPU adapters). */
type Variant =
  { kernel: 'tiled'; tile: MatmulTile; vec4: boolean; splits: number } | { kernel: 'direct' | 'direct_subgroup' };

const same = (a: Variant, b: Variant): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The variant the op picks on its own first, then (with --compare) the other kernels, tiles and load paths (the
 * direct kernel with subgroups where the device has them).
 */
function variants(c: Case, compare: boolean, cpu: boolean, subgroups: boolean): Variant[] {
  // Weight gradients split K the way the model does (matmulSplitK); other products never do.
  const splitsFor = (tile: MatmulTile) => (c.transA && c.accumulate ? chooseSplits(c.M, c.N, c.K, tile) : 1);
  const tile = chooseTile(c.M, c.N);
  const tiled: Variant = { kernel: 'tiled', tile, vec4: canVec4(c), splits: splitsFor(tile) };
  const auto: Variant = cpu ? { kernel: 'direct' } : tiled;
  if (!compare || c.biasGrad) return [auto];
  const all: Variant[] = [auto];
  const others: Variant[] = [{ kernel: 'direct' }, ...(subgroups ? [{ kernel: 'direct_subgroup' as const }] : [])];
  for (const t of [64, 128] as const) {
    for (const vec4 of canVec4(c) ? [true, false] : [false]) {
      others.push({ kernel: 'tiled', tile: t, vec4, splits: splitsFor(t) });
      if (splitsFor(t) > 1) others.push({ kernel: 'tiled', tile: t, vec4, splits: 1 });
    }
  }
  for (const v of others) if (!same(v, auto)) all.push(v);
  return all;
}

function randomData(n: number, seed: number): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = r() * 2 - 1;
  return out;
}

/** Max abs error of 64 sampled outputs against float64 dot products (the result of one product, no accumulate). */
function spotCheck(c: Case, a: Float32Array, b: Float32Array, bias: Float32Array, got: Float32Array): number {
  const r = rng(99);
  let worst = 0;
  for (let s = 0; s < 64; s++) {
    const m = Math.floor(r() * c.M);
    const n = Math.floor(r() * c.N);
    let want = 0;
    if (c.biasGrad) {
      for (let i = 0; i < c.M; i++) want += a[i * c.N + n];
      worst = Math.max(worst, Math.abs(got[n] - want));
      continue;
    }
    for (let k = 0; k < c.K; k++) {
      const av = c.transA ? a[k * c.M + m] : a[m * c.K + k];
      const bv = c.transB ? b[n * c.K + k] : b[k * c.N + n];
      want += av * bv;
    }
    if (c.bias) want += bias[n];
    worst = Math.max(worst, Math.abs(got[m * c.N + n] - want));
  }
  return worst;
}

interface Row extends Omit<Case, 'biasGrad'> {
  kernel: string;
  tile: number | null;
  /** K split in this many parts (a second dispatch sums them; its time is included). */
  splits: number;
  /** The op's own choice for this shape (false: a --compare alternative). */
  auto: boolean;
  ms: number;
  minMs: number;
  reps: number;
  gflops: number;
  maxAbsErr: number;
}

async function runCase(k: Kernels, c: Case, v: Variant, auto: boolean, args: Args): Promise<Row> {
  const device = k.device;
  const aLen = c.M * (c.biasGrad ? c.N : c.K);
  const a = randomData(aLen, 1);
  const b = c.biasGrad ? new Float32Array(4) : randomData(c.K * c.N, 2);
  const bias = randomData(c.N, 3);
  const bufs = {
    a: createStorage(device, a, 'a'),
    b: createStorage(device, b, 'b'),
    bias: createStorage(device, bias, 'bias'),
    out: createStorage(device, (c.biasGrad ? c.N : c.M * c.N) * 4, 'out'),
  };
  const shape = { M: c.M, N: c.N, K: c.K, transA: c.transA, transB: c.transB, ...v };
  const splitFloats = v.kernel === 'tiled' && v.splits > 1 ? splitKScratchFloats(k, shape) : 0;
  const scratch = splitFloats > 0 ? createStorage(device, splitFloats * 4, 'splitk') : undefined;
  // The timed dispatches have the case's flags; the checked ones are a single plain product (accumulating runs pile up).
  const build = (accumulate: boolean, db: GPUBuffer): Dispatch[] => {
    if (c.biasGrad) return [biasGrad(k, { dy: bufs.a, db, M: c.M, N: c.N, label: c.name })];
    const o = {
      ...shape,
      a: bufs.a,
      b: bufs.b,
      out: bufs.out,
      bias: c.bias ? bufs.bias : undefined,
      accumulate,
      label: c.name,
    };
    return scratch ? matmulSplitK(k, o, scratch) : [matmul(k, o)];
  };
  const ds = build(c.accumulate, bufs.out);
  const checkOut = c.biasGrad ? createStorage(device, c.N * 4, 'db') : bufs.out;
  runDispatches(device, build(false, checkOut));
  const got = await readF32(device, checkOut);
  if (checkOut !== bufs.out) checkOut.destroy();
  const maxAbsErr = spotCheck(c, a, b, bias, got);
  const t: Timing = await timeDispatches(device, ds, {
    targetMs: args.targetMs,
    method: args.wallClock ? 'wall-clock' : undefined,
  });
  for (const buf of [...Object.values(bufs), ...(scratch ? [scratch] : [])]) buf.destroy();
  const flops = c.biasGrad ? c.M * c.N : matmulFlops(c.M, c.N, c.K);
  const { biasGrad: _biasGrad, ...caseShape } = c;
  return {
    ...caseShape,
    kernel: ds[0].kernel,
    tile: c.biasGrad || v.kernel !== 'tiled' ? null : v.tile,
    splits: v.kernel === 'tiled' && ds.length > 1 ? v.splits : 1,
    auto,
    ms: t.ms,
    minMs: t.minMs,
    reps: t.reps,
    gflops: flops / (t.ms * 1e6),
    maxAbsErr,
  };
}

/** Per square size and layout, the fastest variant and (with a known peak) its share of the FP32 peak. */
function squareSummary(rows: readonly Row[], peakTflops: number) {
  const best = new Map<string, Row>();
  for (const r of rows.filter((x) => x.group === 'square')) {
    const key = r.name;
    const b = best.get(key);
    if (!b || r.gflops > b.gflops) best.set(key, r);
  }
  return [...best.values()].map((r) => ({
    n: r.M,
    ops: r.transB ? 'nt' : 'nn',
    variant: `${r.kernel}${r.tile === null ? '' : `/${r.tile}`}${r.splits > 1 ? ` k/${r.splits}` : ''}`,
    gflops: r.gflops,
    peakShare: peakTflops > 0 ? r.gflops / (peakTflops * 1000) : null,
  }));
}

function pad(s: string | number, n: number, right = false): string {
  const str = String(s);
  return right ? str.padEnd(n) : str.padStart(n);
}

function printRow(r: Row): void {
  const flags = `${r.transA ? 'T' : 'N'}${r.transB ? 'T' : 'N'}${r.bias ? '+b' : ''}${r.accumulate ? '+=' : ''}`;
  const name = r.kernel.replace('matmul.', '');
  const variant =
    name === 'bias_grad'
      ? ''
      : `${name}${r.tile === null ? '' : `/${r.tile}`}${r.splits > 1 ? ` k/${r.splits}` : ''}${r.auto ? '' : ' (alt)'}`;
  console.log(
    `${pad(r.group, 6, true)} ${pad(r.name, 20, true)} ${pad(r.M, 6)} ${pad(r.N, 6)} ${pad(r.K, 6)} ${pad(flags, 7, true)}` +
      ` ${pad(variant, 26, true)} ${pad(r.ms.toFixed(3), 10)} ${pad(r.gflops.toFixed(1), 9)} ${pad(r.maxAbsErr.toExponential(1), 8)}`,
  );
}

const gpu = await nodeGpu(['disable-dawn-features=timestamp_quantization']);
try {
  const args = parseArgs(process.argv.slice(2), gpu.summary.isFallbackAdapter);
  const tuning = adapterTuning(gpu.device, gpu.summary);
  const cpu = tuning.cpu ?? false;
  const kernels = new Kernels(gpu.device, tuning);
  const method = args.wallClock ? 'wall-clock' : timingMethod(gpu.device);
  console.log(`adapter: ${gpu.label}${gpu.summary.isFallbackAdapter ? ' (fallback)' : ''}; timing: ${method}`);
  console.log(
    `models: ${args.models.join(', ') || 'none'}; squares: ${args.sizes.join(', ') || 'none'}; compare: ${args.compare}`,
  );
  console.log(
    `${pad('group', 6, true)} ${pad('case', 20, true)} ${pad('M', 6)} ${pad('N', 6)} ${pad('K', 6)} ${pad('ops', 7, true)}` +
      ` ${pad('kernel/tile', 26, true)} ${pad('ms', 10)} ${pad('GFLOP/s', 9)} ${pad('err', 8)}`,
  );
  const cases = [...args.models.flatMap((m) => modelCases(m, MODELS[m])), ...args.sizes.flatMap(squareCases)];
  const rows: Row[] = [];
  for (const c of cases) {
    // Refuse shapes the device cannot run, up front.
    if (!c.biasGrad) planMatmul(gpu.device.limits, { ...c, kernel: cpu ? 'direct' : 'tiled' }, c.name);
    for (const [i, v] of variants(c, args.compare, cpu, tuning.subgroups !== undefined).entries()) {
      const row = await runCase(kernels, c, v, i === 0, args);
      rows.push(row);
      printRow(row);
    }
  }
  const slug = gpu.label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  mkdirSync(args.out, { recursive: true });
  const file = join(args.out, `kernels-${slug}.json`);
  const report = {
    tool: 'masklab kernel lab (bench/kernels.ts)',
    date: new Date().toISOString(),
    adapter: gpu.label,
    summary: gpu.summary,
    timing: method,
    args,
    note: 'GFLOP/s = 2*M*N*K / median time (bias_grad: M*N adds); err = max abs error of 64 sampled outputs vs float64',
    results: rows,
    squares: squareSummary(rows, args.fp32Peak),
  };
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
  console.log(`wrote ${file}`);
  // Last line: the results as one JSON object (bench/device.sh keeps it).
  for (const q of report.squares)
    console.log(
      `square ${q.n}^3 ${q.ops}: best ${(q.gflops / 1000).toFixed(2)} TFLOP/s (${q.variant})` +
        (q.peakShare === null ? '' : `, ${(100 * q.peakShare).toFixed(1)}% of the ${args.fp32Peak} TFLOP/s FP32 peak`),
    );
  console.log(
    JSON.stringify({
      adapter: gpu.label,
      timing: method,
      file,
      fp32_peak_tflops: args.fp32Peak || null,
      squares: report.squares,
      results: rows,
    }),
  );
} finally {
  gpu.close();
}

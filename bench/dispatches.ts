// Dispatches and bytes read and written per training step, analytic and untimed: the Trainer of each bench config
// (tiny, mini, small at bench/train.ts's batch shapes) is built for each kernel variant and fusion set, and its one
// step's dispatch list is counted (Dispatch.traffic, summed). Prints a table; writes bench/results/dispatches.json.
//   npm run bench:dispatches -- [--config tiny,mini,small] [--fusions none,all] [--kernels cpu,gpu] [--no-write]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../src/data/rng';
import { modelConfig, type ModelPreset } from '../src/engine/config';
import { fusionsName, parseFusions, type Fusion } from '../src/engine/fusion';
import { Kernels } from '../src/engine/kernels';
import { bertTensors, initParams, placeTensors } from '../src/engine/model/params';
import { nodeGpu } from '../src/engine/node/dawn';
import { Trainer } from '../src/engine/trainer';

/** bench/train.ts's shapes: V, B, and M = B * ceil(0.15 T) target rows. */
const CONFIGS: Record<string, { preset: ModelPreset; V: number; B: number }> = {
  tiny: { preset: 'tiny', V: 2048, B: 16 },
  mini: { preset: 'mini', V: 8192, B: 32 },
  small: { preset: 'small', V: 8192, B: 32 },
};

interface Row {
  config: string;
  kernels: 'cpu' | 'gpu';
  fusions: string;
  dispatches: number;
  bytes_read: number;
  bytes_written: number;
  /** Dispatches per kernel (shader.entry). */
  by_kernel: Record<string, number>;
}

function parse(argv: string[]) {
  const a = { configs: Object.keys(CONFIGS), fusions: ['none', 'all'], kernels: ['cpu', 'gpu'], write: true };
  for (let i = 0; i < argv.length; i++) {
    const v = () => (argv[++i] ?? '').split(',').filter((x) => x.length > 0);
    if (argv[i] === '--') continue;
    else if (argv[i] === '--config') a.configs = v();
    else if (argv[i] === '--fusions') a.fusions = v();
    else if (argv[i] === '--kernels') a.kernels = v();
    else if (argv[i] === '--no-write') a.write = false;
    else throw new Error(`unknown argument "${argv[i]}" (--config, --fusions, --kernels, --no-write)`);
  }
  for (const c of a.configs) if (!CONFIGS[c]) throw new Error(`unknown config "${c}"`);
  for (const k of a.kernels) if (k !== 'cpu' && k !== 'gpu') throw new Error(`--kernels takes cpu and gpu`);
  return { ...a, sets: a.fusions.map(parseFusions) };
}

function count(k: Kernels, name: string, fusions: readonly Fusion[]): Row {
  const { preset, V, B } = CONFIGS[name];
  const cfg = modelConfig(preset, V);
  const layout = placeTensors(bertTensors(cfg));
  const r = Rng.from('masklab-bench', 'init');
  const t = new Trainer(
    k.withTuning({ ...k.tuning, fusions }),
    cfg,
    initParams(layout, cfg.initStd, () => r.float()),
    {
      B,
      M: B * Math.ceil(0.15 * cfg.T),
      schedule: { lr: 1e-3, warmupSteps: 0, totalSteps: 1000, decay: 'constant', minRatio: 1 },
    },
  );
  try {
    const byKernel: Record<string, number> = {};
    for (const d of t.dispatches) byKernel[d.kernel] = (byKernel[d.kernel] ?? 0) + 1;
    const bytes = t.trafficPerStep;
    return {
      config: name,
      kernels: k.tuning.cpu ? 'cpu' : 'gpu',
      fusions: fusionsName(fusions),
      dispatches: t.dispatchesPerStep,
      bytes_read: bytes.read,
      bytes_written: bytes.write,
      by_kernel: byKernel,
    };
  } finally {
    t.destroy();
  }
}

const args = parse(process.argv.slice(2));
const gpu = await nodeGpu();
const rows: Row[] = [];
try {
  for (const kind of args.kernels) {
    const k = new Kernels(gpu.device, { cpu: kind === 'cpu' });
    for (const c of args.configs) for (const set of args.sets) rows.push(count(k, c, set));
  }
} finally {
  gpu.close();
}
const mb = (b: number) => (b / 1e6).toFixed(2);
console.log('config  kernels  fusions  dispatches  MB read  MB written  (vs the first fusion set)');
for (const r of rows) {
  const first = rows.find((x) => x.config === r.config && x.kernels === r.kernels)!;
  const pct = (a: number, b: number) => `${(100 * (a / b - 1)).toFixed(1)}%`;
  console.log(
    `${r.config.padEnd(7)} ${r.kernels.padEnd(8)} ${r.fusions.padEnd(8)} ${String(r.dispatches).padStart(10)} ${mb(r.bytes_read).padStart(8)} ${mb(r.bytes_written).padStart(11)}` +
      (r === first
        ? ''
        : `  (${pct(r.dispatches, first.dispatches)}, ${pct(r.bytes_read, first.bytes_read)}, ${pct(r.bytes_written, first.bytes_written)})`),
  );
}
if (args.write) {
  const out = {
    tool: 'masklab dispatches and bytes per training step (bench/dispatches.ts)',
    date: new Date().toISOString(),
    adapter: gpu.label,
    notes:
      "analytic: one training step's dispatch list as the Trainer builds it; bytes are the sum of each dispatch's own count (every tensor element a kernel reads or writes, once: Dispatch.traffic), no timing; kernels cpu = the CPU-adapter variants (SwiftShader), gpu = the tiled GPU variants",
    rows,
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(join('bench/results', 'dispatches.json'), JSON.stringify(out, null, 2) + '\n');
  console.log('wrote bench/results/dispatches.json');
}

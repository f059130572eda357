// Kernel variants per role, side by side: each role's work of a training step (src/engine/autotune/workloads.ts) at
// a model's shapes, built once per variant and run in interleaved rounds; per variant the median GPU time (a
// timestamp pair around the role's dispatches in one pass) and, in Node, the median CPU time the process spent (on
// a software adapter the CPU time is the work itself, far steadier than wall time on a shared machine). Prints a
// table with ratios to the adapter's default variant; writes bench/results/variants-<adapter>.json.
//   npm run bench:variants -- [--config tiny,mini] [--roles xent,matmul] [--rounds 9] [--fraction 1] [--out DIR]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { roleWorkload, type TuneShape } from '../src/engine/autotune/workloads';
import { isCpuAdapter } from '../src/engine/gpu';
import {
  adapterTuning,
  defaultVariant,
  isSubgroupVariant,
  Kernels,
  KERNEL_ROLES,
  ROLE_VARIANTS,
  type KernelRole,
} from '../src/engine/kernels';
import { nodeGpu } from '../src/engine/node/dawn';
import { PassTimer } from '../src/engine/profile';

const SHAPES: Record<string, TuneShape> = {
  tiny: { model: { L: 2, C: 64, NH: 2, F: 256, T: 64, V: 2048 }, B: 16, M: 160 },
  mini: { model: { L: 4, C: 256, NH: 4, F: 1024, T: 128, V: 8192 }, B: 32, M: 640 },
  small: { model: { L: 6, C: 512, NH: 8, F: 2048, T: 128, V: 8192 }, B: 32, M: 640 },
};

interface Args {
  configs: string[];
  roles: KernelRole[];
  rounds: number;
  fraction: number;
  out: string;
}

function parse(argv: string[]): Args {
  const a: Args = { configs: ['tiny'], roles: [...KERNEL_ROLES], rounds: 9, fraction: 1, out: 'bench/results' };
  for (let i = 0; i < argv.length; i++) {
    const v = () => argv[++i] ?? '';
    const x = argv[i];
    if (x === '--') continue;
    else if (x === '--config') a.configs = v().split(',');
    else if (x === '--roles') a.roles = v().split(',') as KernelRole[];
    else if (x === '--rounds') a.rounds = Number(v());
    else if (x === '--fraction') a.fraction = Number(v());
    else if (x === '--out') a.out = v();
    else throw new Error(`unknown argument ${x}; use --config --roles --rounds --fraction --out`);
  }
  for (const c of a.configs) if (!SHAPES[c]) throw new Error(`unknown config ${c} (${Object.keys(SHAPES).join(', ')})`);
  for (const r of a.roles)
    if (!KERNEL_ROLES.includes(r)) throw new Error(`unknown role ${r} (${KERNEL_ROLES.join(', ')})`);
  if (!(Number.isInteger(a.rounds) && a.rounds >= 1)) throw new Error('--rounds needs an integer >= 1');
  if (!(a.fraction > 0 && a.fraction <= 1)) throw new Error('--fraction needs a number in (0, 1]');
  return a;
}

const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];

const args = parse(process.argv.slice(2));
const gpu = await nodeGpu(['disable-dawn-features=timestamp_quantization']);
const device = gpu.device;
const base = adapterTuning(gpu.device, gpu.summary);
const cpu = isCpuAdapter(gpu.summary);
const timer = new PassTimer(device, 1);
const results: Record<string, unknown>[] = [];

/** One run of the list in one pass: GPU ms from the timestamps, CPU ms of this process. */
async function once(list: readonly { pipeline: GPUComputePipeline; bindGroup: GPUBindGroup; workgroups: number[] }[]) {
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass({ timestampWrites: timer.timestampWrites(0) });
  for (const d of list) {
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.bindGroup);
    pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
  }
  pass.end();
  timer.resolve(enc, 1);
  const c0 = process.cpuUsage();
  device.queue.submit([enc.finish()]);
  const gpuMs = (await timer.read(1))[0];
  const c = process.cpuUsage(c0);
  return { gpuMs, cpuMs: (c.user + c.system) / 1000 };
}

console.log(`adapter: ${gpu.label}; default variants: ${cpu ? 'CPU adapter' : 'GPU'}; ${args.rounds} rounds`);
try {
  for (const config of args.configs) {
    const shape = SHAPES[config];
    for (const role of args.roles) {
      const variants = ROLE_VARIANTS[role].filter((v) => !isSubgroupVariant(v) || base.subgroups);
      const built = variants.map((v) => ({
        v,
        w: roleWorkload(new Kernels(device, { ...base, choice: { [role]: v } }), role, shape, args.fraction),
        gpu: [] as number[],
        cpu: [] as number[],
      }));
      for (const b of built) await once(b.w.dispatches); // pipelines compiled, caches warm
      for (let r = 0; r < args.rounds; r++)
        for (const b of built) {
          const t = await once(b.w.dispatches);
          b.gpu.push(t.gpuMs);
          b.cpu.push(t.cpuMs);
        }
      const def = built.find((b) => b.v === defaultVariant(role, cpu)) ?? built[0];
      const rows = built.map((b) => ({
        variant: b.v,
        gpu_ms: median(b.gpu),
        cpu_ms: median(b.cpu),
        gpu_ratio: median(b.gpu) / median(def.gpu),
        cpu_ratio: median(b.cpu) / median(def.cpu),
      }));
      for (const b of built) b.w.release();
      console.log(`${config} ${role} (rows x${built[0].w.fraction.toFixed(3)}, default ${def.v}):`);
      for (const x of rows)
        console.log(
          `  ${x.variant.padEnd(16)} GPU ${x.gpu_ms.toFixed(2).padStart(9)} ms (x${x.gpu_ratio.toFixed(2)})` +
            `  CPU ${x.cpu_ms.toFixed(2).padStart(9)} ms (x${x.cpu_ratio.toFixed(2)})`,
        );
      results.push({
        config,
        role,
        fraction: built[0].w.fraction,
        default: def.v,
        rounds: args.rounds,
        variants: rows,
      });
    }
  }
} finally {
  timer.destroy();
  gpu.close();
}
const slug = gpu.label
  .toLowerCase()
  .replace(/[^a-z0-9]+/g, '-')
  .replace(/^-+|-+$/g, '');
mkdirSync(args.out, { recursive: true });
const file = join(args.out, `variants-${slug}.json`);
writeFileSync(
  file,
  JSON.stringify({ adapter: gpu.label, date: new Date().toISOString(), args, results }, null, 2) + '\n',
);
console.log(`wrote ${file}`);

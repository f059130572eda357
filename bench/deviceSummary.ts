// The figures of one `bash bench/device.sh` run in one place: reads the parts' JSON files in a folder (selfcheck,
// train, kernels, pytorch, and any other part's) and writes summary.md (the tables the README's GPU section takes)
// and summary.json: matmul TFLOP/s at the squares against the FP32 peak, ms per step and tokens/s of tiny / mini /
// small per fusion set against PyTorch eager, torch.compile and CUDA graphs on the same GPU, what the autotuner
// chose, the self-test's verdict, and each part's time. Bundled as dist-bench/summary.mjs.
//   node dist-bench/summary.mjs DIR [--gpu NAME] [--fp32-peak TFLOPS]
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface Part {
  part: string;
  stopped?: boolean;
  skipped?: string;
  rc?: number;
  seconds?: number;
  share_s?: number;
  result?: Record<string, unknown> | null;
}

interface TrainRow {
  config: string;
  /** The fusion set (bench --fusions; one row per config and set). */
  fusions?: string;
  /** ms/step against the first fusion set's, the median of the interleaved repeats. */
  ms_ratio_to_first?: number;
  ms_per_step: number;
  tokens_per_s: number;
  dispatches_per_step: number;
  autotune?: { ms: number; cached: boolean; choice: Record<string, string>; pending: string[] };
}

interface TorchRow {
  config: string;
  mode: string;
  head: string;
  ms_per_step: number;
  tokens_per_s: number;
}

interface Square {
  n: number;
  ops: string;
  variant: string;
  gflops: number;
  peakShare: number | null;
}

const ROLES = ['matmul', 'attention', 'layernorm', 'softmax', 'xent', 'grad_norm'];
const MODES = ['eager', 'compile', 'cudagraphs'];

function parse(argv: string[]): { dir: string; gpu?: string; peak: number } {
  const o: { dir: string; gpu?: string; peak: number } = { dir: '', peak: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') continue;
    else if (a === '--gpu') o.gpu = argv[++i];
    else if (a === '--fp32-peak') o.peak = Number(argv[++i]) || 0;
    else if (!o.dir) o.dir = a;
    else throw new Error(`unknown argument ${a}; use DIR [--gpu NAME] [--fp32-peak TFLOPS]`);
  }
  if (!o.dir || !existsSync(o.dir)) throw new Error(`no folder "${o.dir}": give the folder bench/device.sh wrote to`);
  return o;
}

function readParts(dir: string): Map<string, Part> {
  const parts = new Map<string, Part>();
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json') && x !== 'summary.json')) {
    try {
      const p = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Part;
      if (typeof p.part === 'string') parts.set(p.part, p);
    } catch {
      // Not a part's file (a full report the part wrote beside it).
    }
  }
  return parts;
}

const n = (x: number | undefined, d = 1) =>
  x === undefined || !Number.isFinite(x)
    ? '–'
    : x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

function table(head: string[], rows: string[][]): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

function partStatus(p: Part): string {
  if (p.skipped) return `skipped: ${p.skipped}`;
  if (p.stopped) return `stopped after ${p.seconds ?? '?'} s (its share ${p.share_s ?? '?'} s)`;
  return `${p.rc === 0 ? 'done' : `exit ${p.rc}`} in ${p.seconds ?? '?'} s`;
}

function matmulSection(k: Part | undefined, peak: number): string[] {
  const squares = (k?.result?.squares as Square[] | undefined) ?? [];
  if (squares.length === 0) return ['No square products were timed (the kernel lab did not finish).'];
  const p = peak || Number(k?.result?.fp32_peak_tflops ?? 0);
  return table(
    ['n (n x n x n)', 'layout', 'fastest variant', 'TFLOP/s', p ? `share of FP32 peak (${p} TFLOP/s)` : 'FP32 peak'],
    squares.map((q) => [
      String(q.n),
      q.ops,
      q.variant,
      n(q.gflops / 1000, 2),
      p ? `${n((100 * q.gflops) / (p * 1000))}%` : 'unknown GPU: pass --fp32-peak',
    ]),
  );
}

function stepSection(train: TrainRow[], torch: TorchRow[]): string[] {
  const pt = (config: string, mode: string) =>
    torch.find((t) => t.config === config && t.mode === mode && t.head === 'gathered');
  return table(
    [
      'config',
      'fusions',
      'MaskLab ms/step',
      'vs first set',
      'tokens/s',
      'dispatches',
      ...MODES.map((m) => `PyTorch ${m} ms/step (tokens/s)`),
      'MaskLab / eager time',
    ],
    train.map((r) => {
      const eager = pt(r.config, 'eager');
      return [
        r.config,
        r.fusions ?? 'all',
        n(r.ms_per_step, 2),
        r.ms_ratio_to_first === undefined ? '–' : `${n(r.ms_ratio_to_first, 3)}x`,
        n(r.tokens_per_s, 0),
        String(r.dispatches_per_step),
        ...MODES.map((m) => {
          const t = pt(r.config, m);
          return t ? `${n(t.ms_per_step, 2)} (${n(t.tokens_per_s, 0)})` : '–';
        }),
        eager ? `${n(r.ms_per_step / eager.ms_per_step, 2)}x` : '–',
      ];
    }),
  );
}

function autotuneSection(train: TrainRow[]): string[] {
  // One tuning per config, shared by its fusion sets.
  const tuned = train.filter((r, i) => r.autotune && train.findIndex((x) => x.config === r.config) === i);
  if (tuned.length === 0) return ['The training bench ran without --autotune.'];
  return table(
    ['config', 'tuning s', ...ROLES, 'pending'],
    tuned.map((r) => [
      r.config,
      `${n(r.autotune!.ms / 1000, 2)}${r.autotune!.cached ? ' (kept)' : ''}`,
      ...ROLES.map((role) => r.autotune!.choice[role] ?? '–'),
      r.autotune!.pending.join(', ') || 'none',
    ]),
  );
}

const o = parse(process.argv.slice(2));
const parts = readParts(o.dir);
const train = ((parts.get('train')?.result?.results as TrainRow[] | undefined) ?? []).filter((r) => r.config);
const torch = (parts.get('pytorch')?.result?.results as TorchRow[] | undefined) ?? [];
const self = parts.get('selfcheck')?.result as { pass?: boolean; failedKernels?: string[]; cases?: unknown[] } | null;
const adapter = String(parts.get('train')?.result?.adapter ?? parts.get('kernels')?.result?.adapter ?? 'unknown');
const gpuName = o.gpu ?? String(parts.get('pytorch')?.result?.device ?? adapter);
const lines = [
  `## ${gpuName}: bash bench/device.sh (${new Date().toISOString().slice(0, 10)})`,
  '',
  `WebGPU adapter (Dawn): ${adapter}.`,
  '',
  '### Parts',
  ...table(
    ['part', 'status'],
    [...parts.values()].map((p) => [p.part, partStatus(p)]),
  ),
  '',
  '### Matrix products (kernel lab)',
  ...matmulSection(parts.get('kernels'), o.peak),
  '',
  '### A training step: MaskLab against PyTorch on the same GPU (gathered MLM head)',
  ...stepSection(train, torch),
  '',
  '### What the autotuner chose',
  ...autotuneSection(train),
  '',
  '### Kernel self-test',
  self
    ? `${self.pass ? 'Every case passed' : `FAILED kernels: ${(self.failedKernels ?? []).join(', ')}`} (${self.cases?.length ?? 0} runs).`
    : 'No self-test result.',
  '',
];
writeFileSync(join(o.dir, 'summary.md'), lines.join('\n'));
writeFileSync(
  join(o.dir, 'summary.json'),
  JSON.stringify(
    {
      gpu: gpuName,
      adapter,
      fp32_peak_tflops: o.peak || null,
      train,
      torch,
      parts: [...parts.values()].map((p) => ({ ...p, result: undefined })),
    },
    null,
    1,
  ),
);
console.log(lines.join('\n'));

// Node driver of the browser benchmark: builds bench/browser with Vite, serves it on localhost, runs it in headless
// Chromium with WebGPU, prints a table and, as the last stdout line, the result as JSON (also written to
// bench/results/tfjs-<config>-<adapter>.json).  Run: npm run bench:tfjs -- --config tiny [--steps 5] [--json]
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { build, preview } from 'vite';
import type { BenchRequest, BenchResult, SideName } from './protocol';

const HELP = `usage: npm run bench:tfjs -- [--config tiny|mini] [--steps N] [--warmup N] [--repeats N]
  [--sides ours,tfjs] [--verify | --no-verify] [--lr X] [--seed S] [--no-write] [--json]
  --verify compares each side's first-step loss with the CPU reference (default on for tiny).
  CHROME_PATH overrides /usr/bin/chromium.`;

interface Args {
  req: BenchRequest;
  json: boolean;
  write: boolean;
}

function parseArgs(argv: string[]): Args {
  const opts = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') continue;
    if (a === '--help' || a === '-h') {
      console.log(HELP);
      process.exit(0);
    }
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}"\n${HELP}`);
    const [name, inline] = a.slice(2).split('=', 2);
    if (['json', 'verify', 'no-verify', 'no-write'].includes(name)) flags.add(name);
    else if (inline !== undefined) opts.set(name, inline);
    else if (i + 1 < argv.length) opts.set(name, argv[++i]);
    else throw new Error(`--${name} needs a value\n${HELP}`);
  }
  const known = ['config', 'steps', 'warmup', 'repeats', 'sides', 'lr', 'seed', 'batches'];
  for (const k of opts.keys()) if (!known.includes(k)) throw new Error(`unknown option --${k}\n${HELP}`);
  const config = opts.get('config') ?? 'tiny';
  const mini = config === 'mini';
  const int = (k: string, d: number, min: number) => {
    const v = Number(opts.get(k) ?? d);
    if (!Number.isInteger(v) || v < min) throw new Error(`--${k} must be an integer >= ${min} (got ${opts.get(k)})`);
    return v;
  };
  const sides = (opts.get('sides') ?? 'ours,tfjs').split(',').map((s) => s.trim()) as SideName[];
  for (const s of sides)
    if (s !== 'ours' && s !== 'tfjs') throw new Error(`--sides takes ours and/or tfjs (got "${s}")`);
  const lr = Number(opts.get('lr') ?? 1e-3);
  if (!(lr > 0)) throw new Error(`--lr must be > 0`);
  return {
    req: {
      config,
      steps: int('steps', mini ? 1 : 5, 1),
      warmup: int('warmup', mini ? 1 : 2, 1),
      repeats: int('repeats', mini ? 1 : 3, 1),
      batches: int('batches', 4, 1),
      verify: flags.has('verify') || (!flags.has('no-verify') && !mini),
      sides,
      seed: opts.get('seed') ?? 'masklab-bench',
      lr,
    },
    json: flags.has('json'),
    write: !flags.has('no-write'),
  };
}

const CHROME_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-angle=swiftshader',
  '--use-vulkan=swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'unknown'
  );
}

function table(r: BenchResult): string {
  const rows: string[][] = [['side', 'ms/step', 'tokens/s', 'first loss', 'repeats (ms/step)']];
  for (const side of ['ours', 'tfjs'] as const) {
    const s = r[side];
    if (!s) continue;
    const name = side === 'ours' ? 'MaskLab engine' : `TF.js ${s.info.version} ${s.info.backend}`;
    rows.push([
      name,
      s.ms_per_step.toFixed(1),
      s.tokens_per_s.toFixed(0),
      s.first_loss.toFixed(6),
      s.repeats_ms.map((x) => x.toFixed(1)).join(' '),
    ]);
  }
  const w = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const lines = rows.map((row) => row.map((cell, c) => cell.padEnd(w[c])).join('  '));
  const m = r.model;
  const head = `${r.config} (L${m.L} C${m.C} NH${m.NH} F${m.F} T${m.T} B${r.B} V${m.V}, ${r.M} targets) on ${r.adapter}: ${r.warmup} warmup, ${r.repeats} x ${r.steps} timed steps`;
  const tail: string[] = [];
  if (r.ratio !== undefined) tail.push(`ratio (ours / tfjs tokens per second): ${r.ratio.toFixed(2)}`);
  const c = r.check;
  if (c.reference_first_loss !== undefined) {
    tail.push(
      `first-step loss: CPU reference ${c.reference_first_loss.toFixed(6)}` +
        (c.ours_first_loss_error !== undefined ? `, |ours - ref| ${c.ours_first_loss_error.toExponential(2)}` : '') +
        (c.tfjs_first_loss_error !== undefined ? `, |tfjs - ref| ${c.tfjs_first_loss_error.toExponential(2)}` : ''),
    );
  }
  if (c.max_loss_curve_diff !== undefined)
    tail.push(
      `max |loss_ours - loss_tfjs| over ${Math.min(r.ours!.losses.length, r.tfjs!.losses.length)} steps: ${c.max_loss_curve_diff.toExponential(2)}`,
    );
  return [head, ...lines, ...tail].join('\n');
}

async function main(): Promise<void> {
  const { req, json, write } = parseArgs(process.argv.slice(2));
  const configFile = fileURLToPath(new URL('./vite.config.ts', import.meta.url));
  const t0 = performance.now();
  await build({ configFile });
  console.error(`[driver] page built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const server = await preview({ configFile, preview: { port: 0, host: '127.0.0.1', strictPort: false, open: false } });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview reported no local URL');
  const executablePath = process.env.CHROME_PATH ?? '/usr/bin/chromium';
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROME_ARGS });
  let result: BenchResult;
  try {
    const page = await browser.newPage();
    page.on('console', (m) => console.error(`[page] ${m.text()}`));
    page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', undefined, {
      timeout: 60_000,
    });
    const hasGpu = await page.evaluate(() => 'gpu' in navigator);
    if (!hasGpu)
      throw new Error(`${executablePath} exposes no navigator.gpu with these flags: ${CHROME_ARGS.join(' ')}`);
    result = await page.evaluate((r) => window.masklabBench.run(r), req);
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
  }
  console.log(table(result));
  if (write) {
    const dir = fileURLToPath(new URL('../results/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    const file = `${dir}tfjs-${result.config}-${slug(result.adapter)}.json`;
    writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
    console.error(`[driver] wrote ${file}`);
  }
  // --json: the last stdout line is one JSON object (without the per-step loss arrays, which the file keeps).
  const { ours, tfjs, ...rest } = result;
  const brief = (s: typeof ours) => (s ? (({ losses: _losses, ...x }) => x)(s) : undefined);
  const line = JSON.stringify({ ...rest, ours: brief(ours), tfjs: brief(tfjs) });
  if (json) console.log(line);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});

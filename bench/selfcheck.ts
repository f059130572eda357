// The kernel self-test in Node (the page's "Test the kernels on this GPU"): every shared kernel case on this
// adapter, both variants, then the whole-model curve. Progress on stderr; with --json the last stdout line is JSON
// (adapter, per case pass/fail, max error, tolerance, time, and the autotuner's kept choices for this adapter from
// its file). Bundled as dist-bench/selfcheck.mjs (needs only webgpu).
//   npx vite-node bench/selfcheck.ts -- [--json] [--filter TEXT] [--max-size N] [--variants adapter|both] [--out DIR]
//     [--autotune-file FILE]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeGpu } from '../src/engine/node/dawn';
import { failureLines, runSelfTest, type SelfTestOptions } from '../src/engine/selftest/run';
import { keptResults } from '../src/engine/autotune/cache';
import { describeChoice } from '../src/engine/autotune/tune';
import { fileTuneStore } from '../src/engine/node/tuneStore';

const o: SelfTestOptions = {};
let json = false;
let out: string | undefined;
let tuneFile: string | undefined;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--') continue;
  else if (a === '--json') json = true;
  else if (a === '--filter') o.filter = argv[++i];
  else if (a === '--max-size') o.maxSize = Number(argv[++i]);
  else if (a === '--variants') o.variants = argv[++i] === 'adapter' ? 'adapter' : 'both';
  else if (a === '--out') out = argv[++i];
  else if (a === '--autotune-file') tuneFile = argv[++i];
  else {
    console.error(
      `unknown argument ${a}; use --json --filter TEXT --max-size N --variants adapter|both --out DIR --autotune-file FILE`,
    );
    process.exit(2);
  }
}
if (o.maxSize !== undefined && !(o.maxSize > 0)) {
  console.error('--max-size needs a positive number of elements');
  process.exit(2);
}

const gpu = await nodeGpu();
try {
  console.error(`self-test on ${gpu.label}${gpu.summary.isFallbackAdapter ? ' (fallback)' : ''}`);
  const tested = await runSelfTest(gpu.device, gpu.summary, {
    ...o,
    onProgress: ({ done, total, result: r }) =>
      console.error(
        `[${done}/${total}] ${r.pass ? 'pass' : 'FAIL'} ${r.id} [${r.variant}] max err ${r.maxAbs.toExponential(2)} (atol ${r.atol}) ${r.ms.toFixed(0)} ms`,
      ),
  });
  // The autotuner's choices kept for this adapter (`npm run bench -- --autotune` writes them), as the page's report has.
  const report = { ...tested, autotune: await keptResults(fileTuneStore(tuneFile), gpu.summary) };
  for (const t of report.autotune) console.error(`autotune ${describeChoice(t)}`);
  for (const line of failureLines(report)) console.error(`FAILED ${line}`);
  console.error(
    `${report.pass ? 'PASS' : 'FAIL'}: ${report.results.filter((r) => r.pass).length}/${report.results.length} runs, ` +
      `${report.kernels.length} kernels, ${(report.ms / 1000).toFixed(1)} s` +
      (report.failedKernels.length ? `; failed kernels: ${report.failedKernels.join(', ')}` : ''),
  );
  if (out) {
    mkdirSync(out, { recursive: true });
    const slug = gpu.label
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '');
    writeFileSync(join(out, `selfcheck-${slug}.json`), JSON.stringify(report, null, 1));
  }
  if (json) {
    const cases = report.results.map((r) => ({
      id: r.id,
      variant: r.variant,
      pass: r.pass,
      maxAbs: r.maxAbs,
      atol: r.atol,
      rtol: r.rtol,
      ms: Math.round(r.ms),
      kernels: r.kernels,
    }));
    console.log(
      JSON.stringify({
        adapter: { label: gpu.label, ...report.adapter },
        pass: report.pass,
        ms: Math.round(report.ms),
        failedKernels: report.failedKernels,
        autotune: report.autotune.map((t) => ({ key: t.key, shape: t.shape, choice: t.choice, ms: Math.round(t.ms) })),
        cases,
      }),
    );
  }
  process.exitCode = report.pass ? 0 : 1;
} finally {
  gpu.close();
}

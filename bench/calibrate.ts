// Calibration benchmark (not a test): K A/A comparisons on MaskLab's engine, one scheme against itself on disjoint
// seed sets (seeds 1-3 against 4-6, then 7-9 against 10-12, ...), everything else equal, on the toy-language class
// preset at a small budget, through the comparison's own code (runs, probes, summarize's paired verdicts). Reports
// how often a verdict reads better or worse when nothing differs, with K, the budget and the Monte Carlo error, in
// bench/results/calibrate-<adapter>.json (rewritten after every comparison, so a long run keeps what it measured).
//   npm run bench:calibrate                                   # K = 4, 3 seeds a side, 40 steps
//   npm run bench:calibrate -- --comparisons 2 --steps 20 --probe-steps 5 --downstream-sequences 200
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { toyLanguageOf } from '../src/data/toyLanguage';
import { isCpuAdapter } from '../src/engine/gpu';
import { Kernels } from '../src/engine/kernels';
import { nodeGpu } from '../src/engine/node/dawn';
import type { MaskingConfig } from '../src/masking/types';
import { newComparison, schemeLabel, type ComparisonRecord } from '../src/session/comparisonRecord';
import { ComparisonDriver, engineExecutor } from '../src/session/comparisonDriver';
import { pairedDifferences, summarize } from '../src/session/comparisonSummary';
import { DEFAULT_PROBE_BUDGET } from '../src/session/probes';
import { classPreset } from '../src/session/presets';
import { CHANCE_VERDICT_RATE } from '../src/session/stats';

const a = parseArgs({
  args: process.argv.slice(2).filter((x) => x !== '--'),
  options: {
    comparisons: { type: 'string', default: '4' },
    seeds: { type: 'string', default: '3' },
    steps: { type: 'string', default: '40' },
    'probe-steps': { type: 'string', default: '10' },
    'downstream-sequences': { type: 'string', default: '400' },
    out: { type: 'string' },
  },
}).values;
const int = (name: string, v: string | undefined, min = 1) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got "${v}"`);
  return n;
};
const K = int('comparisons', a.comparisons);
const S = int('seeds', a.seeds, 2);
const steps = int('steps', a.steps);
const budget = {
  ...DEFAULT_PROBE_BUDGET,
  mlmSteps: int('probe-steps', a['probe-steps']),
  mlmWarmup: 1,
  downstreamSequences: int('downstream-sequences', a['downstream-sequences'], 4),
};

const base = classPreset('toy-language').config();
base.train = { ...base.train, steps, warmup: Math.min(base.train.warmup, Math.floor(steps / 10)), evalEvery: steps };
const scheme: MaskingConfig = structuredClone(base.masking);
const text = toyLanguageOf(base.corpus).text;
const gpu = await nodeGpu();
const k = new Kernels(gpu.device, { cpu: isCpuAdapter(gpu.summary) });
const log = (s: string) => process.stderr.write(s + '\n');
const slug = gpu.label.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
const out = a.out ?? `bench/results/calibrate-${slug}.json`;
log(`bench:calibrate: ${K} A/A comparisons of ${schemeLabel(scheme)}, ${S} seeds a side, ${steps} steps; ${gpu.label}`);

interface Verdicts {
  made: number;
  betterOrWorse: number;
}
const comparisons: Record<string, unknown>[] = [];
const total: Verdicts = { made: 0, betterOrWorse: 0 };
const t0 = performance.now();
for (let c = 0; c < K; c++) {
  const first = 1 + 2 * S * c;
  const left = Array.from({ length: S }, (_, i) => first + i);
  const right = Array.from({ length: S }, (_, i) => first + S + i);
  const rec = newComparison({
    name: `A/A ${c + 1}`,
    base,
    schemes: [scheme, scheme],
    seeds: [...left, ...right],
    budget,
    probeText: '',
  });
  // Scheme 0 trains on the left seeds, its copy on the right ones: no run is shared.
  rec.entries = rec.entries.filter((e) => (e.scheme === 0 ? left : right).includes(e.seed));
  const tc = performance.now();
  const done = await new ComparisonDriver(rec, engineExecutor(k, gpu.summary, text, log), {
    commit: (r) => r,
    log,
  }).run();
  // Pair the i-th left seed with the i-th right seed, as a comparison pairs its seeds (their test sets differ).
  const paired: Pick<ComparisonRecord, 'schemes' | 'entries'> = {
    schemes: rec.schemes,
    entries: done.entries.map((e) => (e.scheme === 1 ? { ...e, seed: left[right.indexOf(e.seed)] } : e)),
  };
  const rows = summarize(paired);
  const diffs = pairedDifferences(rows);
  const got = diffs.filter((d) => d.verdict !== null);
  const bw = got.filter((d) => d.verdict === 'better' || d.verdict === 'worse').length;
  total.made += got.length;
  total.betterOrWorse += bw;
  const figures = [
    ['probe loss', rows[1].pairedLoss],
    ['probe accuracy', rows[1].pairedAccuracy],
    ...rows[1].tasks.map((t) => [t.id, t.paired] as const),
  ] as const;
  comparisons.push({
    seeds: { left, right },
    failed: done.entries.filter((e) => e.state !== 'done').length,
    seconds: Math.round((performance.now() - tc) / 1000),
    verdicts: Object.fromEntries(
      figures.map(([name, d]) => [
        name,
        d ? { mean: d.mean, lo: d.lo, hi: d.hi, seeds: d.n, basis: d.basis, verdict: d.verdict } : null,
      ]),
    ),
  });
  const rate = total.made ? total.betterOrWorse / total.made : NaN;
  // Binomial standard error at the measured rate (at 5% when none was seen), verdicts taken as independent (those
  // of one comparison share its runs, so the true error is somewhat larger).
  const se = total.made
    ? Math.sqrt((Math.max(rate, CHANCE_VERDICT_RATE) * (1 - Math.max(rate, CHANCE_VERDICT_RATE))) / total.made)
    : NaN;
  const result = {
    bench: 'calibrate',
    adapter: gpu.label,
    preset: 'toy-language',
    scheme: schemeLabel(scheme),
    comparisons_planned: K,
    comparisons_done: comparisons.length,
    seeds_per_side: S,
    budget: {
      steps,
      batch: base.train.B,
      T: rec.base.model.overrides?.T,
      tokens_per_run: steps * base.train.B * (rec.base.model.overrides?.T ?? 0),
      probe_steps: budget.mlmSteps,
      downstream_sequences: budget.downstreamSequences,
    },
    verdicts_made: total.made,
    better_or_worse: total.betterOrWorse,
    false_alarm_rate: rate,
    monte_carlo_se: se,
    nominal_rate: CHANCE_VERDICT_RATE,
    seconds: Math.round((performance.now() - t0) / 1000),
    comparisons,
  };
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 1) + '\n');
  log(
    `comparison ${c + 1}/${K}: ${bw} of ${got.length} verdicts better/worse; so far ${total.betterOrWorse} of ${total.made} ` +
      `(${(100 * rate).toFixed(1)}% +- ${(100 * se).toFixed(1)}); ${out}`,
  );
}
console.log(JSON.stringify({ comparisons: K, verdicts: total.made, better_or_worse: total.betterOrWorse, out }));

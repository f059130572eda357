// Runs a comparison of masking schemes in Node on Dawn (a real GPU when there is one, SwiftShader otherwise), with
// the page's comparison code (plan, probes, summary, paired verdicts, CSV/JSON export). Progress and a results
// table on stderr; with --json the last stdout line is the report (per run and per scheme).
//   npm run compare -- --schemes random/mlm,random/rts --seeds 2 --steps 20 --json
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CORPORA, loadCorpus, type CorpusId } from '../src/data/corpora';
import { MODEL_PRESETS, type ModelPreset } from '../src/engine/config';
import { isCpuAdapter } from '../src/engine/gpu';
import { Kernels } from '../src/engine/kernels';
import { nodeGpu } from '../src/engine/node/dawn';
import { getObjective, getStrategy, STRATEGY_IDS, OBJECTIVE_IDS } from '../src/masking';
import type { MaskingConfig, ObjectiveId, StrategyId } from '../src/masking/types';
import { comparisonToCsv, comparisonToJson } from '../src/session/comparisonExport';
import { COMPARISON_PRESETS } from '../src/session/comparisonPresets';
import { duplicateSchemes, newComparison, schemeLabel, seedList } from '../src/session/comparisonRecord';
import { comparisonReport, comparisonTable } from '../src/session/comparisonReport';
import { ComparisonDriver, engineExecutor } from '../src/session/comparisonDriver';
import { defaultExperiment } from '../src/session/config';
import { DEFAULT_PROBE_BUDGET } from '../src/session/probes';
import { describeBudget, fmtAmount, resolveBudget, type ComputeBudget } from '../src/session/computeBudget';

const USAGE = `usage: npm run compare -- (--preset ${COMPARISON_PRESETS.map((p) => p.id).join('|')} | --schemes strategy/objective[@rate],...)
       [--seeds N] [--steps N] [--model ${Object.keys(MODEL_PRESETS).join('|')}] [--corpus ${CORPORA.map((c) => c.id).join('|')}]
       [--batch B] [--budget-tokens N | --budget-flops N | --equal-flops] [--probe-steps N] [--downstream-sequences N]
       [--quick | --full-probes] [--reference I] [--json] [--csv FILE] [--out FILE.json]
  budget: --steps N per run (default), --budget-tokens N per run, --budget-flops N per run (each scheme the steps it
    affords at its own FLOPs per step), --equal-flops (the reference scheme's --steps set the FLOPs).
  probes: the shared probe trains min(100, max(10, steps)) steps (never much longer than the run); --quick: 10 probe
    steps and 24 downstream sequences (a few hundred test examples per task: wide intervals, flagged in the results);
    on a software adapter (SwiftShader) --quick is the default unless --full-probes or a probe flag is given.
  strategies: ${STRATEGY_IDS.join(', ')}
  objectives: ${OBJECTIVE_IDS.join(', ')}`;

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

let a;
try {
  a = parseArgs({
    options: {
      preset: { type: 'string' },
      schemes: { type: 'string' },
      seeds: { type: 'string' },
      steps: { type: 'string' },
      model: { type: 'string', default: 'tiny' },
      corpus: { type: 'string', default: 'fairy-tales' },
      batch: { type: 'string' },
      'probe-steps': { type: 'string' },
      'downstream-sequences': { type: 'string' },
      'budget-tokens': { type: 'string' },
      'budget-flops': { type: 'string' },
      'equal-flops': { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      'full-probes': { type: 'boolean', default: false },
      reference: { type: 'string', default: '0' },
      json: { type: 'boolean', default: false },
      csv: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (e) {
  fail((e as Error).message);
}
if (a.help) {
  console.log(USAGE);
  process.exit(0);
}
const int = (name: string, v: string | undefined, min = 1): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be an integer >= ${min}, got "${v}"`);
  return n;
};

/** "span/mlm@0.3" -> a masking config (defaults for everything else). */
function parseScheme(s: string): MaskingConfig {
  const m = /^([a-z-]+)\/([a-z-]+)(?:@([0-9.]+))?$/.exec(s.trim());
  if (!m) fail(`a scheme is strategy/objective[@rate], got "${s}"`);
  const [, strategy, objective, rate] = m;
  try {
    getStrategy(strategy);
    getObjective(objective);
  } catch (e) {
    fail((e as Error).message);
  }
  const out: MaskingConfig = { strategy: strategy as StrategyId, objective: objective as ObjectiveId };
  if (rate !== undefined) {
    const r = Number(rate);
    if (!(r > 0 && r <= 1)) fail(`a masking rate is in (0, 1], got "${rate}" in "${s}"`);
    out.strategyParams = { rate: r };
  }
  return out;
}

if (!a.preset === !a.schemes) fail('give exactly one of --preset and --schemes');
const preset = a.preset ? COMPARISON_PRESETS.find((p) => p.id === a.preset) : undefined;
if (a.preset && !preset) fail(`unknown preset "${a.preset}"`);
const schemes = preset ? (structuredClone(preset.schemes) as MaskingConfig[]) : a.schemes!.split(',').map(parseScheme);
if (schemes.length < 2) fail('a comparison needs at least two schemes');
if (!CORPORA.some((c) => c.id === a.corpus)) fail(`unknown corpus "${a.corpus}"`);
if (!(a.model! in MODEL_PRESETS)) fail(`unknown model "${a.model}"`);
// A preset gives verdicts, so it runs its seeds (VERDICT_SEEDS) unless told otherwise; schemes by hand default to one.
const seeds = int('seeds', a.seeds) ?? preset?.seeds ?? 1;
if (seeds > 20) fail('--seeds is at most 20');
const reference = int('reference', a.reference, 0)!;
if (reference >= schemes.length) fail(`--reference must name a scheme 0..${schemes.length - 1}`);

const base = defaultExperiment();
base.corpus = a.corpus!;
base.model = { preset: a.model as ModelPreset };
base.train.steps = int('steps', a.steps) ?? base.train.steps;
base.train.warmup = Math.min(base.train.warmup, Math.floor(base.train.steps / 10));
base.train.B = int('batch', a.batch) ?? base.train.B;
const num = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(Number.isFinite(n) && n > 0)) fail(`--${name} must be a positive number, got "${v}"`);
  return n;
};
const budgetFlags = [a['budget-tokens'], a['budget-flops'], a['equal-flops'] || undefined].filter(
  (x) => x !== undefined,
);
if (budgetFlags.length > 1) fail('give at most one of --budget-tokens, --budget-flops and --equal-flops');
const compute: ComputeBudget = a['budget-tokens']
  ? { kind: 'tokens', amount: num('budget-tokens', a['budget-tokens']) }
  : a['budget-flops']
    ? { kind: 'flops', amount: num('budget-flops', a['budget-flops']) }
    : { kind: a['equal-flops'] ? 'equal-flops' : 'steps' };
if (a.quick && a['full-probes']) fail('give at most one of --quick and --full-probes');
const gpu = await nodeGpu();
const software = isCpuAdapter(gpu.summary);
const probeFlags = a['probe-steps'] !== undefined || a['downstream-sequences'] !== undefined;
const quick = a.quick || (software && !a['full-probes'] && !probeFlags);
const budget = {
  ...DEFAULT_PROBE_BUDGET,
  mlmSteps:
    int('probe-steps', a['probe-steps']) ??
    (quick ? 10 : Math.min(DEFAULT_PROBE_BUDGET.mlmSteps, Math.max(10, base.train.steps))),
  downstreamSequences:
    int('downstream-sequences', a['downstream-sequences']) ?? (quick ? 24 : DEFAULT_PROBE_BUDGET.downstreamSequences),
};
budget.mlmWarmup = Math.min(budget.mlmWarmup, Math.floor(budget.mlmSteps / 10));
const log = (s: string) => process.stderr.write(s + '\n');
for (const [i, j] of duplicateSchemes(schemes))
  log(`warning: schemes ${i + 1} and ${j + 1} are the same once defaults are applied (${schemeLabel(schemes[i])})`);

let rec;
try {
  rec = newComparison({
    name: preset?.title ?? 'CLI comparison',
    base,
    schemes,
    seeds: Array.from({ length: seeds }, (_, i) => seedList(base.seed, 1)[0] + i),
    budget,
    probeText: '',
    preset: preset?.id,
    compute,
    reference,
  });
} catch (e) {
  fail((e as Error).message);
}
const text = await loadCorpus(base.corpus as CorpusId);
log(
  `adapter: ${gpu.label}; ${schemes.length} schemes x ${seeds} seeds, batch ${base.train.B}; budget: ${describeBudget(compute)}`,
);
for (const [i, b] of resolveBudget(base, schemes, compute, reference).entries())
  log(
    `  ${schemeLabel(schemes[i])}: ${rec.schemeSteps?.[i] ?? b.steps} steps, ${fmtAmount(b.flopsPerStep)} FLOPs per step (analytic), ${fmtAmount(b.flops)} FLOPs, ${fmtAmount(b.tokens)} tokens`,
  );
log(
  `probes: shared probe ${budget.mlmSteps} steps, downstream from ${budget.downstreamSequences} held-out sequences` +
    (quick
      ? ` (--quick${a.quick ? '' : ', the default on a software adapter'}: small test sets, wide intervals; --full-probes for the page's budgets)`
      : ''),
);
const k = new Kernels(gpu.device, { cpu: isCpuAdapter(gpu.summary) });
const t0 = performance.now();
rec = await new ComparisonDriver(rec, engineExecutor(k, gpu.summary, text, log), { commit: (r) => r, log }).run();
log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

// The results table (what the page shows): comparisonReport.ts writes it.
for (const line of comparisonTable(rec)) log(line);
if (a.csv) {
  writeFileSync(a.csv, comparisonToCsv(rec));
  log(`CSV: ${a.csv}`);
}
if (a.out) {
  writeFileSync(a.out, comparisonToJson(rec, []));
  log(`JSON: ${a.out}`);
}
if (a.json) console.log(JSON.stringify(comparisonReport(rec)));

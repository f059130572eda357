// Shared-probe benchmark (not a test): trains a class preset's MLM run on MaskLab's engine, then reads its frozen
// encoder with the comparison's shared probe (its own output layer, not tied to the run's wte) at one or more
// budgets, beside the run's own MLM head on the same held-out masks. Shows how much of the encoder a fresh output
// layer can read within its budget. JSON in bench/results/probe-<adapter>.json.
//   npm run bench:probe -- --presets toy-language,fairy-tales --steps 1000,1500 --budgets 100:1e-3,300:3e-3
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { toyLanguageOf, isToyCorpus } from '../src/data/toyLanguage';
import { isCpuAdapter } from '../src/engine/gpu';
import { Kernels } from '../src/engine/kernels';
import { nodeGpu } from '../src/engine/node/dawn';
import { DEFAULT_PROBE_BUDGET, mlmProbe } from '../src/session/probes';
import { classPreset } from '../src/session/presets';
import { prepareExperimentData, TrainingRun } from '../src/session/run';

const a = parseArgs({
  args: process.argv.slice(2).filter((x) => x !== '--'),
  options: {
    presets: { type: 'string', default: 'toy-language,fairy-tales' },
    steps: { type: 'string' },
    budgets: { type: 'string', default: `${DEFAULT_PROBE_BUDGET.mlmSteps}:${DEFAULT_PROBE_BUDGET.mlmLr}` },
    out: { type: 'string' },
  },
}).values;
const presets = a.presets!.split(',');
const steps = a.steps?.split(',').map(Number);
const budgets = a.budgets!.split(',').map((b) => {
  const [s, lr] = b.split(':').map(Number);
  if (!(Number.isInteger(s) && s > 0 && lr > 0)) throw new Error(`a budget is steps:lr, got "${b}"`);
  return { ...DEFAULT_PROBE_BUDGET, mlmSteps: s, mlmLr: lr, mlmWarmup: Math.min(10, Math.floor(s / 10)) };
});
const gpu = await nodeGpu();
const k = new Kernels(gpu.device, { cpu: isCpuAdapter(gpu.summary) });
const log = (s: string) => process.stderr.write(s + '\n');
const out = a.out ?? `bench/results/probe-${gpu.label.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.json`;
const results: Record<string, unknown>[] = [];

for (const [i, id] of presets.entries()) {
  const cfg = classPreset(id).config();
  if (steps?.[i]) cfg.train.steps = steps[i];
  cfg.train.evalEvery = cfg.train.steps;
  const text = isToyCorpus(cfg.corpus)
    ? toyLanguageOf(cfg.corpus).text
    : readFileSync(`public/corpora/${cfg.corpus}.txt`, 'utf8');
  const run = new TrainingRun(k, cfg, prepareExperimentData(text, cfg));
  const t0 = performance.now();
  for (let s = 0; s < cfg.train.steps; s++) {
    run.step();
    if (s % 4 === 3) await new Promise((r) => setTimeout(r, 0));
    if ((s + 1) % 250 === 0) log(`${id}: step ${s + 1}/${cfg.train.steps}`);
  }
  await run.trainer.flush();
  const trainSeconds = (performance.now() - t0) / 1000;
  const own = await run.evaluate();
  const row: Record<string, unknown> = {
    preset: id,
    steps: cfg.train.steps,
    batch: cfg.train.B,
    train_seconds: Math.round(trainSeconds),
    frequency_accuracy: run.baseline?.accuracy ?? null,
    own_head: { loss: own.loss, accuracy: own.accuracy, targets: own.targets },
    probes: [] as unknown[],
  };
  log(`${id}: ${cfg.train.steps} steps in ${trainSeconds.toFixed(0)} s; own head ${(own.accuracy * 100).toFixed(1)}%`);
  for (const b of budgets) {
    const tp = performance.now();
    const p = (await mlmProbe(k, run, b))!;
    (row.probes as unknown[]).push({
      steps: b.mlmSteps,
      lr: b.mlmLr,
      loss: p.loss,
      accuracy: p.accuracy,
      accuracy_lo: p.accuracyEstimate?.lo,
      accuracy_hi: p.accuracyEstimate?.hi,
      independent_units: p.accuracyEstimate?.units,
      targets: p.targets,
      train_loss: p.trainLoss,
      seconds: Math.round((performance.now() - tp) / 1000),
    });
    log(
      `${id}: shared probe ${b.mlmSteps} steps at lr ${b.mlmLr}: ${(p.accuracy * 100).toFixed(1)}% ` +
        `[${(p.accuracyEstimate!.lo * 100).toFixed(1)}, ${(p.accuracyEstimate!.hi * 100).toFixed(1)}] ` +
        `(own head ${(own.accuracy * 100).toFixed(1)}%, frequency ${((run.baseline?.accuracy ?? NaN) * 100).toFixed(1)}%)`,
    );
  }
  run.destroy();
  results.push(row);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync(out, JSON.stringify({ bench: 'probe', adapter: gpu.label, results }, null, 1) + '\n');
}
console.log(JSON.stringify({ out, results }));

// Trains the MaskLab encoder in Node on Dawn (a real GPU when there is one, SwiftShader otherwise), with the same
// engine, data and masking code as the page. Progress on stderr; with --json the last stdout line is a summary.
//   npm run train -- --corpus fairy-tales --strategy random --steps 300 --seed 1 --json
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CORPORA, loadCorpus, type CorpusId } from '../src/data/corpora';
import { MODEL_PRESETS, type ModelPreset } from '../src/engine/config';
import { Kernels } from '../src/engine/kernels';
import { nodeGpu } from '../src/engine/node/dawn';
import { isCpuAdapter } from '../src/engine/gpu';
import { hfArchitecture } from '../src/engine/checkpoint/hf';
import { STRATEGY_IDS, OBJECTIVE_IDS } from '../src/masking';
import type { ObjectiveId, StrategyId } from '../src/masking/types';
import { defaultExperiment, type ExperimentConfig } from '../src/session/config';
import { prepareExperimentData, TrainingRun } from '../src/session/run';
import { exportRunFiles, hfFolders, hfModelOf } from '../src/session/exportFiles';

const USAGE = `usage: npm run train -- [--corpus ${CORPORA.map((c) => c.id).join('|')}] [--strategy ${STRATEGY_IDS.join('|')}]
       [--objective ${OBJECTIVE_IDS.join('|')}] [--steps N] [--seed N] [--model ${Object.keys(MODEL_PRESETS).join('|')}]
       [--batch B] [--lr X] [--vocab-size N] [--eval-every N] [--export DIR] [--json]`;

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

let a;
try {
  a = parseArgs({
    options: {
      corpus: { type: 'string', default: 'fairy-tales' },
      strategy: { type: 'string', default: 'random' },
      objective: { type: 'string', default: 'mlm' },
      steps: { type: 'string', default: '300' },
      seed: { type: 'string', default: '1' },
      model: { type: 'string', default: 'tiny' },
      batch: { type: 'string' },
      lr: { type: 'string' },
      'vocab-size': { type: 'string' },
      'eval-every': { type: 'string' },
      export: { type: 'string' },
      json: { type: 'boolean', default: false },
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
const int = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) fail(`--${name} must be a positive integer, got "${v}"`);
  return n;
};
if (!CORPORA.some((c) => c.id === a.corpus)) fail(`unknown corpus "${a.corpus}"`);
if (!(STRATEGY_IDS as string[]).includes(a.strategy!)) fail(`unknown strategy "${a.strategy}"`);
if (!(OBJECTIVE_IDS as string[]).includes(a.objective!)) fail(`unknown objective "${a.objective}"`);
if (!(a.model! in MODEL_PRESETS)) fail(`unknown model "${a.model}"`);

const e: ExperimentConfig = defaultExperiment();
e.corpus = a.corpus!;
e.masking = { strategy: a.strategy as StrategyId, objective: a.objective as ObjectiveId };
e.model = { preset: a.model as ModelPreset };
e.seed = int('seed', a.seed)!;
e.train.steps = int('steps', a.steps)!;
e.train.warmup = Math.min(e.train.warmup, Math.floor(e.train.steps / 10));
e.train.B = int('batch', a.batch) ?? e.train.B;
e.train.evalEvery = int('eval-every', a['eval-every']) ?? e.train.evalEvery;
if (a.lr !== undefined) {
  const lr = Number(a.lr);
  if (!(lr > 0)) fail(`--lr must be a positive number, got "${a.lr}"`);
  e.train.lr = lr;
}
e.tokenizer.vocabSize = int('vocab-size', a['vocab-size']) ?? e.tokenizer.vocabSize;

const log = (s: string) => process.stderr.write(s + '\n');
const t0 = performance.now();
const text = await loadCorpus(e.corpus as CorpusId);
const data = prepareExperimentData(text, e);
log(`data: ${data.train.count} training and ${data.heldOut.count} held-out sequences of T=${data.train.T}, V=${data.tokenizer.vocabSize} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);

const gpu = await nodeGpu();
log(`adapter: ${gpu.label}`);
const k = new Kernels(gpu.device, { cpu: isCpuAdapter(gpu.summary) });
let nonFinite: string | undefined;
const losses: number[] = [];
const run = new TrainingRun(k, e, data, {
  onMetrics: (m) => {
    losses[m.step] = m.loss;
    if (m.step % 10 === 0 || m.step === e.train.steps - 1) log(`step ${m.step + 1}/${e.train.steps}  loss ${m.loss.toFixed(4)}  acc ${(m.accuracy * 100).toFixed(1)}%  lr ${m.lr.toExponential(2)}  |g| ${m.gradNorm.toFixed(3)}`);
  },
  onNonFinite: (i) => {
    nonFinite = `non-finite loss at step ${i.step}; weights restored to step ${i.restoredStep}`;
  },
});
const c = run.model;
log(`model: L${c.L} C${c.C} NH${c.NH} F${c.F} T${c.T} V${c.V}, ${run.trainer.layout.count.toLocaleString('en-US')} parameters, ${run.trainer.dispatchesPerStep} dispatches per step`);

const initial = await run.evaluate();
log(`held-out before training: loss ${initial.loss.toFixed(4)}, accuracy ${(initial.accuracy * 100).toFixed(1)}% over ${initial.targets} masked tokens`);
const evals: { step: number; loss: number; accuracy: number }[] = [{ step: 0, loss: initial.loss, accuracy: initial.accuracy }];
const tStart = performance.now();
for (let s = 0; s < e.train.steps && !nonFinite; s++) {
  run.step();
  // Yield so metric readbacks resolve while the GPU works on the next steps.
  if (s % 4 === 3) await new Promise((r) => setImmediate(r));
  if ((s + 1) % e.train.evalEvery === 0 && s + 1 < e.train.steps) {
    const r = await run.evaluate();
    evals.push({ step: s + 1, loss: r.loss, accuracy: r.accuracy });
    log(`held-out at step ${s + 1}: loss ${r.loss.toFixed(4)}, accuracy ${(r.accuracy * 100).toFixed(1)}%`);
  }
}
await run.trainer.flush();
const seconds = (performance.now() - tStart) / 1000;
const final = await run.evaluate();
const pppl = await run.pseudoPerplexity();
evals.push({ step: run.trainer.step, loss: final.loss, accuracy: final.accuracy });
const tokens = run.trainer.step * e.train.B * c.T;
log(`held-out after ${run.trainer.step} steps: loss ${final.loss.toFixed(4)}, accuracy ${(final.accuracy * 100).toFixed(1)}%  (${(tokens / seconds).toFixed(0)} tokens/s)`);
if (final.electra) log(`  generator loss ${final.electra.genLoss.toFixed(4)} (accuracy ${(final.electra.genAccuracy * 100).toFixed(1)}%), discriminator loss ${final.electra.discLoss.toFixed(4)} (accuracy ${(final.electra.discAccuracy * 100).toFixed(1)}%)`);
if (a.export) {
  // The same files the page downloads; ELECTRA: the discriminator in the folder, the generator (ElectraForMaskedLM) in generator/.
  const { mkdirSync } = await import('node:fs');
  for (const { format, dir } of hfFolders(run.trainer.head)) {
    const which = hfModelOf(run.trainer.head, format);
    const out = dir ? `${a.export}/${dir}` : a.export;
    const r = await exportRunFiles(run, e, format);
    if ('error' in which || r.error) {
      log(`not exported: ${r.error ?? ''}`);
      continue;
    }
    mkdirSync(out, { recursive: true });
    for (const f of r.files) writeFileSync(`${out}/${f.name}`, f.bytes);
    log(`exported a Hugging Face ${hfArchitecture(which.model)} to ${out}/`);
  }
}
const summary = {
  adapter: gpu.label,
  corpus: e.corpus,
  strategy: e.masking.strategy,
  objective: e.masking.objective,
  model: { L: c.L, C: c.C, NH: c.NH, F: c.F, T: c.T, V: c.V, params: run.trainer.layout.count },
  batch: e.train.B,
  seed: e.seed,
  steps: run.trainer.step,
  initial_eval_loss: initial.loss,
  final_eval_loss: final.loss,
  initial_eval_accuracy: initial.accuracy,
  final_eval_accuracy: final.accuracy,
  final_pseudo_perplexity: pppl ?? null,
  /** ELECTRA: the generator's and discriminator's held-out parts (the loss above is gen + discWeight x disc). */
  initial_eval_electra: initial.electra ?? null,
  final_eval_electra: final.electra ?? null,
  ln_V: Math.log(c.V),
  final_train_loss: losses[losses.length - 1] ?? null,
  tokens_per_s: tokens / seconds,
  ms_per_step: (seconds * 1000) / Math.max(1, run.trainer.step),
  dispatches_per_step: run.trainer.dispatchesPerStep,
  evals,
  error: nonFinite ?? null,
};
run.destroy();
gpu.close();
if (a.json) console.log(JSON.stringify(summary));
if (nonFinite) {
  console.error(nonFinite);
  process.exit(1);
}

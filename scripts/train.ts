// Trains the MaskLab encoder in Node on Dawn (a real GPU when there is one, SwiftShader otherwise), with the same
// engine, data and masking code as the page. Progress on stderr; with --json the last stdout line is a summary.
//   npm run train -- --corpus fairy-tales --strategy random --steps 300 --seed 1 --json
//   npm run train -- --preset toy-language --steps 500 --json     (a class preset; the other flags override it)
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
import { ExperimentError, validateExperiment } from '../src/session/validate';
import { CLASS_PRESETS, classPreset } from '../src/session/presets';
import { plateauExitStep, PLATEAU_MARGIN, stepAbove } from '../src/session/baseline';
import { isToyCorpus, parseToyCorpus, toyCorpusId, toyLanguageOf } from '../src/data/toyLanguage';
import type { TokenizerKind } from '../src/data/tokenizer';
import type { LrSchedule } from '../src/engine/schedule';

const USAGE = `usage: npm run train -- [--preset ${CLASS_PRESETS.map((p) => p.id).join('|')}]
       [--corpus ${CORPORA.map((c) => c.id).join('|')}|toy] [--toy-sentences N] [--toy-seed N]
       [--strategy ${STRATEGY_IDS.join('|')}] [--objective ${OBJECTIVE_IDS.join('|')}] [--rate R]
       [--steps N] [--seed N] [--model ${Object.keys(MODEL_PRESETS).join('|')}] [--T N] [--batch B] [--lr X] [--warmup N]
       [--decay constant|linear|cosine] [--tokenizer wordpiece|word|char] [--vocab-size N] [--eval-every N]
       [--export DIR] [--json]
A preset sets every value first; any other flag given overrides it.`;

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

let a;
try {
  a = parseArgs({
    options: {
      preset: { type: 'string' },
      corpus: { type: 'string' },
      'toy-sentences': { type: 'string' },
      'toy-seed': { type: 'string' },
      strategy: { type: 'string' },
      objective: { type: 'string' },
      rate: { type: 'string' },
      steps: { type: 'string' },
      seed: { type: 'string' },
      model: { type: 'string' },
      T: { type: 'string' },
      batch: { type: 'string' },
      lr: { type: 'string' },
      warmup: { type: 'string' },
      decay: { type: 'string' },
      tokenizer: { type: 'string' },
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
const num = (name: string, v: string, lo: number, hi: number): number => {
  const n = Number(v);
  if (!(n >= lo && n <= hi)) fail(`--${name} must be a number from ${lo} to ${hi}, got "${v}"`);
  return n;
};
let e: ExperimentConfig = defaultExperiment();
if (a.preset !== undefined) {
  try {
    e = classPreset(a.preset).config();
  } catch (err) {
    fail((err as Error).message);
  }
}
if (a.corpus !== undefined) {
  if (!CORPORA.some((c) => c.id === a.corpus) && !isToyCorpus(a.corpus)) fail(`unknown corpus "${a.corpus}"`);
  e.corpus = a.corpus;
}
if (a['toy-sentences'] !== undefined || a['toy-seed'] !== undefined) {
  if (!isToyCorpus(e.corpus)) fail('--toy-sentences and --toy-seed need --corpus toy');
  const t = parseToyCorpus(e.corpus);
  e.corpus = toyCorpusId(
    int('toy-sentences', a['toy-sentences']) ?? t.sentences,
    int('toy-seed', a['toy-seed']) ?? t.seed,
  );
  try {
    parseToyCorpus(e.corpus);
  } catch (err) {
    fail((err as Error).message);
  }
}
if (a.strategy !== undefined && !(STRATEGY_IDS as string[]).includes(a.strategy))
  fail(`unknown strategy "${a.strategy}"`);
if (a.objective !== undefined && !(OBJECTIVE_IDS as string[]).includes(a.objective))
  fail(`unknown objective "${a.objective}"`);
if (a.strategy !== undefined || a.objective !== undefined) {
  e.masking = {
    strategy: (a.strategy ?? e.masking.strategy) as StrategyId,
    objective: (a.objective ?? e.masking.objective) as ObjectiveId,
  };
}
if (a.rate !== undefined)
  e.masking = { ...e.masking, strategyParams: { ...e.masking.strategyParams, rate: num('rate', a.rate, 0.01, 0.95) } };
if (a.model !== undefined) {
  if (!(a.model in MODEL_PRESETS)) fail(`unknown model "${a.model}"`);
  e.model = { preset: a.model as ModelPreset };
}
if (a.T !== undefined)
  e.model = {
    preset: 'custom',
    overrides: {
      ...(e.model.preset === 'custom' ? e.model.overrides : MODEL_PRESETS[e.model.preset]),
      T: int('T', a.T)!,
    },
  };
if (a.seed !== undefined) e.seed = int('seed', a.seed)!;
if (a.steps !== undefined) {
  e.train.steps = int('steps', a.steps)!;
  if (a.preset === undefined) e.train.warmup = Math.min(e.train.warmup, Math.floor(e.train.steps / 10));
  e.train.warmup = Math.min(e.train.warmup, e.train.steps);
}
if (a.warmup !== undefined) e.train.warmup = Math.min(e.train.steps, num('warmup', a.warmup, 0, 1e9));
if (a.decay !== undefined) {
  if (!['constant', 'linear', 'cosine'].includes(a.decay))
    fail(`--decay must be constant, linear or cosine, got "${a.decay}"`);
  e.train.decay = a.decay as LrSchedule['decay'];
}
e.train.B = int('batch', a.batch) ?? e.train.B;
e.train.evalEvery = int('eval-every', a['eval-every']) ?? e.train.evalEvery;
if (a.lr !== undefined) e.train.lr = Number(a.lr);
if (a.tokenizer !== undefined) {
  if (!['wordpiece', 'word', 'char'].includes(a.tokenizer))
    fail(`--tokenizer must be wordpiece, word or char, got "${a.tokenizer}"`);
  e.tokenizer = {
    kind: a.tokenizer as TokenizerKind,
    vocabSize: a.tokenizer === 'char' ? undefined : e.tokenizer.vocabSize,
  };
}
e.tokenizer.vocabSize = int('vocab-size', a['vocab-size']) ?? e.tokenizer.vocabSize;
// The page's validation, in the page's words: nothing starts that cannot run.
const problems = validateExperiment(e);
if (problems.length > 0) fail(new ExperimentError(problems).message);

const log = (s: string) => process.stderr.write(s + '\n');
const t0 = performance.now();
const text = isToyCorpus(e.corpus) ? toyLanguageOf(e.corpus).text : await loadCorpus(e.corpus as CorpusId);
const data = prepareExperimentData(text, e);
log(
  `data: ${data.train.count} training and ${data.heldOut.count} held-out sequences of T=${data.train.T}, V=${data.tokenizer.vocabSize} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
);

const gpu = await nodeGpu();
log(`adapter: ${gpu.label}`);
const fit = validateExperiment(e, {
  V: data.tokenizer.vocabSize,
  limits: gpu.device.limits,
  heldOut: data.heldOut.count,
});
if (fit.length > 0) fail(new ExperimentError(fit).message);
const k = new Kernels(gpu.device, { cpu: isCpuAdapter(gpu.summary) });
let nonFinite: string | undefined;
const losses: number[] = [];
const run = new TrainingRun(k, e, data, {
  onMetrics: (m) => {
    losses[m.step] = m.loss;
    if (m.step % 10 === 0 || m.step === e.train.steps - 1)
      log(
        `step ${m.step + 1}/${e.train.steps}  loss ${m.loss.toFixed(4)}  acc ${(m.accuracy * 100).toFixed(1)}%  lr ${m.lr.toExponential(2)}  |g| ${m.gradNorm.toFixed(3)}`,
      );
  },
  onNonFinite: (i) => {
    nonFinite = `non-finite loss at step ${i.step}; weights restored to step ${i.restoredStep}`;
  },
});
const c = run.model;
log(
  `model: L${c.L} C${c.C} NH${c.NH} F${c.F} T${c.T} V${c.V}, ${run.trainer.layout.count.toLocaleString('en-US')} parameters, ${run.trainer.dispatchesPerStep} dispatches per step`,
);

const base = run.baseline;
if (base)
  log(
    `frequency guess on the held-out targets: loss ${base.loss.toFixed(4)}, accuracy ${(base.accuracy * 100).toFixed(1)}%`,
  );
interface EvalRow {
  step: number;
  loss: number;
  accuracy: number;
  seconds: number;
  agreement?: number;
  agreement_attractor?: number;
}
const evals: EvalRow[] = [];
const tStart = performance.now();
let evalMs = 0;
async function evalAt(step: number) {
  // Wait for the submitted steps first, so their GPU time is not counted as evaluation time.
  await run.trainer.flush();
  const t = performance.now();
  const r = await run.evaluate();
  const ag = await run.agreement();
  evalMs += performance.now() - t;
  const row: EvalRow = { step, loss: r.loss, accuracy: r.accuracy, seconds: (performance.now() - tStart) / 1000 };
  if (ag) Object.assign(row, { agreement: ag.accuracy, agreement_attractor: ag.accuracyAttractor });
  evals.push(row);
  const over = base ? `, ${((r.accuracy - base.accuracy) * 100).toFixed(1)} points over the frequency guess` : '';
  const agText = ag
    ? `, agreement ${(ag.accuracy * 100).toFixed(1)}% (with attractor ${(ag.accuracyAttractor * 100).toFixed(1)}%)`
    : '';
  log(
    `held-out at step ${step}: loss ${r.loss.toFixed(4)}, accuracy ${(r.accuracy * 100).toFixed(1)}%${over}${agText}`,
  );
  return r;
}
const initial = await evalAt(0);
for (let s = 0; s < e.train.steps && !nonFinite; s++) {
  run.step();
  // Yield so metric readbacks resolve while the GPU works on the next steps.
  if (s % 4 === 3) await new Promise((r) => setImmediate(r));
  if ((s + 1) % e.train.evalEvery === 0 && s + 1 < e.train.steps) await evalAt(s + 1);
}
await run.trainer.flush();
const final = await evalAt(run.trainer.step);
const seconds = (performance.now() - tStart) / 1000;
const trainSeconds = seconds - evalMs / 1000;
const pppl = await run.pseudoPerplexity();
const tokens = run.trainer.step * e.train.B * c.T;
// The trainer's registry of GPU buffers at the end (training, evaluation and probe graphs, snapshots, rings).
const memory = run.trainer.gpuMemory;
log(
  `GPU memory in use: ${(memory.totalBytes / 2 ** 20).toFixed(2)} MiB in ${memory.buffers} buffers (` +
    Object.entries(memory.byCategory)
      .filter(([, b]) => b > 0)
      .map(([cat, b]) => `${cat} ${(b / 2 ** 20).toFixed(2)} MiB`)
      .join(', ') +
    ')',
);
log(
  `held-out after ${run.trainer.step} steps: loss ${final.loss.toFixed(4)}, accuracy ${(final.accuracy * 100).toFixed(1)}%  (${(tokens / trainSeconds).toFixed(0)} tokens/s; ${seconds.toFixed(0)} s with ${(evalMs / 1000).toFixed(0)} s of evaluation)`,
);
if (final.electra)
  log(
    `  generator loss ${final.electra.genLoss.toFixed(4)} (accuracy ${(final.electra.genAccuracy * 100).toFixed(1)}%), discriminator loss ${final.electra.discLoss.toFixed(4)} (accuracy ${(final.electra.discAccuracy * 100).toFixed(1)}%)`,
  );
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
  baseline_eval_loss: base?.loss ?? null,
  baseline_eval_accuracy: base?.accuracy ?? null,
  /** The first evaluation step at least PLATEAU_MARGIN (a share) over the frequency guess; null when it never left. */
  plateau_exit_step: base ? plateauExitStep(evals, base.accuracy) : null,
  plateau_margin: PLATEAU_MARGIN,
  plus10_step: base ? stepAbove(evals, base.accuracy, 0.1) : null,
  agreement_accuracy: evals[evals.length - 1]?.agreement ?? null,
  agreement_accuracy_attractor: evals[evals.length - 1]?.agreement_attractor ?? null,
  agreement_pairs: run.agreementPairs
    ? {
        without_attractor: run.agreementPairs.filter((p) => !p.attractor).length,
        with_attractor: run.agreementPairs.filter((p) => p.attractor).length,
      }
    : null,
  preset: a.preset ?? null,
  config: e,
  tokens_per_s: tokens / trainSeconds,
  ms_per_step: (trainSeconds * 1000) / Math.max(1, run.trainer.step),
  seconds,
  eval_seconds: evalMs / 1000,
  dispatches_per_step: run.trainer.dispatchesPerStep,
  gpu_bytes: memory.totalBytes,
  gpu_bytes_by_category: memory.byCategory,
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

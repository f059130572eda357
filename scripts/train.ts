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
import { getObjective, STRATEGY_IDS, OBJECTIVE_IDS } from '../src/masking';
import type { ObjectiveId, StrategyId } from '../src/masking/types';
import { defaultExperiment, type ExperimentConfig } from '../src/session/config';
import { openRun, type RunLoop } from '../src/session/runLoop';
import type { EvalPoint } from '../src/session/records';
import { exportRunFiles, hfFolders, hfModelOf } from '../src/session/exportFiles';
import { CLASS_PRESETS, classPreset } from '../src/session/presets';
import { plateauExitStep, PLATEAU_MARGIN, stepAbove } from '../src/session/baseline';
import { isToyCorpus, parseToyCorpus, toyCorpusId, toyLanguageOf } from '../src/data/toyLanguage';
import type { TokenizerKind } from '../src/data/tokenizer';
import type { LrSchedule } from '../src/engine/schedule';
import { pairCounts } from '../src/session/agreement';
import {
  headLabel,
  ONSET_RELATION,
  pathLabel,
  SYNTAX_MARGIN,
  syntaxJson,
  syntaxOnsetStep,
} from '../src/session/syntax';

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
  const objective = (a.objective ?? e.masking.objective) as ObjectiveId;
  let strategy = (a.strategy ?? e.masking.strategy) as StrategyId;
  // As the page does: an objective that works with some strategies only takes its default one unless one is named.
  const o = getObjective(objective);
  if (a.strategy === undefined && o.strategies && !o.strategies.includes(strategy)) strategy = o.defaultStrategy;
  e.masking = { strategy, objective };
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
const log = (s: string) => process.stderr.write(s + '\n');
const t0 = performance.now();
const text = isToyCorpus(e.corpus) ? toyLanguageOf(e.corpus).text : await loadCorpus(e.corpus as CorpusId);
const gpu = await nodeGpu();
log(`adapter: ${gpu.label}`);
const k = new Kernels(gpu.device, { cpu: isCpuAdapter(gpu.summary) });
let halted: string | undefined;
const losses: number[] = [];
interface EvalRow extends EvalPoint {
  seconds: number;
}
const evals: EvalRow[] = [];
/** When training starts (after the data and the model are ready): evaluations' seconds count from here. */
let tStart = performance.now();
let base: { loss: number; accuracy: number } | undefined;
let loop: RunLoop;
try {
  // The page's validation and run loop: nothing starts that cannot run, in the page's words.
  loop = openRun(
    k,
    e,
    text,
    {
      state: (s, message) => {
        if (s === 'diverged') halted = message;
      },
      prepared: (info) => {
        tStart = performance.now();
        base = info.baseline;
        log(
          `data: ${info.trainSequences} training and ${info.heldOutSequences} held-out sequences of T=${info.model.T}, V=${info.V} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
        );
        const c = info.model;
        log(
          `model: L${c.L} C${c.C} NH${c.NH} F${c.F} T${c.T} V${info.V}, ${info.params.toLocaleString('en-US')} parameters, ${info.dispatchesPerStep} dispatches per step`,
        );
        if (base)
          log(
            `frequency guess on the held-out targets: loss ${base.loss.toFixed(4)}, accuracy ${(base.accuracy * 100).toFixed(1)}%`,
          );
      },
      metrics: ({ rows }) => {
        for (const m of rows) {
          losses[m.step] = m.loss;
          if (m.step % 10 === 0 || m.step === e.train.steps - 1)
            log(
              `step ${m.step + 1}/${e.train.steps}  loss ${m.loss.toFixed(4)}  acc ${(m.accuracy * 100).toFixed(1)}%  lr ${m.lr.toExponential(2)}  |g| ${m.gradNorm.toFixed(3)}`,
            );
        }
      },
      eval: (p) => {
        evals.push({ ...p, seconds: (performance.now() - tStart) / 1000 });
        const over = base ? `, ${((p.accuracy - base.accuracy) * 100).toFixed(1)} points over the frequency guess` : '';
        const orc = p.agreement?.kinds?.orc;
        const ag = p.agreement
          ? `, agreement ${(p.agreement.plain * 100).toFixed(1)}% (with attractor ${(p.agreement.attractor * 100).toFixed(1)}%` +
            `${orc !== undefined ? `, object relative clauses ${(orc * 100).toFixed(1)}%` : ''})`
          : '';
        log(
          `held-out at step ${p.step}: loss ${p.loss.toFixed(4)}, accuracy ${(p.accuracy * 100).toFixed(1)}%${over}${ag}`,
        );
        const v = p.syntax?.relations.find((x) => x.id === ONSET_RELATION);
        if (v)
          log(
            `  verb -> subject past an attractor (${v.units} verbs): best head ${headLabel(v.head)} ${v.head.score.toFixed(3)}` +
              (v.path ? `, best path ${pathLabel(v.path.hops)} ${v.path.score.toFixed(3)}` : '') +
              `; baselines: offset ${v.offset.offset} ${v.offset.score.toFixed(3)}, nearest noun ${(v.nearestNoun ?? 0).toFixed(3)}`,
          );
      },
    },
    { adapter: gpu.summary, limits: gpu.device.limits, flushMs: 0 },
  );
} catch (err) {
  fail((err as Error).message);
}
// Every head's and two-head path's score for verb -> subject past an attractor, to follow one over time.
loop.run.syntaxDetail = true;
await loop.start();
const run = loop.run;
const c = run.model;
const initial = evals[0];
const final = evals[evals.length - 1];
const { trainMs, evalMs } = loop.timing;
const seconds = (performance.now() - tStart) / 1000;
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
  `held-out after ${run.trainer.step} steps: loss ${final.loss.toFixed(4)}, accuracy ${(final.accuracy * 100).toFixed(1)}%  (${(tokens / (trainMs / 1000)).toFixed(0)} tokens/s; ${seconds.toFixed(0)} s with ${(evalMs / 1000).toFixed(0)} s of evaluation)`,
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
const pairs = run.agreementPairs && pairCounts(run.agreementPairs);
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
  final_pseudo_perplexity: final.pseudoPerplexity ?? null,
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
  agreement_accuracy: final.agreement?.plain ?? null,
  agreement_accuracy_attractor: final.agreement?.attractor ?? null,
  agreement_accuracy_object_relative: final.agreement?.kinds?.orc ?? null,
  /** Per kind of pair: bare, pp (prepositional phrase), src and orc (subject and object relative clause). */
  agreement_by_kind: final.agreement?.kinds ?? null,
  agreement_pairs: pairs
    ? { without_attractor: pairs.plain, with_attractor: pairs.attractor, object_relative: pairs.objectRelative }
    : null,
  /** Toy language: the first evaluation where a head or path finds the verb's subject past an attractor (syntax.ts). */
  syntax_onset_step: run.syntaxSet ? syntaxOnsetStep(evals) : null,
  syntax_margin: run.syntaxSet ? SYNTAX_MARGIN : null,
  syntax_sentences: run.syntaxSet?.count ?? null,
  preset: a.preset ?? null,
  config: e,
  tokens_per_s: tokens / (trainMs / 1000),
  ms_per_step: trainMs / Math.max(1, run.trainer.step),
  seconds,
  eval_seconds: evalMs / 1000,
  dispatches_per_step: run.trainer.dispatchesPerStep,
  gpu_bytes: memory.totalBytes,
  gpu_bytes_by_category: memory.byCategory,
  evals: evals.map(({ agreement, syntax, ...r }) => ({
    ...r,
    ...(agreement
      ? {
          agreement: agreement.plain,
          agreement_attractor: agreement.attractor,
          ...(agreement.kinds ? { agreement_by_kind: agreement.kinds } : {}),
        }
      : {}),
    // Per relation: the best head and the best path of heads, their scores and the baselines.
    ...(syntax ? { syntax: { ...syntaxJson(syntax), ...(syntax.detail ? { detail: syntax.detail } : {}) } } : {}),
  })),
  error: halted ?? null,
};
loop.destroy();
gpu.close();
if (a.json) console.log(JSON.stringify(summary));
if (halted) {
  console.error(halted);
  process.exit(1);
}

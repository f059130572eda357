// The scale-up bundle: an experiment written out as a small Python project (Transformers + Accelerate) that trains
// the same model on the same data with the same masks: model and tokenizer files, experiment.json, masking.json,
// the packed data, golden batches, and the Python sources of python/ (real .py files, imported as text).
import type { PreparedData } from '../../data/dataset';
import { exportTokenizerJson } from '../../data/hfJson';
import { tokenizerConfigFiles } from '../../data/hfTokenizerConfig';
import { Rng } from '../../data/rng';
import type { SequenceSet } from '../../data/batching';
import { exportHf, hfArchitecture, hfModelFor, type HfModel } from '../../engine/checkpoint/hf';
import { readSafetensors, writeSafetensors, type NamedTensor } from '../../engine/checkpoint/safetensors';
import { validateModelConfig, type ModelConfig } from '../../engine/config';
import {
  bertTensors,
  initParams,
  placeTensors,
  type GeneratorShape,
  type HeadConfig,
  type ParamLayout,
} from '../../engine/model/params';
import { modelShape, type ExperimentConfig } from '../config';
import { generatorOf } from '../exportFiles';
import { electraSampleSeed, headFor, uniformOf } from '../run';
import { EVAL_SAMPLE_SEED } from '../../engine/trainer';
import { RunMasking } from '../runMasking';
import { goldenFiles } from './golden';
import { maskingJson, notExportable } from './maskingSpec';

const SOURCES = import.meta.glob('./python/*', { query: '?raw', import: 'default', eager: true }) as Record<
  string,
  string
>;

function source(name: string): string {
  const s = SOURCES[`./python/${name}`];
  if (s === undefined) throw new Error(`scale-up bundle: no python/${name}`);
  return s;
}

export interface BundleFile {
  name: string;
  bytes: Uint8Array;
}

export interface BundleOptions {
  /** The experiment's share link (the page's URL with the experiment in its hash). */
  link: string;
  /**
   * A run's weights (flat layout of the run's model) to continue from, with the step they belong to and, from a
   * MaskLab checkpoint, AdamW's moments: then train.py --init trained continues the run exactly.
   */
  trained?: TrainedState;
  /** Or a run's kept Hugging Face files (config.json, model.safetensors, ...), written under trained/ as they are. */
  trainedFiles?: { step: number; files: readonly BundleFile[] };
}

export interface TrainedState {
  params: Float32Array;
  step: number;
  /** AdamW's first and second moments (a MaskLab checkpoint's adam_m / adam_v), same layout as params. */
  m?: Float32Array;
  v?: Float32Array;
}

/** Packed sequences as safetensors: ids and word ids (count, T), and each sequence's length (its valid prefix). */
function sequencesFile(set: SequenceSet): Uint8Array {
  const lengths = new Int32Array(set.count);
  for (let s = 0; s < set.count; s++) {
    let n = 0;
    while (n < set.T && set.valid[s * set.T + n]) n++;
    lengths[s] = n;
  }
  return writeSafetensors(
    [
      { name: 'ids', dtype: 'I32', shape: [set.count, set.T], data: set.ids },
      { name: 'word_ids', dtype: 'I32', shape: [set.count, set.T], data: set.wordIds },
      { name: 'lengths', dtype: 'I32', shape: [set.count], data: lengths },
    ],
    { format: 'masklab-sequences' },
  );
}

/**
 * The run's initial weights, exactly as TrainingRun draws them (training in Python starts where MaskLab's did), as
 * from_pretrained folders: config.json and model.safetensors, and ELECTRA's generator/. Also what the bundle's
 * other files need: the flat weights, their layout, the transformers model and the folders.
 */
export function initialWeights(
  model: ModelConfig,
  head: HeadConfig,
  seed: number,
): {
  hf: HfModel;
  layout: ParamLayout;
  init: Float32Array;
  gen: GeneratorShape | undefined;
  parts: [HfModel, string][];
  files: BundleFile[];
} {
  const hf = hfModelFor(head);
  if (!hf) throw new Error(`a ${head.kind} head has no transformers model`);
  const layout = placeTensors(bertTensors(model, head));
  const init = initParams(layout, model.initStd, uniformOf(Rng.from(seed, 'init')));
  const gen = generatorOf(head);
  const parts: [HfModel, string][] = [
    [hf, ''],
    ...(gen ? [['electra-generator', 'generator/'] as [HfModel, string]] : []),
  ];
  const files: BundleFile[] = [];
  for (const [m, dir] of parts) {
    const w = exportHf(model, layout, init, m, gen);
    files.push({ name: `${dir}config.json`, bytes: new TextEncoder().encode(w.config) });
    files.push({ name: `${dir}model.safetensors`, bytes: w.safetensors });
  }
  return { hf, layout, init, gen, parts, files };
}

/** Builds every file of the bundle; throws with a plain message when the objective cannot be exported. */
export function scaleUpBundle(config: ExperimentConfig, data: PreparedData, opts: BundleOptions): BundleFile[] {
  const why = notExportable(config.masking.objective);
  if (why) throw new Error(why);
  const enc = new TextEncoder();
  const files: BundleFile[] = [];
  const text = (name: string, s: string) => files.push({ name, bytes: enc.encode(s) });
  const json = (name: string, v: unknown) => text(name, JSON.stringify(v, null, 1) + '\n');

  const model = modelShape(config, data.tokenizer.vocabSize);
  validateModelConfig(model);
  const rm = new RunMasking(config, data);
  const head = headFor(rm.plan, model);
  const { hf, layout, init, gen, parts, files: weights } = initialWeights(model, head, config.seed);
  files.push(...weights);
  const trained = trainedFolder(opts, (params, m) => exportHf(model, layout, params, m, gen), parts);
  files.push(...trained.files);
  text('tokenizer.json', exportTokenizerJson(data.tokenizer));
  for (const f of tokenizerConfigFiles(data.tokenizer, model.T)) text(f.name, f.text);
  json('experiment.json', {
    format: 'masklab-experiment/1',
    link: opts.link,
    config,
    model: { ...model, architecture: hfArchitecture(hf), head, capacity: rm.plan.capacity },
    trained: trained.info,
    trained_step: trained.info?.step ?? null,
    ...(gen ? { electra: { sample_seed: electraSampleSeed(config.seed), eval_sample_seed: EVAL_SAMPLE_SEED } } : {}),
  });
  json('masking.json', maskingJson(rm));
  files.push({ name: 'data/train.safetensors', bytes: sequencesFile(data.train) });
  files.push({ name: 'data/heldout.safetensors', bytes: sequencesFile(data.heldOut) });
  for (const g of goldenFiles(rm, model, head, layout, init)) json(g.name, g.json);
  for (const name of ['masklab_rng.py', 'masklab_strategies.py', 'masklab_masking.py', 'train.py', 'test_masking.py'])
    text(name, source(name));
  text(
    'README.md',
    readme(
      config,
      opts,
      hfArchitecture(hf),
      files.map((f) => f.name),
    ),
  );
  return files;
}

/** What trained/ holds, for experiment.json (train.py --init trained reads it). */
interface TrainedInfo {
  step: number;
  /** AdamW's moments are in trained/optimizer.safetensors (and generator/'s): the continuation is exact. */
  optimizer: boolean;
  /** ELECTRA: trained/generator/ holds the run's generator (kept Hugging Face weights hold the discriminator only). */
  generator: boolean;
}

/**
 * trained/: the run's model folders (config.json and model.safetensors, as from_pretrained needs them), with AdamW's
 * moments as optimizer.safetensors (exp_avg.NAME, exp_avg_sq.NAME under the model's own parameter names) when
 * the weights came from a MaskLab checkpoint; or a run's kept Hugging Face files as they are.
 */
function trainedFolder(
  opts: BundleOptions,
  hf: (params: Float32Array, m: HfModel) => { config: string; safetensors: Uint8Array },
  parts: [HfModel, string][],
): { files: BundleFile[]; info?: TrainedInfo } {
  const files: BundleFile[] = [];
  const t = opts.trained;
  if (t) {
    for (const [m, dir] of parts) {
      const w = hf(t.params, m);
      files.push({ name: `trained/${dir}config.json`, bytes: new TextEncoder().encode(w.config) });
      files.push({ name: `trained/${dir}model.safetensors`, bytes: w.safetensors });
      if (t.m && t.v)
        files.push({ name: `trained/${dir}optimizer.safetensors`, bytes: moments(hf(t.m, m), hf(t.v, m)) });
    }
    const optimizer = !!(t.m && t.v);
    return { files, info: { step: t.step, optimizer, generator: parts.length > 1 } };
  }
  const kept = opts.trainedFiles;
  if (!kept) return { files };
  for (const f of kept.files)
    if (f.name === 'config.json' || f.name === 'model.safetensors')
      files.push({ name: `trained/${f.name}`, bytes: f.bytes });
  return { files, info: { step: kept.step, optimizer: false, generator: false } };
}

/** One safetensors file of both moments, each tensor under exp_avg.NAME / exp_avg_sq.NAME (torch's AdamW names). */
function moments(m: { safetensors: Uint8Array }, v: { safetensors: Uint8Array }): Uint8Array {
  const named = (bytes: Uint8Array, prefix: string): NamedTensor[] =>
    [...readSafetensors(bytes).tensors.values()].map((t) => ({ ...t, name: prefix + t.name }));
  return writeSafetensors([...named(m.safetensors, 'exp_avg.'), ...named(v.safetensors, 'exp_avg_sq.')], {
    format: 'pt',
    masklab: 'AdamW moments of a MaskLab checkpoint for torch.optim.AdamW (train.py --init trained)',
  });
}

function readme(config: ExperimentConfig, opts: BundleOptions, architecture: string, names: string[]): string {
  const m = config.masking;
  const t = config.train;
  const trainedStep = opts.trained?.step ?? opts.trainedFiles?.step;
  const fill: Record<string, string> = {
    STRATEGY: m.strategy,
    OBJECTIVE: m.objective,
    ARCHITECTURE: architecture,
    LINK: opts.link,
    SEED: String(config.seed),
    STEPS: String(t.steps),
    BATCH: String(t.B),
    CORPUS: config.corpus,
    TRAINED:
      trainedStep === undefined
        ? 'No run to continue was included: export from a MaskLab checkpoint, or from a saved run with kept weights.'
        : opts.trained?.m
          ? `trained/ holds the run at step ${trainedStep} from a MaskLab checkpoint, with AdamW's moments: \`python train.py --init trained\` continues it exactly.`
          : `trained/ holds the run's weights at step ${trainedStep} (weights only: see below).`,
    GOLDEN: names
      .filter((n) => n.startsWith('golden/'))
      .map((n) => `\`${n}\``)
      .join(', '),
  };
  return source('README.template.md').replace(/\{\{(\w+)\}\}/g, (_, k: string) => fill[k] ?? `{{${k}}}`);
}

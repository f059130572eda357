// Writes an experiment as a Python project (Transformers + Accelerate) that reproduces it on one to many GPUs:
// model and tokenizer files, the packed data, masking.json, golden batches and train.py (src/session/scaleup).
//   npm run export:project -- --strategy span --objective mlm --steps 300 --seed 1 --out scaleup/
//   npm run export:project -- --url 'http://localhost:4173/#corpus=fairy-tales&strategy=pmi&...' --out scaleup/
//   npm run export:project -- --checkpoint masklab-checkpoint.safetensors --out scaleup/   (continue that run)
// Experiment flags are the share link's keys (--corpus, --tok, --model, --strategy, --objective, --sp.rate, --steps,
// --batch, --seed, ...); --text FILE gives a custom corpus's text; --checkpoint FILE a MaskLab checkpoint (weights,
// AdamW moments and step; its experiment unless flags or --url give one) that train.py --init trained continues
// exactly; --weights FILE a model.safetensors of the same experiment (a Hugging Face export: weights only).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { loadCorpus, type CorpusId } from '../src/data/corpora';
import { importHf, hfModelFor } from '../src/engine/checkpoint/hf';
import { bertTensors, placeTensors } from '../src/engine/model/params';
import { planMasking, vocabInfoOf } from '../src/masking';
import { modelShape, type ExperimentConfig } from '../src/session/config';
import { generatorOf } from '../src/session/exportFiles';
import { headFor, prepareExperimentData } from '../src/session/run';
import { scaleUpBundle, type TrainedState } from '../src/session/scaleup/bundle';
import { checkpointExperiment, trainedFromCheckpoint } from '../src/session/scaleup/fromCheckpoint';
import { notExportable } from '../src/session/scaleup/maskingSpec';
import { decodeExperiment, encodeExperiment } from '../src/session/experimentUrl';

const USAGE = `usage: npm run export:project -- [--url LINK | --<link key> VALUE ...] [--text FILE] [--checkpoint FILE | --weights FILE] --out DIR`;

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

const log = (s: string) => process.stderr.write(s + '\n');

function readInput(path: string, flag: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    fail(`${flag}: cannot read ${path}: ${(e as Error).message}`);
  }
}

/** The experiment a MaskLab checkpoint was saved with (its run.config), as the link decoder returns one. */
function experimentOf(bytes: Uint8Array): { config: ExperimentConfig; ignored: string[] } {
  let config: ExperimentConfig | undefined;
  try {
    config = checkpointExperiment(bytes).config;
  } catch (e) {
    fail(`--checkpoint: ${(e as Error).message}`);
  }
  if (!config) fail('--checkpoint: this checkpoint does not record its experiment: give the experiment flags or --url');
  return decodeExperiment(encodeExperiment(config));
}

/**
 * --text FILE is a custom corpus: the experiment (its link, README and runs file) names it custom:ID, the ID given
 * with --corpus custom:ID or made from the file's name; a shipped corpus with --text is refused.
 */
function textCorpus(e: ExperimentConfig, file: string): ExperimentConfig {
  if (e.corpus.startsWith('custom:')) return e;
  if (query.some((q) => q.startsWith('corpus=')))
    fail(`--text gives the text of a custom corpus: pass --corpus custom:ID (not ${e.corpus}) or leave --corpus out`);
  const id =
    basename(file)
      .replace(/\.[^.]*$/, '')
      .replace(/[^A-Za-z0-9-]+/g, '-')
      .slice(0, 64) || 'text';
  log(`--text ${file}: the experiment's corpus is custom:${id} (a saved text of that id in the page)`);
  return { ...e, corpus: `custom:${id}` };
}

const args = process.argv.slice(2).filter((a) => a !== '--');
const own: Record<string, string> = {};
const query: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '-h' || a === '--help') {
    console.log(USAGE);
    process.exit(0);
  }
  if (!a.startsWith('--')) fail(`unexpected argument "${a}"`);
  const key = a.slice(2);
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) fail(`--${key} needs a value`);
  i++;
  if (['out', 'url', 'text', 'weights', 'checkpoint'].includes(key)) own[key] = value;
  else query.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
}
if (!own.out) fail('--out DIR is required');
if (own.url && query.length) fail('give either --url or experiment flags, not both');
if (own.checkpoint && own.weights) fail('give either --checkpoint or --weights, not both');
const checkpoint = own.checkpoint ? readInput(own.checkpoint, '--checkpoint') : undefined;
const hash = own.url ? own.url.slice(own.url.indexOf('#') + 1) : query.join('&');
const decoded = checkpoint && !own.url && !query.length ? experimentOf(checkpoint) : decodeExperiment(hash);
if (decoded.ignored.length) fail(`not a valid experiment:\n  ${decoded.ignored.join('\n  ')}`);
const config = own.text ? textCorpus(decoded.config, own.text) : decoded.config;
const refused = notExportable(config.masking.objective);
if (refused) fail(refused);

let text: string;
if (own.text) text = readFileSync(own.text, 'utf8');
else if (config.corpus.startsWith('custom:'))
  fail(`the corpus ${config.corpus} is a text saved in a browser: pass its text with --text FILE`);
else text = await loadCorpus(config.corpus as CorpusId);
const t0 = performance.now();
const data = prepareExperimentData(text, config);
log(
  `data: ${data.train.count} training and ${data.heldOut.count} held-out sequences of T=${data.train.T}, V=${data.tokenizer.vocabSize}`,
);

let trained: TrainedState | undefined;
const flag = checkpoint ? `--checkpoint ${own.checkpoint}` : `--weights ${own.weights}`;
try {
  if (checkpoint) {
    trained = trainedFromCheckpoint(checkpoint, config, data);
    log(`checkpoint at step ${trained.step} of ${config.train.steps}, with AdamW's moments`);
  } else if (own.weights) {
    const model = modelShape(config, data.tokenizer.vocabSize);
    const head = headFor(planMasking(config.masking, vocabInfoOf(data.tokenizer), model.T), model);
    const hf = hfModelFor(head);
    if (!hf) fail(`a ${head.kind} head has no Hugging Face model to read weights from`);
    const layout = placeTensors(bertTensors(model, head));
    const gen = generatorOf(head);
    trained = { params: importHf(model, layout, readInput(own.weights, flag), hf, gen), step: config.train.steps };
  }
} catch (e) {
  fail(`${flag} does not fit this experiment's model: ${(e as Error).message}`);
}
const link = own.url ?? `http://localhost:4173/#${encodeExperiment(config)}`;
let files;
try {
  files = scaleUpBundle(config, data, { link, trained });
} catch (e) {
  fail((e as Error).message);
}
for (const f of files) {
  const path = join(own.out, f.name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, f.bytes);
}
const bytes = files.reduce((s, f) => s + f.bytes.byteLength, 0);
log(
  `wrote ${files.length} files (${(bytes / 1e6).toFixed(1)} MB) to ${own.out} in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${files.map((f) => f.name).join(', ')}`,
);

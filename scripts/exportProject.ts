// Writes an experiment as a Python project (Transformers + Accelerate) that reproduces it on one to many GPUs:
// model and tokenizer files, the packed data, masking.json, golden batches and train.py (src/session/scaleup).
//   npm run export:project -- --strategy span --objective mlm --steps 300 --seed 1 --out scaleup/
//   npm run export:project -- --url 'http://localhost:4173/#corpus=fairy-tales&strategy=pmi&...' --out scaleup/
// Experiment flags are the share link's keys (--corpus, --tok, --model, --strategy, --objective, --sp.rate, --steps,
// --batch, --seed, ...); --text FILE gives a custom corpus's text; --weights FILE a model.safetensors of the same
// experiment (a Hugging Face export) to continue from.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadCorpus, type CorpusId } from '../src/data/corpora';
import { importHf, hfModelFor } from '../src/engine/checkpoint/hf';
import { bertTensors, placeTensors } from '../src/engine/model/params';
import { planMasking, vocabInfoOf } from '../src/masking';
import { modelShape } from '../src/session/config';
import { headFor, prepareExperimentData } from '../src/session/run';
import { scaleUpBundle } from '../src/session/scaleup/bundle';
import { notExportable } from '../src/session/scaleup/maskingSpec';
import { decodeExperiment, encodeExperiment } from '../src/session/experimentUrl';

const USAGE = `usage: npm run export:project -- [--url LINK | --<link key> VALUE ...] [--text FILE] [--weights FILE] --out DIR`;

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
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
  if (['out', 'url', 'text', 'weights'].includes(key)) own[key] = value;
  else query.push(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
}
if (!own.out) fail('--out DIR is required');
if (own.url && query.length) fail('give either --url or experiment flags, not both');
const hash = own.url ? own.url.slice(own.url.indexOf('#') + 1) : query.join('&');
const { config, ignored } = decodeExperiment(hash);
if (ignored.length) fail(`not a valid experiment:\n  ${ignored.join('\n  ')}`);
const refused = notExportable(config.masking.objective);
if (refused) fail(refused);

const log = (s: string) => process.stderr.write(s + '\n');
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

let trained: { params: Float32Array; step: number } | undefined;
if (own.weights) {
  const model = modelShape(config, data.tokenizer.vocabSize);
  const head = headFor(planMasking(config.masking, vocabInfoOf(data.tokenizer), model.T), model);
  const hf = hfModelFor(head);
  if (!hf) fail(`a ${head.kind} head has no Hugging Face model to read weights from`);
  const layout = placeTensors(bertTensors(model, head));
  try {
    trained = {
      params: importHf(model, layout, readFileSync(own.weights), hf, head.kind === 'electra' ? head.gen : undefined),
      step: config.train.steps,
    };
  } catch (e) {
    fail(`--weights ${own.weights} does not fit this experiment's model: ${(e as Error).message}`);
  }
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

// Trains a MaskLab tokenizer in Node, exactly as the page does, and writes it as Hugging Face tokenizer.json.
//   npm run tokenize -- --corpus fairy-tales --tokenizer wordpiece --vocab-size 4000 --out tokenizer.json
//   npm run tokenize -- --file my.txt --tokenizer char
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CORPORA, corpusInfo, loadCorpus, type CorpusId } from '../src/data/corpora';
import { exportTokenizerJson } from '../src/data/hfJson';
import type { TokenizerKind } from '../src/data/tokenizer';
import { trainTokenizer } from '../src/data/train';
import { checkTextBytes } from '../src/data/validate';

const USAGE = `usage: npm run tokenize -- (--corpus ${CORPORA.map((c) => c.id).join('|')} | --file PATH)
       [--tokenizer wordpiece|word|char] [--vocab-size N] [--min-frequency N] [--out tokenizer.json]`;

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      corpus: { type: 'string' },
      file: { type: 'string' },
      tokenizer: { type: 'string', default: 'wordpiece' },
      'vocab-size': { type: 'string' },
      'min-frequency': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (e) {
  fail((e as Error).message);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

const kind = args.tokenizer as TokenizerKind;
if (!['wordpiece', 'word', 'char'].includes(kind)) fail(`unknown tokenizer "${args.tokenizer}"`);
const int = (name: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) fail(`--${name} must be a whole number, got "${v}"`);
  return n;
};
const vocabSize = int('vocab-size', args['vocab-size']);
const minFrequency = int('min-frequency', args['min-frequency']);

let text: string;
let source: string;
if (args.corpus !== undefined && args.file === undefined) {
  try {
    source = corpusInfo(args.corpus).title;
  } catch (e) {
    fail((e as Error).message);
  }
  text = await loadCorpus(args.corpus as CorpusId);
} else if (args.file !== undefined && args.corpus === undefined) {
  const check = checkTextBytes(readFileSync(args.file), `"${args.file}"`);
  if (!check.ok) fail(check.message);
  text = check.text;
  source = args.file;
} else {
  fail('give exactly one of --corpus and --file');
}

const t0 = performance.now();
const tokenizer = trainTokenizer(text, { kind, vocabSize, minFrequency });
const trainMs = performance.now() - t0;
const t1 = performance.now();
const tokens = tokenizer.encode(text).ids.length;
const encodeMs = performance.now() - t1;

console.log(`corpus      ${source} (${text.length.toLocaleString('en-US')} characters)`);
console.log(`tokenizer   ${kind}`);
console.log(`vocab size  ${tokenizer.vocabSize.toLocaleString('en-US')}`);
console.log(
  `tokens      ${tokens.toLocaleString('en-US')} (${(text.length / tokens).toFixed(2)} characters per token)`,
);
console.log(`time        train ${(trainMs / 1000).toFixed(2)} s, encode ${(encodeMs / 1000).toFixed(2)} s`);
if (args.out) {
  writeFileSync(args.out, exportTokenizerJson(tokenizer) + '\n');
  console.log(`wrote       ${args.out}`);
}

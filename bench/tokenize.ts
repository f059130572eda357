// Benchmark: tokenizer training and encoding time on Tiny Shakespeare (and the 4 MB KJV Bible from ../shared/corpora
// when present), for each MaskLab tokenizer, with Hugging Face's Rust tokenizers encoding the exported file for
// scale. Prints a table and writes bench/results/tokenize.json.  Run: npm run bench:tokenize
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { Tokenizer as HfTokenizer } from 'tokenizers';
import { exportTokenizerJson } from '../src/data/hfJson';
import type { TokenizerKind } from '../src/data/tokenizer';
import { trainTokenizer } from '../src/data/train';

const REPEATS = 3;
const corpora: { name: string; path: URL }[] = [
  { name: 'shakespeare', path: new URL('../public/corpora/shakespeare.txt', import.meta.url) },
  { name: 'kjv-bible', path: new URL('../../shared/corpora/kjv-bible.txt', import.meta.url) },
];
const specs: { kind: TokenizerKind; vocabSize?: number }[] = [
  { kind: 'wordpiece', vocabSize: 4000 },
  { kind: 'wordpiece', vocabSize: 16000 },
  { kind: 'word', vocabSize: 8000 },
  { kind: 'char' },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function time(fn: () => unknown | Promise<unknown>): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    await fn();
    runs.push(performance.now() - t0);
  }
  return median(runs);
}

const rows: Record<string, number | string>[] = [];
for (const corpus of corpora) {
  if (!existsSync(corpus.path)) {
    console.log(`skipping ${corpus.name}: ${corpus.path.pathname} not found`);
    continue;
  }
  const text = readFileSync(corpus.path, 'utf8');
  for (const spec of specs) {
    const tok = trainTokenizer(text, spec);
    const trainMs = await time(() => trainTokenizer(text, spec));
    const tokens = tok.encode(text).ids.length;
    const encodeMs = await time(() => tok.encode(text));
    const hf = HfTokenizer.fromString(exportTokenizerJson(tok));
    const lines = text.split('\n');
    const hfEncodeMs = await time(() => hf.encodeBatch(lines, { addSpecialTokens: false }));
    const row = {
      corpus: corpus.name,
      megabytes: +(Buffer.byteLength(text) / 1e6).toFixed(3),
      tokenizer: spec.kind,
      vocab_size: tok.vocabSize,
      tokens,
      train_ms: +trainMs.toFixed(1),
      encode_ms: +encodeMs.toFixed(1),
      encode_tokens_per_s: Math.round(tokens / (encodeMs / 1000)),
      hf_rust_encode_ms: +hfEncodeMs.toFixed(1),
    };
    rows.push(row);
    console.log(
      `${row.corpus.padEnd(12)} ${row.tokenizer.padEnd(10)} vocab ${String(row.vocab_size).padStart(6)}  tokens ${String(tokens).padStart(9)}` +
        `  train ${trainMs.toFixed(0).padStart(5)} ms  encode ${encodeMs.toFixed(0).padStart(5)} ms` +
        `  (${(row.encode_tokens_per_s / 1e6).toFixed(2)} M tok/s; HF Rust encodeBatch ${hfEncodeMs.toFixed(0)} ms)`,
    );
  }
}

const out = new URL('./results/tokenize.json', import.meta.url);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const result = {
  benchmark: 'tokenize',
  what: 'median of 3 runs: train = trainTokenizer on the whole corpus; encode = tokenizer.encode(whole corpus); hf_rust_encode = HF tokenizers (Rust, Node binding) loading the exported tokenizer.json and encoding the corpus lines with encodeBatch (multi-threaded)',
  date: new Date().toISOString(),
  node: process.version,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  results: rows,
};
writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
console.log(`wrote ${out.pathname}`);

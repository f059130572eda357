// Exports an experiment's data as MaskLab prepares it (split, tokenizer, packed sequences, the fixed held-out masks,
// the frequency baseline, the toy language's encoded minimal pairs) to JSON, for the PyTorch replica (sweep.py).
//   npx vite-node bench/pytorch/export.ts -- --corpus toy --tokenizer word --vocab-size 128 --T 16 --out /tmp/toy.json
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadCorpus, type CorpusId } from '../../src/data/corpora';
import { isToyCorpus, toyLanguageOf } from '../../src/data/toyLanguage';
import type { TokenizerKind } from '../../src/data/tokenizer';
import { heldOutBatches } from '../../src/data/batching';
import { Rng } from '../../src/data/rng';
import { applyMasking, countUnigrams, vocabInfoOf } from '../../src/masking';
import { defaultExperiment } from '../../src/session/config';
import { encodePairs } from '../../src/session/agreement';
import { frequencyBaseline } from '../../src/session/baseline';
import {
  engineBatch,
  EVAL_B,
  EVAL_MASKING,
  EVAL_MAX_SEQUENCES,
  EVAL_SEED,
  prepareExperimentData,
} from '../../src/session/run';

const a = parseArgs({
  args: process.argv.slice(2).filter((x) => x !== '--'),
  options: {
    corpus: { type: 'string', default: 'fairy-tales' },
    tokenizer: { type: 'string', default: 'wordpiece' },
    'vocab-size': { type: 'string', default: '2048' },
    T: { type: 'string', default: '64' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
  },
}).values;
const e = defaultExperiment();
e.corpus = a.corpus!;
e.tokenizer = { kind: a.tokenizer as TokenizerKind, vocabSize: Number(a['vocab-size']) };
e.model = { preset: 'custom', overrides: { T: Number(a.T) } };
e.seed = Number(a.seed);
const text = isToyCorpus(e.corpus) ? toyLanguageOf(e.corpus).text : await loadCorpus(e.corpus as CorpusId);
const data = prepareExperimentData(text, e);
const V = data.tokenizer.vocabSize;
const T = data.train.T;
const vocab = vocabInfoOf(data.tokenizer, countUnigrams(data.train.ids, data.train.valid, V));
const evalB = Math.min(EVAL_B, data.heldOut.count);
const held = heldOutBatches(data.heldOut, evalB).slice(0, Math.ceil(EVAL_MAX_SEQUENCES / evalB));
const evalBatches = held.map((b, i) => {
  const m = applyMasking(EVAL_MASKING, b, { vocab, rng: Rng.from(EVAL_SEED, i) });
  const eb = engineBatch(m, m.gathered!.positions.length);
  return {
    ids: Array.from(eb.ids),
    valid: Array.from(eb.valid),
    positions: Array.from(eb.positions),
    targets: Array.from(eb.targets),
  };
});
const baseline = frequencyBaseline(
  vocab.unigramCounts!,
  evalBatches.map((b) => ({ positions: Int32Array.from(b.positions), targets: Int32Array.from(b.targets) })),
);
const pairs = isToyCorpus(e.corpus) ? encodePairs(toyLanguageOf(e.corpus).pairs, data.tokenizer, T).encoded : [];
const out = {
  corpus: e.corpus,
  tokenizer: e.tokenizer,
  T,
  V,
  seed: e.seed,
  evalB,
  train: { count: data.train.count, ids: Array.from(data.train.ids), valid: Array.from(data.train.valid) },
  eval: evalBatches,
  baseline,
  pairs: pairs.map((p) => ({
    ids: Array.from(p.ids),
    valid: Array.from(p.valid),
    position: p.position,
    good: p.good,
    bad: p.bad,
    attractor: p.attractor,
  })),
};
writeFileSync(a.out ?? `/tmp/masklab-${e.corpus}-${T}.json`, JSON.stringify(out));
console.error(
  `${e.corpus}: ${data.train.count} training sequences of T=${T}, V=${V}, ${evalBatches.length} eval batches, baseline accuracy ${(baseline.accuracy * 100).toFixed(1)}% loss ${baseline.loss.toFixed(3)}, ${pairs.length} pairs`,
);

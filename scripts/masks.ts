// Samples masks over a real corpus and reports their statistics (rate, split, span lengths, split words/units).
// npm run masks -- --corpus fairy-tales --strategy span --samples 2000 --seed 7 --json   (last line: one JSON object)
import { loadCorpus, corpusInfo, type CorpusId } from '../src/data/corpora';
import { prepareData } from '../src/data/dataset';
import { BatchOrder, fillBatch, sequenceEncodings } from '../src/data/batching';
import { Rng } from '../src/data/rng';
import type { Batch } from '../src/data/types';
import type { TokenizerKind } from '../src/data/tokenizer';
import {
  applyMasking,
  contextFromTrainingSplit,
  countUnigrams,
  getObjective,
  getStrategy,
  MaskStats,
  OBJECTIVE_IDS,
  planMasking,
  TokenLossEma,
  vocabInfoOf,
  type MaskingConfig,
  type ParamValue,
} from '../src/masking';

const HELP = `Usage: npm run masks -- [options]
  --corpus ID          fairy-tales | shakespeare (default fairy-tales)
  --strategy ID        random | whole-word | span | ngram | pmi | informative | hard (default random)
  --objective ID       ${OBJECTIVE_IDS.join(' | ')} (default mlm)
  --samples N          sequences to mask (default 2000)
  --seed N             data and masking seed (default 0)
  --T N                sequence length (default 128)
  --tokenizer KIND     wordpiece | word | char (default wordpiece)
  --vocab-size N       tokenizer vocabulary size (default 4000)
  --set KEY=VALUE      a strategy parameter, repeatable (e.g. --set rate=0.3 --set minCount=5)
  --oset KEY=VALUE     an objective parameter, repeatable
  --schedule K,S,E     rate schedule kind,start,end (e.g. linear,0.3,0.15) and --progress P in [0,1]
  --json               print only the JSON summary`;

interface Args {
  corpus: string;
  strategy: string;
  objective: string;
  samples: number;
  seed: number;
  T: number;
  tokenizer: string;
  vocabSize: number;
  set: Record<string, string>;
  oset: Record<string, string>;
  schedule: string | null;
  progress: number;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    corpus: 'fairy-tales',
    strategy: 'random',
    objective: 'mlm',
    samples: 2000,
    seed: 0,
    T: 128,
    tokenizer: 'wordpiece',
    vocabSize: 4000,
    set: {},
    oset: {},
    schedule: null,
    progress: 0,
    json: false,
  };
  const args = argv.filter((x) => x !== '--');
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const int = (): number => {
      const v = Number(value());
      if (!Number.isFinite(v)) throw new Error(`${flag} needs a number`);
      return v;
    };
    const pair = (into: Record<string, string>) => {
      const [k, ...rest] = value().split('=');
      if (!k || rest.length === 0) throw new Error(`${flag} needs KEY=VALUE`);
      into[k] = rest.join('=');
    };
    switch (flag) {
      case '--corpus':
        a.corpus = value();
        break;
      case '--strategy':
        a.strategy = value();
        break;
      case '--objective':
        a.objective = value();
        break;
      case '--samples':
        a.samples = int();
        break;
      case '--seed':
        a.seed = int();
        break;
      case '--T':
        a.T = int();
        break;
      case '--tokenizer':
        a.tokenizer = value();
        break;
      case '--vocab-size':
        a.vocabSize = int();
        break;
      case '--set':
        pair(a.set);
        break;
      case '--oset':
        pair(a.oset);
        break;
      case '--schedule':
        a.schedule = value();
        break;
      case '--progress':
        a.progress = int();
        break;
      case '--json':
        a.json = true;
        break;
      case '--help':
      case '-h':
        console.log(HELP);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${flag}\n${HELP}`);
    }
  }
  if (!(Number.isInteger(a.samples) && a.samples >= 1)) throw new Error('--samples must be a positive integer');
  return a;
}

/** Turns "0.3", "true", "unigram" into the type the parameter's spec expects. */
function typed(raw: Record<string, string>): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [k, v] of Object.entries(raw))
    out[k] = v === 'true' ? true : v === 'false' ? false : v !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = (...m: unknown[]) => {
    if (!args.json) console.log(...m);
  };
  const t0 = performance.now();
  const strategy = getStrategy(args.strategy);
  getObjective(args.objective);
  const text = await loadCorpus(corpusInfo(args.corpus).id as CorpusId);
  const data = prepareData(
    text,
    { kind: args.tokenizer as TokenizerKind, vocabSize: args.vocabSize },
    { T: args.T, seed: args.seed },
  );
  const tokenizer = data.tokenizer;
  const vocab = vocabInfoOf(tokenizer, countUnigrams(data.train.ids, data.train.valid, tokenizer.vocabSize));
  const tData = performance.now();
  log(
    `${args.corpus}: ${data.train.count} training sequences of T=${args.T}, ${tokenizer.kind} vocabulary ${tokenizer.vocabSize} (${((tData - t0) / 1000).toFixed(1)} s)`,
  );

  const strategyParams = typed(args.set);
  const sched = args.schedule?.split(',');
  const config: MaskingConfig = {
    strategy: strategy.id,
    objective: getObjective(args.objective).id,
    strategyParams,
    objectiveParams: typed(args.oset),
    schedule: sched ? { kind: sched[0], start: Number(sched[1] ?? 0.3), end: Number(sched[2] ?? 0.15) } : undefined,
  };
  const plan = planMasking(config, vocab, args.T);

  // What the strategy and the objective draw from the training split (the PMI lexicon, the objective's table).
  const { lexicon, table } = contextFromTrainingSplit(plan, sequenceEncodings(data.train), vocab);
  if (table) log(table.summary);
  if (lexicon) {
    log(
      `PMI lexicon: ${lexicon.entries.length} entries from ${lexicon.corpusWords} words; top: ${lexicon.entries
        .filter((e) => e.n === 2)
        .slice(0, 8)
        .map((e) => `"${e.text}"`)
        .join(', ')}`,
    );
  }
  let hardness: TokenLossEma | undefined;
  if (strategy.needs.includes('hardness')) {
    // No model here: stand in for its per-token loss with the token's surprisal under the corpus unigram law.
    hardness = new TokenLossEma(vocab.size);
    const counts = vocab.unigramCounts as Float64Array;
    const total = counts.reduce((s, c) => s + c, 0);
    const ids = Array.from({ length: vocab.size }, (_, i) => i).filter((i) => counts[i] > 0);
    hardness.update(
      ids,
      ids.map((i) => -Math.log(counts[i] / total)),
    );
    log(
      'hard tokens: no model in this script, scores are unigram surprisal; use --progress 1 to see the full hard share',
    );
  }

  const B = Math.min(32, args.samples);
  const order = new BatchOrder(data.train, Math.min(B, data.train.count), args.seed);
  const ctx = { vocab, rng: Rng.from(args.seed, 'masking'), progress: args.progress, lexicon, hardness, table };
  const stats = new MaskStats(vocab);
  const batches = new Map<number, Batch>();
  let done = 0;
  for (let step = 0; done < args.samples; step++) {
    const rows = order.rowsAt(step).subarray(0, Math.min(order.B, args.samples - done));
    let batch = batches.get(rows.length);
    if (!batch) {
      const n = rows.length * args.T;
      batch = {
        B: rows.length,
        T: args.T,
        ids: new Int32Array(n),
        wordIds: new Int32Array(n),
        valid: new Int32Array(n),
      };
      batches.set(rows.length, batch);
    }
    fillBatch(data.train, rows, batch);
    stats.add(applyMasking(config, batch, ctx), batch);
    done += rows.length;
  }
  const s = stats.summary();
  const tEnd = performance.now();
  log(`masked ${s.sequences} sequences in ${((tEnd - tData) / 1000).toFixed(2)} s`);
  log(`rate ${s.rate.toFixed(4)} (${s.corrupted} of ${s.maskable} maskable tokens)`);
  log(`split [MASK] ${s.split.mask.toFixed(3)}  random ${s.split.random.toFixed(3)}  kept ${s.split.keep.toFixed(3)}`);
  log(
    `runs of corrupted words: mean ${s.mean_span_length_words.toFixed(2)} words; words split ${s.words_split}, units split ${s.units_split}`,
  );
  const summary = {
    corpus: args.corpus,
    tokenizer: tokenizer.kind,
    vocab_size: tokenizer.vocabSize,
    T: args.T,
    seed: args.seed,
    strategy: strategy.id,
    objective: plan.objective.id,
    strategy_params: plan.strategyParams,
    objective_params: plan.objectiveParams,
    progress: args.progress,
    target_capacity: plan.capacity,
    heads: plan.heads.map((h) => ({ name: h.name, kind: h.kind, classes: h.classes })),
    samples: s.sequences,
    ...s,
    lexicon: lexicon
      ? {
          entries: lexicon.entries.length,
          top: lexicon.entries
            .slice(0, 10)
            .map((e) => ({ text: e.text, n: e.n, count: e.count, pmi: +e.score.toFixed(3) })),
        }
      : undefined,
    time_ms: Math.round(tEnd - t0),
  };
  console.log(JSON.stringify(summary));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

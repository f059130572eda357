// The downstream probes (MASKING.md part 3): several balanced tasks of different kinds made from held-out text,
// linear classifiers on frozen mean-pooled features, and 95% intervals that resample held-out passages (a passage's
// windows are correlated: they count as one independent unit). Every run gets the same examples and split (fixed seeds).
import type { SequenceSet } from '../data/batching';
import { Rng } from '../data/rng';
import { SPECIAL_IDS, SPECIAL_TOKENS } from '../data/types';
import { badSentence, generateToyLanguage, parseToyCorpus } from '../data/toyLanguage';
import { featuresOf, type FeatureSource } from './features';
import { fitLogistic, predictLogistic, splitBySource } from './probeClassifier';
import { bootstrapUnits, fingerprint, unitTotals, type Estimate, type UnitTotals } from './stats';

const FIRST_NON_SPECIAL = SPECIAL_TOKENS.length;

export type DownstreamTaskId = 'word-order' | 'replaced-word' | 'spliced' | 'agreement';

export interface DownstreamTaskSpec {
  id: DownstreamTaskId;
  name: string;
  /** What the label means, in a few words. */
  question: string;
  /** The objectives this task resembles (a run trained on one of them has practised it). */
  closeTo: string;
  /** Only on the toy language (its held-out minimal pairs). */
  toyOnly?: boolean;
}

export const DOWNSTREAM_TASKS: readonly DownstreamTaskSpec[] = [
  {
    id: 'word-order',
    name: 'Word order',
    question: 'were two neighbouring words swapped?',
    closeTo: 'shuffle and shuffle+random (detecting tokens out of place)',
  },
  {
    id: 'replaced-word',
    name: 'Replaced word',
    question: 'was one word replaced by a word from another passage?',
    closeTo: 'rts and ELECTRA (detecting replaced tokens); slm',
  },
  {
    id: 'spliced',
    name: 'Spliced passage',
    question: 'does the second half come from another passage?',
    closeTo:
      'no objective here (next-sentence prediction, which BERT had and MaskLab does not); a test of longer context',
  },
  {
    id: 'agreement',
    name: 'Agreement',
    question: 'does the main verb disagree with its subject? (toy language minimal pairs)',
    closeTo:
      'mlm (naming the masked verb form), and char-n on the last characters; not first-char, which gives "run" and "runs" the same class; only on the toy language',
    toyOnly: true,
  },
];

/** Minimal pairs of each group (without an attractor, with one, object relative clauses) for the agreement task. */
export const AGREEMENT_PAIRS_PER_KIND = 700;

/**
 * The agreement task from the toy language's held-out minimal pairs (generated with more pairs than the lesson
 * uses; their sentences never occur in the training text): each pair gives its grammatical sentence (label 0) and
 * the one with the other verb form (label 1), both [CLS] ... [SEP]; pairs longer than T - 2 tokens are left out.
 */
export function buildAgreementTask(
  corpus: string,
  tokenizer: { encode(text: string): { ids: ArrayLike<number> } },
  T: number,
): WindowTask {
  const { sentences, seed } = parseToyCorpus(corpus);
  const pairs = generateToyLanguage({ sentences, seed, pairsPerKind: AGREEMENT_PAIRS_PER_KIND }).pairs;
  const rows: { s: number; ids: number[]; label: number }[] = [];
  pairs.forEach((p, s) => {
    const good = Array.from(tokenizer.encode(p.words.join(' ')).ids);
    const bad = Array.from(tokenizer.encode(badSentence(p).join(' ')).ids);
    if (good.length > T - 2 || bad.length > T - 2) return;
    rows.push({ s, ids: good, label: 0 }, { s, ids: bad, label: 1 });
  });
  // The same sentences at every seed, though each seed's tokenizer numbers the words its own way.
  const kept = [...new Set(rows.map((r) => r.s))];
  const text = kept.map((s) => pairs[s].words.join(' ')).join('\n');
  return {
    ...packRows(rows, T),
    contentKey: fingerprint(
      Array.from(text, (ch) => ch.charCodeAt(0)),
      kept,
    ),
  };
}

/**
 * Test examples each task aims for: windows per held-out sequence (1 to 16) are chosen to reach it from the sequences
 * used. Independent units are the sequences, so a task uses as many as the budget allows and as few windows each.
 */
export const TARGET_TEST_EXAMPLES = 1100;
/** Share of source sequences whose examples are held out for testing the classifiers. */
export const TASK_TEST_FRACTION = 0.4;
export const TASK_L2 = 1e-2;
export const TASK_SEED = 'masklab-downstream';

export interface WindowTask {
  T: number;
  count: number;
  ids: Int32Array;
  valid: Int32Array;
  labels: Uint8Array;
  /** Held-out sequence each example comes from (the split keeps a sequence's examples on one side). */
  source: Int32Array;
  /**
   * What the examples are, independent of the tokenizer, when the same items recur at every seed (the agreement
   * pairs): runs of different seeds then share their test units. Absent: the examples' ids say it.
   */
  contentKey?: string;
}

/** Words of a packed row as [start, end) ranges of real, non-special pieces grouped by word id. */
function wordsOf(ids: Int32Array, wordIds: Int32Array, valid: Int32Array): [number, number][] {
  const out: [number, number][] = [];
  for (let t = 0; t < ids.length; t++) {
    if (!valid[t] || wordIds[t] < 0 || ids[t] < FIRST_NON_SPECIAL) continue;
    const last = out[out.length - 1];
    if (last && last[1] === t && wordIds[t - 1] === wordIds[t]) last[1] = t + 1;
    else out.push([t, t + 1]);
  }
  return out;
}

const same = (ids: Int32Array, a: [number, number], b: [number, number]) =>
  a[1] - a[0] === b[1] - b[0] && ids.subarray(a[0], a[1]).every((x, i) => x === ids[b[0] + i]);

/**
 * Examples of one task: from each of the first `maxSequences` held-out sequences, `windows` windows of about half
 * its words at evenly spread offsets, each re-wrapped as [CLS] ... [SEP]; windows alternate between label 0 (the
 * text as it is) and label 1 (corrupted as the task says), so every task is balanced (chance 50%).
 */
export function buildWindowTask(
  set: SequenceSet,
  task: Exclude<DownstreamTaskId, 'agreement'>,
  opts: { maxSequences: number; windows?: number },
): WindowTask {
  const T = set.T;
  const nSeq = Math.min(set.count, opts.maxSequences);
  const windows =
    opts.windows ?? Math.min(16, Math.max(1, Math.ceil(TARGET_TEST_EXAMPLES / TASK_TEST_FRACTION / Math.max(1, nSeq))));
  const rows: { s: number; ids: number[]; label: number }[] = [];
  const words = Array.from({ length: nSeq }, (_, s) => {
    const lo = s * T;
    return wordsOf(set.ids.subarray(lo, lo + T), set.wordIds.subarray(lo, lo + T), set.valid.subarray(lo, lo + T));
  });
  for (let s = 0; s < nSeq; s++) {
    const ids = set.ids.subarray(s * T, (s + 1) * T);
    const ws = words[s];
    const wl = Math.max(4, Math.floor(ws.length / 2));
    if (ws.length < 4) continue;
    for (let k = 0; k < windows; k++) {
      const rng = Rng.from(TASK_SEED, task, s, k);
      const a = Math.floor((k * Math.max(0, ws.length - wl)) / Math.max(1, windows - 1));
      const win = ws.slice(a, a + wl);
      const label = (k + s) % 2;
      const piece = (w: [number, number]) => Array.from(ids.subarray(w[0], w[1]));
      let out: number[] | undefined = win.flatMap(piece);
      if (label === 1) out = corrupt(task, ids, win, rng, words, set, s);
      if (!out) continue;
      rows.push({ s, ids: out.slice(0, T - 2), label });
    }
  }
  return packRows(rows, T);
}

/** Examples as [CLS] ids [SEP] padded to T. */
function packRows(rows: readonly { s: number; ids: number[]; label: number }[], T: number): WindowTask {
  const count = rows.length;
  const t: WindowTask = {
    T,
    count,
    ids: new Int32Array(count * T),
    valid: new Int32Array(count * T),
    labels: new Uint8Array(count),
    source: new Int32Array(count),
  };
  rows.forEach((r, i) => {
    const row = [SPECIAL_IDS.cls, ...r.ids, SPECIAL_IDS.sep];
    t.ids.set(row, i * T);
    t.valid.fill(1, i * T, i * T + row.length);
    t.labels[i] = r.label;
    t.source[i] = r.s;
  });
  return t;
}

/** The corrupted window's pieces, or undefined when this window cannot be corrupted that way. */
function corrupt(
  task: DownstreamTaskId,
  ids: Int32Array,
  win: [number, number][],
  rng: Rng,
  words: [number, number][][],
  set: SequenceSet,
  s: number,
): number[] | undefined {
  const piece = (src: Int32Array, w: [number, number]) => Array.from(src.subarray(w[0], w[1]));
  const T = set.T;
  const other = () => {
    // Another held-out sequence with enough words (seeded).
    for (let tries = 0; tries < 8; tries++) {
      const o = rng.int(words.length);
      if (o !== s && words[o].length >= 4) return o;
    }
    return undefined;
  };
  if (task === 'word-order') {
    const pairs: number[] = [];
    for (let w = 0; w + 1 < win.length; w++) if (!same(ids, win[w], win[w + 1])) pairs.push(w);
    if (pairs.length === 0) return undefined;
    const w = rng.choice(pairs);
    const order = win.map((_, i) => (i === w ? w + 1 : i === w + 1 ? w : i));
    return order.flatMap((i) => piece(ids, win[i]));
  }
  const o = other();
  if (o === undefined) return undefined;
  const oIds = set.ids.subarray(o * T, (o + 1) * T);
  if (task === 'replaced-word') {
    const w = rng.int(win.length);
    const repl = words[o][rng.int(words[o].length)];
    if (same(ids, win[w], [repl[0], repl[1]]) && repl[1] - repl[0] === win[w][1] - win[w][0]) return undefined;
    return win.flatMap((x, i) => (i === w ? piece(oIds, repl) : piece(ids, x)));
  }
  // spliced: the first half of this window, then as many words from another sequence.
  const half = Math.floor(win.length / 2);
  const start = rng.int(Math.max(1, words[o].length - (win.length - half)));
  const tail = words[o].slice(start, start + win.length - half);
  return [...win.slice(0, half).flatMap((x) => piece(ids, x)), ...tail.flatMap((x) => piece(oIds, x))];
}

export interface DownstreamTaskResult {
  id: DownstreamTaskId;
  name: string;
  closeTo: string;
  /** Test accuracy with its bootstrap 95% interval over independent test units (held-out passages; minimal pairs). */
  accuracy: Estimate;
  /** Per test unit: correct examples and examples (paired differences resample them). Older records: absent. */
  totals?: UnitTotals;
  /** Independent test units (the held-out sequences or minimal pairs the test examples come from). */
  units?: number;
  trainAccuracy: number;
  /** Balanced task: 0.5. */
  chance: number;
  /** Share of the majority label on the test examples (what always guessing it scores). */
  majority: number;
  trainExamples: number;
  testExamples: number;
}

/** One task on one encoder: features of every example, logistic regression on the training split, test accuracy. */
export async function runDownstreamTask(
  src: FeatureSource,
  heldOut: SequenceSet,
  id: DownstreamTaskId,
  maxSequences: number,
  onProgress?: (done: number, total: number) => void,
  prebuilt?: WindowTask,
): Promise<DownstreamTaskResult> {
  const spec = DOWNSTREAM_TASKS.find((t) => t.id === id)!;
  if (!prebuilt && id === 'agreement')
    throw new Error("the agreement task needs the toy language's minimal pairs (buildAgreementTask)");
  const task = prebuilt ?? buildWindowTask(heldOut, id as Exclude<DownstreamTaskId, 'agreement'>, { maxSequences });
  const sources = new Set(task.source).size;
  if (task.count < 8 || sources < 4)
    throw new Error(
      `the held-out text gives ${task.count} examples from ${sources} sequences for "${spec.name}"; it needs at least 8 from 4`,
    );
  const X = await featuresOf(src, task.ids, task.valid, task.count, (d) => onProgress?.(d, task.count));
  const { train, test } = splitBySource(task.source, TASK_TEST_FRACTION, `${TASK_SEED}/${id}`);
  const model = fitLogistic(X, src.cfg.C, task.labels, train, { l2: TASK_L2 });
  const right = (idx: number[]) => {
    const p = predictLogistic(model, X, idx);
    return Float64Array.from(idx, (r, i) => ((p[i] >= 0.5 ? 1 : 0) === task.labels[r] ? 1 : 0));
  };
  const testRight = right(test);
  const trainRight = right(train);
  const ones = test.reduce((n, r) => n + task.labels[r], 0);
  // The test set's key: its examples (ids, or the content they stand for) with labels and units; every run of a
  // seed has the same one, and with contentKey so does every seed.
  const key = fingerprint(
    ...(task.contentKey
      ? [Array.from(task.contentKey, (ch) => ch.charCodeAt(0))]
      : test.map((r) => task.ids.subarray(r * task.T, (r + 1) * task.T))),
    test.map((r) => task.labels[r] * 1_000_003 + task.source[r]),
  );
  const totals = unitTotals(
    testRight,
    test.map((r) => task.source[r]),
    key,
  );
  return {
    id,
    name: spec.name,
    closeTo: spec.closeTo,
    accuracy: bootstrapUnits(totals, `${TASK_SEED}/${id}`),
    totals,
    units: totals.sums.length,
    trainAccuracy: trainRight.reduce((a, b) => a + b, 0) / Math.max(1, train.length),
    chance: 0.5,
    majority: Math.max(ones, test.length - ones) / Math.max(1, test.length),
    trainExamples: train.length,
    testExamples: test.length,
  };
}

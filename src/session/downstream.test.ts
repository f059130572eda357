// The downstream tasks on CPU stand-in encoders: balanced, over 1,000 test examples from a held-out set the size of
// Grimms' at T = 64, seeded; an order-aware encoder solves word order, a bag of tokens sits at chance there.
import { describe, expect, it } from 'vitest';
import type { SequenceSet } from '../data/batching';
import { Rng } from '../data/rng';
import {
  buildAgreementTask,
  buildWindowTask,
  DOWNSTREAM_TASKS,
  runDownstreamTask,
  TASK_TEST_FRACTION,
} from './downstream';
import { badSentence, generateToyLanguage } from '../data/toyLanguage';
import type { FeatureSource } from './features';
import { splitBySource } from './probeClassifier';

const T = 24;
/** count sequences: [CLS] + 20 one-piece words in ascending id order + [SEP] + padding. */
function sortedSet(count: number, seed: number): SequenceSet {
  const rng = Rng.from(seed);
  const set: SequenceSet = {
    T,
    count,
    ids: new Int32Array(count * T),
    wordIds: new Int32Array(count * T).fill(-1),
    valid: new Int32Array(count * T),
    tokens: count * 20,
  };
  for (let s = 0; s < count; s++) {
    const words = Array.from({ length: 20 }, () => 5 + rng.int(400)).sort((a, b) => a - b);
    [2, ...words, 3].forEach((id, t) => {
      set.ids[s * T + t] = id;
      set.valid[s * T + t] = 1;
      if (t > 0 && t <= 20) set.wordIds[s * T + t] = t - 1;
    });
  }
  return set;
}

function fakeSource(C: number, f: (ids: Int32Array, valid: Int32Array) => number[]): FeatureSource {
  return {
    cfg: { T, C },
    features(ids, valid, B) {
      const out = new Float32Array(B * C);
      for (let b = 0; b < B; b++)
        out.set(f(ids.subarray(b * T, (b + 1) * T), valid.subarray(b * T, (b + 1) * T)), b * C);
      return Promise.resolve(out);
    },
  };
}

describe('downstream tasks', () => {
  it('are balanced, seeded, and give over 1,000 test examples from 226 held-out sequences', () => {
    const set = sortedSet(226, 1);
    for (const t of DOWNSTREAM_TASKS) {
      if (t.id === 'agreement') continue;
      const task = buildWindowTask(set, t.id, { maxSequences: 256 });
      const ones = task.labels.reduce((a, x) => a + x, 0);
      expect(Math.abs(ones - task.count / 2), t.id).toBeLessThan(task.count * 0.02);
      const { test } = splitBySource(task.source, TASK_TEST_FRACTION, `x/${t.id}`);
      expect(test.length, t.id).toBeGreaterThanOrEqual(1000);
      expect(buildWindowTask(set, t.id, { maxSequences: 256 }).ids).toEqual(task.ids);
      expect(t.closeTo.length).toBeGreaterThan(5);
      // Corrupted windows differ from every window of their source (a real change), originals are text as it is.
      for (let i = 0; i < 40; i++) expect(task.ids[i * T]).toBe(2);
    }
  });

  it('word order: an order-aware encoder solves it, a bag of tokens sits at chance', async () => {
    const set = sortedSet(120, 2);
    const descents = fakeSource(2, (ids, valid) => {
      let d = 0;
      for (let t = 1; t + 1 < T; t++) if (valid[t + 1] && ids[t] > 4 && ids[t + 1] > 4 && ids[t] > ids[t + 1]) d++;
      return [d, ids[1]];
    });
    const r = await runDownstreamTask(descents, set, 'word-order', 120);
    expect(r.accuracy.value).toBeGreaterThan(0.95);
    expect(r.accuracy.lo).toBeGreaterThan(0.9);
    const bag = fakeSource(4, (ids, valid) => {
      const f = [0, 0, 0, 0];
      for (let t = 0; t < T; t++) if (valid[t]) f[ids[t] % 4] += ids[t];
      return f;
    });
    const b = await runDownstreamTask(bag, set, 'word-order', 120);
    expect(b.accuracy.lo).toBeLessThanOrEqual(0.5);
    expect(b.accuracy.hi).toBeGreaterThanOrEqual(0.5);
    expect(b.chance).toBe(0.5);
  });

  it('replaced word and spliced passage: an encoder that sees order breaks tells them apart', async () => {
    const set = sortedSet(120, 3);
    // Sorted text: a foreign word or a foreign second half breaks the ascending order.
    const src = fakeSource(1, (ids, valid) => {
      let d = 0;
      for (let t = 1; t + 1 < T; t++) if (valid[t + 1] && ids[t] > 4 && ids[t + 1] > 4 && ids[t] > ids[t + 1]) d++;
      return [d];
    });
    for (const id of ['replaced-word', 'spliced'] as const) {
      const r = await runDownstreamTask(src, set, id, 120);
      expect(r.accuracy.value, id).toBeGreaterThan(0.75);
      expect(r.closeTo.length).toBeGreaterThan(5);
    }
  });

  it("agreement: the toy language's minimal pairs, grammatical (0) and with the other verb form (1), over 1,000 test examples", async () => {
    // A word-level stand-in tokenizer: one id per distinct word, from 5 up.
    const vocab = new Map<string, number>();
    const tokenizer = {
      encode: (text: string) => ({
        ids: text.split(' ').map((w) => vocab.get(w) ?? (vocab.set(w, 5 + vocab.size), vocab.size + 4)),
      }),
    };
    const task = buildAgreementTask('toy:2000:3', tokenizer, T);
    expect(task.count % 2).toBe(0);
    expect(task.labels.reduce((a, x) => a + x, 0)).toBe(task.count / 2);
    const { test } = splitBySource(task.source, TASK_TEST_FRACTION, 'x/agreement');
    expect(test.length).toBeGreaterThanOrEqual(1000);
    // Pair k: rows 2k and 2k+1 differ in exactly one token, the verb.
    let diff = 0;
    for (let t = 0; t < T; t++) if (task.ids[t] !== task.ids[T + t]) diff++;
    expect(diff).toBe(1);
    const p = generateToyLanguage({ sentences: 2000, seed: 3, pairsPerKind: 700 }).pairs[0];
    expect(Array.from(task.ids.subarray(1, 1 + p.words.length))).toEqual(tokenizer.encode(p.words.join(' ')).ids);
    expect(Array.from(task.ids.subarray(T + 1, T + 1 + p.words.length))).toEqual(
      tokenizer.encode(badSentence(p).join(' ')).ids,
    );
    // A constant encoder sits at chance on it.
    const r = await runDownstreamTask(
      fakeSource(1, () => [0]),
      sortedSet(8, 1),
      'agreement',
      8,
      undefined,
      task,
    );
    expect(r.accuracy.lo).toBeLessThanOrEqual(0.5);
    expect(r.testExamples).toBeGreaterThanOrEqual(1000);
    // Units are minimal pairs (both sentences of a pair count once), and the same pairs at every seed share one key
    // although each seed's tokenizer numbers the words its own way.
    expect(r.units).toBe(r.testExamples / 2);
    const other = new Map<string, number>();
    const shuffled = {
      encode: (text: string) => ({
        ids: text.split(' ').map((w) => other.get(w) ?? (other.set(w, 900 - other.size), 901 - other.size)),
      }),
    };
    const again = buildAgreementTask('toy:2000:3', shuffled, T);
    expect(again.ids).not.toEqual(task.ids);
    const r2 = await runDownstreamTask(
      fakeSource(1, () => [0]),
      sortedSet(8, 1),
      'agreement',
      8,
      undefined,
      again,
    );
    expect(r2.totals!.key).toBe(r.totals!.key);
    // Window tasks from two different held-out sets (two seeds' splits) do not share a key.
    const w1 = await runDownstreamTask(
      fakeSource(1, (ids) => [ids[1]]),
      sortedSet(60, 1),
      'word-order',
      60,
    );
    const w2 = await runDownstreamTask(
      fakeSource(1, (ids) => [ids[1]]),
      sortedSet(60, 2),
      'word-order',
      60,
    );
    expect(w1.totals!.key).not.toBe(w2.totals!.key);
  });

  it('says when the held-out text is too small', async () => {
    await expect(
      runDownstreamTask(
        fakeSource(1, () => [0]),
        sortedSet(2, 4),
        'word-order',
        10,
      ),
    ).rejects.toThrow(/needs at least/);
  });
});

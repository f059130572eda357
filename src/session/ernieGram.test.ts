// ERNIE-Gram in a run: its n-gram vocabulary comes from the training split alone (an n-gram frequent only in the
// held-out text is not a class), every entry is frequent in the training split, the held-out masks use it, its
// head has V + G classes, and the scale-up bundle refuses it with the reason before anything is built.
import { describe, expect, it } from 'vitest';
import { sequenceEncodings } from '../data/batching';
import { loadCorpus } from '../data/corpora';
import { buildNgramVocabulary, type NgramVocabulary } from '../masking/objectives/ernieGram';
import { defaultExperiment, modelShape, type ExperimentConfig } from './config';
import { prepareExperimentData } from './run';
import { headFor, RunMasking } from './runMasking';
import { notExportable } from './scaleup/maskingSpec';

describe('ERNIE-Gram in a run', () => {
  const e: ExperimentConfig = {
    ...defaultExperiment(),
    tokenizer: { kind: 'wordpiece', vocabSize: 1024 },
    model: { preset: 'custom', overrides: { T: 32 } },
    masking: {
      strategy: 'ngram',
      objective: 'ernie-gram',
      objectiveParams: { ngramVocab: 300, ngramMinCount: 3, ngramWords: 3 },
    },
  };

  it('draws its n-gram vocabulary from the training split only', { timeout: 120_000 }, async () => {
    const text = (await loadCorpus('fairy-tales')).slice(0, 60_000);
    const data = prepareExperimentData(text, e);
    const rm = new RunMasking(e, data);
    const table = rm.table as NgramVocabulary;
    expect(table.entries.length).toBeGreaterThan(20);
    // Every n-gram of each split with its count (no minimum, no size limit).
    const all = (enc: Iterable<{ ids: Int32Array; wordIds: Int32Array }>) =>
      new Map(
        buildNgramVocabulary(enc, rm.vocab, { size: 1e9, minCount: 1, maxWords: 3 }).entries.map((x) => [
          x.key,
          x.count,
        ]),
      );
    const train = all(sequenceEncodings(data.train));
    const held = all(sequenceEncodings(data.heldOut));
    for (const x of table.entries) expect(train.get(x.key) ?? 0).toBeGreaterThanOrEqual(3);
    const heldOnly = [...held].filter(([k, c]) => c >= 3 && (train.get(k) ?? 0) < 3).map(([k]) => k);
    expect(heldOnly.length).toBeGreaterThan(0);
    const keys = new Set(table.entries.map((x) => x.key));
    for (const k of heldOnly) expect(keys.has(k)).toBe(false);

    // Its own held-out figures use the same vocabulary: some held-out n-grams are predicted whole.
    const V = rm.vocab.size;
    const classes = rm.evalMasked().flatMap((m) => Array.from(m.gathered!.targets).filter((t) => t >= V));
    expect(classes.length).toBeGreaterThan(0);
    expect(headFor(rm.plan, modelShape(e, V))).toEqual({ kind: 'ernie-gram', G: 300 });
  });

  it('is refused by the scale-up bundle with the reason, as other objectives without a transformers head', () => {
    expect(notExportable('ernie-gram')).toMatch(/"ernie-gram" cannot be exported as a Transformers project yet/);
  });
});

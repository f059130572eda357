// The syntax scores a run computes from the engine's attention (read in evaluation-sized batches) equal those from the
// float64 reference model's attention on the same weights, on the toy language's held-out syntax set.
import { describe, expect, it } from 'vitest';
import { toyLanguageOf } from '../data/toyLanguage';
import { SPECIAL_IDS } from '../data/types';
import { mlmReference } from '../engine/reference/model';
import { useGpu } from '../engine/testing';
import { classPreset } from './presets';
import { prepareExperimentData, TrainingRun } from './run';
import { AttendedTable, scoreSyntax } from './syntax';

describe('syntax scores on the GPU', () => {
  const fx = useGpu();

  it('equal the float64 reference model’s on the same weights', { timeout: 300_000 }, async () => {
    const e = classPreset('toy-language').config();
    e.corpus = 'toy:2000:5';
    e.train = { ...e.train, B: 8, steps: 10, warmup: 1 };
    const data = prepareExperimentData(toyLanguageOf(e.corpus).text, e);
    const run = new TrainingRun(fx.kernels, e, data);
    const set = run.syntaxSet!;
    const { L, NH, T } = run.model;
    expect(set.count).toBeGreaterThan(300);
    // Random weights at BERT's 0.02 attend almost uniformly, where the most-attended token is a matter of rounding:
    // larger query/key weights make attention peaked, so each row has a clear maximum.
    const layout = run.trainer.layout;
    const params = await run.trainer.state.read('params');
    for (const t of layout.tensors)
      if (t.name.endsWith('qkv_w')) for (let i = 0; i < t.size; i++) params[t.offset + i] *= 16;
    run.trainer.state.write('params', params);

    const engine = await run.syntax();
    const ref = mlmReference(
      run.model,
      layout,
      params,
      {
        B: set.count,
        ids: set.ids,
        valid: set.valid,
        positions: [-1],
        targets: [-1],
        weights: [0],
      },
      false,
    );
    // Every scored row has a clear maximum in the reference (no near ties that float32 could order otherwise): the
    // top two probabilities differ by more than 0.01% of the larger (float32 attention is far closer than that).
    let smallestGap = Infinity;
    for (const att of ref.att)
      for (let s = 0; s < set.count; s++)
        for (let h = 0; h < NH; h++)
          for (let i = 1; i < set.lengths[s] - 1; i++) {
            const row = Array.from({ length: set.lengths[s] - 2 }, (_, j) => j + 1)
              .filter((j) => j !== i)
              .map((j) => att[((s * NH + h) * T + i) * T + j])
              .sort((a, b) => b - a);
            smallestGap = Math.min(smallestGap, (row[0] - row[1]) / row[0]);
          }
    expect(smallestGap).toBeGreaterThan(1e-4);
    const table = new AttendedTable(L, NH, set);
    ref.att.forEach((a, l) => table.add(l, 0, set.count, a));
    const want = scoreSyntax(set, table);
    console.log(
      `syntax set: ${set.count} sentences, smallest relative top-two gap ${smallestGap.toExponential(2)}; verb → subject ` +
        `(attractor): head ${want.relations.find((r) => r.id === 'verb_subject_attractor')?.head.score}`,
    );
    expect(engine).toEqual(want);
    // The scores are not all alike: some relation's best head differs from another's, or scores differ.
    expect(new Set(want.relations.map((r) => r.head.score)).size).toBeGreaterThan(1);
    expect(set.ids[0]).toBe(SPECIAL_IDS.cls);
    run.destroy();
  });
});

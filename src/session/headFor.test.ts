// The head each objective trains now comes from the head module its objective names (Objective.head): for every
// objective of the catalogue it must be the configuration the former by-id mapping gave, and the shared evaluation
// (Objective.evaluation) must go to exactly the runs with a vocabulary head, as before.
import { describe, expect, it } from 'vitest';
import { modelConfig, type ModelConfig } from '../engine/config';
import { headModule, HEADS } from '../engine/model/heads';
import { generatorShape, VOCAB_HEAD, type HeadConfig } from '../engine/model/params';
import { defaultConfig, OBJECTIVE_IDS, planMasking, sharesMaskedEvaluation, type MaskingPlan } from '../masking';
import { testVocab } from '../masking/testkit';
import { headFor } from './run';

/** The mapping session/run.ts kept by objective id before heads were modules (verbatim logic). */
function formerHeadFor(plan: MaskingPlan, model: ModelConfig): HeadConfig {
  const heads = plan.heads;
  if (plan.objective.id === 'electra') {
    const disc = heads.find((h) => h.kind === 'binary')!;
    return {
      kind: 'electra',
      gen: generatorShape(model, Number(plan.objectiveParams.generatorWidth)),
      discWeight: disc.lossWeight,
    };
  }
  if (plan.objective.id === 'sbo') {
    const span = heads.find((x) => x.kind === 'span-boundary')!;
    return { kind: 'vocab', sbo: { maxRel: Number(plan.objectiveParams.maxRel), weight: span.lossWeight } };
  }
  const h = heads[0];
  if (h.kind === 'vocab') return VOCAB_HEAD;
  if (h.kind === 'classes')
    return plan.objective.id === 'position'
      ? { kind: 'classes', K: h.classes, hidePositions: true }
      : { kind: 'classes', K: h.classes };
  return { kind: 'binary' };
}

describe('headFor (by the head module an objective names)', () => {
  const vocab = testVocab();
  const T = 16;
  const model = modelConfig('tiny', vocab.size, { T });
  for (const id of OBJECTIVE_IDS) {
    it(`${id}: the same head as before, and the shared evaluation exactly for vocabulary heads`, () => {
      const plan = planMasking(defaultConfig(id), vocab, T);
      const head = headFor(plan, model);
      expect(head).toEqual(formerHeadFor(plan, model));
      expect(sharesMaskedEvaluation(plan.objective)).toBe(head.kind === 'vocab');
      // The loss rows are about what they were (runMasks' lossRowTokenIds read the head's kind before).
      expect(headModule(head).rows).toBe(head.kind === 'binary' || head.kind === 'electra' ? 'tokens' : head.kind);
      // A causal objective names the head that declares a causal encoder (the next-token head), and only it.
      expect(HEADS[plan.objective.head].causal ?? false).toBe(plan.causal);
    });
  }

  it('refuses an objective whose heads do not fit the head it names', () => {
    const plan = planMasking(defaultConfig('mlm'), vocab, T);
    const wrong = { ...plan, objective: { ...plan.objective, head: 'binary' as const } };
    expect(() => headFor(wrong, model)).toThrow(/objective "mlm" has a vocab head, not the binary head it names/);
  });
});

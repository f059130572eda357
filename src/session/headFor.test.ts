// The head each objective trains comes from the head module its objective names (Objective.head), in the one
// vocabulary of head kinds: the configuration's kind is the objective's head, it is the configuration the former
// by-id mapping gave (as a checkpoint written then is read now: upgradeHeadConfig), and the shared evaluation
// (Objective.evaluation) goes to exactly the runs whose head predicts vocabulary ids, as before.
import { describe, expect, it } from 'vitest';
import { modelConfig, type ModelConfig } from '../engine/config';
import { headModule, HEADS, upgradeHeadConfig } from '../engine/model/heads';
import { generatorShape } from '../engine/model/params';
import { defaultConfig, OBJECTIVE_IDS, planMasking, sharesMaskedEvaluation, type MaskingPlan } from '../masking';
import { testVocab } from '../masking/testkit';
import { headFor } from './run';

/** The objectives of the catalogue before heads were modules (later ones have no former head to agree with). */
const FORMER = [
  'mlm',
  'slm',
  'rts',
  'shuffle',
  'shuffle-random',
  'token-type',
  'first-char',
  'char-n',
  'electra',
  'sbo',
  'meap',
  'position',
];

/** The mapping session/run.ts kept by objective id before heads were modules, in the kinds of then (verbatim logic). */
function formerHeadFor(plan: MaskingPlan, model: ModelConfig): unknown {
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
  if (h.kind === 'vocabulary' || h.kind === 'next-token') return { kind: 'vocab' };
  if (h.kind === 'k-class' || h.kind === 'position')
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
    it(`${id}: its head's kind, the same head as before, and the shared evaluation exactly for vocabulary heads`, () => {
      const plan = planMasking(defaultConfig(id), vocab, T);
      const head = headFor(plan, model);
      expect(head.kind).toBe(plan.objective.head);
      // MEAP's head was the vocabulary head on a causal encoder; it is now the next-token kind (same tensors).
      const former = FORMER.includes(id) ? upgradeHeadConfig(formerHeadFor(plan, model)) : head;
      if (id === 'meap') expect([former, head]).toEqual([{ kind: 'vocabulary' }, { kind: 'next-token' }]);
      else expect(head).toEqual(former);
      expect(sharesMaskedEvaluation(plan.objective)).toBe(headModule(head).rows === 'vocab');
      // A causal objective names the head that declares a causal encoder (the next-token head), and only it.
      expect(HEADS[plan.objective.head].causal ?? false).toBe(plan.causal);
    });
  }

  it('refuses an objective whose heads do not fit the head it names', () => {
    const plan = planMasking(defaultConfig('mlm'), vocab, T);
    const wrong = { ...plan, objective: { ...plan.objective, head: 'binary' as const } };
    expect(() => headFor(wrong, model)).toThrow(/objective "mlm" has a vocabulary head, not the binary head it names/);
  });
});

// One rule per numeric setting: the validation, the share-link reader and the field's "Allowed" text come from it,
// so they accept and refuse the same values and say the same range (the learning rate once showed two rules).
import { describe, expect, it } from 'vitest';
import { defaultExperiment } from './config';
import { decodeExperiment, encodeExperiment } from './experimentUrl';
import {
  COMPARISON_RULES,
  MODEL_RULES,
  parseByRule,
  ruleProblem,
  ruleText,
  SEED_RULE,
  TRAIN_FIELDS,
  VOCAB_RULE,
  type NumberRule,
} from './settingRules';
import { validateExperiment } from './validate';

/** Values at and just past each bound, and a fraction, for a rule. */
function probes(r: NumberRule): number[] {
  const step = r.integer ? 1 : 1e-6;
  const out = [r.min - step, r.min, r.min + step, r.min + 0.5];
  if (r.max !== Infinity) out.push(r.max - step, r.max, r.max + step, r.max * 10);
  return out;
}

describe('setting rules', () => {
  it('say their range in words', () => {
    expect(ruleText(TRAIN_FIELDS.find((f) => f.key === 'lr')!.rule)).toBe('a number above 0 up to 10');
    expect(ruleText(TRAIN_FIELDS.find((f) => f.key === 'B')!.rule)).toBe('a whole number from 1 to 4096');
    expect(ruleText(COMPARISON_RULES.budgetAmount)).toBe('a number above 0');
    expect(ruleProblem(COMPARISON_RULES.budgetAmount, 0)).toBe('must be above 0');
  });

  it('the learning rate: 1000, 0 and -1 are refused with the same allowed range in the check and the link', () => {
    const lr = TRAIN_FIELDS.find((f) => f.key === 'lr')!;
    for (const v of [1000, 0, -1]) {
      const e = defaultExperiment();
      e.train.lr = v;
      const [p] = validateExperiment(e);
      expect(p).toMatchObject({ setting: 'lr', allowed: ruleText(lr.rule) });
      expect(parseByRule(lr.rule, String(v))).toBeNull();
    }
  });

  it('every training setting: the validation and the link reader accept exactly what the rule accepts', () => {
    for (const f of TRAIN_FIELDS) {
      for (const v of probes(f.rule)) {
        const ok = ruleProblem(f.rule, v) === undefined;
        const e = defaultExperiment();
        (e.train as unknown as Record<string, number>)[f.key] = v;
        // warmup below steps and the floor keep the schedule valid; only this setting is under test.
        const problems = validateExperiment(e).filter((p) => p.setting === f.url);
        expect(problems.length === 0, `${f.url}=${v} validation`).toBe(ok);
        if (!ok) expect(problems[0].allowed).toBe(ruleText(f.rule));
        expect(parseByRule(f.rule, String(v)) !== null, `${f.url}=${v} link`).toBe(ok);
        const d = decodeExperiment(`${f.url}=${v}`);
        expect(
          d.ignored.some((x) => x.startsWith(`${f.url}=`)),
          `${f.url}=${v} ignored`,
        ).toBe(!ok);
      }
    }
  });

  it('the seed, the static mask seed, the vocabulary size and the model shape follow their rules too', () => {
    for (const v of probes(SEED_RULE)) {
      const ok = ruleProblem(SEED_RULE, v) === undefined;
      const e = defaultExperiment();
      e.seed = v;
      e.masking = { ...e.masking, staticMasks: true, staticSeed: v };
      const settings = validateExperiment(e).map((p) => p.setting);
      expect(settings.includes('seed'), `seed=${v}`).toBe(!ok);
      expect(settings.includes('static.seed'), `static.seed=${v}`).toBe(!ok);
    }
    for (const v of probes(VOCAB_RULE)) {
      const ok = ruleProblem(VOCAB_RULE, v) === undefined;
      const e = defaultExperiment();
      e.tokenizer = { ...e.tokenizer, vocabSize: v };
      const p = validateExperiment(e).find((x) => x.setting === 'tok');
      expect(p === undefined, `tok=${v}`).toBe(ok);
      if (p) expect(p.reason).toContain(VOCAB_RULE.why);
    }
    for (const [k, r] of Object.entries(MODEL_RULES)) {
      for (const v of probes(r)) {
        const ok = ruleProblem(r, v) === undefined;
        const e = defaultExperiment();
        e.model = { preset: 'custom', overrides: { [k]: v } };
        const p = validateExperiment(e).find((x) => x.setting === `m.${k}`);
        if (!ok) expect(p?.allowed, `m.${k}=${v}`).toBe(ruleText(r));
      }
    }
  });

  it('a valid experiment survives the link round trip', () => {
    const e = defaultExperiment();
    expect(decodeExperiment(encodeExperiment(e)).ignored).toEqual([]);
  });
});

// The self-test's scopes plan what they say: the whole-model scope is the curve alone on both variants, the quick
// set every case up to QUICK_MAX_SIZE, and "every case" the whole list.
import { describe, expect, it } from 'vitest';
import { kernelCases } from '../engine/selftest/cases';
import { CURVE_CASE } from '../engine/selftest/curve';
import { QUICK_MAX_SIZE, selfTestPlan } from '../engine/selftest/run';
import { scopeOptions } from './selftestScope';

const SG = { min: 4, max: 4 };

describe('self-test scopes', () => {
  it('plan the whole model alone, the quick set, or every case', () => {
    const model = selfTestPlan(true, scopeOptions('model'));
    expect(model.map((p) => [p.c.id, p.tuning.cpu])).toEqual([
      [CURVE_CASE.id, true],
      [CURVE_CASE.id, false],
    ]);
    // A device with subgroups (SwiftShader's): their variants' cases are planned too.
    const quick = selfTestPlan(true, scopeOptions('quick'), SG);
    expect(quick.every((p) => p.c.size <= QUICK_MAX_SIZE)).toBe(true);
    expect(new Set(quick.map((p) => p.c.id))).toEqual(
      new Set(
        kernelCases()
          .filter((c) => c.size <= QUICK_MAX_SIZE)
          .map((c) => c.id),
      ),
    );
    expect(new Set(selfTestPlan(true, scopeOptions('all'), SG).map((p) => p.c.id))).toEqual(
      new Set(kernelCases().map((c) => c.id)),
    );
  });
});

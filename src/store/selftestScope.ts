// Which cases a kernel self-test run takes, as the page offers it: every case, the quick set (small shapes, the
// default on software adapters), or the whole model's 10-step training curve alone (every training kernel at once).
import { QUICK_MAX_SIZE, type SelfTestOptions } from '../engine/selftest/run';

export type SelfTestScope = 'all' | 'quick' | 'model';

/** The whole-model case's id starts so (selftest/curve.ts); no other case's id or family contains it. */
export const WHOLE_MODEL_FILTER = 'whole model:';

export function scopeOptions(scope: SelfTestScope): Pick<SelfTestOptions, 'maxSize' | 'filter'> {
  if (scope === 'quick') return { maxSize: QUICK_MAX_SIZE };
  if (scope === 'model') return { filter: WHOLE_MODEL_FILTER };
  return {};
}

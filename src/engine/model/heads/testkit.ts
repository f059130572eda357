// For tests: one configuration of every head kind, as the catalogue's objectives ask for it (default settings).
import type { ModelConfig } from '../../config';
import { OBJECTIVES, planMasking } from '../../../masking';
import type { VocabInfo } from '../../../masking/types';
import { HEADS } from './index';
import type { HeadConfig, HeadKind } from './types';

/** The first objective naming each head kind, configured for `model` and sequences of length T. */
export function headsOfCatalogue(vocab: VocabInfo, model: ModelConfig): Map<HeadKind, HeadConfig> {
  const out = new Map<HeadKind, HeadConfig>();
  for (const o of Object.values(OBJECTIVES)) {
    if (out.has(o.head)) continue;
    const plan = planMasking({ strategy: o.defaultStrategy, objective: o.id }, vocab, model.T);
    out.set(
      o.head,
      HEADS[o.head].configure({ objective: o.id, heads: plan.heads, params: plan.objectiveParams, model }),
    );
  }
  return out;
}

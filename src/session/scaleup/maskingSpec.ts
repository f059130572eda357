// masking.json of the scale-up bundle: a masking config resolved for the run's vocabulary and T, with the tables
// the Python collator (python/masklab_masking.py) reads instead of recomputing them, so its numbers are MaskLab's:
// the span-length CDF and the informative weights (both involve Math.pow/Math.log), the PMI lexicon's keys, the
// corpus unigram counts.
import { informationWeights, planMasking, resolveParams, SCHEDULE_SPEC, type VocabInfo } from '../../masking';
import type { MaskingConfig, ObjectiveId, PmiLexicon } from '../../masking/types';
import { spanLengthLaw } from '../../masking/strategies/span';
import type { RunMasking } from '../runMasking';
import { EVAL_SEED } from '../runMasking';

/** Objectives the Python side can train through a transformers model (the others have heads transformers lacks). */
export const EXPORTABLE_OBJECTIVES: readonly ObjectiveId[] = ['mlm', 'slm', 'rts', 'shuffle', 'electra'];

/** Why an objective cannot be exported as a Python project, or null when it can. */
export function notExportable(objective: ObjectiveId): string | null {
  if (EXPORTABLE_OBJECTIVES.includes(objective)) return null;
  const why: Partial<Record<ObjectiveId, string>> = {
    'first-char': 'its k-class head (first characters) has no transformers model',
    'char-n': 'its k-class head (character n-grams) has no transformers model',
    'shuffle-random': 'its 3-way per-token head (original, shuffled, random) has no transformers model',
    'token-type': 'its 4-class head (content, stop word, number, punctuation) has no transformers model',
    sbo: "SpanBERT's span-boundary head has no transformers model",
    meap: 'MEAP trains a causal decoder with [MASK] inputs, which no transformers BERT class does',
    position: 'its "no position" embedding and position head have no transformers model',
  };
  return `The objective "${objective}" cannot be exported as a Transformers project yet: ${why[objective] ?? 'no transformers model'}. Exportable: ${EXPORTABLE_OBJECTIVES.join(', ')}.`;
}

export function maskingSpec(
  config: MaskingConfig,
  vocab: VocabInfo,
  T: number,
  lexicon?: PmiLexicon,
): Record<string, unknown> {
  const plan = planMasking(config, vocab, T);
  const sp = plan.strategyParams;
  const spec: Record<string, unknown> = {
    strategy: plan.strategy.id,
    objective: plan.objective.id,
    strategy_params: sp,
    objective_params: plan.objectiveParams,
    schedule: resolveParams('schedule', SCHEDULE_SPEC.params, config.schedule),
    static_masks: config.staticMasks ?? false,
    static_seed: config.staticSeed ?? 0,
    vocab_size: vocab.size,
    capacity: plan.capacity,
    selection_capacity: plan.selectionCapacity,
    unigram_counts: Array.from(vocab.unigramCounts ?? new Float64Array(vocab.size)),
  };
  if (plan.strategy.id === 'span')
    spec.span_length_cdf = Array.from(spanLengthLaw(Number(sp.p), Number(sp.maxSpan)).cdf);
  if (plan.strategy.id === 'informative')
    spec.information_weights = Array.from(informationWeights(vocab, Number(sp.sharpness)));
  if (plan.strategy.id === 'pmi') {
    if (!lexicon) throw new Error('the pmi strategy needs its lexicon to be exported');
    spec.lexicon = {
      maxN: lexicon.maxN,
      minCount: lexicon.minCount,
      keys: lexicon.entries.map((e) => e.key),
      texts: lexicon.entries.map((e) => e.text),
    };
  }
  return spec;
}

/** The whole masking.json: the run's masking, its evaluation's, seed, steps, batch size. */
export function maskingJson(rm: RunMasking): Record<string, unknown> {
  const T = rm.data.train.T;
  const evalB = rm.evalB;
  return {
    format: 'masklab-masking/1',
    seed: rm.config.seed,
    steps: rm.config.train.steps,
    batch_size: rm.config.train.B,
    T,
    masking: maskingSpec(rm.config.masking, rm.vocab, T, rm.lexicon),
    eval: {
      kind: rm.evalKind === 'mlm' ? 'mlm' : 'objective',
      seed: EVAL_SEED,
      batch_size: evalB,
      max_batches: rm.evalMasked().length,
      masking: maskingSpec(rm.evalMasking(), rm.vocab, T, rm.lexicon),
    },
  };
}

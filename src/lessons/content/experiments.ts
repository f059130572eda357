// The experiments the lessons share: BERT's 15% masking, the shipped fairy tales (lessons 1 and 3) and the
// comparisons' base (lessons 4 to 6).
import type { MaskingConfig } from '../../masking/types';
import { defaultExperiment, type ExperimentConfig } from '../../session/config';
import { classPreset } from '../../session/presets';

export const BERT_15: MaskingConfig = {
  strategy: 'random',
  objective: 'mlm',
  strategyParams: { rate: 0.15, maskFrac: 0.8, randomFrac: 0.1 },
};

/** The shipped Grimms' Fairy Tales, WordPiece 2048, the tiny model, BERT masking: the lessons' common ground. */
export function fairyTales(
  patch: Partial<ExperimentConfig['train']> = {},
  masking: MaskingConfig = BERT_15,
): ExperimentConfig {
  const e = defaultExperiment();
  return { ...e, corpus: 'fairy-tales', masking: structuredClone(masking), train: { ...e.train, ...patch }, seed: 1 };
}

/**
 * The comparisons' shared experiment: the class preset "Fairy tales in one lesson" (batch and learning rate chosen
 * so the model leaves the frequency plateau within the lesson on a laptop GPU; src/session/presets.ts).
 */
export function comparisonBase(): ExperimentConfig {
  const e = classPreset('fairy-tales').config();
  return { ...e, seed: 1 };
}

// Lesson 4, how much to mask: 15% against 40% against a decaying rate, as a paired comparison with intervals.
import { REFS } from '../../masking/papers';
import type { MaskingConfig } from '../../masking/types';
import { BERT_15, comparisonBase } from './experiments';
import type { Lesson } from '../types';

const RATE_40: MaskingConfig = {
  strategy: 'random',
  objective: 'mlm',
  strategyParams: { rate: 0.4, maskFrac: 1, randomFrac: 0 },
};
const RATE_DECAY: MaskingConfig = {
  strategy: 'random',
  objective: 'mlm',
  strategyParams: { maskFrac: 0.8, randomFrac: 0.1 },
  schedule: { kind: 'linear', start: 0.3, end: 0.15 },
};

export const LESSON_4: Lesson = {
  n: 4,
  slug: 'how-much-to-mask',
  title: 'How much to mask',
  summary: '15% vs 40% vs a decaying rate, as a paired comparison with intervals; what the papers found at scale.',
  paragraphs: [
    'BERT masks 15% of the tokens. More masking gives more targets per sequence, so more training signal, but ' +
      'leaves less context to predict them from. Wettig et al. (2023) found that 40% outperformed 15% for ' +
      'BERT-large on GLUE and SQuAD, with [MASK] only, and argued that larger models should use higher rates, so ' +
      'small models are expected to prefer lower ones. MosaicBERT trains at 30% (Portes et al. 2023).',
    'The rate need not stay fixed. Ankner et al. (2024) decayed it linearly from 30% to 15% over training and found ' +
      'modest gains at BERT-base, up to about half a GLUE point.',
    'A comparison is fair only if everything but the masking is the same: here the same initial weights, the same ' +
      'batches in the same order and the same held-out evaluation for each scheme, at three seeds. The table reports ' +
      'each scheme against 15% as a paired difference with a 95% interval: when the interval contains zero, the ' +
      'difference is inside the noise.',
  ],
  references: [REFS.wettig, REFS.mosaic, REFS.ankner, REFS.bert],
  question: {
    prompt: 'On this 2-layer model, how will 40% masking compare with 15% on the held-out accuracy?',
    options: [
      { id: 'better', text: '40% better, as Wettig et al. found for BERT-large', outcome: 'better' },
      { id: 'worse', text: '40% worse: a small model prefers a lower rate', outcome: 'worse' },
      { id: 'noise', text: 'Inside the noise: this run cannot tell them apart', outcome: 'inside noise' },
    ],
    pair: 1,
    explanation:
      "There is no answer key: the run decides. Wettig et al.'s argument predicts that a model this small prefers " +
      'the lower rate, but on a short toy run the difference may well be smaller than the spread between seeds.',
  },
  watch: [
    {
      panel: 'compare',
      text: 'The comparison trains the schemes one after another, each at three seeds; the curves overlay them.',
    },
    { panel: 'train', text: 'The run in progress, live.' },
    { panel: 'compare', text: 'The table: each scheme against 15%, with its interval and a verdict in words.' },
  ],
  setup: {
    kind: 'compare',
    config: comparisonBase,
    schemes: [BERT_15, RATE_40, RATE_DECAY],
    reference: 0,
    seeds: 3,
    budget: { minSteps: 20, maxSteps: 1500 },
  },
  limits:
    'The papers measured fine-tuned GLUE and SQuAD scores after long pretraining of BERT-base and BERT-large; this ' +
    'is a 2-layer model for a few hundred steps, scored on held-out masked tokens. Differences of a GLUE point, like ' +
    'Ankner et al.\'s, are far below what three seeds of a toy run can resolve, so "inside noise" is the expected ' +
    'verdict for the schedule. A toy run can show the trade-off (more targets, less context) on its own loss curves. ' +
    'And a run that has not left the frequency plateau cannot separate any schemes: all of them only guess common ' +
    'tokens, so on a slow (CPU) adapter "inside noise" may mean "not trained enough", not "masking does not matter".',
};

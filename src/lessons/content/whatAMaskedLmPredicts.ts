// Lesson 1, what a masked language model predicts: the mask preview, 80/10/10 and the fill-in probe before training.
import { REFS } from '../../masking/papers';
import { fairyTales } from './experiments';
import type { Lesson } from '../types';

export const LESSON_1: Lesson = {
  n: 1,
  slug: 'what-a-masked-lm-predicts',
  title: 'What a masked language model predicts',
  summary:
    'The mask preview, 80/10/10 and why some targets are kept or replaced, and the fill-in probe before training.',
  paragraphs: [
    'A masked language model reads a sentence in which some tokens are hidden and predicts, at each hidden place, ' +
      'a probability for every token of its vocabulary. BERT hides 15% of the tokens of each sequence and is trained ' +
      'to put high probability on the original token there (Devlin et al. 2019). Nothing else is labelled: the text ' +
      'itself is the answer key.',
    'Look at the mask preview. Of the tokens chosen as targets, BERT shows 80% as [MASK], replaces 10% by a random ' +
      'token and leaves 10% unchanged. The reason is fine-tuning: [MASK] never appears in real text, so a model that ' +
      'only ever predicted at [MASK] might learn nothing useful about the tokens it can see. Because any visible token ' +
      'could secretly be a target, the model has to keep a good representation of every token (Devlin et al. 2019, ' +
      'section 3.1). Their ablation found fine-tuning fairly robust to this mix, while [MASK] alone hurt when the ' +
      'features were used without fine-tuning; Wettig et al. (2023) later revisited the rule and trained their 40% ' +
      'models with [MASK] only.',
    'The fill-in probe asks the model for its top five guesses at each [MASK] of a sentence you type. This lesson ' +
      'starts a very short run, so you see the probe of an untrained model (step 0) and then of one that has trained ' +
      'for a few dozen steps.',
  ],
  references: [REFS.bert, REFS.wettig],
  question: {
    prompt: 'Before any training, what will the model guess for "the king said to his [MASK]"?',
    options: [
      { id: 'sensible', text: 'A sensible word such as "daughter" or "son"' },
      { id: 'frequent', text: 'The most common tokens, such as "the" and ","' },
      { id: 'uniform', text: 'Nothing in particular: every token gets about the same small probability' },
    ],
    answer: 'uniform',
    explanation:
      'Its weights are random (BERT initialises them from a normal distribution with standard deviation 0.02), so ' +
      'its outputs are close to uniform: each of the V tokens gets about 1/V. Within a few dozen steps it learns the ' +
      'cheapest improvement, the frequency of each token, and starts guessing "the" and punctuation everywhere. ' +
      'Using the context comes much later (lesson 2).',
  },
  watch: [
    {
      panel: 'mask-preview',
      text: 'The preview: which tokens are [MASK] (80%), replaced (10%) or kept (10%), and what they were.',
    },
    {
      panel: 'predictions',
      text: 'The fill-in probe at step 0, then after training: how sure is the model, and of which tokens?',
    },
    {
      panel: 'charts',
      text: 'The held-out loss starts near ln V, the loss of a uniform guess, and falls quickly at first.',
    },
  ],
  setup: {
    kind: 'train',
    // Batch 16, not the lab's 64: the same outcome in 30 steps (held-out loss 7.64 -> 6.23 against 6.15, accuracy
    // 0 -> 6.6% either way; Node, SwiftShader), in 42% of the time, so a class on a software adapter waits less.
    config: () => fairyTales({ B: 16, steps: 30, warmup: 5, evalEvery: 10 }),
    budget: { fixedSteps: 30, minSteps: 30, maxSteps: 30 },
  },
  limits:
    'This run is a tiny model (2 layers, width 64) for a few dozen steps: it shows the mechanics of masking and ' +
    'prediction, not what a trained BERT knows. BERT-base trained for a million steps of 256 sequences of 512 tokens.',
};

// Lesson 6, task complexity: predicting the first character, two, three, or the whole token (Yamaguchi et al. 2023),
// under one probe.
import { REFS } from '../../masking/papers';
import { BERT_15, comparisonBase } from './experiments';
import type { Lesson } from '../types';

export const LESSON_6: Lesson = {
  n: 6,
  slug: 'task-complexity',
  title: 'Task complexity',
  summary:
    'First character, first two, first three characters, and the whole token, under one probe (Yamaguchi et al. 2023).',
  paragraphs: [
    'Does the model need to predict the whole token? The first-character objective only asks for the first letter of ' +
      'the hidden token: 29 classes instead of thousands. Yamaguchi et al. (2021) reported five such simple ' +
      'objectives comparable to or better than MLM on GLUE and SQuAD at BERT-base size.',
    'Yamaguchi et al. (2023) then varied the complexity: predicting the first n characters gives more classes as n ' +
      'grows, up to the whole token. At BERT-base scale, on GLUE, SQuAD and Universal Dependencies, more complex ' +
      "objectives tended to do better, and at least half of MLM's complexity was needed to perform comparably to MLM.",
    'Here all four encoders are scored the same way, through one probe on the frozen encoder, against MLM.',
  ],
  references: [REFS.yamaguchi2023, REFS.yamaguchi2021, REFS.bert],
  question: {
    prompt: "How will the first-character encoder compare with MLM's under the same probe?",
    options: [
      { id: 'worse', text: 'Worse: predicting one letter teaches less about the token', outcome: 'worse' },
      { id: 'noise', text: 'Comparable: inside the noise', outcome: 'inside noise' },
      { id: 'better', text: 'Better: an easier task is learnt faster', outcome: 'better' },
    ],
    pair: 1,
    explanation:
      "The run decides. Yamaguchi et al.'s trend predicts that the simpler objectives fall behind, but on a short " +
      'run the differences may stay inside the noise between seeds.',
  },
  watch: [
    {
      panel: 'compare',
      text: "Each objective's own loss is not comparable across objectives: read the probe's columns.",
    },
    { panel: 'compare', text: 'The verdict of each objective against MLM, with its interval.' },
  ],
  setup: {
    kind: 'compare',
    config: comparisonBase,
    schemes: [
      BERT_15,
      { strategy: 'random', objective: 'first-char', strategyParams: { rate: 0.15 } },
      { strategy: 'random', objective: 'char-n', strategyParams: { rate: 0.15 }, objectiveParams: { n: 2 } },
      { strategy: 'random', objective: 'char-n', strategyParams: { rate: 0.15 }, objectiveParams: { n: 3 } },
    ],
    reference: 0,
    seeds: 3,
    budget: { minSteps: 20, maxSteps: 1500 },
  },
  limits:
    'Yamaguchi et al. pretrained BERT-base models and fine-tuned them on GLUE, SQuAD and UD; a toy run scored by a ' +
    'probe trained for a small budget can test the direction of their trend on this corpus, not its size. With ' +
    "the preset's 1,024-piece vocabulary, 2 characters give 250 classes and 3 characters 700, about two thirds of " +
    "MLM's 1,024: the half-of-MLM point of their finding lies between them.",
};

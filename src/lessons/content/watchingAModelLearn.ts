// Lesson 2, watching a model learn: the frequency plateau and the drop, attention, agreement and attractors, on the
// toy language.
import { REFS } from '../../masking/papers';
import type { ExperimentConfig } from '../../session/config';
import { classPreset } from '../../session/presets';
import { LESSON_REFS } from '../papers';
import type { Lesson } from '../types';

/** Lesson 2's experiment: the class preset "Toy language: watch agreement appear" (src/session/presets.ts). */
export function watchingConfig(): ExperimentConfig {
  return classPreset('toy-language').config();
}

export const LESSON_2: Lesson = {
  n: 2,
  slug: 'watching-a-model-learn',
  title: 'Watching a model learn',
  summary: 'The frequency plateau and the drop, attention before and after, agreement and why attractors fool it.',
  paragraphs: [
    'This lesson trains on a toy language generated in the page: about 100 words, sentences such as "the old dogs ' +
      'chase a cat in the forest .", and verbs that agree with their subject. A masked LM first learns which tokens ' +
      'are common. Guessing by frequency alone already lowers the loss a lot, and for a while the model does nothing ' +
      'else: its held-out accuracy sits at the share of the most frequent token, the frequency baseline. This is the ' +
      'plateau.',
    'Then the loss drops, often suddenly. Chen et al. (2024) followed BERT-base models through training and found a ' +
      'brief window in which attention heads start to track syntactic relations (they call it syntactic attention ' +
      'structure), at the same time as a steep drop in the loss; grammatical abilities improved after it. Compare ' +
      'the attention maps before and after the drop with the scrubber.',
    'Subject-verb agreement is a clean test of using context: in "the dogs near the cat [MASK]" the verb must be ' +
      '"run", not "runs". A noun of the other number between subject and verb is an attractor. Linzen et al. (2016) ' +
      'showed that attractors make LSTM language models err more often; Goldberg (2019) found BERT models right on ' +
      'most such cases. A small model that agrees with the nearest noun gets the attractor cases wrong: a shortcut, ' +
      'not a rule.',
  ],
  references: [LESSON_REFS.chen2024, LESSON_REFS.linzen2016, LESSON_REFS.goldberg2019, REFS.bert],
  question: {
    prompt: 'Which tokens will the model get right first?',
    options: [
      { id: 'rare', text: 'The nouns ("wolf", "queen"): they carry the meaning' },
      { id: 'frequent', text: 'The most frequent tokens ("the", "."), wherever they are hidden' },
      { id: 'verbs', text: 'Verbs that agree with their subject' },
    ],
    answer: 'frequent',
    explanation:
      'Predicting the most frequent tokens everywhere is right as often as they occur, so the first accuracy the ' +
      'model reaches is the frequency baseline. Leaving it needs the context, which takes attention heads that look ' +
      'at the right neighbours (Chen et al. 2024).',
  },
  watch: [
    {
      panel: 'charts',
      text: 'Accuracy against the frequency baseline: the flat stretch, then the rise. The loss drops at the same time.',
    },
    {
      panel: 'attention',
      text: 'Attention maps before and after the drop (the scrubber steps through the evaluations).',
    },
    { panel: 'charts', text: 'Agreement accuracy, with and without an attractor, against its 50% chance line.' },
  ],
  setup: {
    kind: 'train',
    preset: 'toy-language',
    config: watchingConfig,
    budget: { minSteps: 30, maxSteps: 2000 },
    probeText: 'the dogs near the cat [MASK] .',
  },
  limits:
    'Chen et al. measured syntactic attention structure against parsed English at BERT-base scale; a 2-layer model ' +
    'on a toy language can only show the plateau, the drop and attention maps by eye, and its agreement is that of ' +
    'a small generated language, not of English. How soon the plateau ends depends on batch size, ' +
    "learning rate and the text: the preset's settings come from a sweep so that it ends within a few hundred " +
    "steps, while on Grimms' Fairy Tales at batch 16 a model of this size stays on it for thousands of steps. A run " +
    'cut short may never leave it: that is a result too, not a failure.',
};

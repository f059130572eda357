// Lesson 2, watching a model learn: the frequency plateau and the drop, attention, agreement and attractors, on the
// toy language.
import { REFS } from '../../masking/papers';
import type { ExperimentConfig } from '../../session/config';
import { classPreset } from '../../session/presets';
import { LESSON_REFS } from '../papers';
import { SYNTAX_QUESTIONS } from '../syntaxSummary';
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
      'not a rule. Object relative clauses ("the girl that the horses like sings") are harder still: the clause has ' +
      'its own verb, which agrees with the attractor, so copying the nearest verb fails too (Marvin and Linzen 2018 ' +
      'test both kinds of clause).',
    'The toy language comes from a grammar, so every sentence has known arcs: the verb and its subject, the noun and ' +
      'its determiner, and so on. At each evaluation the page scores every attention head as Clark et al. (2019) did ' +
      'for BERT: for each word, is the token it attends to most its gold partner? A chain of heads counts too: a head ' +
      'in one layer sends the verb to some word, and a head in the layer below sends that word to the subject. Both ' +
      'are compared with positional baselines, such as always looking five words back.',
  ],
  references: [
    LESSON_REFS.chen2024,
    LESSON_REFS.clark2019,
    LESSON_REFS.linzen2016,
    LESSON_REFS.marvin2018,
    LESSON_REFS.goldberg2019,
    REFS.bert,
  ],
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
    {
      panel: 'syntax',
      text:
        'Syntax in attention: the best head and the best path of two heads for "verb → its subject, past an ' +
        'attractor", against the baselines, with the plateau exit on the same steps. Click a row to see its hops.',
    },
  ],
  runQuestions: SYNTAX_QUESTIONS,
  setup: {
    kind: 'train',
    preset: 'toy-language',
    config: watchingConfig,
    budget: { minSteps: 30, maxSteps: 2000 },
    probeText: 'the dogs near the cat [MASK] .',
  },
  limits:
    'Chen et al. measured syntactic attention structure against parsed English at BERT-base scale (12 layers of 12 ' +
    'heads, about 110 million parameters); this is a 2-layer model with 2 heads per layer on a toy language whose ' +
    'arcs come from its own grammar, so its heads can show when and how a small model finds the subject, not what ' +
    'a large one does on English, and its agreement is that of a small generated language. The order of two events ' +
    'is only known to the spacing of the evaluations. How soon the plateau ends depends on batch size, ' +
    "learning rate and the text: the preset's settings come from a sweep so that it ends within a few hundred " +
    "steps, while on Grimms' Fairy Tales at batch 16 a model of this size stays on it for thousands of steps. A run " +
    'cut short may never leave it: that is a result too, not a failure.',
};

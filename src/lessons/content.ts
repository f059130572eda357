// The six lessons' texts, questions, what to watch and the experiments they set up (lessons 4 to 6 are in
// content2.ts). Every claim names its paper and its scale; the limits say what a toy run cannot reproduce.
import { REFS } from '../masking/papers';
import type { MaskingConfig } from '../masking/types';
import { defaultExperiment, type ExperimentConfig } from '../session/config';
import { classPreset } from '../session/presets';
import { LESSON_REFS } from './papers';
import type { Lesson } from './types';

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
    config: () => fairyTales({ steps: 30, warmup: 5, evalEvery: 10 }),
    budget: { fixedSteps: 30, minSteps: 30, maxSteps: 30 },
  },
  limits:
    'This run is a tiny model (2 layers, width 64) for a few dozen steps: it shows the mechanics of masking and ' +
    'prediction, not what a trained BERT knows. BERT-base trained for a million steps of 256 sequences of 512 tokens.',
};

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

export const LESSON_3: Lesson = {
  n: 3,
  slug: 'words-and-pieces',
  title: 'Words and pieces',
  summary:
    'WordPiece, whole-word masking, spans and PMI units on the same sentence; how many words random masking splits.',
  paragraphs: [
    'The model does not see words but WordPiece tokens (Wu et al. 2016): frequent words are one token, rarer ones ' +
      'are cut into pieces, continuation pieces marked with ##. BERT used 30,000 pieces; this page trains a ' +
      'vocabulary of 2,048 on the fairy tales, so more words are cut.',
    'Random token masking picks pieces, not words. When it hides "##ed" of "walk ##ed" the model can often ' +
      'guess it from the visible half of the word: an easy target. Whole-word masking hides all pieces of a word ' +
      "together (released with BERT's code in 2019; Cui et al. 2019 for Chinese). SpanBERT masks contiguous spans " +
      'of whole words, about 3.8 words on average, and found spans better than random tokens and whole words on ' +
      'span-selection tasks such as question answering (Joshi et al. 2020). PMI-Masking masks collocations such as ' +
      '"once upon a time" together, chosen by pointwise mutual information on the training text; Levine et al. ' +
      '(2021) found it reached the quality of earlier masking schemes in about half the training, at BERT-base scale.',
    'Show each scheme on the same sentence in the preview, then count over many sequences how many of the words ' +
      'that random masking touches it splits.',
  ],
  references: [LESSON_REFS.wordpiece, REFS.bert, REFS.wwm, REFS.spanbert, REFS.pmi],
  question: {
    prompt: 'Random masking touches a word made of two or more pieces. How often are some of its pieces left visible?',
    options: [
      { id: 'rarely', text: 'Rarely: a masked piece usually takes its word with it' },
      { id: 'half', text: 'About half the time' },
      { id: 'mostly', text: 'Most of the time: each piece is picked on its own, at about 15%' },
    ],
    answer: 'mostly',
    explanation:
      'Random masking draws pieces independently of their words, so the other pieces of a touched word are hidden ' +
      'only about as often as any token is, some 15% each. Whole-word, span and PMI masking never split a word.',
  },
  watch: [
    {
      panel: 'mask-preview',
      text: 'The same sentence under each scheme: which pieces go together, and the PMI units.',
    },
    {
      panel: 'strategy',
      text: "The strategy panel explains each scheme and shows the PMI lexicon's top collocations.",
    },
  ],
  setup: {
    kind: 'masks',
    config: () => fairyTales(),
    schemes: [
      { label: 'random tokens (BERT)', masking: BERT_15 },
      { label: 'whole words', masking: { strategy: 'whole-word', objective: 'mlm', strategyParams: { rate: 0.15 } } },
      { label: 'spans (SpanBERT)', masking: { strategy: 'span', objective: 'mlm', strategyParams: { rate: 0.15 } } },
      { label: 'PMI units', masking: { strategy: 'pmi', objective: 'mlm', strategyParams: { rate: 0.15 } } },
    ],
    sequences: 400,
  },
  limits:
    'This lesson counts masks; it trains nothing. How many words random masking splits depends on the vocabulary: ' +
    "with BERT's 30,000 pieces far fewer words are cut than with the 2,048 here. Whether keeping words whole helps " +
    'downstream is a question for long training at scale (SpanBERT, PMI-Masking), not for a toy run.',
};

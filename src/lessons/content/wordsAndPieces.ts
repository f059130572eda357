// Lesson 3, words and pieces: WordPiece, whole-word masking, spans and PMI units on one sentence, and how many words
// random masking splits, counted over the corpus.
import { REFS } from '../../masking/papers';
import { LESSON_REFS } from '../papers';
import { BERT_15, fairyTales } from './experiments';
import type { Lesson } from '../types';

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
      'only about as often as any token is, some 15% each. Whole-word and PMI masking never split a word; span ' +
      "masking rarely does: a span that reaches the masking budget can cut its last word, as SpanBERT's own code " +
      'does (85 of 36,392 masked words over 2,000 sequences of the fairy tales).',
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

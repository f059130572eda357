// Lesson 5, beyond predicting tokens: replaced-token detection (ELECTRA's generator and discriminator) against MLM,
// compared at equal FLOPs.
import { REFS } from '../../masking/papers';
import { BERT_15, comparisonBase } from './experiments';
import type { Lesson } from '../types';

export const LESSON_5: Lesson = {
  n: 5,
  slug: 'beyond-predicting-tokens',
  title: 'Beyond predicting tokens',
  summary:
    "Replaced-token detection, ELECTRA's generator and discriminator, learning from every token; steps against FLOPs.",
  paragraphs: [
    'MLM learns only at the 15% of positions it masks. Replaced-token detection asks a yes/no question at every ' +
      'position instead: is this token the original? Random token substitution (RTS) replaces 15% of the tokens ' +
      'by random ones; such random replacements are easy to spot, yet Di Liello et al. (2022) and Yamaguchi et al. ' +
      '(2021) found RTS came close to MLM downstream.',
    'ELECTRA makes the replacements hard (Clark et al. 2020). A small generator, an MLM a quarter of the ' +
      "discriminator's width here, fills the masked positions with its own plausible guesses; the discriminator, " +
      'the model that is kept, learns to tell them from the originals at every token. Clark et al. found it more ' +
      "compute-efficient than MLM at the sizes they trained, counting the generator's cost, with the largest gains " +
      'for small models.',
    'Compute matters here: an ELECTRA step also runs the generator, so equal steps would favour ELECTRA. Clark et ' +
      'al. compared at equal pre-training FLOPs, and so does this lesson: MLM trains the steps the time allows, and ' +
      "every other scheme the steps it can afford with MLM's FLOPs at its own cost per step (the matrix products of " +
      "the engine's count, the generator's included). Detection heads cannot fill in a [MASK], so every run is " +
      'scored through the same probe: a fresh head with its own output layer, trained briefly on the frozen ' +
      "encoder (it never reads a run's own output layer, so MLM's trained decoder gives it no head start).",
  ],
  references: [REFS.electra, REFS.diliello, REFS.yamaguchi2021, REFS.bert],
  question: {
    prompt: "At equal FLOPs, how will ELECTRA's encoder compare with MLM's under the same probe?",
    options: [
      { id: 'better', text: 'ELECTRA better, as Clark et al. found', outcome: 'better' },
      {
        id: 'worse',
        text: 'ELECTRA worse: its generator is too weak this early to make useful replacements',
        outcome: 'worse',
      },
      { id: 'noise', text: 'Inside the noise', outcome: 'inside noise' },
    ],
    pair: 2,
    explanation:
      "The run decides. ELECTRA's advantage in the paper comes from learning at every token over long training; " +
      'early on a tiny generator makes poor replacements, and a probe that predicts masked tokens asks the frozen ' +
      "encoder for what MLM practised, which may favour MLM's encoder.",
  },
  watch: [
    {
      panel: 'train',
      text: "ELECTRA's run shows two parts: the generator's masked-token loss and the discriminator's replaced-token loss.",
    },
    { panel: 'compare', text: "Curves against FLOPs, and the probe's figures for every run." },
  ],
  setup: {
    kind: 'compare',
    config: comparisonBase,
    schemes: [
      BERT_15,
      { strategy: 'random', objective: 'rts', strategyParams: { rate: 0.15 } },
      { strategy: 'random', objective: 'electra', strategyParams: { rate: 0.15 } },
    ],
    reference: 0,
    seeds: 3,
    budget: { minSteps: 20, maxSteps: 1500 },
    compute: { kind: 'equal-flops' },
  },
  limits:
    'Clark et al. pretrained for hundreds of thousands of steps and fine-tuned on GLUE; a toy run of a few hundred ' +
    'steps scored by a brief probe measures something else: how much of token identity the frozen encoder carries. ' +
    "FLOPs here count the matrix products, the generator's included, not wall time.",
};

// Lessons 4 to 6: paired comparisons (masking rate, objectives beyond token prediction, task complexity), each
// with the papers' findings at their scale and what a toy comparison can resolve.
import { REFS } from '../masking/papers';
import type { MaskingConfig } from '../masking/types';
import type { ExperimentConfig } from '../session/config';
import { classPreset } from '../session/presets';
import { BERT_15 } from './content';
import type { Lesson } from './types';

/**
 * The comparisons' shared experiment: the class preset "Fairy tales in one lesson" (batch and learning rate chosen
 * so the model leaves the frequency plateau within the lesson on a laptop GPU; src/session/presets.ts).
 */
export function comparisonBase(): ExperimentConfig {
  const e = classPreset('fairy-tales').config();
  return { ...e, seed: 1 };
}

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
      'scored through the same probe: a fresh vocabulary head trained briefly on the frozen encoder.',
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
      'early on a tiny generator makes poor replacements, and a probe trained briefly on a frozen encoder favours ' +
      'encoders whose own task was to predict tokens.',
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

export const LESSON_6: Lesson = {
  n: 6,
  slug: 'task-complexity',
  title: 'Task complexity',
  summary:
    'First character, first two, first three characters, and the whole token, under one probe (Yamaguchi et al. 2023).',
  paragraphs: [
    'Does the model need to predict the whole token? The first-character objective only asks for the first letter of ' +
      'the hidden token: 29 classes instead of thousands. Yamaguchi et al. (2021) reported such simple objectives ' +
      'comparable to MLM in some settings.',
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
    'probe trained for a small budget can test the direction of their trend on this corpus, not its size. With a ' +
    '2,048-piece vocabulary the 3-character classes are already close to whole tokens.',
};

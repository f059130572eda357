// Comparisons from the literature, re-run at toy scale: each preset's schemes and one paragraph on what the paper
// found, at what scale, and what a toy run can and cannot show.
import type { MaskingConfig } from '../masking/types';

/**
 * Seeds a comparison that gives verdicts starts with: one seed compares two trained models, not two schemes (no
 * verdict), two leave Student's t a single degree of freedom (an interval about 4.5 times as wide as with three).
 */
export const VERDICT_SEEDS = 3;

export interface ComparisonPreset {
  id: string;
  title: string;
  /** Seeds per scheme (VERDICT_SEEDS). */
  seeds: number;
  /** One sentence on what the paper found. */
  finding: string;
  cite: string;
  schemes: MaskingConfig[];
}

const bert = { rate: 0.15, maskFrac: 0.8, randomFrac: 0.1 };

export const COMPARISON_PRESETS: readonly ComparisonPreset[] = [
  {
    id: 'units',
    title: 'BERT 80/10/10 vs whole-word vs span vs PMI',
    seeds: VERDICT_SEEDS,
    cite: 'Joshi et al. 2020 (SpanBERT, arXiv 1907.10529); Levine et al. 2021 (PMI-Masking, arXiv 2010.01825)',
    finding:
      'SpanBERT (Joshi et al. 2020, BERT-large scale) found that masking random contiguous spans beat masking random ' +
      'tokens and whole words, most on span-selection tasks such as SQuAD, with smaller gains elsewhere. PMI-Masking ' +
      '(Levine et al. 2021, BERT-base scale) found that masking collocations chosen by PMI reached the end-of-training ' +
      'quality of prior masking approaches (random-span, whole-word) in about half the training, and did better at the ' +
      'end. Those gains are a few points on question answering after millions of steps. A toy run here (a 2-layer model, ' +
      'a small text, a few hundred steps) can show how the schemes differ in what they hide and in the shared probe ' +
      'figures; differences that size are usually inside noise, and PMI needs enough text to find collocations at all.',
    schemes: [
      { strategy: 'random', objective: 'mlm', strategyParams: bert },
      { strategy: 'whole-word', objective: 'mlm', strategyParams: { rate: 0.15 } },
      { strategy: 'span', objective: 'mlm', strategyParams: { rate: 0.15 } },
      { strategy: 'pmi', objective: 'mlm', strategyParams: { rate: 0.15 } },
    ],
  },
  {
    id: 'rate',
    title: 'Masking rate 15% vs 30% vs 40%',
    seeds: VERDICT_SEEDS,
    cite: 'Wettig et al. 2023 (Should You Mask 15%?, arXiv 2202.08005); Portes et al. 2023 (MosaicBERT, arXiv 2312.17482)',
    finding:
      'Wettig et al. (2023) found that masking 40% of the tokens, all replaced by [MASK] (no random or kept tokens), ' +
      'matched or slightly beat 15% for BERT-large on GLUE and SQuAD; their analysis predicts that smaller models ' +
      'prefer lower rates. MosaicBERT (Portes et al. 2023, BERT-base) trains at 30%. Here the 2-layer tiny model is far ' +
      'smaller than either, so the papers lead one to expect 15% to do at least as well; the 40% scheme uses ' +
      "Wettig's 100/0/0 split. A toy run shows the trend at one small budget, not whether it holds at scale.",
    schemes: [
      { strategy: 'random', objective: 'mlm', strategyParams: { rate: 0.15, maskFrac: 0.8, randomFrac: 0.1 } },
      { strategy: 'random', objective: 'mlm', strategyParams: { rate: 0.3, maskFrac: 0.8, randomFrac: 0.1 } },
      { strategy: 'random', objective: 'mlm', strategyParams: { rate: 0.4, maskFrac: 1, randomFrac: 0 } },
    ],
  },
  {
    id: 'complexity',
    title: 'Task complexity: first-char, char-2, char-3, MLM',
    seeds: VERDICT_SEEDS,
    cite:
      'Yamaguchi et al. 2023 (How does the task complexity of masked pretraining objectives affect downstream ' +
      'performance?, arXiv 2305.10992); Yamaguchi et al. 2021 (arXiv 2109.01819)',
    finding:
      'Yamaguchi et al. (2023, BERT-base scale, GLUE, SQuAD and UD) found that more complex masked objectives tend to ' +
      "do better downstream, and that at least half of MLM's complexity (number of classes) is needed to perform " +
      'comparably to MLM. Simple objectives such as first-character prediction had earlier been reported close to MLM ' +
      'in some settings (Yamaguchi et al. 2021). A toy run can test the trend under one shared probe: every scheme here ' +
      'is scored by the same fresh probe head on its frozen encoder, since the heads themselves predict different things.',
    schemes: [
      { strategy: 'random', objective: 'first-char', strategyParams: { rate: 0.15 } },
      { strategy: 'random', objective: 'char-n', strategyParams: { rate: 0.15 }, objectiveParams: { n: 2 } },
      { strategy: 'random', objective: 'char-n', strategyParams: { rate: 0.15 }, objectiveParams: { n: 3 } },
      { strategy: 'random', objective: 'mlm', strategyParams: bert },
    ],
  },
  {
    id: 'discriminative',
    title: 'MLM vs random token substitution vs ELECTRA',
    seeds: VERDICT_SEEDS,
    cite:
      'Clark et al. 2020 (ELECTRA, arXiv 2003.10555); Di Liello et al. 2022 (arXiv 2210.13536); Yamaguchi et al. 2021 ' +
      '(arXiv 2109.01819)',
    finding:
      'ELECTRA (Clark et al. 2020) found that replaced-token detection, which learns from every token rather than the ' +
      "15% masked, was more compute-efficient than MLM at every size they trained, counting the generator's cost, and " +
      'most of all for small models. Random token substitution without a generator came close to MLM in Di Liello et ' +
      'al. (2022) and Yamaguchi et al. (2021), at BERT-base scale. This comparison fixes the training tokens, not the ' +
      "compute: ELECTRA's generator costs extra FLOPs per step (see the FLOPs column). A toy run can show which encoder " +
      "the shared probe reads best at this budget; it cannot show what happens at the papers' scale.",
    schemes: [
      { strategy: 'random', objective: 'mlm', strategyParams: bert },
      { strategy: 'random', objective: 'rts', strategyParams: { rate: 0.15 } },
      { strategy: 'random', objective: 'electra', strategyParams: { rate: 0.15 } },
    ],
  },
  {
    id: 'yamaguchi2021',
    title: 'Simple alternatives to MLM: shuffle, shuffle+random, token type, first-char',
    seeds: VERDICT_SEEDS,
    cite: 'Yamaguchi et al. 2021 (Frustratingly Simple Pretraining Alternatives to Masked Language Modeling, arXiv 2109.01819)',
    finding:
      'Yamaguchi et al. (2021) pretrained BERT-base models with five simple token-level objectives in place of MLM ' +
      '(shuffle, random, shuffle+random, token type, first character) and report, on GLUE and SQuAD, performance ' +
      'comparable to or better than MLM at that size; a smaller BERT-medium (41% of the parameters) with their best ' +
      "objective lost only about 1% of GLUE score. Each objective's scores per task and size are in their tables. " +
      'A toy run compares the encoders under one shared probe, far from that scale; differences smaller than the ' +
      'interval are noise.',
    schemes: [
      { strategy: 'random', objective: 'mlm', strategyParams: bert },
      { strategy: 'random', objective: 'shuffle', strategyParams: { rate: 0.15 } },
      { strategy: 'random', objective: 'shuffle-random', strategyParams: { rate: 0.15 } },
      { strategy: 'random', objective: 'token-type', strategyParams: { rate: 0.15 } },
      { strategy: 'random', objective: 'first-char', strategyParams: { rate: 0.15 } },
    ],
  },
  {
    id: 'schedule',
    title: 'Rate schedule: constant 15% vs decay 30% to 15% vs increase 15% to 30%',
    seeds: VERDICT_SEEDS,
    cite: 'Ankner et al. 2024 (Dynamic Masking Rate Schedules for MLM Pretraining, arXiv 2305.15096)',
    finding:
      'Ankner et al. (BERT-base and -large) found that decaying the masking rate linearly from 30% to 15% beat a ' +
      'constant rate by up to about 0.5 GLUE points, and compared it against the reverse, an increasing rate, as a ' +
      'control. A gain that small is well below what a toy probe can resolve: expect "inside noise" here.',
    schemes: [
      { strategy: 'random', objective: 'mlm', strategyParams: bert },
      {
        strategy: 'random',
        objective: 'mlm',
        strategyParams: { maskFrac: 0.8, randomFrac: 0.1 },
        schedule: { kind: 'linear', start: 0.3, end: 0.15 },
      },
      {
        strategy: 'random',
        objective: 'mlm',
        strategyParams: { maskFrac: 0.8, randomFrac: 0.1 },
        schedule: { kind: 'linear', start: 0.15, end: 0.3 },
      },
    ],
  },
];

// Random-token masking (BERT): exact counting (shuffle, take K) or Bernoulli counting (each token with probability r).
import { budget, finishUnits } from '../row';
import { bernoulliCapacity, budgetCapacity, type Strategy } from '../strategy';
import { REFS } from '../papers';
import { bool, num, rateParam, replacementParam, splitParams, str } from '../params';

export const randomStrategy: Strategy = {
  id: 'random',
  name: 'Random tokens (BERT)',
  explanation:
    'Each token is a candidate on its own: 15% of them are picked at random. Of those, 80% become [MASK], 10% a ' +
    'random token and 10% stay as they are, and the model must recover the original. "Exact" picks exactly 15% ' +
    'of each sequence, as original BERT did; "Bernoulli" flips a coin per token, as the Hugging Face collator does. ' +
    'n counts the maskable tokens only; BERT also counted [CLS] and [SEP] (a switch below).',
  references: [REFS.bert, REFS.roberta],
  params: [
    rateParam(0.15),
    ...splitParams(0.8, 0.1),
    {
      key: 'counting',
      label: 'Counting',
      kind: 'choice',
      default: 'exact',
      options: [
        { value: 'exact', label: 'exact: K = round(r n) per sequence' },
        { value: 'bernoulli', label: 'Bernoulli: each token with probability r' },
      ],
      help: 'Exact picks the same number of tokens in every sequence; Bernoulli lets the number vary (it can be 0).',
    },
    {
      key: 'countSpecials',
      label: 'Count [CLS]/[SEP] in n',
      kind: 'boolean',
      default: false,
      help:
        'Original BERT computes K = round(r x length) over the whole sequence, [CLS] and [SEP] included (they are never ' +
        "masked). Off: n counts only the maskable tokens (MaskLab's default, and what every other strategy does).",
    },
    {
      key: 'maxPredictions',
      label: 'Max predictions per sequence',
      kind: 'integer',
      default: 0,
      min: 0,
      max: 4096,
      help: 'Upper limit on the tokens picked in one sequence (exact counting); 0 means ceil(r T).',
    },
    replacementParam('uniform'),
  ],
  needs: [],
  splitPer: () => 'token',
  replacement: (p) => (str(p, 'replacement') === 'unigram' ? 'unigram' : 'uniform'),
  capacity(p, T, rMax) {
    if (str(p, 'counting') === 'bernoulli') return bernoulliCapacity(T, rMax);
    const cap = budgetCapacity(T, rMax);
    const maxPred = num(p, 'maxPredictions');
    return maxPred > 0 ? Math.min(cap, maxPred) : cap;
  },
  select(row, sel, env) {
    if (str(env.params, 'counting') === 'bernoulli') {
      for (const t of row.candidates) if (env.rng.float() < env.rate) sel.selected[t] = 1;
    } else {
      const order = env.rng.shuffle(Int32Array.from(row.candidates));
      let n = row.n;
      if (bool(env.params, 'countSpecials')) for (let t = 0; t < row.T; t++) if (row.valid[t] && !row.maskable[t]) n++;
      const k = Math.min(budget(env.rate, n), env.capacity, row.n);
      for (let i = 0; i < k; i++) sel.selected[order[i]] = 1;
    }
    for (const t of row.candidates) sel.units[t] = t;
    finishUnits(row, sel.units);
  },
};

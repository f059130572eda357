// Whole-word masking: a word's pieces are selected together; K still counts pieces (BERT's WWM, HF collator).
import { budget, finishUnits } from '../row';
import { budgetCapacity, type Strategy } from '../strategy';
import { REFS } from '../papers';
import { rateParam, replacementParam, splitParams, str } from '../params';

export const wholeWordStrategy: Strategy = {
  id: 'whole-word',
  name: 'Whole words',
  explanation:
    'A tokenizer cuts rare words into pieces ("play ##ing"). Masking one piece leaves the others as a strong hint, ' +
    'so here all pieces of a word are masked together. The budget still counts pieces: words are added in random ' +
    'order while they fit, and the [MASK]/random/keep choice is still made per piece.',
  references: [REFS.bert, REFS.wwm],
  params: [rateParam(0.15), ...splitParams(0.8, 0.1), replacementParam('uniform')],
  needs: ['wordBoundaries'],
  splitPer: () => 'token',
  replacement: (p) => (str(p, 'replacement') === 'unigram' ? 'unigram' : 'uniform'),
  capacity: (_p, T, rMax) => budgetCapacity(T, rMax),
  select(row, sel, env) {
    const k = Math.min(budget(env.rate, row.n), env.capacity);
    const order = env.rng.permutation(row.words.length);
    let count = 0;
    for (let i = 0; i < order.length && count < k; i++) {
      const w = row.words[order[i]];
      const len = w.end - w.start;
      if (count + len > k) continue; // would overflow the budget: skip it and keep scanning
      for (let t = w.start; t < w.end; t++) sel.selected[t] = 1;
      count += len;
    }
    finishUnits(row, sel.units); // units = words
  },
};

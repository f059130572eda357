// PMI masking (Levine et al. 2021): collocations from the corpus lexicon are masked as one unit, never split.
import { segmentRow } from '../pmiLexicon';
import { budget, finishUnits } from '../row';
import { budgetCapacity, type Strategy } from '../strategy';
import { REFS } from '../papers';
import { num, rateParam, replacementParam, splitParams, str } from '../params';

export const pmiStrategy: Strategy = {
  id: 'pmi',
  name: 'PMI collocations',
  explanation:
    'Some words almost always come together ("new york", "once upon a time"). If only one of them is masked, the ' +
    'other gives it away and the model learns little. PMI masking first finds such collocations in the corpus, ' +
    'scoring each n-gram by how much more often it occurs than its parts would by chance, and then masks each ' +
    'collocation as one unit (all [MASK], all random or all kept).',
  references: [REFS.pmi],
  params: [
    rateParam(0.15),
    ...splitParams(0.8, 0.1),
    replacementParam('uniform'),
    {
      key: 'minCount',
      label: 'Lexicon: minimum count',
      kind: 'integer',
      default: 10,
      min: 1,
      max: 1000,
      help: 'An n-gram must occur at least this often in the corpus to enter the lexicon (lower it for small corpora).',
    },
    {
      key: 'lexiconSize',
      label: 'Lexicon: entries',
      kind: 'integer',
      default: 1000,
      min: 10,
      max: 1_000_000,
      help: 'How many collocations to keep: about half bigrams, a quarter trigrams, an eighth each 4- and 5-grams.',
    },
  ],
  needs: ['lexicon', 'wordBoundaries'],
  lexiconOptions: (p) => ({ minCount: num(p, 'minCount'), size: num(p, 'lexiconSize') }),
  splitPer: () => 'unit',
  replacement: (p) => (str(p, 'replacement') === 'unigram' ? 'unigram' : 'uniform'),
  capacity: (_p, T, rMax) => budgetCapacity(T, rMax),
  select(row, sel, env) {
    if (!env.lexicon)
      throw new Error('pmi strategy: the masking context has no PMI lexicon (build one with buildPmiLexicon)');
    const units = segmentRow(row, env.lexicon, env.rng);
    const k = Math.min(budget(env.rate, row.n), env.capacity);
    const order = env.rng.permutation(units.length);
    let count = 0;
    for (let i = 0; i < order.length && count < k; i++) {
      const u = units[order[i]];
      const len = row.words[u.end - 1].end - row.words[u.start].start;
      if (count + len > k) continue; // units are never split: skip one that would overflow the budget
      for (let t = row.words[u.start].start; t < row.words[u.end - 1].end; t++) sel.selected[t] = 1;
      count += len;
    }
    units.forEach((u, i) => {
      for (let t = row.words[u.start].start; t < row.words[u.end - 1].end; t++) sel.units[t] = i;
    });
    finishUnits(row, sel.units);
  },
};

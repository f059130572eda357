// N-gram masking (ALBERT): whole-word n-grams with P(n) ∝ 1/n; as in ALBERT's create_pretraining_data, n shrinks
// while the n-gram would overflow the budget, and a candidate that overlaps a chosen n-gram is skipped.
import { inverseNLaw } from '../sampling';
import { budget, finishUnits } from '../row';
import { budgetCapacity, type Strategy } from '../strategy';
import { REFS } from '../papers';
import { num, rateParam, replacementParam, splitParams, str } from '../params';

export const ngramStrategy: Strategy = {
  id: 'ngram',
  name: 'N-grams (ALBERT)',
  explanation:
    'Short runs of 1, 2 or 3 whole words are masked, single words most often (P(n) ∝ 1/n: 55%, 27%, 18%). It sits ' +
    'between whole-word and span masking: a few neighbouring words vanish together, so the model cannot lean on ' +
    "the word right next to the gap. As in ALBERT's code, a drawn n-gram that overlaps one already chosen is " +
    'skipped, and one that would overflow the budget is shortened. The [MASK]/random/keep choice is made per token.',
  references: [REFS.albert, REFS.spanbert],
  params: [
    rateParam(0.15),
    {
      key: 'maxN',
      label: 'Longest n-gram (words)',
      kind: 'integer',
      default: 3,
      min: 1,
      max: 10,
      help: 'n is drawn from 1..this with probability proportional to 1/n.',
    },
    ...splitParams(0.8, 0.1),
    replacementParam('uniform'),
  ],
  needs: ['wordBoundaries'],
  splitPer: () => 'token',
  replacement: (p) => (str(p, 'replacement') === 'unigram' ? 'unigram' : 'uniform'),
  capacity: (_p, T, rMax) => budgetCapacity(T, rMax),
  select(row, sel, env) {
    const k = Math.min(budget(env.rate, row.n), env.capacity);
    const maxN = num(env.params, 'maxN');
    const covered = new Uint8Array(row.words.length);
    const order = env.rng.permutation(row.words.length);
    let count = 0;
    let unit = 0;
    for (let i = 0; i < order.length && count < k; i++) {
      const start = order[i];
      // Longest n-gram available from this start: stop at the row's end or at a special token.
      let avail = 1;
      while (
        avail < maxN &&
        start + avail < row.words.length &&
        row.words[start + avail - 1].end === row.words[start + avail].start
      )
        avail++;
      if (covered[start]) continue;
      let n = inverseNLaw(avail).draw(env.rng) + 1;
      const pieces = (m: number) => row.words[start + m - 1].end - row.words[start].start;
      const clashes = (m: number) => {
        for (let w = start; w < start + m; w++) if (covered[w]) return true;
        return false;
      };
      // As ALBERT: shorter n while the n-gram overflows the budget; skipped if it still does, or if it overlaps an
      // n-gram already chosen (ALBERT does not shorten it to fit beside that one).
      while (n > 1 && count + pieces(n) > k) n--;
      if (count + pieces(n) > k || clashes(n)) continue;
      for (let w = start; w < start + n; w++) {
        covered[w] = 1;
        for (let t = row.words[w].start; t < row.words[w].end; t++) {
          sel.selected[t] = 1;
          sel.units[t] = unit;
        }
      }
      unit++;
      count += pieces(n);
    }
    finishUnits(row, sel.units); // the chosen n-grams, and every other word on its own
  },
};

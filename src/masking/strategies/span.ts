// Span masking (SpanBERT): contiguous runs of whole words with geometric lengths, one [MASK]/random/keep draw per span.
import { clippedGeometric } from '../sampling';
import { budget, runUnits } from '../row';
import { budgetCapacity, type Strategy } from '../strategy';
import { REFS } from '../papers';
import { num, rateParam, replacementParam, splitParams, str } from '../params';

export const spanStrategy: Strategy = {
  id: 'span',
  name: 'Spans (SpanBERT)',
  explanation:
    'Instead of scattered tokens, whole stretches of text are hidden: a span length in words is drawn (usually 1 ' +
    'to 5, about 3.8 on average), and that many consecutive words are masked. Predicting a word in the middle of ' +
    'a hidden phrase needs more than its neighbours, so the model learns longer-range meaning. The whole span is ' +
    'either masked, replaced or kept together.',
  references: [REFS.spanbert],
  params: [
    rateParam(0.15),
    {
      key: 'p',
      label: 'Geometric p',
      kind: 'number',
      default: 0.2,
      min: 0.01,
      max: 1,
      step: 0.01,
      help: 'Span length in words follows P(l) ∝ p(1-p)^(l-1): smaller p, longer spans (p = 0.2 gives about 3.8 words).',
    },
    {
      key: 'maxSpan',
      label: 'Longest span (words)',
      kind: 'integer',
      default: 10,
      min: 1,
      max: 32,
      help: 'Span lengths are clipped to 1..this many words.',
    },
    ...splitParams(0.8, 0.1),
    replacementParam('unigram'),
  ],
  needs: ['wordBoundaries'],
  splitPer: () => 'unit',
  replacement: (p) => (str(p, 'replacement') === 'uniform' ? 'uniform' : 'unigram'),
  capacity: (_p, T, rMax) => budgetCapacity(T, rMax),
  select(row, sel, env) {
    const k = Math.min(budget(env.rate, row.n, 'ceil'), env.capacity);
    const law = spanLengthLaw(num(env.params, 'p'), num(env.params, 'maxSpan'));
    let count = 0;
    // Each round selects at least one new piece (the anchor's word contains it), so this ends within n rounds.
    while (count < k) {
      const l = law.draw(env.rng) + 1;
      let anchor = row.candidates[env.rng.int(row.n)];
      // An anchor must not be selected already (SpanBERT skips such anchors and draws again).
      while (sel.selected[anchor]) anchor = row.candidates[env.rng.int(row.n)];
      let w = row.wordOf[anchor];
      for (let taken = 0; taken < l && count < k; taken++, w++) {
        if (w >= row.words.length) break;
        if (taken > 0 && row.words[w - 1].end !== row.words[w].start) break; // a special token interrupts the span
        const word = row.words[w];
        for (let t = word.start; t < word.end && count < k; t++) {
          if (!sel.selected[t]) {
            sel.selected[t] = 1;
            count++;
          }
        }
      }
    }
    runUnits(row, sel); // adjacent spans merge into one unit
  },
};

const lawCache = new Map<string, ReturnType<typeof clippedGeometric>>();

export function spanLengthLaw(p: number, maxSpan: number): ReturnType<typeof clippedGeometric> {
  const key = `${p}/${maxSpan}`;
  let law = lawCache.get(key);
  if (!law) lawCache.set(key, (law = clippedGeometric(p, maxSpan)));
  return law;
}

// SpanBERT's span boundary objective: MLM plus, for each target, the boundary tokens of its span and its offset.
import { corruptWithSplit, gatherSelected, vocabHead, type Objective } from '../objective';
import { num } from '../params';
import { REFS } from '../papers';

declare module '../types' {
  interface ObjectiveIds {
    sbo: true;
  }
}

export const sboObjective: Objective = {
  id: 'sbo',
  name: 'Span boundary objective (SpanBERT)',
  explanation:
    'On top of masked language modeling, every token of a masked span is predicted a second time using only the ' +
    "two tokens just outside the span and the token's position inside it. This pushes the model to pack what a " +
    'whole phrase means into the words at its edges.',
  references: [REFS.spanbert],
  params: [
    {
      key: 'maxRel',
      label: 'Span positions',
      kind: 'integer',
      default: 32,
      min: 1,
      max: 256,
      help: 'Size of the relative-position embedding: offsets inside a span are clipped to 0..this-1.',
    },
    {
      key: 'sboWeight',
      label: 'Boundary loss weight',
      kind: 'number',
      default: 1,
      min: 0,
      max: 10,
      step: 0.1,
      help: 'Total loss = MLM loss + this weight times the span boundary loss (1 in the paper).',
    },
  ],
  core: false,
  defaultStrategy: 'span',
  causal: false,
  head: 'span-boundary',
  evaluation: 'masked-vocab',
  heads: (vocab, _T, params) => [
    vocabHead('mlm', vocab),
    {
      name: 'sbo',
      kind: 'span-boundary',
      classes: vocab.size,
      targets: 'gathered',
      lossWeight: num(params, 'sboWeight'),
    },
  ],
  corruptRow(row, sel, env) {
    corruptWithSplit(row, sel, env, env.split, env.splitPer, env.replacement);
  },
  targets(mb, env) {
    const g = gatherSelected(mb, env.capacity, env.vocab.size, (i) => mb.originalIds[i]);
    mb.gathered = g;
    const maxRel = num(env.params, 'maxRel');
    const n = g.positions.length;
    const left = new Int32Array(n).fill(-1);
    const right = new Int32Array(n).fill(-1);
    const rel = new Int32Array(n);
    const weights = new Float32Array(n);
    const { T } = mb;
    let usable = 0;
    for (let s = 0; s < n; s++) {
      const i = g.positions[s];
      if (i < 0) continue;
      const rowStart = i - (i % T);
      // The maximal run of selected positions containing i (adjacent spans merge, as in SpanBERT).
      let a = i;
      while (a > rowStart && mb.selected[a - 1]) a--;
      let e = i;
      while (e + 1 < rowStart + T && mb.selected[e + 1]) e++;
      rel[s] = Math.min(i - a, maxRel - 1);
      const l = a - 1;
      const r = e + 1;
      if (l >= rowStart && r < rowStart + T && mb.valid[l] && mb.valid[r]) {
        left[s] = l;
        right[s] = r;
        usable++;
      }
    }
    if (usable) for (let s = 0; s < n; s++) if (left[s] >= 0) weights[s] = 1 / usable;
    mb.sbo = { left, right, rel, weights, maxRel };
  },
};

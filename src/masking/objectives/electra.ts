// ELECTRA's corruption side: the generator's masked input and MLM targets, and the discriminator's label layout.
import { corruptWithSplit, gatherSelected, labelTokens, vocabHead, type Objective } from '../objective';
import { num } from '../params';
import { REFS } from '../papers';

declare module '../types' {
  interface ObjectiveIds {
    electra: true;
  }
}

export const electraObjective: Objective = {
  id: 'electra',
  name: 'Replaced token detection (ELECTRA)',
  explanation:
    'Two networks play together. A small generator fills 15% masked positions with plausible guesses; the main ' +
    'model (the discriminator) then sees the sentence with those guesses and tells, for every token, whether it ' +
    'is original or replaced. Clark et al. (2020) found it more compute-efficient than MLM at every size they ' +
    "trained, the generator's cost counted, most of all for small models (ELECTRA-Small beat a BERT-Small of the " +
    'same compute by about 5 GLUE points). A toy run can show its losses fall; whether it wins here shows only in ' +
    "the shared probe figures, and a 2-layer model on a small text is far from the paper's setting.",
  references: [REFS.electra],
  params: [
    {
      key: 'maskFrac',
      label: 'Share set to [MASK]',
      kind: 'number',
      default: 0.85,
      min: 0,
      max: 1,
      step: 0.05,
      help: 'Of the selected positions, the share the generator sees as [MASK]; the rest stay unchanged (no random tokens).',
    },
    {
      key: 'discWeight',
      label: 'Discriminator loss weight',
      kind: 'number',
      default: 50,
      min: 0,
      max: 1000,
      step: 1,
      help: 'Total loss = generator MLM loss + this weight times the discriminator loss (50 in the paper).',
    },
    {
      key: 'generatorWidth',
      label: 'Generator width',
      kind: 'number',
      default: 0.25,
      min: 0.0625,
      max: 1,
      step: 0.0625,
      help: "Generator hidden size as a fraction of the discriminator's (same depth, shared token embeddings).",
    },
  ],
  core: true,
  defaultStrategy: 'random',
  causal: false,
  head: 'electra',
  evaluation: 'electra',
  heads: (vocab, _T, params) => [
    vocabHead('generator', vocab),
    {
      name: 'discriminator',
      kind: 'binary',
      classes: 2,
      classNames: ['original', 'replaced'],
      targets: 'tokens',
      lossWeight: num(params, 'discWeight'),
    },
  ],
  corruptRow(row, sel, env) {
    const m = num(env.params, 'maskFrac');
    corruptWithSplit(row, sel, env, { mask: m, random: 0, keep: 1 - m }, 'token', env.replacement);
  },
  targets(mb, env) {
    // Generator: MLM at the selected positions. Discriminator: labels start at 0; after sampling, the engine writes
    // each sample into a copy of originalIds at gathered.positions and sets labels[p] = (sample != original).
    mb.gathered = gatherSelected(mb, env.capacity, env.vocab.size, (i) => mb.originalIds[i]);
    mb.tokenLabels = labelTokens(mb, () => 0);
  },
};

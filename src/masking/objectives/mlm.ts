// Vocabulary objectives: masked language modeling (BERT) and swapped language modeling (no [MASK], Di Liello).
import { corruptWithSplit, gatherSelected, vocabHead, type Objective } from '../objective';
import { REFS } from '../papers';

declare module '../types' {
  interface ObjectiveIds {
    mlm: true;
    slm: true;
  }
}

export const mlmObjective: Objective = {
  id: 'mlm',
  name: 'Masked language modeling',
  explanation:
    'The classic BERT task: some tokens are hidden and the model must name the original token, choosing among ' +
    'the whole vocabulary. The loss is the cross-entropy averaged over the corrupted positions only, so each ' +
    'sequence teaches through about 15% of its tokens.',
  references: [REFS.bert],
  params: [],
  core: true,
  defaultStrategy: 'random',
  causal: false,
  head: 'vocabulary',
  evaluation: 'masked-vocab',
  heads: (vocab) => [vocabHead('mlm', vocab)],
  corruptRow(row, sel, env) {
    corruptWithSplit(row, sel, env, env.split, env.splitPer, env.replacement);
  },
  targets(mb, env) {
    mb.gathered = gatherSelected(mb, env.capacity, env.vocab.size, (i) => mb.originalIds[i]);
  },
};

export const slmObjective: Objective = {
  id: 'slm',
  name: 'Swapped language modeling',
  explanation:
    'Like masked language modeling, but no [MASK] token is ever shown: every selected token is swapped for a ' +
    'random one, and the model must name the original. The input then looks like real text, as it will when the ' +
    'model is used later, which removes the mismatch that [MASK] creates.',
  references: [REFS.diliello],
  params: [],
  core: true,
  defaultStrategy: 'random',
  causal: false,
  head: 'vocabulary',
  evaluation: 'masked-vocab',
  heads: (vocab) => [vocabHead('slm', vocab)],
  corruptRow(row, sel, env) {
    corruptWithSplit(row, sel, env, { mask: 0, random: 1, keep: 0 }, env.splitPer, env.replacement);
  },
  targets(mb, env) {
    mb.gathered = gatherSelected(mb, env.capacity, env.vocab.size, (i) => mb.originalIds[i]);
  },
};

// Token-detection objectives on every token: random token substitution (RTS) and shuffled-token detection.
import { corruptWithSplit, labelTokens, type CorruptEnv, type Objective } from '../objective';
import type { RowSelection, RowView } from '../row';
import { REFS } from '../papers';
import { Tag } from '../types';

declare module '../types' {
  interface ObjectiveIds {
    rts: true;
    shuffle: true;
  }
}

export const rtsObjective: Objective = {
  id: 'rts',
  name: 'Random token substitution',
  explanation:
    'About 15% of the tokens are swapped for random tokens, and the model answers one yes/no question per token: ' +
    '"was this token replaced?". The answer is learned from every token, not just the 15% that changed, and the ' +
    'head is tiny (one number per token instead of a score for every word).',
  references: [REFS.diliello, REFS.yamaguchi2021],
  params: [],
  core: true,
  defaultStrategy: 'random',
  causal: false,
  head: 'binary',
  evaluation: 'binary',
  heads: () => [
    { name: 'rts', kind: 'binary', classes: 2, classNames: ['original', 'replaced'], targets: 'tokens', lossWeight: 1 },
  ],
  corruptRow(row, sel, env) {
    corruptWithSplit(row, sel, env, { mask: 0, random: 1, keep: 0 }, env.splitPer, env.uniform);
  },
  targets(mb) {
    mb.tokenLabels = labelTokens(mb, (i) => (mb.inputIds[i] !== mb.originalIds[i] ? 1 : 0));
  },
};

export const shuffleObjective: Objective = {
  id: 'shuffle',
  name: 'Shuffled token detection',
  explanation:
    'About 15% of the tokens are replaced by tokens taken from other places of the same sentence (a random ' +
    "permutation of the row, as in Yamaguchi et al.'s collator), and the model tells, for every token, whether it " +
    'was one of those picked. No new words appear, so the model must notice that the order no longer makes sense. ' +
    'Every picked position counts as shuffled, even when the permutation happens to bring back the same token.',
  references: [REFS.yamaguchi2021],
  params: [],
  core: true,
  defaultStrategy: 'random',
  causal: false,
  head: 'binary',
  evaluation: 'binary',
  heads: () => [
    {
      name: 'shuffle',
      kind: 'binary',
      classes: 2,
      classNames: ['original', 'shuffled'],
      targets: 'tokens',
      lossWeight: 1,
    },
  ],
  corruptRow(row, sel, env) {
    shuffleSelected(row, sel, env);
  },
  targets(mb) {
    // Yamaguchi et al.'s collator labels every selected position 1 (shuffled_word_mask = the selection).
    mb.tokenLabels = labelTokens(mb, (i) => mb.selected[i]);
  },
};

/**
 * Yamaguchi et al.'s shuffle: a random permutation of the row's positions; each selected position takes the token
 * the permutation brings there, unless that is a special token or padding, in which case it keeps its own.
 */
export function shuffleSelected(row: RowView, sel: RowSelection, env: CorruptEnv): void {
  const perm = env.rng.permutation(row.T);
  for (let t = 0; t < row.T; t++) {
    if (!sel.selected[t]) continue;
    const src = perm[t];
    if (row.maskable[src]) env.inputIds[t] = row.ids[src];
    env.tags[t] = env.inputIds[t] === row.ids[t] ? Tag.KEPT : Tag.REPLACED;
  }
}

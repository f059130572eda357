// Token-detection objectives on every token: random token substitution (RTS) and shuffled-token detection.
import { corruptWithSplit, labelTokens, type Objective } from '../objective';
import { REFS } from '../strategy';
import { Tag } from '../types';

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
  heads: () => [{ name: 'rts', kind: 'binary', classes: 2, classNames: ['original', 'replaced'], targets: 'tokens', lossWeight: 1 }],
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
    'About 15% of the tokens swap places with each other inside the same sentence, and the model tells, for every ' +
    'token, whether it is in its original place. No new words appear, so the model must notice that the order ' +
    'no longer makes sense.',
  references: [REFS.yamaguchi2021],
  params: [],
  core: true,
  defaultStrategy: 'random',
  causal: false,
  heads: () => [{ name: 'shuffle', kind: 'binary', classes: 2, classNames: ['original', 'shuffled'], targets: 'tokens', lossWeight: 1 }],
  corruptRow(row, sel, env) {
    // Permute the selected tokens among the selected positions.
    const pos: number[] = [];
    for (let t = 0; t < row.T; t++) if (sel.selected[t]) pos.push(t);
    const perm = env.rng.permutation(pos.length);
    for (let j = 0; j < pos.length; j++) {
      const t = pos[j];
      env.inputIds[t] = row.ids[pos[perm[j]]];
      env.tags[t] = env.inputIds[t] === row.ids[t] ? Tag.KEPT : Tag.REPLACED;
    }
  },
  targets(mb) {
    mb.tokenLabels = labelTokens(mb, (i) => (mb.inputIds[i] !== mb.originalIds[i] ? 1 : 0));
  },
};

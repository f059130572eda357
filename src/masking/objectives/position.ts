// Position prediction (MP3 / DropPos): some tokens lose their position embedding and the model predicts where they are.
import { gatherSelected, type Objective } from '../objective';
import { REFS } from '../papers';
import { Tag } from '../types';

declare module '../types' {
  interface ObjectiveIds {
    position: true;
  }
}

export const positionObjective: Objective = {
  id: 'position',
  name: 'Position prediction',
  explanation:
    'The words stay as they are, but for about 15% of them the model is not told where in the sequence they sit ' +
    '(a learned "no position" vector replaces their position embedding). It must work out each such token\'s ' +
    'position from the content around it, which forces it to learn word order.',
  references: [REFS.mp3, REFS.droppos],
  params: [],
  core: false,
  defaultStrategy: 'random',
  causal: false,
  head: 'position',
  evaluation: 'classes',
  heads: (_vocab, T) => [
    {
      name: 'position',
      kind: 'position',
      classes: T,
      classNames: Array.from({ length: T }, (_, t) => String(t)),
      targets: 'gathered',
      lossWeight: 1,
    },
  ],
  corruptRow(row, sel, env) {
    for (let t = 0; t < row.T; t++) if (sel.selected[t]) env.tags[t] = Tag.MASKED; // the position is hidden, not the token
  },
  targets(mb, env) {
    const { T } = mb;
    mb.noPosition = Int32Array.from(mb.selected);
    mb.gathered = gatherSelected(mb, env.capacity, T, (i) => i % T);
  },
};

// MEAP: a causal decoder does next-token prediction on input where a few positions (shared by the batch) are [MASK].
import { gatherWhere, vocabHead, type Objective } from '../objective';
import { budget } from '../row';
import { REFS } from '../papers';
import { Tag } from '../types';

declare module '../types' {
  interface ObjectiveIds {
    meap: true;
  }
}

export const meapObjective: Objective = {
  id: 'meap',
  name: 'Mask-enhanced next-token prediction (MEAP)',
  explanation:
    'The model reads left to right like GPT and predicts each next token, but about 15% of the input positions ' +
    'are replaced by [MASK] (the same positions in every sequence of a batch). The targets are always the true ' +
    'next tokens, so the model must make do with a partly hidden past, which sharpens what it attends to.',
  references: [REFS.meap],
  params: [],
  core: false,
  defaultStrategy: 'random',
  strategies: ['random'],
  causal: true,
  head: 'next-token',
  evaluation: 'causal-next-token',
  heads: (vocab) => [{ ...vocabHead('next-token', vocab), kind: 'next-token' }],
  capacity: (T) => T,
  sharedPositions(T, rate, rng) {
    // Positions 1..T-1 (0 holds [CLS] in MaskLab batches); K = round(r (T-1)).
    const k = budget(rate, Math.max(0, T - 1));
    const order = rng.permutation(Math.max(0, T - 1));
    return Int32Array.from(order.subarray(0, k), (p) => p + 1).sort();
  },
  corruptRow(row, sel, env) {
    for (let t = 0; t < row.T; t++) {
      if (!sel.selected[t]) continue;
      env.inputIds[t] = env.vocab.specialIds.mask;
      env.tags[t] = Tag.MASKED;
    }
  },
  targets(mb, env) {
    // Position t predicts the original token at t+1, wherever both are real tokens.
    const { T } = mb;
    mb.gathered = gatherWhere(
      mb,
      env.capacity,
      env.vocab.size,
      (i) => i % T < T - 1 && mb.valid[i] === 1 && mb.valid[i + 1] === 1,
      (i) => mb.originalIds[i + 1],
    );
    mb.causal = true;
  },
};

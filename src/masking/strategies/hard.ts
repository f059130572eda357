// Hard-token masking (after Hard Patches Mining): a growing share of the budget goes to the tokens the model
// currently finds hardest, by an exponential moving average of its own per-token training loss.
import { budget, finishUnits } from '../row';
import { budgetCapacity, type Strategy } from '../strategy';
import { REFS } from '../papers';
import { num, rateParam, replacementParam, splitParams, str } from '../params';
import type { TokenHardness } from '../types';

export const hardStrategy: Strategy = {
  id: 'hard',
  name: 'Hard tokens',
  explanation:
    'The model keeps score of which tokens it still gets wrong: for every vocabulary entry, a running average of ' +
    'its training loss. Part of each masking budget goes to the tokens with the highest scores, the rest is random. ' +
    'That part grows from 0 to a maximum during training, so the model sees easy problems first and hard ones later. ' +
    "With a yes/no head (rts, shuffle, ELECTRA) the score is that head's loss at each token. Hard Patches Mining " +
    "(Wang et al. 2023) did this for image patches with a learned loss predictor; for text it is MaskLab's " +
    'adaptation, not a published result.',
  references: [REFS.hpm],
  params: [
    rateParam(0.15),
    {
      key: 'maxHard',
      label: 'Largest hard share',
      kind: 'number',
      default: 0.5,
      min: 0,
      max: 1,
      step: 0.05,
      help: 'The share of the budget chosen by loss grows linearly from 0 to this value.',
    },
    {
      key: 'rampEnd',
      label: 'Reached at (fraction of training)',
      kind: 'number',
      default: 1,
      min: 0.01,
      max: 1,
      step: 0.01,
      help: 'Training progress at which the hard share reaches its maximum.',
    },
    {
      key: 'emaDecay',
      label: 'Loss average decay',
      kind: 'number',
      default: 0.99,
      min: 0,
      max: 0.9999,
      step: 0.001,
      help: 'Each new loss of a token moves its score by (1 - decay) of the difference (used by TokenLossEma).',
    },
    ...splitParams(0.8, 0.1),
    replacementParam('uniform'),
  ],
  needs: ['hardness'],
  splitPer: () => 'token',
  replacement: (p) => (str(p, 'replacement') === 'unigram' ? 'unigram' : 'uniform'),
  capacity: (_p, T, rMax) => budgetCapacity(T, rMax),
  select(row, sel, env) {
    const hardness = env.hardness;
    if (!hardness) throw new Error('hard strategy: the masking context has no token hardness (pass a TokenLossEma)');
    const k = Math.min(budget(env.rate, row.n), env.capacity);
    const share = hardShare(num(env.params, 'maxHard'), num(env.params, 'rampEnd'), env.progress);
    const nHard = Math.round(share * k);
    // Order candidates by score, highest first; a random key breaks ties (and orders unseen ids).
    const order = env.rng.shuffle(Int32Array.from(row.candidates));
    const scored = Array.from(order, (t, i) => ({ t, s: hardness.score(row.ids[t]), i }));
    scored.sort((a, b) => b.s - a.s || a.i - b.i);
    for (let i = 0; i < nHard; i++) sel.selected[scored[i].t] = 1;
    // The rest of the budget at random among the others (order is already a random permutation).
    let count = nHard;
    for (let i = 0; i < order.length && count < k; i++) {
      if (!sel.selected[order[i]]) {
        sel.selected[order[i]] = 1;
        count++;
      }
    }
    for (const t of row.candidates) sel.units[t] = t;
    finishUnits(row, sel.units);
  },
};

/** f(progress): grows linearly from 0 to maxHard, reached at progress = rampEnd. */
export function hardShare(maxHard: number, rampEnd: number, progress: number): number {
  return maxHard * Math.min(1, Math.max(0, progress) / rampEnd);
}

/**
 * Per-vocabulary-id exponential moving average of the training loss. The engine reads back the per-row losses of
 * the vocabulary head and calls update(ids, losses) with the target id of each row (gathered.targets for
 * vocabulary heads; for class heads pass originalIds at gathered.positions). Rows with id < 0 are skipped.
 */
export class TokenLossEma implements TokenHardness {
  readonly values: Float64Array;
  readonly seen: Uint8Array;
  private sum = 0;
  private seenCount = 0;

  constructor(
    readonly size: number,
    readonly decay = 0.99,
  ) {
    if (!(decay >= 0 && decay < 1)) throw new Error(`TokenLossEma: decay must be in [0, 1), got ${decay}`);
    this.values = new Float64Array(size);
    this.seen = new Uint8Array(size);
  }

  update(ids: ArrayLike<number>, losses: ArrayLike<number>): void {
    if (ids.length !== losses.length)
      throw new Error(`TokenLossEma.update: ${ids.length} ids but ${losses.length} losses`);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      const loss = losses[i];
      if (id < 0 || id >= this.size || !Number.isFinite(loss)) continue;
      const old = this.values[id];
      if (this.seen[id]) {
        this.values[id] = this.decay * old + (1 - this.decay) * loss;
        this.sum += this.values[id] - old;
      } else {
        this.seen[id] = 1;
        this.seenCount++;
        this.values[id] = loss;
        this.sum += loss;
      }
    }
  }

  /** The average for a seen id; the mean over seen ids for an unseen one (0 before any update). */
  score(id: number): number {
    if (id >= 0 && id < this.size && this.seen[id]) return this.values[id];
    return this.seenCount ? this.sum / this.seenCount : 0;
  }
}

// The masking side of a training run, pure (no GPU): the fixed held-out masks of a run's own objective, the token
// id behind each loss row (for the hard-token average and the frequent/rare split), and the hard-token state.
import { heldOutBatches, type SequenceSet } from '../data/batching';
import { Rng } from '../data/rng';
import { applyMasking, TokenLossEma, type MaskingPlan, type VocabInfo } from '../masking';
import type { MaskedBatch, MaskingConfig, PmiLexicon } from '../masking/types';

/** Seed of the held-out masks (the same for every scheme, seed and step). */
export const EVAL_SEED = 'masklab-eval';

/**
 * The hard-token score table of a plan whose strategy needs one, with the strategy's own emaDecay; undefined for
 * every other strategy.
 */
export function hardnessFor(plan: MaskingPlan, V: number): TokenLossEma | undefined {
  if (!plan.strategy.needs.includes('hardness')) return undefined;
  const decay = plan.strategyParams.emaDecay;
  return new TokenLossEma(V, typeof decay === 'number' ? decay : 0.99);
}

/**
 * Fixed held-out masks of `masking` over the first `maxSequences` held-out sequences, `B` at a time, seeded by
 * EVAL_SEED and the batch index. A PMI strategy uses the run's lexicon; a hard strategy gets an empty score table
 * at progress 0, so its held-out masks are random (the same for every run) rather than depending on training.
 */
export function heldOutMasks(
  masking: MaskingConfig,
  heldOut: SequenceSet,
  vocab: VocabInfo,
  B: number,
  maxSequences: number,
  lexicon?: PmiLexicon,
): MaskedBatch[] {
  const held = heldOutBatches(heldOut, B).slice(0, Math.ceil(maxSequences / B));
  const hardness = masking.strategy === 'hard' ? new TokenLossEma(vocab.size) : undefined;
  return held.map((b, i) =>
    applyMasking(masking, b, { vocab, rng: Rng.from(EVAL_SEED, i), lexicon, hardness, progress: 0 }),
  );
}

/** A head's kind, or what its loss rows are about (HeadModule.rows: 'tokens' = every token, as binary heads). */
export type LossRowKind = 'vocab' | 'classes' | 'binary' | 'electra' | 'tokens';

/**
 * The vocabulary id each loss row of a step is about, -1 where the row is empty (same length as the losses the
 * engine reads back). Gathered heads: a vocabulary head's target is already an id (MEAP's: the next token); a
 * class head's target is a class index, so the id is the original token at the gathered position. Per-token
 * heads (binary, ELECTRA's discriminator): the original token at every real, non-special position.
 */
export function lossRowTokenIds(
  kind: LossRowKind,
  masked: MaskedBatch,
  positions: Int32Array,
  targets: Int32Array,
): Int32Array {
  if (kind === 'binary' || kind === 'electra' || kind === 'tokens') {
    const N = masked.B * masked.T;
    const out = new Int32Array(N).fill(-1);
    for (let i = 0; i < N; i++) if (masked.valid[i] && masked.units[i] >= 0) out[i] = masked.originalIds[i];
    return out;
  }
  return Int32Array.from(targets, (t, s) => {
    const p = positions[s];
    if (t < 0 || p < 0) return -1;
    return kind === 'vocab' ? t : masked.originalIds[p];
  });
}

/** Feeds one step's row losses into a score table: rows whose id is -1 are skipped. */
export function updateHardness(h: TokenLossEma, ids: Int32Array, losses: Float32Array): void {
  const n = Math.min(ids.length, losses.length);
  const keep: number[] = [];
  const ls: number[] = [];
  for (let i = 0; i < n; i++) {
    if (ids[i] < 0) continue;
    keep.push(ids[i]);
    ls.push(losses[i]);
  }
  h.update(keep, ls);
}

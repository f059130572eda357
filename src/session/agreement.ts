// Subject-verb agreement on the toy language's held-out minimal pairs: mask the main verb, compare the probabilities
// the model gives the two forms, count the pairs where the agreeing form wins (with and without an attractor).
import { SPECIAL_IDS } from '../data/types';
import type { Tokenizer } from '../data/tokenizer';
import type { MinimalPair } from '../data/toyLanguage';
import { headModule } from '../engine/model/heads';
import type { EngineBatch, Trainer } from '../engine/trainer';

/** One pair in token ids: [CLS] sentence [SEP] padded to T, the verb replaced by [MASK]. */
export interface EncodedPair {
  ids: Int32Array;
  valid: Int32Array;
  /** Position of the masked verb in the sequence. */
  position: number;
  good: number;
  bad: number;
  attractor: boolean;
}

export interface AgreementResult {
  /** Share of pairs without an attractor where the agreeing form is more probable (ties count one half). */
  accuracy: number;
  /** The same over pairs with an attractor (a noun of the other number between subject and verb). */
  accuracyAttractor: number;
  pairs: number;
  pairsAttractor: number;
}

/**
 * Encodes pairs for a tokenizer and a sequence length. Pairs whose verb forms are not one token each, or whose
 * sentence does not fit in T - 2 tokens, are left out; `skipped` says how many.
 */
export function encodePairs(
  pairs: readonly MinimalPair[],
  tokenizer: Tokenizer,
  T: number,
): { encoded: EncodedPair[]; skipped: number } {
  const encoded: EncodedPair[] = [];
  let skipped = 0;
  const single = (w: string): number | undefined => {
    const e = tokenizer.encode(w).ids;
    return e.length === 1 && e[0] !== SPECIAL_IDS.unk ? e[0] : undefined;
  };
  for (const p of pairs) {
    const good = single(p.good);
    const bad = single(p.bad);
    const before = tokenizer.encode(p.words.slice(0, p.verbIndex).join(' ')).ids;
    const after = tokenizer.encode(p.words.slice(p.verbIndex + 1).join(' ')).ids;
    const n = before.length + 1 + after.length;
    if (good === undefined || bad === undefined || n > T - 2) {
      skipped++;
      continue;
    }
    const ids = new Int32Array(T).fill(SPECIAL_IDS.pad);
    const valid = new Int32Array(T);
    const seq = [SPECIAL_IDS.cls, ...before, SPECIAL_IDS.mask, ...after, SPECIAL_IDS.sep];
    seq.forEach((id, i) => {
      ids[i] = id;
      valid[i] = 1;
    });
    encoded.push({ ids, valid, position: before.length + 1, good, bad, attractor: p.attractor });
  }
  return { encoded, skipped };
}

/**
 * Scores a chunk of pairs: for each, the negative log-probabilities (nats) the model gives the good and the bad
 * form at the masked position.
 */
export type PairScorer = (chunk: readonly EncodedPair[]) => Promise<{ good: number; bad: number }[]>;

/** Agreement accuracy over encoded pairs, scoring `chunkSize` pairs per call. */
export async function scoreAgreement(
  pairs: readonly EncodedPair[],
  scorer: PairScorer,
  chunkSize: number,
): Promise<AgreementResult> {
  const wins = { plain: 0, attractor: 0 };
  const counts = { plain: 0, attractor: 0 };
  for (let i = 0; i < pairs.length; i += Math.max(1, chunkSize)) {
    const chunk = pairs.slice(i, i + Math.max(1, chunkSize));
    const nll = await scorer(chunk);
    chunk.forEach((p, j) => {
      const kind = p.attractor ? 'attractor' : 'plain';
      const { good, bad } = nll[j];
      counts[kind]++;
      wins[kind] += good < bad ? 1 : good === bad ? 0.5 : 0;
    });
  }
  return {
    accuracy: counts.plain > 0 ? wins.plain / counts.plain : 0,
    accuracyAttractor: counts.attractor > 0 ? wins.attractor / counts.attractor : 0,
    pairs: counts.plain,
    pairsAttractor: counts.attractor,
  };
}

/**
 * A scorer on the trainer's evaluation graph (B rows, M target slots: the graph the run's evaluation already built).
 * Each pair takes one row holding its masked sentence and two target slots at the masked position, one with the
 * good form as its target and one with the bad form; the per-target losses are the two negative log-probabilities.
 * min(B, floor(M / 2)) pairs per call. Vocabulary heads only.
 */
export function trainerPairScorer(
  trainer: Trainer,
  B: number,
  M: number,
  T: number,
): { scorer: PairScorer; chunkSize: number } {
  // The pairs are scored on the evaluation graph: its head must rank the V vocabulary ids.
  const evalHead = headModule(trainer.head).evalHead(trainer.head);
  const m = headModule(evalHead);
  if (m.rows !== 'vocab' || m.outputs(trainer.cfg, evalHead) !== trainer.cfg.V)
    throw new Error(`agreement needs a vocabulary head, this run has a ${trainer.head.kind} head`);
  const chunkSize = Math.min(B, Math.floor(M / 2));
  if (chunkSize < 1) throw new Error(`agreement needs at least two target slots (M=${M})`);
  const scorer: PairScorer = async (chunk) => {
    const ids = new Int32Array(B * T).fill(SPECIAL_IDS.pad);
    const valid = new Int32Array(B * T);
    const positions = new Int32Array(M).fill(-1);
    const targets = new Int32Array(M).fill(-1);
    const weights = new Float32Array(M);
    chunk.forEach((p, j) => {
      ids.set(p.ids, j * T);
      valid.set(p.valid, j * T);
      for (const [slot, target] of [
        [2 * j, p.good],
        [2 * j + 1, p.bad],
      ] as const) {
        positions[slot] = j * T + p.position;
        targets[slot] = target;
        weights[slot] = 1 / (2 * chunk.length);
      }
    });
    const batch: EngineBatch = { ids, valid, positions, targets, weights };
    await trainer.evaluate([batch], B, M);
    const { losses } = await trainer.lastEvalRows();
    return chunk.map((_, j) => ({ good: losses[2 * j], bad: losses[2 * j + 1] }));
  };
  return { scorer, chunkSize };
}

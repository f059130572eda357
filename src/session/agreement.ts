// Subject-verb agreement on the toy language's held-out minimal pairs: mask the main verb, compare the probabilities
// the model gives the two forms, count the pairs where the agreeing form wins (without an attractor, with one, and
// per kind of pair: prepositional phrase, subject or object relative clause).
import { SPECIAL_IDS } from '../data/types';
import type { Tokenizer } from '../data/tokenizer';
import { PAIR_KINDS, type MinimalPair, type PairKind } from '../data/toyLanguage';
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
  kind: PairKind;
}

export interface AgreementResult {
  /** Share of pairs without an attractor where the agreeing form is more probable (ties count one half). */
  accuracy: number;
  /**
   * The same over pairs with an attractor (a noun of the other number between subject and verb) in a prepositional
   * phrase or a subject relative clause; object relative clauses are counted apart (byKind.orc).
   */
  accuracyAttractor: number;
  pairs: number;
  pairsAttractor: number;
  /** Per kind of pair (kinds without pairs left out): the share right and the number of pairs. */
  byKind: Partial<Record<PairKind, { accuracy: number; pairs: number }>>;
}

/** What a run keeps of agreement at an evaluation (EvalPoint.agreement): the two headline shares and each kind's. */
export interface AgreementFigures {
  plain: number;
  attractor: number;
  /** Per kind of pair (bare, pp, src, orc); absent in runs recorded before object relative clauses. */
  kinds?: Partial<Record<PairKind, number>>;
}

export function agreementFigures(r: AgreementResult): AgreementFigures {
  const kinds: Partial<Record<PairKind, number>> = {};
  for (const k of PAIR_KINDS) if (r.byKind[k]) kinds[k] = r.byKind[k].accuracy;
  return { plain: r.accuracy, attractor: r.accuracyAttractor, kinds };
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
    encoded.push({ ids, valid, position: before.length + 1, good, bad, attractor: p.attractor, kind: p.kind });
  }
  return { encoded, skipped };
}

/** How many encoded pairs of each group a run scores: without an attractor, with one, object relative clauses. */
export function pairCounts(pairs: readonly EncodedPair[]): {
  plain: number;
  attractor: number;
  objectRelative: number;
} {
  return {
    plain: pairs.filter((p) => !p.attractor).length,
    attractor: pairs.filter((p) => p.attractor && p.kind !== 'orc').length,
    objectRelative: pairs.filter((p) => p.kind === 'orc').length,
  };
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
  const byKind: Partial<Record<PairKind, { wins: number; pairs: number }>> = {};
  for (let i = 0; i < pairs.length; i += Math.max(1, chunkSize)) {
    const chunk = pairs.slice(i, i + Math.max(1, chunkSize));
    const nll = await scorer(chunk);
    chunk.forEach((p, j) => {
      const { good, bad } = nll[j];
      const win = good < bad ? 1 : good === bad ? 0.5 : 0;
      const k = (byKind[p.kind] ??= { wins: 0, pairs: 0 });
      k.pairs++;
      k.wins += win;
      if (p.kind === 'orc') return;
      const group = p.attractor ? 'attractor' : 'plain';
      counts[group]++;
      wins[group] += win;
    });
  }
  const share = (w: number, n: number) => (n > 0 ? w / n : 0);
  return {
    accuracy: share(wins.plain, counts.plain),
    accuracyAttractor: share(wins.attractor, counts.attractor),
    pairs: counts.plain,
    pairsAttractor: counts.attractor,
    byKind: Object.fromEntries(
      PAIR_KINDS.flatMap((k) => {
        const c = byKind[k];
        return c ? [[k, { accuracy: share(c.wins, c.pairs), pairs: c.pairs }]] : [];
      }),
    ),
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

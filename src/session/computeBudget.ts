// A comparison's training budget in steps, tokens or FLOPs, and the steps each scheme gets for it: one function the
// page's comparison setup, `npm run compare` and the lessons share. FLOPs per step by the engine's analytic count.
import type { MaskingConfig, VocabInfo } from '../masking/types';
import { planMasking } from '../masking';
import { trainStepFlops } from '../engine/profile';
import { modelShape, type ExperimentConfig } from './config';
import { headFor } from './runMasking';

/**
 * steps: every scheme trains base.train.steps steps. tokens: every scheme trains the steps that see `amount` tokens
 * (steps x B x T). flops: each scheme trains the steps it can afford with `amount` FLOPs at its own FLOPs per step.
 * equal-flops: as flops, with `amount` = what the reference scheme spends in base.train.steps steps.
 */
export type BudgetKind = 'steps' | 'tokens' | 'flops' | 'equal-flops';
export interface ComputeBudget {
  kind: BudgetKind;
  /** Tokens (kind tokens) or FLOPs (kind flops) per run; unused for steps and equal-flops. */
  amount?: number;
}

export const BUDGET_KINDS: readonly { id: BudgetKind; label: string }[] = [
  { id: 'steps', label: 'steps (the same for every scheme)' },
  { id: 'tokens', label: 'tokens (the same for every scheme)' },
  { id: 'flops', label: 'FLOPs per run (each scheme its own steps)' },
  { id: 'equal-flops', label: "equal FLOPs (the reference scheme's steps set the FLOPs)" },
];

/** A stand-in vocabulary of V ids (a config checked or costed before its tokenizer is trained). */
export function placeholderVocab(V: number): VocabInfo {
  const tokens = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  for (let i = tokens.length; i < V; i++) tokens.push(`w${i}`);
  return { size: V, specialIds: { pad: 0, unk: 1, cls: 2, sep: 3, mask: 4 }, tokens, continuationPrefix: '##' };
}

/** Vocabulary size a config will get: the tokenizer's setting (characters and words: a typical size). */
export function expectedVocab(e: ExperimentConfig): number {
  return e.tokenizer.vocabSize ?? (e.tokenizer.kind === 'char' ? 96 : 4096);
}

/**
 * Matrix-product FLOPs of one training step of `e` with `masking` (the engine's analytic count, profile.ts, with
 * the head's products counted by its module: the trainer's own count from its dispatch list equals it,
 * flops.gpu.test.ts and heads.gpu.test.ts). ELECTRA counts its generator, SpanBERT its boundary head. Without a
 * vocabulary, one of the tokenizer's set size stands in.
 */
export function schemeStepFlops(e: ExperimentConfig, masking: MaskingConfig, vocab?: VocabInfo): number {
  const v = vocab ?? placeholderVocab(expectedVocab(e));
  const model = modelShape(e, v.size);
  const plan = planMasking(masking, v, model.T);
  const head = headFor(plan, model);
  const B = e.train.B;
  const M = B * plan.capacity;
  return trainStepFlops(model, B, M, head).total;
}

/** What a budget gives one scheme. */
export interface SchemeBudget {
  steps: number;
  flopsPerStep: number;
  tokens: number;
  flops: number;
}

/** Why a budget cannot be used, or null. */
export function budgetError(b: ComputeBudget): string | null {
  if (b.kind !== 'tokens' && b.kind !== 'flops') return null;
  const a = b.amount;
  if (a === undefined || !Number.isFinite(a) || a <= 0)
    return `a budget in ${b.kind === 'tokens' ? 'tokens' : 'FLOPs'} needs a positive amount, got ${a ?? 'none'}`;
  return null;
}

/**
 * The steps, tokens and FLOPs each scheme gets under `budget` (at least 1 step each). `reference` names the scheme
 * whose base.train.steps set the FLOPs of equal-flops. `flopsOf` is schemeStepFlops unless a caller measured them.
 */
export function resolveBudget(
  base: ExperimentConfig,
  schemes: readonly MaskingConfig[],
  budget: ComputeBudget,
  reference = 0,
  flopsOf: (m: MaskingConfig) => number = (m) => schemeStepFlops(base, m),
): SchemeBudget[] {
  const err = budgetError(budget);
  if (err) throw new Error(err);
  const tokensPerStep = base.train.B * modelShape(base, 2).T;
  const fps = schemes.map(flopsOf);
  const ref = Math.min(Math.max(0, reference), schemes.length - 1);
  const flops =
    budget.kind === 'flops' ? budget.amount! : budget.kind === 'equal-flops' ? base.train.steps * fps[ref] : undefined;
  return fps.map((f) => {
    const steps =
      flops !== undefined
        ? Math.max(1, Math.floor(flops / f))
        : budget.kind === 'tokens'
          ? Math.max(1, Math.floor(budget.amount! / tokensPerStep))
          : base.train.steps;
    return { steps, flopsPerStep: f, tokens: steps * tokensPerStep, flops: steps * f };
  });
}

/** "4.2e9" style: FLOPs and tokens in a few characters. */
export function fmtAmount(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (x < 1e4) return String(Math.round(x));
  return x.toExponential(2).replace('e+', 'e');
}

/** One line per scheme for the page and the CLI: "random/mlm · 15%: 200 steps, 1.6e12 FLOPs, 8.2e5 tokens". */
export function describeBudget(b: ComputeBudget): string {
  if (b.kind === 'steps') return 'the same steps for every scheme';
  if (b.kind === 'tokens') return `${fmtAmount(b.amount ?? 0)} tokens per run`;
  if (b.kind === 'flops') return `${fmtAmount(b.amount ?? 0)} FLOPs per run, each scheme the steps it can afford`;
  return "equal FLOPs: the reference scheme's steps set the FLOPs, each scheme the steps it can afford";
}

// The contract every masking strategy implements (which tokens to corrupt); the papers they cite are in papers.ts.
import type { Rng } from '../data/rng';
import type { RowSelection, RowView } from './row';
import type {
  ParamSpec,
  ParamValues,
  PaperRef,
  PmiLexicon,
  ReplacementLaw,
  StrategyId,
  StrategyNeed,
  TokenHardness,
  VocabInfo,
} from './types';

/** What a strategy gets besides the row: resolved parameters and the shared state of this batch. */
export interface SelectEnv {
  rng: Rng;
  /** Masking rate for this batch, after the rate schedule. */
  rate: number;
  params: ParamValues;
  vocab: VocabInfo;
  /** Most tokens one row may select (the target capacity P). */
  capacity: number;
  progress: number;
  lexicon?: PmiLexicon;
  hardness?: TokenHardness;
}

export interface Strategy {
  id: StrategyId;
  name: string;
  /** 2-4 plain sentences for a learner. */
  explanation: string;
  references: readonly PaperRef[];
  params: readonly ParamSpec[];
  /** Context the strategy cannot work without (a run and the preview build what is listed here). */
  needs: readonly StrategyNeed[];
  /** With need 'lexicon': the PMI lexicon's settings from the strategy's (resolved) parameters. */
  lexiconOptions?(params: ParamValues): { minCount: number; size: number };
  /** Whether the [MASK]/random/keep draw is made once per unit (span, PMI unit) or per token. */
  splitPer(params: ParamValues): 'token' | 'unit';
  replacement(params: ParamValues): ReplacementLaw;
  /** The most tokens one row of length T can select when the rate never exceeds rMax (sizes target buffers). */
  capacity(params: ParamValues, T: number, rMax: number): number;
  /**
   * Marks selected positions (sel.selected = 1, only where row.maskable) and fills sel.units for every maskable
   * position (see finishUnits / runUnits in row.ts).
   */
  select(row: RowView, sel: RowSelection, env: SelectEnv): void;
}

/** Slots a row needs when each of T positions is chosen independently with mean probability p (4 sigma margin). */
export function bernoulliCapacity(T: number, p: number): number {
  const m = T * Math.min(1, Math.max(0, p));
  return Math.min(T, Math.ceil(m + 4 * Math.sqrt(m) + 2));
}

export function budgetCapacity(T: number, rMax: number): number {
  return Math.min(T, Math.max(rMax > 0 ? 1 : 0, Math.ceil(rMax * T - 1e-9)));
}

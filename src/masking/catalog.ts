// Every strategy and objective MaskLab offers, by id: what the UI lists and what applyMasking looks up.
import type { Objective } from './objective';
import type { Strategy } from './strategy';
import type { MaskingConfig, ObjectiveId, StrategyId } from './types';
import { randomStrategy } from './strategies/random';
import { wholeWordStrategy } from './strategies/wholeWord';
import { spanStrategy } from './strategies/span';
import { ngramStrategy } from './strategies/ngram';
import { pmiStrategy } from './strategies/pmi';
import { informativeStrategy } from './strategies/informative';
import { hardStrategy } from './strategies/hard';
import { mlmObjective, slmObjective } from './objectives/mlm';
import { rtsObjective, shuffleObjective } from './objectives/detection';
import { charNObjective, firstCharObjective } from './objectives/chars';
import { shuffleRandomObjective, tokenTypeObjective } from './objectives/yamaguchi';
import { electraObjective } from './objectives/electra';
import { sboObjective } from './objectives/sbo';
import { meapObjective } from './objectives/meap';
import { positionObjective } from './objectives/position';
import { ernieGramObjective } from './objectives/ernieGram';

export const STRATEGIES: Readonly<Record<StrategyId, Strategy>> = {
  random: randomStrategy,
  'whole-word': wholeWordStrategy,
  span: spanStrategy,
  ngram: ngramStrategy,
  pmi: pmiStrategy,
  informative: informativeStrategy,
  hard: hardStrategy,
};

export const OBJECTIVES: Readonly<Record<ObjectiveId, Objective>> = {
  mlm: mlmObjective,
  slm: slmObjective,
  rts: rtsObjective,
  shuffle: shuffleObjective,
  'shuffle-random': shuffleRandomObjective,
  'token-type': tokenTypeObjective,
  'first-char': firstCharObjective,
  'char-n': charNObjective,
  electra: electraObjective,
  sbo: sboObjective,
  meap: meapObjective,
  position: positionObjective,
  'ernie-gram': ernieGramObjective,
};

export const STRATEGY_IDS = Object.keys(STRATEGIES) as StrategyId[];
export const OBJECTIVE_IDS = Object.keys(OBJECTIVES) as ObjectiveId[];

export function getStrategy(id: string): Strategy {
  const s = (STRATEGIES as Record<string, Strategy | undefined>)[id];
  if (!s) throw new Error(`unknown masking strategy "${id}" (known: ${STRATEGY_IDS.join(', ')})`);
  return s;
}

export function getObjective(id: string): Objective {
  const o = (OBJECTIVES as Record<string, Objective | undefined>)[id];
  if (!o) throw new Error(`unknown objective "${id}" (known: ${OBJECTIVE_IDS.join(', ')})`);
  return o;
}

/** The objective with its default strategy and every parameter at its default. */
export function defaultConfig(objective: ObjectiveId = 'mlm'): MaskingConfig {
  return { strategy: getObjective(objective).defaultStrategy, objective };
}

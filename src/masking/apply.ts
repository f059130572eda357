// The one entry point: a masking config applied to a batch (or one sentence, for the preview) gives a MaskedBatch.
import { Rng } from '../data/rng';
import type { Batch, Encoding } from '../data/types';
import { getObjective, getStrategy } from './catalog';
import type { CorruptEnv, Objective } from './objective';
import { num, resolveParams, splitOf } from './params';
import { finishUnits, rowView, type RowSelection } from './row';
import { hashTokens, ReplacementSampler, specialMask } from './sampling';
import { maxScheduledRate, scheduledRate } from './schedule';
import type { SelectEnv, Strategy } from './strategy';
import { TAG_NAMES } from './types';
import { buildPmiLexicon } from './pmiLexicon';
import type {
  CorpusTable,
  HeadSpec,
  MaskedBatch,
  MaskingConfig,
  MaskingContext,
  ParamValues,
  PmiLexicon,
  VocabInfo,
} from './types';

/** A config resolved for one model shape: what the engine sizes its buffers and heads from. */
export interface MaskingPlan {
  strategy: Strategy;
  objective: Objective;
  strategyParams: ParamValues;
  objectiveParams: ParamValues;
  heads: HeadSpec[];
  /** P: gathered-target slots per row. Constant for the whole run (covers the schedule's largest rate). */
  capacity: number;
  causal: boolean;
  /** The row selection limit (the strategy's capacity; equal to `capacity` except for MEAP). */
  selectionCapacity: number;
}

/** Resolves and validates a config for sequences of length T; throws with a clear message on bad settings. */
export function planMasking(config: MaskingConfig, vocab: VocabInfo, T: number): MaskingPlan {
  const strategy = getStrategy(config.strategy);
  const objective = getObjective(config.objective);
  if (objective.strategies && !objective.strategies.includes(strategy.id)) {
    throw new Error(
      `objective "${objective.id}" works only with strategies ${objective.strategies.join(', ')}, not "${strategy.id}"`,
    );
  }
  const strategyParams = resolveParams(`strategy "${strategy.id}"`, strategy.params, config.strategyParams);
  const objectiveParams = resolveParams(`objective "${objective.id}"`, objective.params, config.objectiveParams);
  splitOf(`strategy "${strategy.id}"`, strategyParams);
  if (!(Number.isInteger(T) && T >= 1)) throw new Error(`sequence length T must be a positive integer, got ${T}`);
  const rMax = maxScheduledRate(config.schedule, num(strategyParams, 'rate'));
  const selectionCapacity = strategy.capacity(strategyParams, T, rMax);
  // At least one slot, so target buffers are never empty (GPU bindings cannot be 0 bytes).
  const capacity = Math.max(1, objective.capacity ? objective.capacity(T, selectionCapacity) : selectionCapacity);
  return {
    strategy,
    objective,
    strategyParams,
    objectiveParams,
    capacity,
    selectionCapacity,
    heads: objective.heads(vocab, T, objectiveParams),
    causal: objective.causal,
  };
}

/** Gathered-target slots per row for this config and T (see MaskingPlan.capacity). */
export function targetCapacity(config: MaskingConfig, vocab: VocabInfo, T: number): number {
  return planMasking(config, vocab, T).capacity;
}

/** Applies the config's strategy, schedule and objective to a batch. Deterministic given ctx.rng's state. */
export function applyMasking(config: MaskingConfig, batch: Batch, ctx: MaskingContext): MaskedBatch {
  const { B, T } = batch;
  const { vocab } = ctx;
  const plan = planMasking(config, vocab, T);
  checkBatch(batch, vocab);
  const progress = ctx.progress ?? 0;
  const rate = scheduledRate(config.schedule, num(plan.strategyParams, 'rate'), progress);
  const mb: MaskedBatch = {
    B,
    T,
    strategy: plan.strategy.id,
    objective: plan.objective.id,
    rate,
    inputIds: Int32Array.from(batch.ids),
    originalIds: Int32Array.from(batch.ids),
    valid: Int32Array.from(batch.valid),
    tags: new Uint8Array(B * T),
    selected: new Uint8Array(B * T),
    units: new Int32Array(B * T).fill(-1),
    maskableCount: 0,
    selectedCount: 0,
    truncated: 0,
    causal: plan.causal,
  };
  const special = specialMask(vocab);
  const split = splitOf(`strategy "${plan.strategy.id}"`, plan.strategyParams);
  const replacement = ReplacementSampler.for(vocab, plan.strategy.replacement(plan.strategyParams));
  const uniform = ReplacementSampler.for(vocab, 'uniform');
  const shared = plan.objective.sharedPositions ? plan.objective.sharedPositions(T, rate, ctx.rng) : null;
  // Per-position corruption kind for multi-way detection objectives (shuffle+random: 1 shuffled, 2 random).
  const kinds = new Uint8Array(B * T);

  for (let b = 0; b < B; b++) {
    const lo = b * T;
    const hi = lo + T;
    const ids = batch.ids.subarray(lo, hi);
    const valid = batch.valid.subarray(lo, hi);
    const rng = config.staticMasks ? Rng.from(config.staticSeed ?? 0, 'static-mask', hashTokens(ids, valid)) : ctx.rng;
    const row = rowView(T, ids, batch.wordIds.subarray(lo, hi), valid, special);
    const sel: RowSelection = { selected: mb.selected.subarray(lo, hi), units: mb.units.subarray(lo, hi) };
    if (shared) {
      for (const t of shared) if (row.maskable[t]) sel.selected[t] = 1;
      for (const t of row.candidates) sel.units[t] = t;
      finishUnits(row, sel.units);
    } else if (row.n > 0) {
      const env: SelectEnv = {
        rng,
        rate,
        params: plan.strategyParams,
        vocab,
        capacity: plan.selectionCapacity,
        progress,
        lexicon: ctx.lexicon,
        hardness: ctx.hardness,
      };
      plan.strategy.select(row, sel, env);
      mb.truncated += truncate(sel.selected, plan.selectionCapacity, rng);
    }
    plan.objective.extendSelection?.(row, sel, { rng, params: plan.objectiveParams });
    let count = 0;
    for (let t = 0; t < T; t++) {
      if (!sel.selected[t]) continue;
      if (!row.maskable[t])
        throw new Error(`strategy "${plan.strategy.id}" selected a special or padding position (row ${b}, t ${t})`);
      count++;
    }
    mb.maskableCount += row.n;
    mb.selectedCount += count;
    const cenv: CorruptEnv = {
      rng,
      params: plan.objectiveParams,
      vocab,
      split,
      splitPer: plan.strategy.splitPer(plan.strategyParams),
      replacement,
      uniform,
      inputIds: mb.inputIds.subarray(lo, hi),
      tags: mb.tags.subarray(lo, hi),
      kinds: kinds.subarray(lo, hi),
    };
    plan.objective.corruptRow(row, sel, cenv);
  }
  const table = ctx.table;
  plan.objective.targets(mb, { capacity: plan.capacity, vocab, params: plan.objectiveParams, batch, kinds, table });
  return mb;
}

/** Drops random selections beyond the capacity (only Bernoulli-style counting can get there); returns how many. */
function truncate(selected: Uint8Array, capacity: number, rng: Rng): number {
  const pos: number[] = [];
  for (let t = 0; t < selected.length; t++) if (selected[t]) pos.push(t);
  if (pos.length <= capacity) return 0;
  rng.shuffle(pos);
  for (let j = capacity; j < pos.length; j++) selected[pos[j]] = 0;
  return pos.length - capacity;
}

function checkBatch(batch: Batch, vocab: VocabInfo): void {
  const N = batch.B * batch.T;
  for (const [name, arr] of [
    ['ids', batch.ids],
    ['wordIds', batch.wordIds],
    ['valid', batch.valid],
  ] as const) {
    if (arr.length !== N) throw new Error(`batch.${name} has ${arr.length} entries, expected B*T = ${N}`);
  }
  for (let i = 0; i < N; i++) {
    const id = batch.ids[i];
    if (!(id >= 0 && id < vocab.size))
      throw new Error(`batch.ids[${i}] = ${id} is outside the vocabulary [0, ${vocab.size})`);
  }
}

/**
 * What a plan needs from the training split, built from it alone (`train`: its sequences' encodings): the strategy's
 * PMI lexicon and the objective's table (Objective.fromTrainingSplit). A run and the masks script build it once.
 */
export function contextFromTrainingSplit(
  plan: MaskingPlan,
  encodings: Iterable<Encoding>,
  vocab: VocabInfo,
): { lexicon?: PmiLexicon; table?: CorpusTable } {
  const train = [...encodings];
  const out: { lexicon?: PmiLexicon; table?: CorpusTable } = {};
  if (plan.strategy.needs.includes('lexicon')) {
    const options = plan.strategy.lexiconOptions?.(plan.strategyParams);
    if (!options) throw new Error(`strategy "${plan.strategy.id}" needs a lexicon but gives no lexicon settings`);
    out.lexicon = buildPmiLexicon(train, vocab, options);
  }
  if (plan.objective.fromTrainingSplit)
    out.table = plan.objective.fromTrainingSplit(train, vocab, plan.objectiveParams);
  return out;
}

/** A batch of one sequence: the encoding wrapped in [CLS] ... [SEP] unless it already starts with [CLS]. */
export function batchOfOne(encoding: Encoding, vocab: VocabInfo): Batch {
  const { cls, sep } = vocab.specialIds;
  const wrapped = encoding.ids.length > 0 && encoding.ids[0] === cls;
  const T = encoding.ids.length + (wrapped ? 0 : 2);
  const ids = new Int32Array(T);
  const wordIds = new Int32Array(T).fill(-1);
  if (wrapped) {
    ids.set(encoding.ids);
    wordIds.set(encoding.wordIds);
  } else {
    ids[0] = cls;
    ids.set(encoding.ids, 1);
    wordIds.set(encoding.wordIds, 1);
    ids[T - 1] = sep;
  }
  return { B: 1, T, ids, wordIds, valid: new Int32Array(T).fill(1) };
}

/** One position of a preview, ready to render. */
export interface PreviewToken {
  original: string;
  /** What the model sees. */
  shown: string;
  tag: (typeof TAG_NAMES)[number];
  /** Target at this position (token or class name), or null. */
  target: string | null;
  unit: number;
}

/** Masks one sentence exactly as training would, and returns the MaskedBatch plus a per-token view. */
export function previewMasking(
  config: MaskingConfig,
  encoding: Encoding,
  ctx: MaskingContext,
): { masked: MaskedBatch; tokens: PreviewToken[] } {
  const batch = batchOfOne(encoding, ctx.vocab);
  const masked = applyMasking(config, batch, ctx);
  const plan = planMasking(config, ctx.vocab, batch.T);
  const head = plan.heads[0];
  const targetAt = new Map<number, number>();
  const g = masked.gathered;
  if (g)
    for (let s = 0; s < g.positions.length; s++) if (g.positions[s] >= 0) targetAt.set(g.positions[s], g.targets[s]);
  const name = (id: number) => ctx.vocab.tokens[id] ?? `#${id}`;
  const tokens: PreviewToken[] = [];
  for (let t = 0; t < batch.T; t++) {
    let target: string | null = null;
    const tg = targetAt.get(t);
    if (tg !== undefined) target = head.classNames?.[tg] ?? ctx.table?.className(tg) ?? name(tg);
    else if (masked.tokenLabels && masked.valid[t] && masked.tokenLabels.labels[t] === 1) target = 'replaced';
    tokens.push({
      original: name(masked.originalIds[t]),
      shown: name(masked.inputIds[t]),
      tag: TAG_NAMES[masked.tags[t]],
      target,
      unit: masked.units[t],
    });
  }
  return { masked, tokens };
}

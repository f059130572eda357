// Setting up a comparison: a literature preset (with what the paper found) or schemes picked by hand (strategy,
// objective, rate), seeds, probe budgets; everything else comes once from the current experiment, stated plainly.
import { useState } from 'react';
import { getObjective, getStrategy, OBJECTIVE_IDS, OBJECTIVES, STRATEGIES, STRATEGY_IDS } from '../../masking';
import type { MaskingConfig, ObjectiveId, StrategyId } from '../../masking/types';
import { modelShape, type ExperimentConfig } from '../../session/config';
import { DEFAULT_PROBE_BUDGET, type ProbeBudget } from '../../session/probes';
import { decodeExperiment, encodeExperiment } from '../../session/experimentUrl';
import { COMPARISON_PRESETS, VERDICT_SEEDS } from '../../session/comparisonPresets';
import { duplicateSchemes, schemeLabel, seedList, tokenBudget } from '../../session/comparisonRecord';
import { NumberField } from '../setup/controls';
import { COMPARISON_RULES, ruleProblem } from '../../session/settingRules';
import {
  BUDGET_KINDS,
  budgetError,
  fmtAmount,
  resolveBudget,
  type BudgetKind,
  type ComputeBudget,
} from '../../session/computeBudget';

export interface SetupValue {
  name: string;
  preset?: string;
  schemes: MaskingConfig[];
  seedCount: number;
  budget: ProbeBudget;
  /** The training budget: steps (the experiment's), tokens or FLOPs per run, or equal FLOPs. */
  compute: ComputeBudget;
}

export function initialSetup(config: ExperimentConfig): SetupValue {
  // Two different schemes: the current one and, against it, BERT's MLM (or RTS when the current one is MLM already).
  const mlm: MaskingConfig = {
    strategy: 'random',
    objective: 'mlm',
    strategyParams: { rate: 0.15, maskFrac: 0.8, randomFrac: 0.1 },
  };
  const rts: MaskingConfig = { strategy: 'random', objective: 'rts', strategyParams: { rate: 0.15 } };
  const current = structuredClone(config.masking);
  const other = duplicateSchemes([current, mlm]).length > 0 ? rts : mlm;
  return {
    name: '',
    schemes: [current, other],
    seedCount: VERDICT_SEEDS,
    budget: { ...DEFAULT_PROBE_BUDGET },
    compute: { kind: 'steps' },
  };
}

/** Why this scheme cannot run in this experiment (parameters the strategy or objective does not accept). */
export function schemeProblem(config: ExperimentConfig, m: MaskingConfig): string | undefined {
  const d = decodeExperiment(encodeExperiment({ ...config, masking: m }));
  return d.ignored.length > 0 ? d.ignored.join('; ') : undefined;
}

function withStrategy(m: MaskingConfig, id: StrategyId): MaskingConfig {
  const keys = new Set(getStrategy(id).params.map((p) => p.key));
  const sp = Object.fromEntries(Object.entries(m.strategyParams ?? {}).filter(([k]) => keys.has(k)));
  const out: MaskingConfig = { ...m, strategy: id, strategyParams: sp };
  if (Object.keys(sp).length === 0) delete out.strategyParams;
  return out;
}

function withObjective(m: MaskingConfig, id: ObjectiveId): MaskingConfig {
  const o = getObjective(id);
  const keys = new Set(o.params.map((p) => p.key));
  const op = Object.fromEntries(Object.entries(m.objectiveParams ?? {}).filter(([k]) => keys.has(k)));
  let out: MaskingConfig = { ...m, objective: id, objectiveParams: op };
  if (Object.keys(op).length === 0) delete out.objectiveParams;
  if (o.strategies && !o.strategies.includes(out.strategy)) out = withStrategy(out, o.defaultStrategy);
  return out;
}

function SchemeRow({
  m,
  index,
  config,
  onChange,
  onRemove,
}: {
  m: MaskingConfig;
  index: number;
  config: ExperimentConfig;
  onChange(m: MaskingConfig): void;
  onRemove?: () => void;
}) {
  const objective = getObjective(m.objective);
  const rateSpec = getStrategy(m.strategy).params.find((p) => p.key === 'rate');
  const rate = m.strategyParams?.rate;
  const problem = schemeProblem(config, m);
  return (
    <li className="scheme-row" data-testid="compare-scheme" data-objective={m.objective}>
      <span className="scheme-index">{index + 1}</span>
      <label>
        <span className="visually-hidden">Scheme {index + 1} strategy</span>
        <select
          value={m.strategy}
          onChange={(e) => onChange(withStrategy(m, e.target.value as StrategyId))}
          data-testid="compare-scheme-strategy"
        >
          {STRATEGY_IDS.map((id) => (
            <option key={id} value={id} disabled={!!objective.strategies && !objective.strategies.includes(id)}>
              {STRATEGIES[id].name}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span className="visually-hidden">Scheme {index + 1} objective</span>
        <select
          value={m.objective}
          onChange={(e) => onChange(withObjective(m, e.target.value as ObjectiveId))}
          data-testid="compare-scheme-objective"
        >
          {OBJECTIVE_IDS.map((id) => (
            <option key={id} value={id}>
              {OBJECTIVES[id].name}
            </option>
          ))}
        </select>
      </label>
      {rateSpec && rateSpec.kind === 'number' && (
        <label className="scheme-rate">
          rate
          <input
            type="number"
            min={rateSpec.min}
            max={rateSpec.max}
            step={0.01}
            value={typeof rate === 'number' ? rate : rateSpec.default}
            aria-label={`Scheme ${index + 1} masking rate`}
            data-testid="compare-scheme-rate"
            onChange={(e) => {
              const v = Number(e.target.value);
              if (Number.isFinite(v) && v >= rateSpec.min && v <= rateSpec.max)
                onChange({ ...m, strategyParams: { ...(m.strategyParams ?? {}), rate: v } });
            }}
          />
        </label>
      )}
      <code className="scheme-label" title={schemeLabel(m)}>
        {schemeLabel(m)}
      </code>
      {onRemove && (
        <button
          type="button"
          className="secondary small scheme-remove"
          onClick={onRemove}
          aria-label={`Remove scheme ${index + 1}`}
          data-testid="compare-scheme-remove"
        >
          Remove
        </button>
      )}
      {problem && (
        <p className="error scheme-problem" role="alert" data-testid="compare-scheme-problem">
          Cannot train this scheme: {problem}
        </p>
      )}
    </li>
  );
}

/** What the setup leads to: why it cannot start (or undefined), the budget's error, and each scheme's steps. */
function checkSetup(config: ExperimentConfig, value: SetupValue, blocked: string | undefined) {
  const problems = value.schemes.map((m) => schemeProblem(config, m)).filter(Boolean);
  const computeError = budgetError(value.compute);
  const settings = { seedCount: value.seedCount, ...value.budget };
  const badSetting = (['seedCount', 'mlmSteps', 'downstreamSequences'] as const).some(
    (k) => ruleProblem(COMPARISON_RULES[k], settings[k]) !== undefined,
  );
  const reason =
    blocked ??
    (value.schemes.length < 2
      ? 'Pick at least two schemes.'
      : problems.length > 0
        ? 'A scheme has settings it does not accept (see above).'
        : badSetting
          ? 'A setting below is outside what it allows.'
          : (computeError ?? undefined));
  let perScheme: ReturnType<typeof resolveBudget> | undefined;
  if (!computeError && problems.length === 0 && value.schemes.length >= 2) {
    try {
      perScheme = resolveBudget(config, value.schemes, value.compute);
    } catch {
      perScheme = undefined;
    }
  }
  return { reason, computeError, perScheme };
}

type SetupPart = { config: ExperimentConfig; value: SetupValue; set(patch: Partial<SetupValue>): void };

/** The literature presets' buttons and, for the one picked, what its paper found. */
function PresetPicker({ value, onChange }: { value: SetupValue; onChange(v: SetupValue): void }) {
  const [showPreset, setShowPreset] = useState(value.preset);
  const preset = COMPARISON_PRESETS.find((p) => p.id === showPreset);
  return (
    <>
      <div className="presets" role="group" aria-label="Presets from the literature">
        {COMPARISON_PRESETS.map((p) => (
          <button
            key={p.id}
            type="button"
            className={`secondary small${value.preset === p.id ? ' on' : ''}`}
            data-testid={`compare-preset-${p.id}`}
            onClick={() => {
              setShowPreset(p.id);
              onChange({
                ...value,
                preset: p.id,
                name: value.name || p.title,
                schemes: structuredClone(p.schemes) as MaskingConfig[],
                seedCount: p.seeds,
              });
            }}
          >
            {p.title}
          </button>
        ))}
      </div>
      {preset && (
        <p className="preset-finding" data-testid="compare-preset-finding">
          <strong>{preset.cite}:</strong> {preset.finding}{' '}
          <span className="muted">At this toy scale the outcome may differ; that is worth seeing too.</span>
        </p>
      )}
    </>
  );
}

/** The schemes to compare, one row each, the buttons that add one, and a warning for schemes that are the same. */
function SchemeList({ config, value, set }: SetupPart) {
  return (
    <>
      <ol className="schemes">
        {value.schemes.map((m, i) => (
          <SchemeRow
            key={i}
            m={m}
            index={i}
            config={config}
            onChange={(next) => set({ schemes: value.schemes.map((x, k) => (k === i ? next : x)) })}
            onRemove={
              value.schemes.length > 1 ? () => set({ schemes: value.schemes.filter((_, k) => k !== i) }) : undefined
            }
          />
        ))}
      </ol>
      <div className="runs-toolbar">
        <button
          type="button"
          className="secondary small"
          onClick={() => set({ schemes: [...value.schemes, structuredClone(config.masking)] })}
          data-testid="compare-add-scheme"
        >
          Add the experiment&apos;s scheme
        </button>
        <button
          type="button"
          className="secondary small"
          onClick={() => set({ schemes: [...value.schemes, { strategy: 'random', objective: 'mlm' }] })}
        >
          Add random/MLM
        </button>
      </div>
      {duplicateSchemes(value.schemes).map(([i, j]) => (
        <p key={`${i}-${j}`} className="run-notice" data-testid="compare-duplicate">
          Schemes {i + 1} and {j + 1} are the same once defaults are applied ({schemeLabel(value.schemes[i])}): their
          runs can only differ by noise.
        </p>
      ))}
    </>
  );
}

/** Seeds, probe budgets, the training budget and the comparison's name. */
function CompareSettings({ config, value, set, firstFlops }: SetupPart & { firstFlops: number | undefined }) {
  const seeds = seedList(config.seed, value.seedCount);
  return (
    <div className="compare-settings">
      <NumberField
        label="Seeds"
        value={value.seedCount}
        rule={COMPARISON_RULES.seedCount}
        onChange={(v) => v !== undefined && set({ seedCount: v })}
        testId="compare-seeds"
        help={`Seeds ${seeds.join(', ')}: each scheme trains once per seed.${value.seedCount < 2 ? ' With one seed the table compares two trained models, not two schemes: no verdicts.' : ''}`}
      />
      <NumberField
        label="MLM probe steps"
        value={value.budget.mlmSteps}
        rule={COMPARISON_RULES.mlmSteps}
        onChange={(v) => v !== undefined && set({ budget: { ...value.budget, mlmSteps: v } })}
        testId="compare-mlm-steps"
        help="The shared probe for every bidirectional run: a fresh head with its own output layer (the same initialisation for every run) and the [MASK] input row, trained on the frozen encoder."
      />
      <NumberField
        label="Downstream sequences"
        value={value.budget.downstreamSequences}
        rule={COMPARISON_RULES.downstreamSequences}
        onChange={(v) => v !== undefined && set({ budget: { ...value.budget, downstreamSequences: v } })}
        testId="compare-downstream"
        help="At most this many held-out sequences for the downstream tasks (word order, replaced word, spliced passage). A sequence's windows are correlated, so the sequences are the independent units the intervals count: the default takes all of them."
      />
      <div className="field">
        <label htmlFor="compare-budget">Budget</label>
        <select
          id="compare-budget"
          value={value.compute.kind}
          data-testid="compare-budget"
          onChange={(e) => {
            const kind = e.target.value as BudgetKind;
            const amount = kind === 'tokens' ? tokenBudget(config) : kind === 'flops' ? firstFlops : undefined;
            set({ compute: amount !== undefined ? { kind, amount } : { kind } });
          }}
        >
          {BUDGET_KINDS.map((k) => (
            <option key={k.id} value={k.id}>
              {k.label}
            </option>
          ))}
        </select>
      </div>
      {(value.compute.kind === 'tokens' || value.compute.kind === 'flops') && (
        <NumberField
          label={value.compute.kind === 'tokens' ? 'Tokens per run' : 'FLOPs per run'}
          value={value.compute.amount}
          rule={COMPARISON_RULES.budgetAmount}
          onChange={(v) => set({ compute: { kind: value.compute.kind, amount: v } })}
          testId="compare-budget-amount"
        />
      )}
      <div className="field">
        <label htmlFor="compare-name">Name</label>
        <input
          id="compare-name"
          value={value.name}
          placeholder="Comparison"
          onChange={(e) => set({ name: e.target.value })}
          data-testid="compare-name"
        />
      </div>
    </div>
  );
}

/** What every run shares, from the current experiment, and (for a budget other than steps) each scheme's steps. */
function SharedTerms({
  config,
  value,
  perScheme,
}: {
  config: ExperimentConfig;
  value: SetupValue;
  perScheme: ReturnType<typeof resolveBudget> | undefined;
}) {
  const T = modelShape(config, 2).T;
  const seeds = seedList(config.seed, value.seedCount);
  const tokens = tokenBudget(config);
  return (
    <>
      <p className="muted" data-testid="compare-shared">
        Shared by every run, from the current experiment: corpus <strong>{config.corpus}</strong>, tokenizer{' '}
        <strong>
          {config.tokenizer.kind}
          {config.tokenizer.vocabSize ? ` ${config.tokenizer.vocabSize}` : ''}
        </strong>
        , model <strong>{config.model.preset}</strong>, {config.train.steps} steps of batch {config.train.B} × T {T},
        learning rate {config.train.lr}. Same token budget for every run:{' '}
        <strong data-testid="compare-tokens">{tokens.toLocaleString('en-US')}</strong> tokens ({config.train.steps} ×{' '}
        {config.train.B} × {T}). The same seed gives the same initial weights and data order, so only the masking
        differs. {value.schemes.length * seeds.length} runs, one after another.
      </p>
      {perScheme && value.compute.kind !== 'steps' && (
        <p className="muted" data-testid="compare-budget-steps">
          Steps per scheme (
          {value.compute.kind === 'tokens' ? 'equal tokens' : "equal FLOPs, the engine's count of matrix products"}
          ):{' '}
          {perScheme
            .map((b, i) => `${schemeLabel(value.schemes[i])} ${b.steps} steps, ${fmtAmount(b.flops)} FLOPs`)
            .join('; ')}
          .
        </p>
      )}
    </>
  );
}

export function CompareSetup({
  config,
  value,
  onChange,
  canStart,
  blocked,
  onStart,
}: {
  config: ExperimentConfig;
  value: SetupValue;
  onChange(v: SetupValue): void;
  canStart: boolean;
  blocked?: string;
  onStart(): void;
}) {
  const { reason, computeError, perScheme } = checkSetup(config, value, blocked);
  const set = (patch: Partial<SetupValue>) => onChange({ ...value, ...patch });
  return (
    <div className="compare-setup" data-testid="compare-setup">
      <PresetPicker value={value} onChange={onChange} />
      <SchemeList config={config} value={value} set={set} />
      <CompareSettings config={config} value={value} set={set} firstFlops={perScheme?.[0]?.flops ?? undefined} />
      <SharedTerms config={config} value={value} perScheme={perScheme} />
      {computeError && <p className="run-notice">{computeError}</p>}
      <button type="button" onClick={onStart} disabled={!canStart || !!reason} data-testid="compare-start">
        Start comparison
      </button>
      {reason && (
        <p className="muted" data-testid="compare-start-hint">
          {reason}
        </p>
      )}
    </div>
  );
}

// Masking: every objective and strategy of the catalogue with its plain-language explanation and papers, their
// parameters rendered from ParamSpec, the masking-rate schedule with presets, and planMasking's verdict inline.
import { SEED_RULE } from '../../session/settingRules';
import { useId, useMemo } from 'react';
import {
  getObjective,
  getStrategy,
  OBJECTIVE_IDS,
  OBJECTIVES,
  planMasking,
  RATE_PRESETS,
  SCHEDULE_SPEC,
  scheduledRate,
  STRATEGIES,
  STRATEGY_IDS,
  type MaskingPlan,
} from '../../masking';
import type { MaskingConfig, ParamSpec, ParamValues, VocabInfo } from '../../masking/types';
import { placeholderVocab } from '../../session/computeBudget';
import { modelShape } from '../../session/config';
import { usePreparedCorpus } from '../../store/data';
import { useExperimentStore } from '../../store/experiment';
import { Choice, NumberField, Panel, ParamControl, Papers } from './controls';

export { placeholderVocab };

/** planMasking for the experiment (recomputed only when the masking, vocabulary or T change), or its error. */
export function useMaskingPlan(): { plan: MaskingPlan | null; error: string | null; T: number; vocab: VocabInfo } {
  const config = useExperimentStore((s) => s.config);
  const status = usePreparedCorpus();
  const ready = status.state === 'ready' ? status.data.vocab : null;
  const guess = config.tokenizer.vocabSize ?? 100;
  const vocab = useMemo(() => ready ?? placeholderVocab(guess), [ready, guess]);
  const T = modelShape(config, vocab.size).T;
  const masking = config.masking;
  return useMemo(() => {
    try {
      return { plan: planMasking(masking, vocab, T), error: null, T, vocab };
    } catch (e) {
      return { plan: null, error: e instanceof Error ? e.message : String(e), T, vocab };
    }
  }, [masking, vocab, T]);
}

function firstSentence(s: string): string {
  const m = /^.*?[.!?](\s|$)/.exec(s);
  return (m ? m[0] : s).trim();
}

export function StrategyPicker() {
  const m = useExperimentStore((s) => s.config.masking);
  const st = useExperimentStore.getState();
  const { error } = useMaskingPlan();
  const objective = getObjective(m.objective);
  const strategy = getStrategy(m.strategy);
  const group = useId();
  return (
    <Panel title="Masking strategy" testId="masking-panel" summary={strategy.name}>
      <fieldset className="choices catalogue" data-testid="strategy-choices">
        <legend>Which tokens are corrupted</legend>
        {STRATEGY_IDS.map((id) => {
          const s = STRATEGIES[id];
          const on = id === m.strategy;
          const allowed = !objective.strategies || objective.strategies.includes(id);
          return (
            <Choice
              key={id}
              name={group}
              title={s.name}
              checked={on}
              disabled={!allowed}
              onChange={() => st.setStrategy(id)}
              data={{ 'data-strategy': id }}
              note={
                allowed
                  ? on
                    ? s.explanation
                    : firstSentence(s.explanation)
                  : `Not with ${objective.name}, which chooses its own positions.`
              }
            >
              {on && <Papers refs={s.references} />}
            </Choice>
          );
        })}
      </fieldset>
      <ParamGroup
        title={`${strategy.name}: settings`}
        specs={strategy.params}
        values={m.strategyParams}
        prefix="sp"
        onChange={st.setStrategyParam}
      />
      {error && (
        <p className="field-error" role="alert" data-testid="masking-error">
          {error}
        </p>
      )}
      <ScheduleControls masking={m} />
      <StaticMasks masking={m} />
      <button type="button" className="secondary small" onClick={st.resetMaskingParams}>
        Reset masking settings to the defaults
      </button>
    </Panel>
  );
}

export function ObjectivePicker() {
  const m = useExperimentStore((s) => s.config.masking);
  const st = useExperimentStore.getState();
  const objective = getObjective(m.objective);
  const group = useId();
  return (
    <Panel title="Objective" testId="objective-panel" summary={objective.name}>
      <fieldset className="choices catalogue" data-testid="objective-choices">
        <legend>What the model predicts</legend>
        {OBJECTIVE_IDS.map((id) => {
          const o = OBJECTIVES[id];
          const on = id === m.objective;
          return (
            <Choice
              key={id}
              name={group}
              title={o.name}
              checked={on}
              onChange={() => st.setObjective(id)}
              data={{ 'data-objective': id }}
              extra={o.core && <span className="badge">core</span>}
              note={on ? o.explanation : firstSentence(o.explanation)}
            >
              {on && <Papers refs={o.references} />}
            </Choice>
          );
        })}
      </fieldset>
      <ParamGroup
        title={`${objective.name}: settings`}
        specs={objective.params}
        values={m.objectiveParams}
        prefix="op"
        onChange={st.setObjectiveParam}
      />
    </Panel>
  );
}

function ParamGroup({
  title,
  specs,
  values,
  prefix,
  onChange,
}: {
  title: string;
  specs: readonly ParamSpec[];
  values: ParamValues | undefined;
  prefix: string;
  onChange(key: string, v: ParamValues[string]): void;
}) {
  if (specs.length === 0) return null;
  return (
    <fieldset className="params" data-testid={`${prefix}-params`}>
      <legend>{title}</legend>
      {specs.map((spec) => (
        <ParamControl
          key={spec.key}
          spec={spec}
          value={values?.[spec.key]}
          idPrefix={prefix}
          onChange={(v) => onChange(spec.key, v)}
        />
      ))}
    </fieldset>
  );
}

function ScheduleControls({ masking }: { masking: MaskingConfig }) {
  const st = useExperimentStore.getState();
  const rate = typeof masking.strategyParams?.rate === 'number' ? masking.strategyParams.rate : 0.15;
  let curve: number[] | null;
  try {
    curve = Array.from({ length: 41 }, (_, i) => scheduledRate(masking.schedule, rate, i / 40));
  } catch {
    curve = null; // an invalid value: the field shows why
  }
  return (
    <details className="schedule" data-testid="schedule">
      <summary>
        Masking-rate schedule <span className="muted">({String(masking.schedule?.kind ?? 'constant')})</span>
      </summary>
      <p className="field-help">{SCHEDULE_SPEC.explanation}</p>
      <Papers refs={SCHEDULE_SPEC.references} />
      <div className="presets" role="group" aria-label="Rate presets">
        {RATE_PRESETS.map((p) => (
          <button
            key={p.id}
            type="button"
            className="secondary small"
            title={p.note}
            onClick={() => st.applyRatePreset(p)}
            data-preset={p.id}
          >
            {p.label}
          </button>
        ))}
      </div>
      {SCHEDULE_SPEC.params.map((spec) => (
        <ParamControl
          key={spec.key}
          spec={spec}
          value={masking.schedule?.[spec.key]}
          idPrefix="rs"
          onChange={(v) => st.setScheduleParam(spec.key, v)}
        />
      ))}
      {curve && <RateCurve values={curve} />}
    </details>
  );
}

/** The masking rate over training, 0 to 100%. */
function RateCurve({ values }: { values: number[] }) {
  const w = 240;
  const h = 60;
  const max = Math.max(0.05, ...values);
  const pts = values
    .map((v, i) => `${((i / (values.length - 1)) * w).toFixed(1)},${(h - (v / max) * (h - 4)).toFixed(1)}`)
    .join(' ');
  return (
    <figure className="sparkline">
      <svg
        viewBox={`0 0 ${w} ${h}`}
        width={w}
        height={h}
        role="img"
        aria-label={`Masking rate from ${pct(values[0])} at the start to ${pct(values.at(-1)!)} at the end of training`}
      >
        <polyline points={pts} fill="none" stroke="var(--accent)" strokeWidth={2} />
      </svg>
      <figcaption className="field-help">
        Rate over training: {pct(values[0])} → {pct(values.at(-1)!)} (peak {pct(max)})
      </figcaption>
    </figure>
  );
}

const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;

function StaticMasks({ masking }: { masking: MaskingConfig }) {
  const st = useExperimentStore.getState();
  const id = useId();
  return (
    <div className="field-row">
      <div className="field field-check">
        <input
          id={id}
          type="checkbox"
          checked={masking.staticMasks ?? false}
          onChange={(e) => st.setStaticMasks(e.target.checked)}
        />
        <label htmlFor={id}>Static masks (one fixed mask per sequence)</label>
        <p className="field-help">
          Each sequence keeps one fixed mask for the whole run instead of a new one every batch. Original BERT was
          between the two: its data was copied 10 times with different masks, so each sequence saw one of 10 fixed masks
          (Devlin et al. 2019). RoBERTa (Liu et al. 2019, BERT-base size) found fresh masks every batch comparable or
          slightly better than static ones.
        </p>
      </div>
      {masking.staticMasks && (
        <NumberField
          label="Static mask seed"
          value={masking.staticSeed ?? 0}
          rule={SEED_RULE}
          testId="static-seed"
          onChange={(v) => v !== undefined && st.setStaticMasks(true, v)}
        />
      )}
    </div>
  );
}

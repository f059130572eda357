// Small labelled form controls shared by the setup panels: a number field that tolerates half-typed input, a
// control rendered from a masking ParamSpec, paper links, and inline error text.
import { useId, useState, type ReactNode } from 'react';
import type { PaperRef, ParamSpec, ParamValue } from '../../masking/types';
import { paramRule, ruleProblem, ruleText, type NumberRule } from '../../session/settingRules';

function fmt(v: number | undefined): string {
  return v === undefined || Number.isNaN(v) ? '' : String(v);
}

export interface NumberFieldProps {
  label: ReactNode;
  value: number | undefined;
  onChange(v: number | undefined): void;
  /** What the setting accepts (session/settingRules.ts): the field's "Allowed" text and its bounds. */
  rule: NumberRule;
  step?: number | 'any';
  /** Empty input means "not set" (onChange(undefined)). */
  optional?: boolean;
  help?: ReactNode;
  /** A message from outside (a validator), shown under the field. */
  error?: string | null;
  testId?: string;
}

/** A labelled number input; text that is not (yet) a number stays local and is flagged, valid numbers go out. */
export function NumberField({ label, value, onChange, rule, step, optional, help, error, testId }: NumberFieldProps) {
  const id = useId();
  const [text, setText] = useState(fmt(value));
  const [shown, setShown] = useState(value);
  if (value !== shown && !(Number.isNaN(value) && Number.isNaN(shown))) {
    // The value changed outside this field (a preset, a reset, the URL): show it.
    setShown(value);
    setText(fmt(value));
  }
  let local: string | null = null;
  const t = text.trim();
  const n = Number(t);
  if (t === '' && !optional) local = 'Enter a number.';
  else if (t !== '' && !Number.isFinite(n)) local = 'Enter a number.';
  else if (t !== '' && ruleProblem(rule, n)) local = `Allowed: ${ruleText(rule)}${rule.why ? ` (${rule.why})` : ''}.`;
  const message = local ?? error ?? null;
  const msgId = `${id}-msg`;
  const helpId = `${id}-help`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode={rule.integer ? 'numeric' : 'decimal'}
        value={text}
        min={rule.openMin ? undefined : rule.min}
        max={rule.max === Infinity ? undefined : rule.max}
        step={step ?? (rule.integer ? 1 : 'any')}
        aria-invalid={message ? true : undefined}
        aria-describedby={[message ? msgId : '', help ? helpId : ''].filter(Boolean).join(' ') || undefined}
        data-testid={testId}
        onChange={(e) => {
          const s = e.target.value;
          setText(s);
          const v = s.trim() === '' ? undefined : Number(s);
          if (v === undefined ? optional : Number.isFinite(v)) {
            setShown(v);
            onChange(v);
          }
        }}
      />
      {message && (
        <p className="field-error" id={msgId} role="alert">
          {message}
        </p>
      )}
      {help && (
        <p className="field-help" id={helpId}>
          {help}
        </p>
      )}
    </div>
  );
}

export function SelectField<T extends string>({
  label,
  value,
  options,
  onChange,
  help,
  testId,
}: {
  label: ReactNode;
  value: T;
  options: readonly { value: T; label: string }[];
  onChange(v: T): void;
  help?: ReactNode;
  testId?: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} data-testid={testId} onChange={(e) => onChange(e.target.value as T)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {help && <p className="field-help">{help}</p>}
    </div>
  );
}

/** One masking parameter, rendered from its spec. `value` is the explicit value or undefined (the default). */
export function ParamControl({
  spec,
  value,
  onChange,
  idPrefix,
}: {
  spec: ParamSpec;
  value: ParamValue | undefined;
  onChange(v: ParamValue): void;
  idPrefix: string;
}) {
  const id = useId();
  const testId = `${idPrefix}-${spec.key}`;
  switch (spec.kind) {
    case 'number':
    case 'integer': {
      const v = typeof value === 'number' ? value : spec.default;
      const step = spec.kind === 'integer' ? 1 : spec.step;
      return (
        <div className="param">
          <NumberField
            label={spec.label}
            value={v}
            rule={paramRule(spec)}
            step={step}
            help={spec.help}
            testId={testId}
            onChange={(n) => n !== undefined && onChange(n)}
          />
          {spec.kind === 'number' && spec.max - spec.min <= 1 && (
            <input
              type="range"
              className="param-range"
              aria-label={`${spec.label} (slider)`}
              min={spec.min}
              max={spec.max}
              step={spec.step}
              value={Math.min(spec.max, Math.max(spec.min, v))}
              onChange={(e) => onChange(Number(e.target.value))}
            />
          )}
        </div>
      );
    }
    case 'choice':
      return (
        <SelectField
          label={spec.label}
          value={typeof value === 'string' ? value : spec.default}
          options={spec.options}
          help={spec.help}
          testId={testId}
          onChange={onChange}
        />
      );
    case 'boolean':
      return (
        <div className="field field-check">
          <input
            id={id}
            type="checkbox"
            data-testid={testId}
            checked={typeof value === 'boolean' ? value : spec.default}
            onChange={(e) => onChange(e.target.checked)}
          />
          <label htmlFor={id}>{spec.label}</label>
          <p className="field-help">{spec.help}</p>
        </div>
      );
  }
}

export function Papers({ refs }: { refs: readonly PaperRef[] }) {
  if (refs.length === 0) return null;
  return (
    <ul className="papers">
      {refs.map((r) => (
        <li key={r.arxiv}>
          {shortAuthors(r.authors)} ({r.year}).{' '}
          <a href={`https://arxiv.org/abs/${r.arxiv}`} target="_blank" rel="noreferrer">
            {r.title}
          </a>{' '}
          <span className="muted">arXiv:{r.arxiv}</span>
        </li>
      ))}
    </ul>
  );
}

function shortAuthors(authors: string): string {
  const names = authors.split(/,\s*/);
  const last = (n: string) => n.trim().split(/\s+/).at(-1) ?? n;
  if (names.length === 1) return last(names[0]);
  if (names.length === 2) return `${last(names[0])} and ${last(names[1])}`;
  return `${last(names[0])} et al.`;
}

/** A collapsible setup panel. */
export function Panel({
  title,
  testId,
  children,
  open = true,
  summary,
}: {
  title: string;
  testId: string;
  children: ReactNode;
  open?: boolean;
  summary?: ReactNode;
}) {
  return (
    <details className="panel setup-panel" open={open} data-testid={testId}>
      <summary>
        <h2>{title}</h2>
        {summary && <span className="panel-summary">{summary}</span>}
      </summary>
      <div className="panel-body">{children}</div>
    </details>
  );
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}

export function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}k`;
  return n.toLocaleString('en-US');
}

/**
 * One option of a radio group drawn as a card: the radio's accessible name is the title alone, the rest of the
 * card is its description (so screen readers and tests can find "Spans (SpanBERT)" by name).
 */
export function Choice({
  name,
  title,
  checked,
  onChange,
  disabled,
  extra,
  note,
  className,
  data,
  children,
}: {
  name: string;
  title: ReactNode;
  checked: boolean;
  onChange(): void;
  disabled?: boolean;
  extra?: ReactNode;
  note?: ReactNode;
  className?: string;
  data?: Record<string, string>;
  children?: ReactNode;
}) {
  const id = useId();
  return (
    <label
      className={`choice${checked ? ' chosen' : ''}${disabled ? ' disabled' : ''}${className ? ` ${className}` : ''}`}
      {...data}
    >
      <input
        type="radio"
        name={name}
        checked={checked}
        disabled={disabled}
        onChange={onChange}
        aria-labelledby={`${id}-t`}
        aria-describedby={note ? `${id}-n` : undefined}
      />
      <span>
        <strong id={`${id}-t`}>{title}</strong>
        {extra}
        {note && (
          <span className="choice-note" id={`${id}-n`}>
            {note}
          </span>
        )}
        {children}
      </span>
    </label>
  );
}

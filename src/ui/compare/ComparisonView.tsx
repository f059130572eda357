// One comparison: its runs and their states, the results table (per scheme, mean ± std over seeds), the curves
// overlaid against tokens seen, and two runs' attention maps side by side with their difference.
import { lazy, Suspense, useState } from 'react';
import { getObjective, sharesMaskedEvaluation } from '../../masking';
import { modelShape } from '../../session/config';
import { COMPARISON_PRESETS, schemeLabel, summarize, type ComparisonRecord, type Spread } from '../../session/comparisonPlan';
import type { ComparisonsState } from '../../store/comparison';
import type { LiveRun } from '../../session/records';
import { AttentionCompare, type AttentionRun } from './AttentionCompare';
import type { CurveRun } from './CompareCharts';

const CompareCharts = lazy(() => import('./CompareCharts').then((m) => ({ default: m.CompareCharts })));

/** Okabe-Ito: one color per scheme. */
const COLORS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000', '#f0e442'];
/** One dash pattern per seed. */
const DASHES = [undefined, '6 3', '2 2', '8 3 2 3', '1 3'];

function fmt(s: Spread | undefined, f: (x: number) => string): string {
  if (!s) return '–';
  return s.n > 1 ? `${f(s.mean)} ± ${f(s.std)}` : f(s.mean);
}
const range = (s: Spread | undefined, f: (x: number) => string) => (s && s.n > 1 ? `min ${f(s.min)}, max ${f(s.max)} over ${s.n} seeds` : undefined);
const f3 = (x: number) => x.toFixed(3);
const f1 = (x: number) => x.toFixed(1);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const rate = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(1)}k` : x.toFixed(0));

function ResultsTable({ c }: { c: ComparisonRecord }) {
  const rows = summarize(c);
  const probeSteps = c.budget.mlmSteps;
  const cell = (s: Spread | undefined, f: (x: number) => string, probe = false, testId?: string) => (
    <td className="num" title={range(s, f)} data-testid={testId}>
      {fmt(s, f)}
      {probe && s && <sup title={`MLM probe: a fresh vocabulary head trained ${probeSteps} steps on the frozen encoder`}>probe</sup>}
    </td>
  );
  return (
    <div className="runs-table-wrap">
      <table className="runs-table compare-results" data-testid="compare-results">
        <thead>
          <tr>
            <th>Scheme</th>
            <th>Runs</th>
            <th title="held-out masked cross-entropy at the fixed 15% [MASK] masks (lower is better)">Masked loss</th>
            <th>Accuracy</th>
            <th title="pseudo-perplexity on a fixed held-out sample (lower is better)">PPPL</th>
            <th title="MLM probe (schemes without a vocabulary head): masked loss and accuracy at the shared held-out masks">MLM probe loss · acc.</th>
            <th title="word-order probe: original vs two neighbouring words swapped; chance 50%">Downstream acc.</th>
            <th>tokens/s</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.scheme} data-testid="compare-result-row" data-done={r.done}>
              <th scope="row" style={{ borderLeft: `4px solid ${COLORS[r.scheme % COLORS.length]}` }}>
                <code>{r.label}</code>
              </th>
              <td className="num">
                {r.done} / {r.planned}
              </td>
              {cell(r.loss, f3, r.viaProbe, 'compare-result-loss')}
              {cell(r.accuracy, pct, r.viaProbe)}
              {cell(r.pppl, f1, r.viaProbe)}
              <td className="num" title={range(r.mlmProbeLoss, f3)}>
                {r.mlmProbeLoss ? `${fmt(r.mlmProbeLoss, f3)} · ${fmt(r.mlmProbeAccuracy, pct)}` : '–'}
              </td>
              {cell(r.downstream, pct, false, 'compare-result-downstream')}
              {cell(r.tokensPerS, rate)}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        Mean ± sample standard deviation over seeds (hover a cell for min and max). Masked loss, accuracy and PPPL use the same fixed held-out masks for
        every run: through the run&apos;s own vocabulary head, or, marked <sup>probe</sup>, through the MLM probe ({probeSteps} steps of a fresh head on the
        frozen encoder, which a fully trained head would beat). Downstream: a logistic regression on frozen mean-pooled features telling a held-out sequence
        from the same with two neighbouring words swapped; chance is 50%.
      </p>
    </div>
  );
}

const ENTRY_TEXT = { pending: 'waiting', training: 'training', probing: 'probing', done: 'done', failed: 'failed', stopped: 'stopped' } as const;

export function ComparisonView({ c, series, live, progress, onRename }: { c: ComparisonRecord; series: ComparisonsState['series']; live?: LiveRun; progress?: ComparisonsState['progress']; onRename(name: string): void }) {
  const [name, setName] = useState<string>();
  const preset = COMPARISON_PRESETS.find((p) => p.id === c.preset);
  const T = modelShape(c.base, 2).T;
  const seedIndex = (seed: number) => c.seeds.indexOf(seed);
  const label = (scheme: number, seed: number) => `${schemeLabel(c.schemes[scheme])} · seed ${seed}`;
  const curves: CurveRun[] = c.entries.flatMap((e) => {
    if (!e.runId) return [];
    const s = live?.id === e.runId ? { metrics: live.metrics, evals: live.evals } : series[e.runId];
    if (!s) return [];
    const sharedEval = e.result ? e.result.evalKind === 'mlm' : sharesMaskedEvaluation(getObjective(c.schemes[e.scheme].objective));
    return [{ key: e.runId, label: label(e.scheme, e.seed), color: COLORS[e.scheme % COLORS.length], dash: DASHES[seedIndex(e.seed) % DASHES.length], metrics: s.metrics, evals: s.evals, sharedEval }];
  });
  const attention: AttentionRun[] = c.entries.flatMap((e) => (e.attention && e.runId ? [{ key: e.runId, label: label(e.scheme, e.seed), attention: e.attention }] : []));
  const done = c.entries.filter((e) => e.state === 'done').length;
  return (
    <div className="comparison-view" data-testid="comparison-view" data-state={c.state}>
      <div className="comparison-head">
        {name === undefined ? (
          <h3>
            {c.name}{' '}
            <button type="button" className="secondary small" onClick={() => setName(c.name)} data-testid="comparison-rename">
              Rename
            </button>
          </h3>
        ) : (
          <form
            onSubmit={(ev) => {
              ev.preventDefault();
              onRename(name);
              setName(undefined);
            }}
          >
            <input value={name} onChange={(ev) => setName(ev.target.value)} aria-label="Comparison name" autoFocus onKeyDown={(ev) => ev.key === 'Escape' && setName(undefined)} />{' '}
            <button type="submit" className="small">
              Save
            </button>
          </form>
        )}
        <p className="muted">
          <span className="state" data-testid="comparison-state">
            {c.state}
          </span>{' '}
          · {done} of {c.entries.length} runs done · {c.base.train.steps} steps × {c.base.train.B} × {T} = {(c.base.train.steps * c.base.train.B * T).toLocaleString('en-US')} tokens per run
        </p>
        {c.message && <p className="run-notice">{c.message}</p>}
        {preset && (
          <p className="preset-finding">
            <strong>{preset.cite}:</strong> {preset.finding}
          </p>
        )}
      </div>
      <ol className="comparison-entries">
        {c.entries.map((e, i) => (
          <li key={i} data-testid="comparison-entry" data-state={e.state} className={`entry-${e.state}`}>
            <span style={{ color: COLORS[e.scheme % COLORS.length] }}>■</span> {label(e.scheme, e.seed)}: <strong>{ENTRY_TEXT[e.state]}</strong>
            {e.state === 'probing' && progress && progress.runId === e.runId && (
              <span className="muted">
                {' '}
                ({progress.phase === 'mlm' ? 'MLM probe step' : 'downstream features'} {progress.done} / {progress.total})
              </span>
            )}
            {e.message && <span className="muted"> · {e.message}</span>}
          </li>
        ))}
      </ol>
      <h4>Results</h4>
      <ResultsTable c={c} />
      <h4>Curves</h4>
      {curves.length > 0 ? (
        <Suspense fallback={<p className="muted">Loading charts…</p>}>
          <CompareCharts runs={curves} tokensPerStep={c.base.train.B * T} />
        </Suspense>
      ) : (
        <p className="muted">Curves appear as runs train.</p>
      )}
      <h4>Attention, two runs side by side</h4>
      <AttentionCompare runs={attention} />
    </div>
  );
}

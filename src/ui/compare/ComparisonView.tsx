// One comparison: its runs and their states, the results table (per scheme, mean ± std over seeds), the curves
// overlaid against tokens seen, and two runs' attention maps side by side with their difference.
import { lazy, Suspense, useState } from 'react';
import { getObjective } from '../../masking';
import { modelShape } from '../../session/config';
import { COMPARISON_PRESETS } from '../../session/comparisonPresets';
import { duplicateSchemes, schemeLabel, type ComparisonRecord } from '../../session/comparisonRecord';
import { summarize, type Figure, type Spread } from '../../session/comparisonSummary';
import type { PairedDifference } from '../../session/stats';
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
const range = (s: Spread | undefined, f: (x: number) => string) =>
  s && s.n > 1 ? `min ${f(s.min)}, max ${f(s.max)} over ${s.n} seeds` : undefined;
const f3 = (x: number) => x.toFixed(3);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const pts = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}`;
const d3 = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;
const rate = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(1)}k` : x.toFixed(0));
const sci = (x: number) => x.toExponential(2);

/** A figure, its test-set 95% interval, a baseline label, and its paired difference with the reference. */
function FigureCell({
  f,
  fmtv,
  paired,
  fmtd,
  testId,
  isRef,
}: {
  f?: Figure;
  fmtv: (x: number) => string;
  paired?: PairedDifference;
  fmtd: (x: number) => string;
  testId?: string;
  isRef: boolean;
}) {
  if (!f) return <td className="num">–</td>;
  return (
    <td className="num" title={range(f, fmtv)} data-testid={testId}>
      <span data-testid="figure-value">{fmt(f, fmtv)}</span>
      {f.lo !== undefined && f.hi !== undefined && (
        <span className="muted ci" data-testid="figure-interval">
          {' '}
          [{fmtv(f.lo)}, {fmtv(f.hi)}]
        </span>
      )}
      {f.baseline && (
        <span className="baseline-label" data-testid="figure-baseline">
          {' '}
          {f.baseline}
        </span>
      )}
      {paired ? (
        <div
          className={`paired verdict-${paired.verdict.replace(' ', '-')}`}
          data-testid="paired-verdict"
          title={`mean paired difference over ${paired.n} seed(s); interval from ${paired.basis}`}
        >
          Δ {fmtd(paired.mean)} [{fmtd(paired.lo)}, {fmtd(paired.hi)}] <strong>{paired.verdict}</strong>
        </div>
      ) : isRef ? (
        <div className="paired muted">reference</div>
      ) : null}
    </td>
  );
}

const OWN_KIND = {
  mlm: 'own vocabulary head, shared masks',
  objective: "objective's own loss",
  'next-token': 'next-token loss (MEAP)',
} as const;

function ResultsTable({ c }: { c: ComparisonRecord }) {
  const [reference, setReference] = useState(c.reference ?? 0);
  const rows = summarize({ ...c, reference });
  const probeSteps = c.budget.mlmSteps;
  const taskSpecs = rows[0]?.tasks ?? [];
  const smallTests = [
    ...new Set(
      rows.flatMap((r) => [r.probeSmallTest, ...r.tasks.map((t) => t.smallTest)]).filter((w): w is string => !!w),
    ),
  ];
  const freq = rows.find((r) => r.frequencyLoss !== undefined);
  const oldRecord = rows.some((r) => r.done > 0 && !r.probeLoss && r.loss);
  return (
    <div className="runs-table-wrap">
      <p>
        <label>
          Compare with{' '}
          <select
            value={reference}
            onChange={(e) => setReference(Number(e.target.value))}
            data-testid="compare-reference"
          >
            {c.schemes.map((m, i) => (
              <option key={i} value={i}>
                {schemeLabel(m)}
              </option>
            ))}
          </select>
        </label>
      </p>
      <table className="runs-table compare-results" data-testid="compare-results">
        <thead>
          <tr>
            <th>Scheme</th>
            <th>Runs</th>
            <th title="the shared probe: a fresh vocabulary head (and the [MASK] input row) trained on the frozen encoder, then the fixed 15% [MASK] held-out masks; lower is better">
              Probe loss
            </th>
            <th title="top-1 accuracy of the shared probe at the same masks">Probe acc.</th>
            {taskSpecs.map((t) => (
              <th
                key={t.id}
                title={`${t.name}: linear classifier on frozen features; chance 50%; close to ${t.closeTo}`}
              >
                {t.name}
              </th>
            ))}
            <th
              className="not-comparable"
              title="the run's own head: NOT comparable across objectives (each head answers a different question)"
            >
              Own head (not comparable)
            </th>
            <th title="training FLOPs (matrix products, ELECTRA's generator included; probes not counted)">FLOPs</th>
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
              <FigureCell
                f={r.probeLoss}
                fmtv={f3}
                paired={r.pairedLoss}
                fmtd={d3}
                testId="compare-result-loss"
                isRef={r.scheme === reference}
              />
              <FigureCell
                f={r.probeAccuracy}
                fmtv={pct}
                paired={r.pairedAccuracy}
                fmtd={pts}
                testId="compare-result-accuracy"
                isRef={r.scheme === reference}
              />
              {r.tasks.map((t) => (
                <FigureCell
                  key={t.id}
                  f={t.accuracy}
                  fmtv={pct}
                  paired={t.paired}
                  fmtd={pts}
                  testId="compare-result-downstream"
                  isRef={r.scheme === reference}
                />
              ))}
              <td
                className="num not-comparable"
                data-testid="compare-result-own"
                title={r.ownKind ? OWN_KIND[r.ownKind] : undefined}
              >
                {r.ownLoss ? `${fmt(r.ownLoss, f3)}${r.ownAccuracy ? ` · ${fmt(r.ownAccuracy, pct)}` : ''}` : '–'}
                {r.ownKind && <div className="muted small">{OWN_KIND[r.ownKind]}</div>}
              </td>
              <td className="num">{fmt(r.flops, sci)}</td>
              <td className="num">{fmt(r.tokensPerS, rate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        Every run, MLM included, is scored by the same <strong>shared probe</strong>: a fresh vocabulary head and the
        encoder&apos;s [MASK] input row trained {probeSteps} steps on the frozen encoder (same seed and batches for
        every run), then the fixed 15% [MASK] held-out masks. Brackets: 95% interval of the test-set noise (bootstrap
        over held-out targets or test examples). Δ: the mean paired difference with the reference over seeds (same
        initial weights and data), with its 95% interval (the wider of Student&apos;s t over seeds and the test-set
        noise) and a verdict: better, worse, or inside noise. Downstream tasks: logistic regression on frozen
        mean-pooled features, balanced (chance 50%), each closer to some objectives than others (hover the header).
        {freq && (
          <>
            {' '}
            Frequency baseline (always guessing by training-set frequency): loss {f3(freq.frequencyLoss!)}, accuracy{' '}
            {pct(freq.frequencyAccuracy ?? NaN)}.
          </>
        )}{' '}
        Own head: each run&apos;s own figures, not comparable across objectives.
        {oldRecord && ' This comparison was saved before the shared probe existed: its runs show no probe figures.'}
      </p>
      {smallTests.map((w) => (
        <p key={w} className="run-notice" data-testid="compare-small-test">
          {w}
        </p>
      ))}
    </div>
  );
}

const ENTRY_TEXT = {
  pending: 'waiting',
  training: 'training',
  probing: 'probing',
  done: 'done',
  failed: 'failed',
  stopped: 'stopped',
} as const;

export function ComparisonView({
  c,
  series,
  live,
  progress,
  onRename,
}: {
  c: ComparisonRecord;
  series: ComparisonsState['series'];
  live?: LiveRun;
  progress?: ComparisonsState['progress'];
  onRename(name: string): void;
}) {
  const [name, setName] = useState<string>();
  const preset = COMPARISON_PRESETS.find((p) => p.id === c.preset);
  const T = modelShape(c.base, 2).T;
  const seedIndex = (seed: number) => c.seeds.indexOf(seed);
  const label = (scheme: number, seed: number) => `${schemeLabel(c.schemes[scheme])} · seed ${seed}`;
  const curves: CurveRun[] = c.entries.flatMap((e) => {
    if (!e.runId) return [];
    const s = live?.id === e.runId ? { metrics: live.metrics, evals: live.evals } : series[e.runId];
    if (!s) return [];
    // Held-out curves: the shared masks through the run's own vocabulary head (not MEAP: it predicts the next token).
    const sharedEval = e.result
      ? e.result.evalKind === 'mlm'
      : getObjective(c.schemes[e.scheme].objective).evaluation === 'masked-vocab';
    const ms = e.result?.msPerStep ?? (live?.id === e.runId ? live.msPerStep : undefined);
    return [
      {
        key: e.runId,
        label: label(e.scheme, e.seed),
        color: COLORS[e.scheme % COLORS.length],
        dash: DASHES[seedIndex(e.seed) % DASHES.length],
        metrics: s.metrics,
        evals: s.evals,
        sharedEval,
        flopsPerStep: e.result?.probes?.trainFlopsPerStep,
        secondsPerStep: ms && ms > 0 ? ms / 1000 : undefined,
      },
    ];
  });
  const baseline = live?.info?.baseline ?? Object.values(series).find((x) => x.baseline)?.baseline;
  const attention: AttentionRun[] = c.entries.flatMap((e) =>
    e.attention && e.runId ? [{ key: e.runId, label: label(e.scheme, e.seed), attention: e.attention }] : [],
  );
  const done = c.entries.filter((e) => e.state === 'done').length;
  return (
    <div className="comparison-view" data-testid="comparison-view" data-state={c.state}>
      <div className="comparison-head">
        {name === undefined ? (
          <h3>
            {c.name}{' '}
            <button
              type="button"
              className="secondary small"
              onClick={() => setName(c.name)}
              data-testid="comparison-rename"
            >
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
            <input
              value={name}
              onChange={(ev) => setName(ev.target.value)}
              aria-label="Comparison name"
              autoFocus
              onKeyDown={(ev) => ev.key === 'Escape' && setName(undefined)}
            />{' '}
            <button type="submit" className="small">
              Save
            </button>
          </form>
        )}
        <p className="muted">
          <span className="state" data-testid="comparison-state">
            {c.state}
          </span>{' '}
          · {done} of {c.entries.length} runs done · {c.base.train.steps} steps × {c.base.train.B} × {T} ={' '}
          {(c.base.train.steps * c.base.train.B * T).toLocaleString('en-US')} tokens per run
        </p>
        {c.message && <p className="run-notice">{c.message}</p>}
        {duplicateSchemes(c.schemes).map(([i, j]) => (
          <p key={`${i}-${j}`} className="run-notice" data-testid="duplicate-schemes">
            Schemes {i + 1} and {j + 1} are the same scheme once defaults are applied: any difference between them is
            noise.
          </p>
        ))}
        {preset && (
          <p className="preset-finding">
            <strong>{preset.cite}:</strong> {preset.finding}
          </p>
        )}
      </div>
      <ol className="comparison-entries">
        {c.entries.map((e, i) => (
          <li key={i} data-testid="comparison-entry" data-state={e.state} className={`entry-${e.state}`}>
            <span style={{ color: COLORS[e.scheme % COLORS.length] }}>■</span> {label(e.scheme, e.seed)}:{' '}
            <strong>{ENTRY_TEXT[e.state]}</strong>
            {e.state === 'probing' && progress && progress.runId === e.runId && (
              <span className="muted">
                {' '}
                ({progress.phase === 'mlm' ? 'MLM probe step' : 'downstream features'} {progress.done} /{' '}
                {progress.total})
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
          <CompareCharts runs={curves} tokensPerStep={c.base.train.B * T} baseline={baseline} />
        </Suspense>
      ) : (
        <p className="muted">Curves appear as runs train.</p>
      )}
      <h4>Attention, two runs side by side</h4>
      <AttentionCompare runs={attention} />
    </div>
  );
}

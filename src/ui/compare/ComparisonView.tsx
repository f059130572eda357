// One comparison: its runs and their states, the results table (per scheme, mean ± std over seeds, intervals that
// count seeds and held-out passages, verdicts only from two seeds up, a causal run's own next-token column), the
// curves overlaid against tokens seen, and two runs' attention maps side by side with their difference.
import { lazy, Suspense, useState } from 'react';
import { getObjective } from '../../masking';
import { modelShape } from '../../session/config';
import { COMPARISON_PRESETS } from '../../session/comparisonPresets';
import { duplicateSchemes, schemeLabel, type ComparisonRecord } from '../../session/comparisonRecord';
import { verdictNote } from '../../session/comparisonReport';
import {
  summarize,
  verdictSummary,
  type Figure,
  type SchemeSummary,
  type Spread,
} from '../../session/comparisonSummary';
import { ONE_SEED_MESSAGE, type PairedDifference } from '../../session/stats';
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
  if (!f)
    return (
      <td className="num" data-testid={testId}>
        –
      </td>
    );
  const units = f.units !== undefined ? `${f.units} independent test units per run` : undefined;
  return (
    <td
      className="num"
      title={[range(f, fmtv), units].filter((x) => x).join('; ') || undefined}
      data-testid={testId}
      data-units={f.units}
    >
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
          className={`paired verdict-${paired.verdict?.replace(' ', '-') ?? 'none'}`}
          data-testid="paired-verdict"
          data-verdict={paired.verdict ?? 'none'}
          title={
            paired.verdict
              ? `mean paired difference over ${paired.n} seeds; interval from ${paired.basis}`
              : `${ONE_SEED_MESSAGE} (interval: the test noise of these two runs)`
          }
        >
          Δ {fmtd(paired.mean)} [{fmtd(paired.lo)}, {fmtd(paired.hi)}]{' '}
          {paired.verdict ? <strong>{paired.verdict}</strong> : <span className="muted">no verdict</span>}
        </div>
      ) : isRef ? (
        <div className="paired muted">reference</div>
      ) : null}
    </td>
  );
}

/** A loss and an accuracy cell side by side (the shared probe's, or a causal run's next-token figures). */
function LossAccuracyCells(p: {
  loss?: Figure;
  accuracy?: Figure;
  pairedLoss?: PairedDifference;
  pairedAccuracy?: PairedDifference;
  testIds: [string, string];
  isRef: boolean;
}) {
  return (
    <>
      <FigureCell f={p.loss} fmtv={f3} paired={p.pairedLoss} fmtd={d3} testId={p.testIds[0]} isRef={p.isRef} />
      <FigureCell
        f={p.accuracy}
        fmtv={pct}
        paired={p.pairedAccuracy}
        fmtd={pts}
        testId={p.testIds[1]}
        isRef={p.isRef}
      />
    </>
  );
}

const OWN_KIND = {
  mlm: 'own vocabulary head, shared masks',
  objective: "objective's own loss",
  'next-token': 'next-token loss (MEAP)',
} as const;

/** The results table's header: probe, next-token (when a run is causal), task and own-head columns with units. */
function ResultsHead({ rows, causal }: { rows: SchemeSummary[]; causal: boolean }) {
  const taskSpecs = rows[0]?.tasks ?? [];
  const probeUnits = rows.find((r) => r.probeUnits !== undefined)?.probeUnits;
  const unitsOf = (id: string) => rows.map((r) => r.tasks.find((t) => t.id === id)?.units).find((u) => u !== undefined);
  return (
    <thead>
      <tr>
        <th>Scheme</th>
        <th>Runs</th>
        <th title="the shared probe: a fresh head with its own output layer (and the [MASK] input row) trained on the frozen encoder, then the fixed 15% [MASK] held-out masks; lower is better">
          Probe loss
          {probeUnits !== undefined && <div className="muted small">{probeUnits} passages</div>}
        </th>
        <th title="top-1 accuracy of the shared probe at the same masks">Probe acc.</th>
        {causal && (
          <>
            <th
              data-testid="compare-next-token-head"
              title="a causal run (MEAP) reads a token from its left only, so it is not scored by the bidirectional shared probe: its own next-token loss on the held-out text, lower is better"
            >
              Next-token loss (causal)
            </th>
            <th title="top-1 next-token accuracy of a causal run's own head on the held-out text">Next-token acc.</th>
          </>
        )}
        {taskSpecs.map((t) => (
          <th key={t.id} title={`${t.name}: linear classifier on frozen features; chance 50%; close to ${t.closeTo}`}>
            {t.name}
            {unitsOf(t.id) !== undefined && (
              <div className="muted small">
                {unitsOf(t.id)} {t.id === 'agreement' ? 'pairs' : 'passages'}
              </div>
            )}
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
  );
}

/** One scheme's row: probe (or a causal run's note), next-token, task, own-head, FLOPs and speed cells. */
function ResultRow({ r, causal, reference }: { r: SchemeSummary; causal: boolean; reference: number }) {
  return (
    <tr data-testid="compare-result-row" data-done={r.done}>
      <th scope="row" style={{ borderLeft: `4px solid ${COLORS[r.scheme % COLORS.length]}` }}>
        <code>{r.label}</code>
      </th>
      <td className="num">
        {r.done} / {r.planned}
      </td>
      {r.causal ? (
        <td
          colSpan={2}
          className="muted small"
          data-testid="compare-result-causal"
          title="a causal encoder would read the masked token from its left only"
        >
          causal run: not scored by the bidirectional probe; see its next-token column
        </td>
      ) : (
        <LossAccuracyCells
          loss={r.probeLoss}
          accuracy={r.probeAccuracy}
          pairedLoss={r.pairedLoss}
          pairedAccuracy={r.pairedAccuracy}
          testIds={['compare-result-loss', 'compare-result-accuracy']}
          isRef={r.scheme === reference}
        />
      )}
      {causal && (
        <LossAccuracyCells
          loss={r.nextTokenLoss}
          accuracy={r.nextTokenAccuracy}
          pairedLoss={r.pairedNextLoss}
          pairedAccuracy={r.pairedNextAccuracy}
          testIds={['compare-result-next-loss', 'compare-result-next-accuracy']}
          isRef={r.scheme === reference && r.causal}
        />
      )}
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
  );
}

/** What the table says about itself: the one-seed message, the count of verdicts, how it scores, its warnings. */
function ResultsNotes({ c, rows }: { c: ComparisonRecord; rows: SchemeSummary[] }) {
  const verdicts = verdictSummary(rows);
  const probeSteps = c.budget.mlmSteps;
  const causal = rows.some((r) => r.causal);
  const freq = rows.find((r) => r.frequencyLoss !== undefined);
  const oldRecord = rows.some((r) => r.done > 0 && !r.probeLoss && !r.causal && r.loss);
  const smallTests = [
    ...new Set(
      rows.flatMap((r) => [r.probeSmallTest, ...r.tasks.map((t) => t.smallTest)]).filter((w): w is string => !!w),
    ),
  ];
  return (
    <>
      {verdicts.oneSeed && (
        <p className="run-notice" data-testid="compare-one-seed">
          {ONE_SEED_MESSAGE[0].toUpperCase() + ONE_SEED_MESSAGE.slice(1)}.
        </p>
      )}
      {verdicts.made > 0 && (
        <p className="muted" data-testid="compare-verdict-count">
          {verdictNote({ ...verdicts, oneSeed: false })}
        </p>
      )}
      <p className="muted">
        Every bidirectional run, MLM included, is scored by the same <strong>shared probe</strong>: a fresh head with
        its own output layer (not the run&apos;s token embedding; the same initialisation for every run) and the
        encoder&apos;s [MASK] input row, trained {probeSteps} steps on the frozen encoder with the same batches at a
        seed, then the fixed 15% [MASK] held-out masks. Brackets: a 95% interval for the scheme: with one seed, the test
        noise of that run (a bootstrap over held-out passages, since a passage&apos;s targets or windows are not
        independent); with more, the spread over seeds as well. Δ: the mean paired difference with the reference over
        seeds (same initial weights, data and test passages), with its 95% interval and, from two seeds, a verdict:
        better, worse, or inside noise. Downstream tasks: logistic regression on frozen mean-pooled features, balanced
        (chance 50%), each closer to some objectives than others (hover the header); under each header, the independent
        test units per run.
        {causal &&
          " A causal run (MEAP) predicts the next token from the left only: it has a next-token column of its own (its own head on the held-out text), never the shared probe's; agreement on minimal pairs masks the verb, so a causal run has no agreement score."}
        {freq && (
          <>
            {' '}
            Frequency baseline (always guessing by training-set frequency): loss {f3(freq.frequencyLoss!)}, accuracy{' '}
            {pct(freq.frequencyAccuracy ?? NaN)}.
          </>
        )}{' '}
        Own head: each run&apos;s own figures, not comparable across objectives.
        {oldRecord && ' This comparison was saved before the shared probe existed: its runs show no probe figures.'}
        {rows.some((r) => r.probeTied) &&
          " This comparison was saved when the shared probe decoded through each run's own token embedding, which favours objectives that trained it as their output layer (MLM, SLM, SBO, ELECTRA's generator); re-run it for a neutral probe."}
      </p>
      {rows.some((r) => r.syntaxOnset) && (
        <p data-testid="compare-syntax-onset">
          Syntax onset (toy language: the first evaluation where a head, or a path of heads in consecutive layers, finds
          the verb&apos;s subject past an attractor; mean ± standard deviation over seeds):{' '}
          {rows
            .filter((r) => r.syntaxOnset)
            .map((r) => {
              const o = r.syntaxOnset!;
              const s = o.steps;
              const at = s
                ? `step ${Math.round(s.mean).toLocaleString('en-US')}${s.n > 1 ? ` ± ${Math.round(s.std).toLocaleString('en-US')} (${s.min}–${s.max})` : ''}`
                : 'never';
              return `${r.label}: ${at}${o.never > 0 && s ? `, never in ${o.never} of ${o.runs} runs` : ` (${o.runs} run${o.runs === 1 ? '' : 's'})`}`;
            })
            .join('; ')}
          .
        </p>
      )}
      {smallTests.map((w) => (
        <p key={w} className="run-notice" data-testid="compare-small-test">
          {w}
        </p>
      ))}
    </>
  );
}

function ResultsTable({ c }: { c: ComparisonRecord }) {
  const [reference, setReference] = useState(c.reference ?? 0);
  const rows = summarize({ ...c, reference });
  const causal = rows.some((r) => r.causal);
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
        <ResultsHead rows={rows} causal={causal} />
        <tbody>
          {rows.map((r) => (
            <ResultRow key={r.scheme} r={r} causal={causal} reference={reference} />
          ))}
        </tbody>
      </table>
      <ResultsNotes c={c} rows={rows} />
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

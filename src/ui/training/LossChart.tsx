// Live charts (recharts): training loss with held-out masked loss, held-out accuracy (both with the frequency guess
// and the plateau exit marked), toy-language agreement with its 50% chance line, learning rate.
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { ReactElement, ReactNode } from 'react';
import { isToyCorpus } from '../../data/toyLanguage';
import { PLATEAU_MARGIN, plateauExitStep } from '../../session/baseline';
import type { LiveRun } from '../../session/records';
import { TICK, valueAxis } from './axes';
import { fmtTick } from './format';

/** Downsamples a series to at most n points (keeps the last), so long runs stay cheap to draw. */
function thin<T>(xs: T[], n = 400): T[] {
  if (xs.length <= n) return xs;
  const stride = Math.ceil(xs.length / n);
  const out = xs.filter((_, i) => i % stride === 0);
  if (out[out.length - 1] !== xs[xs.length - 1]) out.push(xs[xs.length - 1]);
  return out;
}

type Evals = LiveRun['evals'];
/** What every chart shares: the step axis over the whole run and the plateau exit's marker. */
interface ChartFrame {
  stepAxis: ReactElement;
  exitLine: ReactNode;
}

/** Training loss with held-out masked loss, chance level and the frequency guess. */
function LossCurves({ run, evals, stepAxis, exitLine }: ChartFrame & { run: LiveRun; evals: Evals }) {
  const train = thin(run.metrics).map((m) => ({ step: m.step + 1, train: m.loss }));
  const merged = new Map<number, { step: number; train?: number; heldOut?: number }>();
  for (const p of train) merged.set(p.step, { ...p });
  for (const e of evals) merged.set(e.step, { ...(merged.get(e.step) ?? { step: e.step }), heldOut: e.loss });
  const lossData = [...merged.values()].sort((a, b) => a.step - b.step);
  const lnV = run.info ? Math.log(run.info.V) : undefined;
  const base = run.info?.baseline;
  // The axes span the data (a reference line outside it is not drawn, as recharts does by default).
  const lossAxis = valueAxis(lossData.flatMap((p) => [p.train, p.heldOut]));
  return (
    <figure>
      <figcaption>
        Loss (cross-entropy, nats)
        {lnV !== undefined && <span className="muted"> · chance level ln V = {lnV.toFixed(2)}</span>}
        {base && (
          <span className="muted" data-testid="baseline-loss">
            {' '}
            · dashed: the frequency guess {base.loss.toFixed(2)} (always predicting by how common each token is in the
            training text)
          </span>
        )}
      </figcaption>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart data={lossData} margin={{ top: 4, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e3e6e8" />
          {stepAxis}
          <YAxis domain={['auto', 'auto']} tick={TICK} {...lossAxis} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))} />
          <Legend />
          {base && (
            <ReferenceLine
              y={base.loss}
              stroke="#666"
              strokeDasharray="6 3"
              label={{ value: 'frequency guess', position: 'insideTopRight', fontSize: 11 }}
            />
          )}
          {exitLine}
          <Line
            name="training (this batch's targets)"
            dataKey="train"
            stroke="#0072b2"
            dot={false}
            isAnimationActive={false}
            connectNulls
          />
          <Line
            name="held-out (fixed 15% [MASK])"
            dataKey="heldOut"
            stroke="#d55e00"
            strokeWidth={2}
            isAnimationActive={false}
            connectNulls
          />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** Held-out accuracy at the fixed masks, with the frequency guess and the plateau exit. */
function AccuracyChart({ run, evals, stepAxis, exitLine }: ChartFrame & { run: LiveRun; evals: Evals }) {
  const base = run.info?.baseline;
  const accuracyData = evals.map((e) => ({ step: e.step, accuracy: e.accuracy * 100 }));
  const accuracyAxis = valueAxis([0, ...accuracyData.map((p) => p.accuracy)], {
    unit: '%',
  });
  return (
    <figure>
      <figcaption>
        Held-out accuracy at the fixed masks
        {base && (
          <span className="muted" data-testid="baseline-accuracy">
            {' '}
            · dashed: the frequency guess {(base.accuracy * 100).toFixed(1)}% (the most common token every time); the
            plateau ends at the first evaluation {(PLATEAU_MARGIN * 100).toFixed(0)} points above it
          </span>
        )}
      </figcaption>
      <ResponsiveContainer width="100%" height={160}>
        <LineChart data={accuracyData} margin={{ top: 4, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e3e6e8" />
          {stepAxis}
          <YAxis unit="%" domain={[0, 'auto']} tick={TICK} {...accuracyAxis} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? `${v.toFixed(1)}%` : String(v))} />
          {base && <ReferenceLine y={base.accuracy * 100} stroke="#666" strokeDasharray="6 3" />}
          {exitLine}
          <Line name="accuracy" dataKey="accuracy" stroke="#009e73" strokeWidth={2} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** The toy language's subject-verb agreement on held-out minimal pairs, with and without an attractor. */
function AgreementChart({
  pairs,
  evals,
  stepAxis,
}: Omit<ChartFrame, 'exitLine'> & {
  pairs: { plain: number; attractor: number; objectRelative?: number };
  evals: Evals;
}) {
  const agreement = evals.flatMap((e) =>
    e.agreement
      ? [
          {
            step: e.step,
            plain: e.agreement.plain * 100,
            attractor: e.agreement.attractor * 100,
            orc: e.agreement.kinds?.orc !== undefined ? e.agreement.kinds.orc * 100 : undefined,
          },
        ]
      : [],
  );
  return (
    <figure data-testid="agreement-chart" data-points={agreement.length}>
      <figcaption>
        Subject-verb agreement on held-out minimal pairs (the verb masked; right when the agreeing form is more
        probable) · {pairs.plain} pairs without and {pairs.attractor} with an attractor
        {pairs.objectRelative
          ? `, ${pairs.objectRelative} object relative clauses, where the clause's own verb agrees with the attractor`
          : ''}{' '}
        · dashed: chance, 50%
      </figcaption>
      <ResponsiveContainer width="100%" height={160}>
        <LineChart data={agreement} margin={{ top: 4, right: 16, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e3e6e8" />
          {stepAxis}
          <YAxis unit="%" domain={[0, 100]} tick={TICK} {...valueAxis([0, 100], { unit: '%' })} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? `${v.toFixed(1)}%` : String(v))} />
          <Legend />
          <ReferenceLine y={50} stroke="#666" strokeDasharray="6 3" />
          <Line
            name="without attractor (the dogs run)"
            dataKey="plain"
            stroke="#0072b2"
            strokeWidth={2}
            isAnimationActive={false}
          />
          <Line
            name="with attractor (the dogs near the cat run)"
            dataKey="attractor"
            stroke="#d55e00"
            strokeWidth={2}
            isAnimationActive={false}
          />
          {agreement.some((p) => p.orc !== undefined) && (
            <Line
              name="object relative clause (the girl that the horses like sings)"
              dataKey="orc"
              stroke="#cc79a7"
              strokeWidth={2}
              isAnimationActive={false}
              connectNulls
            />
          )}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** Learning rate (warmup, then decay) and masking rate over the steps. */
function RateChart({ run, stepAxis }: Omit<ChartFrame, 'exitLine'> & { run: LiveRun }) {
  const lrData = thin(run.metrics).map((m) => ({
    step: m.step + 1,
    lr: m.lr,
    rate: m.maskRate === undefined ? undefined : m.maskRate * 100,
  }));
  const lrAxis = valueAxis(lrData.map((p) => p.lr));
  const rateAxis = valueAxis([0, ...lrData.map((p) => p.rate)], { unit: '%' });
  return (
    <figure>
      <figcaption>Learning rate (warmup, then decay) and masking rate (after its schedule)</figcaption>
      <ResponsiveContainer width="100%" height={140}>
        <LineChart data={lrData} margin={{ top: 4, right: 4, bottom: 4, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="#e3e6e8" />
          {stepAxis}
          <YAxis yAxisId="lr" tick={TICK} {...lrAxis} />
          <YAxis yAxisId="rate" orientation="right" unit="%" domain={[0, 'auto']} tick={TICK} {...rateAxis} />
          <Tooltip
            formatter={(v, name) =>
              typeof v === 'number' ? (name === 'masking rate' ? `${v.toFixed(1)}%` : v.toExponential(2)) : String(v)
            }
          />
          <Legend />
          <Line yAxisId="lr" name="learning rate" dataKey="lr" stroke="#cc79a7" dot={false} isAnimationActive={false} />
          <Line
            yAxisId="rate"
            name="masking rate"
            dataKey="rate"
            stroke="#e69f00"
            dot={false}
            isAnimationActive={false}
            connectNulls
          />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

export function LossChart({ run }: { run: LiveRun }) {
  const evals = [...run.evals].sort((a, b) => a.step - b.step);
  const base = run.info?.baseline;
  const exit = base ? plateauExitStep(evals, base.accuracy) : null;
  const stepAxis = (
    <XAxis
      dataKey="step"
      type="number"
      domain={[0, run.totalSteps]}
      tickCount={6}
      tick={TICK}
      tickFormatter={fmtTick}
    />
  );
  const exitLine = exit !== null && (
    <ReferenceLine
      x={exit}
      stroke="#009e73"
      strokeDasharray="2 2"
      label={{ value: `left the plateau (step ${exit})`, position: 'insideTopLeft', fontSize: 11 }}
    />
  );
  const frame = { stepAxis, exitLine };
  return (
    <div className="charts" data-testid="loss-chart" data-points={run.metrics.length} data-plateau-exit={exit ?? ''}>
      <LossCurves run={run} evals={evals} {...frame} />
      <AccuracyChart run={run} evals={evals} {...frame} />
      {run.info?.agreementPairs && <AgreementChart pairs={run.info.agreementPairs} evals={evals} stepAxis={stepAxis} />}
      <NoAgreement run={run} />
      <RateChart run={run} stepAxis={stepAxis} />
    </div>
  );
}

/**
 * Why a toy-language run whose objective has no vocabulary head at the masked position shows no agreement chart: the
 * score masks the verb and compares its two forms there (a causal MEAP head at that position predicts the next token).
 */
function NoAgreement({ run }: { run: LiveRun }) {
  const kind = run.info?.evalKind;
  if (run.info?.agreementPairs || !kind || kind === 'mlm' || !isToyCorpus(run.config.corpus)) return null;
  return (
    <p className="muted small" data-testid="agreement-none">
      No agreement score for this run: agreement masks the verb and compares its two forms through a vocabulary head at
      the masked position;{' '}
      {kind === 'next-token'
        ? 'a causal (MEAP) head there predicts the next token, not the verb.'
        : "this objective's head does not name tokens."}
    </p>
  );
}

// Curves of every run of a comparison overlaid against training tokens seen (steps x B x T), training FLOPs or
// seconds: training loss (smoothed) and the held-out evaluation (loss and accuracy, the frequency guess dashed).
// One color per scheme, one dash pattern per seed.
import { useState } from 'react';
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
import type { RunEval, StepRow } from '../../session/records';
import { TICK, valueAxis } from '../training/axes';
import { fmtTick } from '../training/format';

export interface CurveRun {
  key: string;
  label: string;
  color: string;
  dash?: string;
  metrics: StepRow[];
  evals: RunEval[];
  /** Only runs evaluated on the shared held-out masks have comparable held-out curves. */
  sharedEval: boolean;
  /** Training FLOPs of one step (known once the run's probes report it). */
  flopsPerStep?: number;
  /** Wall seconds of one step (the run's measured mean). */
  secondsPerStep?: number;
}

export type CurveAxis = 'tokens' | 'flops' | 'seconds';
const AXIS_TEXT: Record<CurveAxis, string> = {
  tokens: 'tokens seen',
  flops: 'training FLOPs',
  seconds: 'seconds of training',
};

/** Exponential moving average, as TensorBoard smooths: a noisy batch loss reads as a trend. */
export function smooth(xs: readonly number[], alpha = 0.8): number[] {
  let m: number | undefined;
  return xs.map((x) => (m = m === undefined ? x : alpha * m + (1 - alpha) * x));
}

function perStep(r: CurveRun, axis: CurveAxis, tokensPerStep: number): number | undefined {
  return axis === 'tokens' ? tokensPerStep : axis === 'flops' ? r.flopsPerStep : r.secondsPerStep;
}

function merged(
  runs: CurveRun[],
  f: (r: CurveRun) => number,
  pick: (r: CurveRun) => { step: number; v: number }[],
): Record<string, number>[] {
  const byX = new Map<number, Record<string, number>>();
  for (const r of runs)
    for (const p of pick(r)) {
      const x = p.step * f(r);
      const row = byX.get(x) ?? { x };
      row[r.key] = p.v;
      byX.set(x, row);
    }
  return [...byX.values()].sort((a, b) => a.x - b.x);
}

export function CompareCharts({
  runs: all,
  tokensPerStep,
  baseline,
}: {
  runs: CurveRun[];
  tokensPerStep: number;
  baseline?: { loss: number; accuracy: number };
}) {
  const [axis, setAxis] = useState<CurveAxis>('tokens');
  const runs = all.filter((r) => perStep(r, axis, tokensPerStep) !== undefined);
  const f = (r: CurveRun) => perStep(r, axis, tokensPerStep)!;
  const train = merged(runs, f, (r) => {
    const s = smooth(r.metrics.map((m) => m.loss));
    return r.metrics.map((m, i) => ({ step: m.step + 1, v: s[i] }));
  });
  const shared = runs.filter((r) => r.sharedEval);
  const held = merged(shared, f, (r) =>
    [...r.evals].sort((a, b) => a.step - b.step).map((e) => ({ step: e.step, v: e.loss })),
  );
  const acc = merged(shared, f, (r) =>
    [...r.evals].sort((a, b) => a.step - b.step).map((e) => ({ step: e.step, v: e.accuracy * 100 })),
  );
  const values = (rows: Record<string, number>[]) =>
    rows.flatMap((r) => Object.keys(r).flatMap((k) => (k === 'x' ? [] : [r[k]])));
  const trainAxis = valueAxis(values(train));
  const heldAxis = valueAxis(values(held));
  const lines = (rs: CurveRun[], dots: boolean) =>
    rs.map((r) => (
      <Line
        key={r.key}
        name={r.label}
        dataKey={r.key}
        stroke={r.color}
        strokeDasharray={r.dash}
        dot={dots}
        isAnimationActive={false}
        connectNulls
      />
    ));
  return (
    <div
      className="charts"
      data-testid="compare-curves"
      data-runs={runs.length}
      data-heldout-runs={shared.length}
      data-axis={axis}
    >
      <label>
        Curves against{' '}
        <select value={axis} onChange={(e) => setAxis(e.target.value as CurveAxis)} data-testid="compare-curves-axis">
          <option value="tokens">tokens seen</option>
          <option value="flops">training FLOPs (generator included)</option>
          <option value="seconds">seconds (this machine)</option>
        </select>
      </label>
      {runs.length < all.length && (
        <p className="muted">
          {all.length - runs.length} run(s) left out: their {AXIS_TEXT[axis]} per step is known once they finish.
        </p>
      )}
      <figure>
        <figcaption>
          Training loss against {AXIS_TEXT[axis]} (smoothed; each objective&apos;s own loss, so scales differ between
          objectives)
        </figcaption>
        <ResponsiveContainer width="100%" height={240}>
          <LineChart data={train} margin={{ top: 4, right: 16, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e6e8" />
            <XAxis dataKey="x" type="number" domain={[0, 'dataMax']} tick={TICK} tickFormatter={fmtTick} />
            <YAxis domain={['auto', 'auto']} tick={TICK} {...trainAxis} />
            <Tooltip
              labelFormatter={(v) => `${Number(v).toLocaleString('en-US')} ${AXIS_TEXT[axis]}`}
              formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))}
            />
            <Legend />
            {lines(runs, false)}
          </LineChart>
        </ResponsiveContainer>
      </figure>
      <figure>
        <figcaption>
          Held-out masked loss (fixed 15% [MASK], the run&apos;s own vocabulary head) against {AXIS_TEXT[axis]}
          {shared.length < runs.length && (
            <span className="muted"> · runs without a vocabulary head: only the shared probe at the end (table)</span>
          )}
        </figcaption>
        <ResponsiveContainer width="100%" height={200}>
          <LineChart data={held} margin={{ top: 4, right: 16, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e6e8" />
            <XAxis dataKey="x" type="number" domain={[0, 'dataMax']} tick={TICK} tickFormatter={fmtTick} />
            <YAxis domain={['auto', 'auto']} tick={TICK} {...heldAxis} />
            <Tooltip
              labelFormatter={(v) => `${Number(v).toLocaleString('en-US')} ${AXIS_TEXT[axis]}`}
              formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))}
            />
            <Legend />
            {baseline && (
              <ReferenceLine
                y={baseline.loss}
                stroke="#666"
                strokeDasharray="6 3"
                label={{ value: 'frequency guess', position: 'insideTopRight', fontSize: 11 }}
              />
            )}
            {lines(shared, true)}
          </LineChart>
        </ResponsiveContainer>
      </figure>
      <figure data-testid="compare-accuracy">
        <figcaption>
          Held-out accuracy at the fixed masks against {AXIS_TEXT[axis]}
          {baseline && (
            <span className="muted">
              {' '}
              · dashed: the frequency guess ({(baseline.accuracy * 100).toFixed(1)}%), where a model that only knows
              which tokens are common stays
            </span>
          )}
        </figcaption>
        <ResponsiveContainer width="100%" height={180}>
          <LineChart data={acc} margin={{ top: 4, right: 16, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e6e8" />
            <XAxis dataKey="x" type="number" domain={[0, 'dataMax']} tick={TICK} tickFormatter={fmtTick} />
            <YAxis unit="%" domain={[0, 'auto']} tick={TICK} {...valueAxis([0, ...values(acc)], { unit: '%' })} />
            <Tooltip
              labelFormatter={(v) => `${Number(v).toLocaleString('en-US')} ${AXIS_TEXT[axis]}`}
              formatter={(v) => (typeof v === 'number' ? `${v.toFixed(1)}%` : String(v))}
            />
            {baseline && <ReferenceLine y={baseline.accuracy * 100} stroke="#666" strokeDasharray="6 3" />}
            {lines(shared, true)}
          </LineChart>
        </ResponsiveContainer>
      </figure>
    </div>
  );
}

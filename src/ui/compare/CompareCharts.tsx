// Curves of every run of a comparison overlaid against training tokens seen (steps x B x T): training loss
// (smoothed) and the held-out evaluation. One color per scheme, one dash pattern per seed.
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { RunEval, StepRow } from '../../session/records';

export interface CurveRun {
  key: string;
  label: string;
  color: string;
  dash?: string;
  metrics: StepRow[];
  evals: RunEval[];
  /** Only runs evaluated on the shared held-out masks have comparable held-out curves. */
  sharedEval: boolean;
}

/** Exponential moving average, as TensorBoard smooths: a noisy batch loss reads as a trend. */
export function smooth(xs: readonly number[], alpha = 0.8): number[] {
  let m: number | undefined;
  return xs.map((x) => (m = m === undefined ? x : alpha * m + (1 - alpha) * x));
}

function merged(runs: CurveRun[], tokensPerStep: number, pick: (r: CurveRun) => { step: number; v: number }[]): Record<string, number>[] {
  const byX = new Map<number, Record<string, number>>();
  for (const r of runs)
    for (const p of pick(r)) {
      const x = p.step * tokensPerStep;
      const row = byX.get(x) ?? { tokens: x };
      row[r.key] = p.v;
      byX.set(x, row);
    }
  return [...byX.values()].sort((a, b) => a.tokens - b.tokens);
}

const fmtTokens = (v: number) => (v >= 1e6 ? `${+(v / 1e6).toFixed(2)}M` : v >= 1e3 ? `${+(v / 1e3).toFixed(v >= 1e5 ? 0 : 1)}k` : String(Math.round(v)));

export function CompareCharts({ runs, tokensPerStep }: { runs: CurveRun[]; tokensPerStep: number }) {
  const train = merged(runs, tokensPerStep, (r) => {
    const s = smooth(r.metrics.map((m) => m.loss));
    return r.metrics.map((m, i) => ({ step: m.step + 1, v: s[i] }));
  });
  const shared = runs.filter((r) => r.sharedEval);
  const held = merged(shared, tokensPerStep, (r) => [...r.evals].sort((a, b) => a.step - b.step).map((e) => ({ step: e.step, v: e.loss })));
  const lines = (rs: CurveRun[], dots: boolean) =>
    rs.map((r) => <Line key={r.key} name={r.label} dataKey={r.key} stroke={r.color} strokeDasharray={r.dash} dot={dots} isAnimationActive={false} connectNulls />);
  return (
    <div className="charts" data-testid="compare-curves" data-runs={runs.length} data-heldout-runs={shared.length}>
      <figure>
        <figcaption>
          Training loss against tokens seen (smoothed; each objective&apos;s own loss, so scales differ between objectives)
        </figcaption>
        <ResponsiveContainer width="100%" height={240}>
          <LineChart data={train} margin={{ top: 4, right: 12, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e6e8" />
            <XAxis dataKey="tokens" type="number" domain={[0, 'dataMax']} tickFormatter={fmtTokens} />
            <YAxis domain={['auto', 'auto']} width={44} />
            <Tooltip labelFormatter={(v) => `${Number(v).toLocaleString('en-US')} tokens`} formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))} />
            <Legend />
            {lines(runs, false)}
          </LineChart>
        </ResponsiveContainer>
      </figure>
      <figure>
        <figcaption>
          Held-out masked loss (fixed 15% [MASK]) against tokens seen
          {shared.length < runs.length && <span className="muted"> · runs without a vocabulary head are scored by the MLM probe at the end (table)</span>}
        </figcaption>
        <ResponsiveContainer width="100%" height={200}>
          <LineChart data={held} margin={{ top: 4, right: 12, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e6e8" />
            <XAxis dataKey="tokens" type="number" domain={[0, 'dataMax']} tickFormatter={fmtTokens} />
            <YAxis domain={['auto', 'auto']} width={44} />
            <Tooltip labelFormatter={(v) => `${Number(v).toLocaleString('en-US')} tokens`} formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))} />
            <Legend />
            {lines(shared, true)}
          </LineChart>
        </ResponsiveContainer>
      </figure>
    </div>
  );
}

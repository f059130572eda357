// Live charts (recharts): training loss with held-out masked loss, held-out accuracy, learning rate.
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { LiveRun } from '../../session/records';

/** Downsamples a series to at most n points (keeps the last), so long runs stay cheap to draw. */
function thin<T>(xs: T[], n = 400): T[] {
  if (xs.length <= n) return xs;
  const stride = Math.ceil(xs.length / n);
  const out = xs.filter((_, i) => i % stride === 0);
  if (out[out.length - 1] !== xs[xs.length - 1]) out.push(xs[xs.length - 1]);
  return out;
}

export function LossChart({ run }: { run: LiveRun }) {
  const train = thin(run.metrics).map((m) => ({ step: m.step + 1, train: m.loss }));
  const evals = [...run.evals].sort((a, b) => a.step - b.step);
  const merged = new Map<number, { step: number; train?: number; heldOut?: number }>();
  for (const p of train) merged.set(p.step, { ...p });
  for (const e of evals) merged.set(e.step, { ...(merged.get(e.step) ?? { step: e.step }), heldOut: e.loss });
  const lossData = [...merged.values()].sort((a, b) => a.step - b.step);
  const lrData = thin(run.metrics).map((m) => ({ step: m.step + 1, lr: m.lr, rate: m.maskRate === undefined ? undefined : m.maskRate * 100 }));
  const lnV = run.info ? Math.log(run.info.V) : undefined;
  return (
    <div className="charts" data-testid="loss-chart" data-points={run.metrics.length}>
      <figure>
        <figcaption>
          Loss (cross-entropy, nats){lnV !== undefined && <span className="muted"> · chance level ln V = {lnV.toFixed(2)}</span>}
        </figcaption>
        <ResponsiveContainer width="100%" height={220}>
          <LineChart data={lossData} margin={{ top: 4, right: 12, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e6e8" />
            <XAxis dataKey="step" type="number" domain={[0, run.totalSteps]} tickCount={6} />
            <YAxis domain={['auto', 'auto']} width={44} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))} />
            <Legend />
            <Line name="training (this batch's targets)" dataKey="train" stroke="#0072b2" dot={false} isAnimationActive={false} connectNulls />
            <Line name="held-out (fixed 15% [MASK])" dataKey="heldOut" stroke="#d55e00" strokeWidth={2} isAnimationActive={false} connectNulls />
          </LineChart>
        </ResponsiveContainer>
      </figure>
      <figure>
        <figcaption>Held-out accuracy at the fixed masks</figcaption>
        <ResponsiveContainer width="100%" height={160}>
          <LineChart data={evals.map((e) => ({ step: e.step, accuracy: e.accuracy * 100 }))} margin={{ top: 4, right: 12, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e6e8" />
            <XAxis dataKey="step" type="number" domain={[0, run.totalSteps]} tickCount={6} />
            <YAxis unit="%" width={44} domain={[0, 'auto']} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? `${v.toFixed(1)}%` : String(v))} />
            <Line name="accuracy" dataKey="accuracy" stroke="#009e73" strokeWidth={2} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </figure>
      <figure>
        <figcaption>Learning rate (warmup, then decay) and masking rate (after its schedule)</figcaption>
        <ResponsiveContainer width="100%" height={140}>
          <LineChart data={lrData} margin={{ top: 4, right: 4, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e3e6e8" />
            <XAxis dataKey="step" type="number" domain={[0, run.totalSteps]} tickCount={6} />
            <YAxis yAxisId="lr" width={44} tickFormatter={(v: number) => v.toExponential(0)} />
            <YAxis yAxisId="rate" orientation="right" width={40} unit="%" domain={[0, 'auto']} />
            <Tooltip formatter={(v, name) => (typeof v === 'number' ? (name === 'masking rate' ? `${v.toFixed(1)}%` : v.toExponential(2)) : String(v))} />
            <Legend />
            <Line yAxisId="lr" name="learning rate" dataKey="lr" stroke="#cc79a7" dot={false} isAnimationActive={false} />
            <Line yAxisId="rate" name="masking rate" dataKey="rate" stroke="#e69f00" dot={false} isAnimationActive={false} connectNulls />
          </LineChart>
        </ResponsiveContainer>
      </figure>
    </div>
  );
}

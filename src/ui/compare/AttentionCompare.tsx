// The same probe sentence's attention maps for two runs of a comparison, side by side, and their difference
// (A - B on a diverging blue/orange ramp), for one layer and head at a time; the heads that differ most are listed.
import { useEffect, useRef, useState } from 'react';
import type { AttentionSnapshot } from '../../session/records';

export interface AttentionRun {
  key: string;
  label: string;
  attention: AttentionSnapshot;
}

function ramp(p: number): string {
  const t = Math.max(0, Math.min(1, Math.sqrt(p)));
  return `rgb(${Math.round(255 - 247 * t)},${Math.round(255 - 207 * t)},${Math.round(255 - 148 * t)})`;
}

/**
 * Blue (B attends more) through white to orange (A attends more), d in [-1, 1] (the difference divided by the map's
 * largest |A - B|, so a small difference still shows); Okabe-Ito hues, readable for color-blind users. Linear.
 */
export function diverging(d: number): string {
  const t = Math.max(-1, Math.min(1, Number.isFinite(d) ? d : 0));
  const [r, g, b] = t >= 0 ? [230, 159, 0] : [0, 114, 178];
  const a = Math.abs(t);
  return `rgb(${Math.round(255 + (r - 255) * a)},${Math.round(255 + (g - 255) * a)},${Math.round(255 + (b - 255) * a)})`;
}

/** The scale of the difference map: a bar from -max (blue) through 0 to +max (orange), with its numbers. */
function DivergingLegend({ max }: { max: number }) {
  const stops = Array.from({ length: 11 }, (_, i) => `${diverging(i / 5 - 1)} ${i * 10}%`).join(', ');
  return (
    <figure className="attention-legend" data-testid="attention-compare-legend" data-max={max}>
      <div
        style={{ background: `linear-gradient(to right, ${stops})`, height: 12, width: 180, border: '1px solid #ccc' }}
      />
      <figcaption style={{ display: 'flex', justifyContent: 'space-between', width: 180 }}>
        <span>−{max.toPrecision(2)}</span>
        <span>0</span>
        <span>+{max.toPrecision(2)}</span>
      </figcaption>
      <figcaption className="muted">
        A − B, scaled to this map&apos;s largest |A − B| ={' '}
        <strong data-testid="attention-compare-max">{max.toPrecision(3)}</strong> (attention weights are in 0..1)
      </figcaption>
    </figure>
  );
}

function Map2d({
  values,
  n,
  color,
  label,
  testId,
  tokens,
  onHover,
}: {
  values: Float32Array;
  n: number;
  color(v: number): string;
  label: string;
  testId: string;
  tokens: string[];
  onHover(s: string | null): void;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const size = 180;
  useEffect(() => {
    const c = ref.current?.getContext('2d');
    if (!c) return;
    const cell = size / n;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        c.fillStyle = color(values[i * n + j]);
        c.fillRect(j * cell, i * cell, Math.ceil(cell), Math.ceil(cell));
      }
  }, [values, n, color]);
  return (
    <figure className="attention-compare-map">
      <figcaption>{label}</figcaption>
      <canvas
        ref={ref}
        width={size}
        height={size}
        className="heatmap"
        data-testid={testId}
        aria-label={label}
        onMouseLeave={() => onHover(null)}
        onMouseMove={(e) => {
          const r = e.currentTarget.getBoundingClientRect();
          const j = Math.floor(((e.clientX - r.left) / r.width) * n);
          const i = Math.floor(((e.clientY - r.top) / r.height) * n);
          if (i >= 0 && j >= 0 && i < n && j < n)
            onHover(`${label}: "${tokens[i]}" → "${tokens[j]}" ${values[i * n + j].toFixed(3)}`);
        }}
      />
    </figure>
  );
}

/** Mean |A - B| per (layer, head), largest first. */
export function headDifferences(a: AttentionSnapshot, b: AttentionSnapshot): { l: number; h: number; mean: number }[] {
  const n = a.tokens.length;
  const out: { l: number; h: number; mean: number }[] = [];
  for (let l = 0; l < a.L; l++)
    for (let h = 0; h < a.NH; h++) {
      const o = (l * a.NH + h) * n * n;
      let s = 0;
      for (let k = 0; k < n * n; k++) s += Math.abs(a.attention[o + k] - b.attention[o + k]);
      out.push({ l, h, mean: s / (n * n) });
    }
  return out.sort((x, y) => y.mean - x.mean);
}

export function AttentionCompare({ runs }: { runs: AttentionRun[] }) {
  const [ka, setA] = useState(runs[0]?.key);
  const [kb, setB] = useState(runs[1]?.key);
  const [lh, setLh] = useState<[number, number]>([0, 0]);
  const [hover, setHover] = useState<string | null>(null);
  if (runs.length < 2) return <p className="muted">Attention maps appear here when two runs have finished.</p>;
  const a = runs.find((r) => r.key === ka) ?? runs[0];
  const b = runs.find((r) => r.key === kb) ?? runs[1];
  const A = a.attention;
  const B = b.attention;
  const n = A.tokens.length;
  const sameShape = A.L === B.L && A.NH === B.NH && A.tokens.join('\u0000') === B.tokens.join('\u0000');
  const [l, h] = lh[0] < A.L && lh[1] < A.NH ? lh : [0, 0];
  const o = (l * A.NH + h) * n * n;
  const va = A.attention.subarray(o, o + n * n);
  const vb = sameShape ? B.attention.subarray(o, o + n * n) : new Float32Array(0);
  const diff = sameShape ? va.map((x, i) => x - vb[i]) : new Float32Array(0);
  const maxAbs = diff.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  const scaled = (d: number) => diverging(maxAbs > 0 ? d / maxAbs : 0);
  const picker = (value: string, onChange: (k: string) => void, what: string, testId: string) => (
    <label>
      {what}{' '}
      <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
        {runs.map((r) => (
          <option key={r.key} value={r.key}>
            {r.label}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <div className="attention-compare" data-testid="attention-compare">
      <p className="muted">
        The probe sentence &ldquo;{A.tokens.slice(1, -1).join(' ')}&rdquo; at the end of each run. Rows attend (query),
        columns are attended (key).
      </p>
      <div className="runs-toolbar">
        {picker(a.key, setA, 'A', 'attention-compare-a')}
        {picker(b.key, setB, 'B', 'attention-compare-b')}
        <label>
          layer / head{' '}
          <select
            value={`${l}:${h}`}
            onChange={(e) => setLh(e.target.value.split(':').map(Number) as [number, number])}
            data-testid="attention-compare-head"
          >
            {Array.from({ length: A.L * A.NH }, (_, k) => (
              <option key={k} value={`${Math.floor(k / A.NH)}:${k % A.NH}`}>
                layer {Math.floor(k / A.NH) + 1}, head {(k % A.NH) + 1}
              </option>
            ))}
          </select>
        </label>
      </div>
      {!sameShape ? (
        <p className="error">
          These two runs saw different probe tokens or model shapes, so their maps cannot be subtracted.
        </p>
      ) : (
        <>
          <div className="attention-compare-row">
            <Map2d
              values={va}
              n={n}
              color={ramp}
              label={`A: ${a.label}`}
              testId="attention-compare-map-a"
              tokens={A.tokens}
              onHover={setHover}
            />
            <Map2d
              values={vb}
              n={n}
              color={ramp}
              label={`B: ${b.label}`}
              testId="attention-compare-map-b"
              tokens={A.tokens}
              onHover={setHover}
            />
            <Map2d
              values={diff}
              n={n}
              color={scaled}
              label="A − B (orange: A attends more, blue: B)"
              testId="attention-compare-diff"
              tokens={A.tokens}
              onHover={setHover}
            />
            <DivergingLegend max={maxAbs} />
          </div>
          <p className="hover" aria-live="polite">
            {hover ?? '\u00a0'}
          </p>
          <p className="muted" data-testid="attention-compare-heads">
            Heads that differ most (mean |A − B|):{' '}
            {headDifferences(A, B)
              .slice(0, 4)
              .map((d) => `layer ${d.l + 1} head ${d.h + 1}: ${d.mean.toFixed(4)}`)
              .join(' · ')}
          </p>
        </>
      )}
    </div>
  );
}

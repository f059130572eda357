// Attention maps of the probe sentence: a layer x head grid of heatmaps (row = query token, column = key token),
// drawn on canvas with a sequential color-blind-safe ramp; hovering a cell shows the tokens and the probability.
import { useEffect, useRef, useState } from 'react';
import type { ProbeView } from '../../session/records';
import type { HeadRef } from '../../session/syntax';

/** White to dark blue (viridis-free, monotone in lightness, readable for color-blind users). */
function ramp(p: number): string {
  const t = Math.max(0, Math.min(1, Math.sqrt(p)));
  const r = Math.round(255 + (8 - 255) * t);
  const g = Math.round(255 + (48 - 255) * t);
  const b = Math.round(255 + (107 - 255) * t);
  return `rgb(${r},${g},${b})`;
}

function Heatmap({
  probe,
  l,
  h,
  size,
  onHover,
}: {
  probe: ProbeView;
  l: number;
  h: number;
  size: number;
  onHover(v: string | null): void;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const n = probe.tokens.length;
  const cell = size / n;
  useEffect(() => {
    const c = ref.current?.getContext('2d');
    if (!c) return;
    const base = (l * probe.NH + h) * n * n;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        c.fillStyle = ramp(probe.attention[base + i * n + j]);
        c.fillRect(j * cell, i * cell, Math.ceil(cell), Math.ceil(cell));
      }
  }, [probe, l, h, n, cell]);
  return (
    <canvas
      ref={ref}
      width={size}
      height={size}
      className="heatmap"
      data-testid={`attention-l${l}-h${h}`}
      aria-label={`Layer ${l + 1}, head ${h + 1} attention`}
      onMouseLeave={() => onHover(null)}
      onMouseMove={(e) => {
        const r = e.currentTarget.getBoundingClientRect();
        const j = Math.floor(((e.clientX - r.left) / r.width) * n);
        const i = Math.floor(((e.clientY - r.top) / r.height) * n);
        if (i < 0 || j < 0 || i >= n || j >= n) return;
        const p = probe.attention[(l * probe.NH + h) * n * n + i * n + j];
        onHover(
          `layer ${l + 1}, head ${h + 1}: "${probe.tokens[i]}" attends to "${probe.tokens[j]}" with p = ${p.toFixed(3)}`,
        );
      }}
    />
  );
}

export function AttentionMap({ probe, highlight }: { probe: ProbeView; highlight?: readonly HeadRef[] }) {
  const [hover, setHover] = useState<string | null>(null);
  const [focus, setFocus] = useState<[number, number] | null>(null);
  const size = 132;
  return (
    <div className="attention" data-testid="attention-map">
      <p className="muted">
        Rows are the attending (query) token, columns the attended (key) token; darker means more attention. Step{' '}
        {probe.step}. Click a map to enlarge it with token labels.
      </p>
      <div className="attention-grid" style={{ gridTemplateColumns: `auto repeat(${probe.NH}, ${size}px)` }}>
        <span />
        {Array.from({ length: probe.NH }, (_, h) => (
          <span key={h} className="axis">
            head {h + 1}
          </span>
        ))}
        {Array.from({ length: probe.L }, (_, l) => (
          <div key={l} className="attention-row" style={{ display: 'contents' }}>
            <span className="axis">layer {l + 1}</span>
            {Array.from({ length: probe.NH }, (_, h) => (
              <button
                key={h}
                type="button"
                className={
                  highlight?.some((x) => x.layer === l && x.head === h) ? 'map-button highlighted' : 'map-button'
                }
                data-highlighted={highlight?.some((x) => x.layer === l && x.head === h) ? 'true' : undefined}
                onClick={() => setFocus([l, h])}
                aria-label={`Enlarge layer ${l + 1} head ${h + 1}`}
              >
                <Heatmap probe={probe} l={l} h={h} size={size} onHover={setHover} />
              </button>
            ))}
          </div>
        ))}
      </div>
      <p className="hover" aria-live="polite">
        {hover ?? '\u00a0'}
      </p>
      {focus && <LabelledMap probe={probe} l={focus[0]} h={focus[1]} onClose={() => setFocus(null)} />}
    </div>
  );
}

function LabelledMap({ probe, l, h, onClose }: { probe: ProbeView; l: number; h: number; onClose(): void }) {
  const n = probe.tokens.length;
  const base = (l * probe.NH + h) * n * n;
  return (
    <div className="labelled-map" data-testid="attention-detail">
      <div className="labelled-head">
        <strong>
          Layer {l + 1}, head {h + 1}
        </strong>
        <button type="button" className="secondary" onClick={onClose}>
          Close
        </button>
      </div>
      <div className="labelled-scroll">
        <table>
          <thead>
            <tr>
              <th />
              {probe.tokens.map((t, j) => (
                <th key={j} className="key">
                  <span>{t}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {probe.tokens.map((t, i) => (
              <tr key={i}>
                <th className="query">{t}</th>
                {probe.tokens.map((_, j) => {
                  const p = probe.attention[base + i * n + j];
                  return (
                    <td key={j} style={{ background: ramp(p) }} title={`${t} → ${probe.tokens[j]}: ${p.toFixed(3)}`} />
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

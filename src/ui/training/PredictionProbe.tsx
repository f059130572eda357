// The prediction probe: a sentence with [MASK] (type it, or click words to mask them) and the model's top-5
// predictions with probabilities at each masked position, refreshed as training runs.
import { useState } from 'react';
import type { ProbeView } from '../../session/records';

export function PredictionProbe({ probe, text, onText }: { probe?: ProbeView; text: string; onText(t: string): void }) {
  const [draft, setDraft] = useState(text);
  // Words masked by a click, by position, so a second click can bring them back.
  const [hidden, setHidden] = useState<Record<number, string>>({});
  // A sentence set from outside (a lesson's probe) replaces the draft; the ones sent from here are remembered.
  const [given, setGiven] = useState(text);
  if (text !== given) {
    setGiven(text);
    setDraft(text);
    setHidden({});
  }
  const send = (t: string) => {
    setGiven(t);
    onText(t);
  };
  const words = draft.split(/\s+/).filter(Boolean);
  const toggle = (i: number) => {
    const w = words[i];
    const restore = w === '[MASK]' ? hidden[i] : undefined;
    if (w === '[MASK]' && restore === undefined) return;
    const next = [...words];
    next[i] = restore ?? '[MASK]';
    setHidden((h) => {
      const copy = { ...h };
      if (restore === undefined) copy[i] = w;
      else delete copy[i];
      return copy;
    });
    const s = next.join(' ');
    setDraft(s);
    send(s);
  };
  return (
    <div className="probe" data-testid="prediction-probe">
      <label htmlFor="probe-text">Probe sentence (use [MASK] where the model should guess)</label>
      <div className="probe-input">
        <input
          id="probe-text"
          type="text"
          value={draft}
          onChange={(e) => {
            setDraft(e.target.value);
            setHidden({});
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') send(draft);
          }}
        />
        <button type="button" onClick={() => send(draft)}>
          Probe
        </button>
      </div>
      <p className="probe-words" aria-label="Click a word to mask or unmask it">
        {words.map((w, i) => (
          <button key={i} type="button" className={w === '[MASK]' ? 'word masked' : 'word'} onClick={() => toggle(i)}>
            {w}
          </button>
        ))}
      </p>
      {probe && probe.predictions.length === 0 && (
        <p className="muted">No [MASK] in the sentence: click a word to mask it.</p>
      )}
      {probe && probe.predictions.length > 0 && (
        <div className="predictions" data-testid="predictions">
          {probe.predictor && (
            <p className="muted" data-testid="predictor">
              Predictions by {probe.predictor}.
            </p>
          )}
          {probe.predictions.map((p, i) => (
            <figure key={i} className="prediction">
              <figcaption>
                [MASK] #{i + 1}{' '}
                <span className="muted">
                  (position {p.position}, step {probe.step})
                </span>
              </figcaption>
              <ol>
                {p.top.map((t, j) => (
                  <li key={j}>
                    <span className="token">{t.token}</span>
                    <span className="pbar" aria-hidden="true">
                      <span style={{ width: `${Math.max(1, t.p * 100).toFixed(1)}%` }} />
                    </span>
                    <span className="p">{(t.p * 100).toFixed(1)}%</span>
                  </li>
                ))}
              </ol>
            </figure>
          ))}
        </div>
      )}
    </div>
  );
}

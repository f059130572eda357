// Shown instead of the lab when WebGPU or a GPU adapter is missing: what happened and how to fix it per browser.
import { detectGuidance, GUIDANCE } from './browserGuidance';

export function NoWebGpu({ kind, message }: { kind: string; message: string }) {
  const mine = detectGuidance(navigator.userAgent);
  const ordered = [...GUIDANCE].sort((a, b) => Number(b.id === mine) - Number(a.id === mine));
  return (
    <section className="panel no-webgpu" role="alert" aria-labelledby="no-webgpu-title">
      <h2 id="no-webgpu-title">
        {kind === 'no-webgpu' ? 'This browser has no WebGPU' : 'No GPU adapter is available'}
      </h2>
      <p>
        MaskLab trains a neural network on your GPU through WebGPU, so it needs a browser with WebGPU turned on.{' '}
        <span className="muted">({message})</span>
      </p>
      <p>Here is how to turn it on{mine ? ', starting with the browser you are using' : ''}:</p>
      <ul className="guidance">
        {ordered.map((g) => (
          <li key={g.id} data-guidance={g.id} className={g.id === mine ? 'current' : undefined}>
            <strong>
              {g.browser}
              {g.id === mine ? ' (this browser)' : ''}
            </strong>
            <ol>
              {g.steps.map((s) => (
                <li key={s}>{s}</li>
              ))}
            </ol>
          </li>
        ))}
      </ul>
      <p>Then reload this page. Everything you set up here is kept in this browser, so nothing is lost by reloading.</p>
    </section>
  );
}

// The MaskLab page: header, GPU status (ready, unavailable with guidance, or lost with a restart), then the start
// screen, the lab (setup column and main column: mask preview, training, comparisons, the GPU) or the lessons.
import { useEffect, useState } from 'react';
import { syncExperimentWithPage, useExperimentStore } from '../store/experiment';
import { useGpuStore } from '../store/gpu';
import { syncLessonWithPage, useLessonsStore } from '../store/lessons';
import { MainPanels, SetupPanels } from './LabColumns';
import { LessonsView } from './lessons/LessonsView';
import { ModeSwitch, StartScreen } from './lessons/StartScreen';
import { NoWebGpu } from './NoWebGpu';

export function App() {
  const status = useGpuStore((s) => s.status);
  const start = useGpuStore((s) => s.start);

  useEffect(() => {
    start();
  }, [start]);
  useEffect(() => syncExperimentWithPage(), []);
  useEffect(() => syncLessonWithPage(), []);
  const mode = useLessonsStore((s) => s.mode);

  return (
    <div className="app">
      <header className="app-header">
        <h1>
          MaskLab <span className="tagline">masked modeling, trained live on your GPU</span>
        </h1>
        <div className="header-right">
          {mode !== 'start' && <ModeSwitch />}
          {mode !== 'start' && <CopyLink />}
          <p className="gpu-state" data-testid="gpu-state" data-state={status.state}>
            {status.state === 'starting' && 'Looking for a GPU…'}
            {status.state === 'ready' &&
              `GPU ready: ${status.summary.vendor || 'adapter'} ${status.summary.architecture}`}
            {status.state === 'unavailable' && 'No WebGPU'}
            {status.state === 'lost' && 'GPU device lost'}
            {status.state === 'error' && 'Worker error'}
          </p>
        </div>
      </header>
      <IgnoredNotice />
      {status.state === 'unavailable' && <NoWebGpu kind={status.kind} message={status.message} />}
      {status.state === 'lost' && (
        <section className="panel warning" role="alert" data-testid="device-lost">
          <h2>The GPU device was lost</h2>
          <p>
            The browser took the GPU away ({status.reason}: {status.message}). This happens after a driver reset, a long
            stall or when the system sleeps. Your settings are kept; start the GPU again to carry on.
          </p>
          <button type="button" onClick={start}>
            Restart the GPU
          </button>
        </section>
      )}
      {status.state === 'error' && (
        <section className="panel warning" role="alert">
          <h2>The training worker failed</h2>
          <p>{status.message}</p>
          <button type="button" onClick={start}>
            Try again
          </button>
        </section>
      )}
      {mode === 'start' && <StartScreen />}
      {mode === 'lessons' && <LessonsView />}
      {mode === 'lab' && (
        <div className="lab">
          <aside className="setup-column" aria-label="Experiment setup">
            <SetupPanels />
          </aside>
          <main className="main-column">
            <MainPanels />
          </main>
        </div>
      )}
    </div>
  );
}

/** Settings from the URL (or saved ones) that were not valid: what was ignored and what was used instead. */
function IgnoredNotice() {
  const ignored = useExperimentStore((s) => s.ignored);
  const source = useExperimentStore((s) => s.source);
  const dismiss = useExperimentStore((s) => s.dismissIgnored);
  if (ignored.length === 0) return null;
  return (
    <section className="panel notice" aria-live="polite" data-testid="ignored-settings">
      <h2>
        Some settings {source === 'url' ? 'in the link' : 'saved earlier'} were not valid and were replaced by defaults
      </h2>
      <ul>
        {ignored.map((m) => (
          <li key={m}>
            <code>{m}</code>
          </li>
        ))}
      </ul>
      <button type="button" className="secondary small" onClick={dismiss}>
        OK
      </button>
    </section>
  );
}

/** Copies the page's address, which carries the whole experiment. */
function CopyLink() {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="secondary small"
      title="The link holds every setting of this experiment"
      onClick={() => {
        navigator.clipboard?.writeText(location.href).then(
          () => {
            setCopied(true);
            setTimeout(() => setCopied(false), 1500);
          },
          () => setCopied(false),
        );
      }}
    >
      {copied ? 'Link copied' : 'Copy link to this experiment'}
    </button>
  );
}

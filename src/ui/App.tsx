// The MaskLab page: header, GPU status (ready, unavailable with guidance, or lost with a restart), and the lab.
import { useEffect } from 'react';
import { useGpuStore } from '../store/gpu';
import { GpuPanel } from './GpuPanel';
import { NoWebGpu } from './NoWebGpu';

export function App() {
  const status = useGpuStore((s) => s.status);
  const start = useGpuStore((s) => s.start);

  useEffect(() => {
    start();
  }, [start]);

  return (
    <div className="app">
      <header className="app-header">
        <h1>
          MaskLab <span className="tagline">masked modeling, trained live on your GPU</span>
        </h1>
        <p className="gpu-state" data-testid="gpu-state" data-state={status.state}>
          {status.state === 'starting' && 'Looking for a GPU…'}
          {status.state === 'ready' && `GPU ready: ${status.summary.vendor || 'adapter'} ${status.summary.architecture}`}
          {status.state === 'unavailable' && 'No WebGPU'}
          {status.state === 'lost' && 'GPU device lost'}
          {status.state === 'error' && 'Worker error'}
        </p>
      </header>
      <main>
        {status.state === 'unavailable' && <NoWebGpu kind={status.kind} message={status.message} />}
        {status.state === 'lost' && (
          <section className="panel warning" role="alert" data-testid="device-lost">
            <h2>The GPU device was lost</h2>
            <p>
              The browser took the GPU away ({status.reason}: {status.message}). This happens after a driver reset,
              a long stall or when the system sleeps. Your settings are kept; start the GPU again to carry on.
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
        {status.state === 'ready' && <GpuPanel summary={status.summary} />}
      </main>
    </div>
  );
}

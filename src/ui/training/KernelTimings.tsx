// The performance panel: throughput of the running model, the GPU memory its buffers take (the trainer's registry
// of allocations, by category), the time of each kernel in one training step (timestamp queries, grouped by kernel
// or by the model part it serves), each kernel's WGSL one click away, and the autotuner's choice per kernel role.
import { useEffect, useState } from 'react';
import { MEMORY_CATEGORIES, type GpuMemoryUsage, type MemoryCategory } from '../../engine/gpuMemory';
import type { TimeGroup } from '../../engine/profile';
import type { KernelProfile, LiveRun } from '../../session/records';
import { AutotuneTable } from './AutotuneTable';
import { fmtBytes, fmtRate } from './format';

const CATEGORY_NAMES: Record<MemoryCategory, string> = {
  parameters: 'parameters',
  gradients: 'gradients',
  moments: 'AdamW moments',
  snapshots: 'NaN-guard snapshots',
  activations: 'activations',
  staging: 'staging and readback',
  other: 'other',
};

/** The bytes the run's GPU buffers take now, from the engine's registry (not an estimate). */
function GpuMemoryLine({ memory }: { memory: GpuMemoryUsage }) {
  return (
    <p className="stats" data-testid="gpu-memory" data-bytes={memory.totalBytes}>
      <span>
        GPU memory in use: <strong>{fmtBytes(memory.totalBytes)}</strong> in {memory.buffers} buffers
      </span>
      {MEMORY_CATEGORIES.filter((c) => memory.byCategory[c] > 0).map((c) => (
        <span key={c} data-category={c}>
          {CATEGORY_NAMES[c]} {fmtBytes(memory.byCategory[c])}
        </span>
      ))}
    </p>
  );
}

/** One shader file's WGSL: the sources are a chunk of their own, fetched when a kernel's source is first asked for. */
function WgslSource({ file }: { file: string }) {
  const [shown, setShown] = useState<{ file: string; code: string }>();
  useEffect(() => {
    let current = true;
    void import('../../engine/shaderSources').then(
      ({ SHADERS }) => current && setShown({ file, code: SHADERS[file] ?? `no shaders/${file}.wgsl` }),
      (e: unknown) => current && setShown({ file, code: `The shader sources could not be loaded: ${String(e)}` }),
    );
    return () => {
      current = false;
    };
  }, [file]);
  return <pre>{shown?.file === file ? shown.code : 'Loading…'}</pre>;
}

function Rows({ groups, onSource }: { groups: TimeGroup[]; onSource?: (kernel: string) => void }) {
  const max = Math.max(...groups.map((g) => g.ms), 1e-9);
  return (
    <table className="kernel-table">
      <thead>
        <tr>
          <th scope="col">{onSource ? 'kernel (shader.entry)' : 'model part'}</th>
          <th scope="col">share</th>
          <th scope="col" className="num">
            ms
          </th>
          <th scope="col" className="num">
            dispatches
          </th>
          {onSource && <th scope="col">source</th>}
        </tr>
      </thead>
      <tbody>
        {groups.map((g) => (
          <tr key={g.key} data-kernel={g.key}>
            <th scope="row">{g.key}</th>
            <td className="bar-cell">
              <span className="case-bar" style={{ width: `${(100 * g.ms) / max}%`, background: 'var(--accent)' }} />
            </td>
            <td className="num">{g.ms.toFixed(2)}</td>
            <td className="num">{g.count}</td>
            {onSource && (
              <td>
                <button type="button" className="secondary small" onClick={() => onSource(g.key)}>
                  WGSL
                </button>
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function KernelTimings({
  run,
  profile,
  profiling,
  onMeasure,
}: {
  run: LiveRun;
  profile?: KernelProfile;
  profiling: boolean;
  onMeasure(): void;
}) {
  const [by, setBy] = useState<'kernel' | 'role'>('kernel');
  const [source, setSource] = useState<string>();
  const [file, entry] = source ? source.split('.') : [];
  return (
    <div className="perf" data-testid="kernel-timings">
      <p className="stats">
        <span>{fmtRate(run.tokensPerS)} tokens/s</span>
        <span>{run.msPerStep > 0 ? `${run.msPerStep.toFixed(1)} ms/step` : '– ms/step'}</span>
        {run.info && <span>{run.info.dispatchesPerStep} dispatches per step, one command encoder</span>}
      </p>
      {run.gpuMemory && <GpuMemoryLine memory={run.gpuMemory} />}
      {run.gpuMemory && (
        <p className="muted">
          Counted buffer by buffer as the engine creates and destroys them (training, evaluation and probe graphs,
          parameters with their gradients and moments, the snapshots the trainer keeps to recover from a non-finite
          loss, the metric rings), not estimated. The browser and the driver add their own overhead on top.
        </p>
      )}
      <div className="buttons">
        <button type="button" onClick={onMeasure} disabled={profiling} data-testid="measure-kernels">
          {profiling ? 'Measuring…' : profile ? 'Measure again' : 'Time each kernel'}
        </button>
        {profile && !profile.unavailable && (
          <label>
            Group by{' '}
            <select value={by} onChange={(e) => setBy(e.target.value as 'kernel' | 'role')}>
              <option value="kernel">kernel</option>
              <option value="role">model part</option>
            </select>
          </label>
        )}
      </div>
      {profile?.unavailable && <p className="muted">{profile.unavailable}</p>}
      {profile && !profile.unavailable && (
        <>
          <p className="muted">
            One training step at step {profile.step}: {profile.totalMs.toFixed(1)} ms over {profile.dispatches}{' '}
            dispatches, each timed in its own pass (so a little slower than in the real step; read the shares). Not
            timed: {profile.skipped.join(', ')} (running the optimizer again would change the weights).
          </p>
          <p className="muted" data-testid="kernel-variants">
            {profile.variants === 'cpu'
              ? 'Kernel variants for a CPU adapter (this WebGPU runs on the processor): matrix products read their operands straight from memory, and row reductions take one thread per row, with no workgroup memory and no barriers, since a barrier is a context switch on a CPU.'
              : 'Kernel variants for a GPU: matrix products in tiles staged through workgroup memory, a workgroup per row for the row reductions.'}
          </p>
          <Rows
            groups={by === 'kernel' ? profile.byKernel : profile.byRole}
            onSource={by === 'kernel' ? setSource : undefined}
          />
        </>
      )}
      <AutotuneTable />
      {source && file && (
        <figure className="wgsl" data-testid="wgsl-source">
          <figcaption>
            shaders/{file}.wgsl, entry point <code>{entry}</code>{' '}
            <button type="button" className="secondary small" onClick={() => setSource(undefined)}>
              Close
            </button>
          </figcaption>
          <WgslSource file={file} />
        </figure>
      )}
    </div>
  );
}

// "Test the kernels on this GPU" as the GPU panel first shows it: the heading, what the test does, the quick option
// and the button. The self-test's own code (SelfTestPanel: the store that talks to the worker, progress, the
// per-kernel report, export, the other-variant offer) is a separate chunk, loaded when the button is pressed, or at
// once when this browser keeps a report from an earlier run.
import { lazy, Suspense, useState } from 'react';
import { QUICK_MAX_SIZE } from '../engine/selftest/run';
import { SELFTEST_KEY } from '../store/selftestKey';
import type { SelfTestScope } from '../store/selftestScope';

const SelfTestPanel = lazy(() => import('./SelfTestPanel').then((m) => ({ default: m.SelfTestPanel })));

function hasKeptReport(): boolean {
  try {
    return !!globalThis.localStorage?.getItem(SELFTEST_KEY);
  } catch {
    return false;
  }
}

/** The scope choice (the launcher's and the loaded panel's). */
export function ScopeSelect({
  scope,
  onChange,
  disabled,
}: {
  scope: SelfTestScope;
  onChange(scope: SelfTestScope): void;
  disabled?: boolean;
}) {
  return (
    <label>
      Cases:{' '}
      <select
        value={scope}
        data-testid="selftest-scope"
        onChange={(e) => onChange(e.target.value as SelfTestScope)}
        disabled={disabled}
      >
        <option value="all">every case</option>
        <option value="quick">
          quick: cases up to {QUICK_MAX_SIZE.toLocaleString('en-US')} elements (every kernel family; for slow software
          adapters)
        </option>
        <option value="model">the whole model only: its 10-step training curve (every training kernel at once)</option>
      </select>
    </label>
  );
}

export function SelfTestLauncher({ fallback }: { fallback: boolean }) {
  const [scope, setScope] = useState<SelfTestScope>(fallback ? 'quick' : 'all');
  // undefined: not loaded; otherwise the scope of the run the button asked for (null: load, do not run).
  const [start, setStart] = useState<{ scope: SelfTestScope } | null | undefined>(() =>
    hasKeptReport() ? null : undefined,
  );
  const shell = (loading: boolean) => (
    <>
      <ScopeSelect scope={scope} onChange={setScope} disabled={loading} />{' '}
      <button type="button" data-testid="selftest-run" disabled={loading} onClick={() => setStart({ scope })}>
        {loading ? 'Loading the self-test…' : 'Test the kernels on this GPU'}
      </button>
    </>
  );
  return (
    <section className="selftest" aria-labelledby="selftest-title" data-testid="selftest">
      <h3 id="selftest-title">Test the kernels on this GPU</h3>
      <p>
        Runs every WGSL kernel (the variant this GPU uses and the other one) against the float64 CPU reference on the
        test suite&apos;s own shapes and tolerances, then trains a small model 10 steps against the reference. A kernel
        bug on this GPU shows here rather than as an odd loss.
      </p>
      {start === undefined ? (
        shell(false)
      ) : (
        <Suspense fallback={shell(true)}>
          <SelfTestPanel scope={start?.scope ?? scope} startNow={start !== null} />
        </Suspense>
      )}
    </section>
  );
}

// "Test the kernels on this GPU": runs the kernel self-test in the worker (the test suite's own cases and
// tolerances against the CPU reference, both kernel variants, then a 10-step training curve), shows progress and
// per-kernel results, keeps the last report, exports it as JSON, and after a failure offers the other variant.
// Loaded on demand by SelfTestLauncher (its own chunk), which owns the heading and the description.
import { useEffect, useRef, useState } from 'react';
import { describeChoice } from '../engine/autotune/tune';
import { otherVariant, type SelfTestReport } from '../engine/selftest/run';
import type { CaseResult } from '../engine/selftest/case';
import { useSelfTestStore } from '../store/selftest';
import { downloadText } from './runs/download';
import type { SelfTestScope } from '../store/selftestScope';
import { ScopeSelect } from './SelfTestLauncher';

const exp = (x: number) => (x === 0 ? '0' : x.toExponential(1));
const VARIANT_NAME = {
  cpu: 'CPU-adapter kernels (direct products, one thread per row)',
  gpu: 'GPU kernels (tiled, workgroups per row)',
};

function CaseRows({ results }: { results: readonly CaseResult[] }) {
  return (
    <table className="selftest-cases" data-testid="selftest-cases">
      <thead>
        <tr>
          <th scope="col">case</th>
          <th scope="col">variant</th>
          <th scope="col">result</th>
          <th scope="col">max error</th>
          <th scope="col">tolerance</th>
          <th scope="col">ms</th>
        </tr>
      </thead>
      <tbody>
        {results.map((r) => (
          <tr key={`${r.id}|${r.variant}`} data-pass={r.pass} title={r.kernels.join(', ')}>
            <td>{r.id}</td>
            <td>{r.variant}</td>
            <td>{r.pass ? 'pass' : 'FAIL'}</td>
            <td>{exp(r.maxAbs)}</td>
            <td>{`${exp(r.atol)}${r.rtol ? ` + ${exp(r.rtol)}·|x|` : ''}`}</td>
            <td>{r.ms.toFixed(0)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The autotuner's choices kept for this GPU, one per model shape tuned (part of the exported report). */
function AutotuneChoices({ report }: { report: SelfTestReport }) {
  const kept = report.autotune ?? [];
  return (
    <p className="muted" data-testid="selftest-autotune">
      {kept.length === 0
        ? 'No kernel tuning kept for this GPU yet (it runs before a model shape’s first run).'
        : `Kernel variants the autotuner chose on this GPU: ${kept.map(describeChoice).join('; ')}.`}
    </p>
  );
}

function Report({ report }: { report: SelfTestReport }) {
  const { chooseVariant, variant } = useSelfTestStore();
  const other = otherVariant(report);
  const failed = report.results.filter((r) => !r.pass);
  return (
    <div data-testid="selftest-report">
      <p data-testid="selftest-verdict">
        {report.pass ? 'Every kernel passed' : `${report.failedKernels.length} kernel(s) failed`}:{' '}
        {report.results.length - failed.length} of {report.results.length} runs in {(report.ms / 1000).toFixed(1)} s on{' '}
        {report.adapter.description || report.adapter.vendor} ({report.startedAt.slice(0, 16).replace('T', ' ')})
        {report.options.maxSize ? `, quick (cases up to ${report.options.maxSize} elements)` : ''}
        {report.options.filter ? `, only cases matching “${report.options.filter}”` : ''}.
      </p>
      {!report.pass && (
        <div className="selftest-failed" role="alert">
          <p>
            Failed kernels:{' '}
            <span data-testid="selftest-failed-kernels">
              {report.failedKernels.join(', ') || 'none (a case failed to run)'}
            </span>
            . A failed kernel gives wrong numbers on this GPU, so training results here are not to be trusted with it.
          </p>
          {other.passes ? (
            <button type="button" data-testid="selftest-other-variant" onClick={() => chooseVariant(other.cpu)}>
              Train on the other variant: {VARIANT_NAME[other.cpu ? 'cpu' : 'gpu']}
            </button>
          ) : (
            <p>The other kernel variant failed too (or did not run): please report it with the exported JSON.</p>
          )}
          {variant && <p data-testid="selftest-variant">The next runs train on the {VARIANT_NAME[variant]}.</p>}
        </div>
      )}
      <table className="selftest-kernels" data-testid="selftest-kernels">
        <thead>
          <tr>
            <th scope="col">kernel (shader.entry)</th>
            <th scope="col">result</th>
            <th scope="col">cases</th>
            <th scope="col">worst error / allowed</th>
            <th scope="col">ms</th>
          </tr>
        </thead>
        <tbody>
          {report.kernels.map((k) => (
            <tr key={k.kernel} data-kernel={k.kernel} data-pass={k.pass}>
              <td>{k.kernel}</td>
              <td>{k.pass ? 'pass' : `FAIL (${k.failed})`}</td>
              <td>{k.cases}</td>
              <td>{`${exp(k.maxAbs)} / ${exp(k.atol)}`}</td>
              <td>{k.ms.toFixed(0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <details>
        <summary>Every case</summary>
        <CaseRows results={report.results} />
      </details>
      <AutotuneChoices report={report} />
      <button
        type="button"
        data-testid="selftest-export"
        onClick={() =>
          downloadText(
            `masklab-selftest-${report.startedAt.slice(0, 10)}.json`,
            JSON.stringify(report, null, 1),
            'application/json',
          )
        }
      >
        Export the report (JSON)
      </button>
    </div>
  );
}

/** The controls, progress and report; `startNow`: run at once with `scope` (the launcher's button was pressed). */
export function SelfTestPanel({ scope: initialScope, startNow }: { scope: SelfTestScope; startNow: boolean }) {
  const { running, done, total, live, report, error, run } = useSelfTestStore();
  const [scope, setScope] = useState(initialScope);
  const started = useRef(false);
  useEffect(() => {
    if (startNow && !started.current) {
      started.current = true;
      run(initialScope);
    }
  }, [startNow, initialScope, run]);
  return (
    <>
      <ScopeSelect scope={scope} onChange={setScope} disabled={running} />{' '}
      <button type="button" data-testid="selftest-run" disabled={running} onClick={() => run(scope)}>
        {running ? 'Testing…' : 'Test the kernels on this GPU'}
      </button>
      {running && (
        <p data-testid="selftest-progress">
          <progress max={total || 1} value={done} /> {done} / {total || '…'}{' '}
          {live.length > 0 && `(last: ${live[live.length - 1].id})`}
        </p>
      )}
      {error && <p role="alert">{error}</p>}
      {running && live.length > 0 && <CaseRows results={live.slice(-5)} />}
      {!running && report && <Report report={report} />}
    </>
  );
}

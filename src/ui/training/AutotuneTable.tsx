// What the kernel autotuner chose for the run's model shape on this GPU: per role the chosen variant, the adapter's
// default, and each candidate's check and median time; "Tune again" on demand. While a tuning runs, AutotuneLine
// (beside the training controls) offers Skip.
import type { TuneResult } from '../../engine/autotune/tune';
import { useAutotuneStore } from '../../store/autotune';

const ROLE_NAMES: Record<string, string> = {
  matmul: 'matrix products (Linear layers)',
  attention: "attention's batched products",
  layernorm: 'LayerNorm rows',
  softmax: "attention's masked softmax",
  xent: 'fused cross-entropy',
  grad_norm: 'gradient norm',
};

function candidateText(c: TuneResult['roles'][number]['candidates'][number]): string {
  if (!c.verified) return `${c.variant}: failed its check, never chosen`;
  if (c.ms === undefined) return `${c.variant}: not timed`;
  return `${c.variant} ${c.ms < 10 ? c.ms.toFixed(2) : c.ms.toFixed(1)} ms${c.pruned ? ' (dropped after one run)' : ''}`;
}

function Summary({ r, cached }: { r: TuneResult; cached?: boolean }) {
  const when = new Date(r.startedAt).toLocaleString();
  return (
    <p className="muted">
      {cached ? `Kept from the tuning of ${when}` : `Tuned ${when}`} ({(r.ms / 1000).toFixed(1)} s, candidates timed
      with {r.method === 'timestamp-query' ? 'timestamp queries' : 'the wall clock'} on the model&apos;s own shapes
      {r.roles.some((x) => x.fraction < 1) ? ', on a share of its rows where the budget was short' : ''}). Each
      candidate first passes the self-test case of its role; the fastest is kept for this adapter and shape.
      {r.pending.length > 0 &&
        ` Not tuned yet: ${r.pending.join(', ')} (their defaults for now; the next run of this shape goes on).`}
    </p>
  );
}

export function AutotuneTable() {
  const { result, cached, error, retuning, tuneAgain } = useAutotuneStore();
  return (
    <div className="autotune" data-testid="autotune" data-started={result?.startedAt}>
      <h3>Kernel variants chosen for this GPU</h3>
      {result ? (
        <>
          <Summary r={result} cached={cached} />
          <table className="kernel-table">
            <thead>
              <tr>
                <th scope="col">role</th>
                <th scope="col">chosen</th>
                <th scope="col">default</th>
                <th scope="col">candidates (median GPU time of the role&apos;s work in a step)</th>
              </tr>
            </thead>
            <tbody>
              {result.roles.map((x) => (
                <tr key={x.role} data-role={x.role} data-chosen={x.chosen}>
                  <th scope="row">{ROLE_NAMES[x.role] ?? x.role}</th>
                  <td>
                    <strong>{x.chosen}</strong>
                    {x.note ? ` (${x.note})` : ''}
                  </td>
                  <td>{x.default}</td>
                  <td>{x.candidates.map(candidateText).join('; ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : (
        <p className="muted">No kernel tuning yet: it runs before a model shape&apos;s first run on this GPU.</p>
      )}
      {error && <p className="error">{error}</p>}
      <div className="buttons">
        <button
          type="button"
          className="secondary"
          onClick={tuneAgain}
          disabled={retuning}
          data-testid="autotune-again"
        >
          {retuning ? 'Tuning…' : 'Tune again'}
        </button>
        <span className="muted">for this model shape (pause or stop the run first); the next runs use the result.</span>
      </div>
    </div>
  );
}

/** The tuning under way, beside the training controls: what it does, and Skip. */
export function AutotuneLine() {
  const { line, skipTuning } = useAutotuneStore();
  if (!line) return null;
  return (
    <p className="muted" data-testid="autotune-progress">
      First run of this model shape on this GPU: each kernel&apos;s variants are checked against the reference and
      timed, and the fastest kept (a few seconds, once).{' '}
      <button type="button" className="secondary small" onClick={skipTuning} data-testid="autotune-skip">
        Skip
      </button>
    </p>
  );
}

// The selected saved run: what it was (scheme, model, data), its final figures, and its charts (the same
// LossChart and loss-by-case view as the live run). An interrupted run says plainly that its weights are gone.
import type { RunRecord } from '../../session/records';
import { liveFromRecord } from '../../store/runs';
import { LossByCaseView } from '../training/LossByCaseView';
import { LazyLossChart as LossChart } from '../training/LazyLossChart';
import { fmtPct, fmtRate } from '../training/format';

export function RunDetail({ run }: { run: RunRecord }) {
  const evals = [...run.evals].sort((a, b) => a.step - b.step);
  const first = evals[0];
  const last = evals[evals.length - 1];
  const c = run.config;
  return (
    <div className="run-detail" data-testid="run-detail" data-run-id={run.id}>
      <h3>{run.name}</h3>
      {run.interrupted && (
        <p className="run-notice" role="status" data-testid="run-interrupted">
          Interrupted at step {run.step} of {run.totalSteps}: its page was reloaded or closed while this run was{' '}
          {run.state === 'paused' ? 'paused' : 'training'}. Its weights lived in GPU memory and are gone, so it cannot
          be resumed. The charts show what was saved up to then. Use “Load settings” to train it again.
        </p>
      )}
      {(run.state === 'failed' || run.state === 'diverged') && run.message && !run.interrupted && (
        <p className="error">{run.message}</p>
      )}
      {run.state === 'diverged' && !run.interrupted && (
        <p className="muted" data-testid="diverged-note">
          This run diverged: its weights were rolled back, and no weights are kept for it.
        </p>
      )}
      <p className="muted">
        {c.masking.strategy}/{c.masking.objective} on {c.corpus} · {c.tokenizer.kind}
        {c.tokenizer.vocabSize !== undefined ? ` ${c.tokenizer.vocabSize}` : ''} tokenizer · model {c.model.preset}
        {run.info &&
          ` (L${run.info.model.L} C${run.info.model.C} NH${run.info.model.NH} T${run.info.model.T}, V ${run.info.V}, ${run.info.params.toLocaleString('en-US')} parameters)`}{' '}
        · batch {c.train.B} · lr {c.train.lr} · seed {c.seed} · started {new Date(run.createdAt).toLocaleString()}
        {run.tokensPerS > 0 && ` · ${fmtRate(run.tokensPerS)} tokens/s`}
      </p>
      {last && first ? (
        <p className="kpis" data-testid="run-eval-summary">
          Held-out masked loss <strong>{last.loss.toFixed(3)}</strong> (from {first.loss.toFixed(3)}) · accuracy{' '}
          <strong>{fmtPct(last.accuracy)}</strong> at step {last.step}
        </p>
      ) : (
        <p className="muted">No held-out evaluation was saved for this run.</p>
      )}
      <LossChart run={liveFromRecord(run)} />
      {run.cases && run.cases.steps > 0 && (
        <details className="subpanel">
          <summary>Loss by case</summary>
          <LossByCaseView cases={run.cases} />
        </details>
      )}
    </div>
  );
}

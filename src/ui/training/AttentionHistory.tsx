// The probe sentence's attention maps as they were at each evaluation, with a step scrubber: the maps before and
// after the model leaves the frequency plateau, side by side in time. The scrubber's position is the Train panel's,
// so the syntax view moves with it.
import type { AttentionSnapshot, ProbeView } from '../../session/records';
import type { HeadRef } from '../../session/syntax';
import { AttentionMap } from './AttentionMap';

export function AttentionHistory({
  snapshots,
  latest,
  index,
  onIndex,
  highlight,
}: {
  snapshots: readonly AttentionSnapshot[];
  latest: ProbeView;
  /** The kept evaluation shown; undefined: follow the newest as it arrives. */
  index?: number;
  onIndex(i: number | undefined): void;
  /** Heads to outline (a row of the syntax table). */
  highlight?: readonly HeadRef[];
}) {
  const setIndex = onIndex;
  if (snapshots.length === 0) return <AttentionMap probe={latest} highlight={highlight} />;
  const i = Math.min(index ?? snapshots.length - 1, snapshots.length - 1);
  const snap = snapshots[i];
  // Following the newest: the live probe (it also follows a newly typed probe sentence); otherwise the kept maps.
  const view: ProbeView = index === undefined ? latest : { ...snap, predictions: [] };
  return (
    <div data-testid="attention-history" data-snapshots={snapshots.length}>
      <label className="scrubber">
        Evaluation step{' '}
        <input
          type="range"
          min={0}
          max={snapshots.length - 1}
          step={1}
          value={i}
          onChange={(e) =>
            setIndex(Number(e.currentTarget.value) === snapshots.length - 1 ? undefined : Number(e.currentTarget.value))
          }
          aria-label="Attention at evaluation"
          data-testid="attention-scrubber"
        />{' '}
        <strong data-testid="attention-step">{view.step}</strong>
        <span className="muted">
          {' '}
          ({i + 1} of {snapshots.length} kept evaluations{index === undefined ? ', following the newest' : ''}; about{' '}
          {Math.ceil((snap.attention.length * 4) / 1024)} KB each)
        </span>
      </label>
      <AttentionMap probe={view} highlight={highlight} />
    </div>
  );
}

// The loss chart loaded on first use: recharts is the largest dependency, so the page opens without it.
import { lazy, Suspense } from 'react';
import type { LiveRun } from '../../session/records';

const LossChart = lazy(() => import('./LossChart').then((m) => ({ default: m.LossChart })));

export function LazyLossChart({ run }: { run: LiveRun }) {
  return (
    <Suspense fallback={<p className="muted">Loading charts…</p>}>
      <LossChart run={run} />
    </Suspense>
  );
}

// The performance panel's kernel timings: a training step's dispatches timed one by one in passes of their own,
// grouped by kernel and by layer role.
import { canProfile, groupProfile, profileDispatches } from '../engine/profile';
import type { KernelProfile } from './records';
import type { TrainingRun } from './run';

/**
 * Times each dispatch of `run`'s training step in its own pass. AdamW is left out: running it again would apply an
 * extra optimizer update; zeroing, forward, loss and backward only rewrite activations and gradients, which the
 * next step recomputes.
 */
export async function profileStep(
  device: GPUDevice,
  run: TrainingRun,
  step: number,
  variants: KernelProfile['variants'],
): Promise<KernelProfile> {
  const base = { step, variants };
  if (!canProfile(device)) {
    const unavailable =
      'This adapter has no timestamp queries (the timestamp-query feature), so kernels cannot be timed one by one.';
    return { ...base, totalMs: 0, byKernel: [], byRole: [], dispatches: 0, skipped: [], unavailable };
  }
  const all = run.trainer.dispatches;
  const optimizer = (d: (typeof all)[number]) => d.kernel.startsWith('adamw.');
  const p = await profileDispatches(
    device,
    all.filter((d) => !optimizer(d)),
    { repeats: 2 },
  );
  const g = groupProfile(p);
  const skipped = all.filter(optimizer).map((d) => d.label);
  return {
    ...base,
    totalMs: p.totalMs,
    byKernel: g.byKernel,
    byRole: g.byRole,
    dispatches: all.length - skipped.length,
    skipped,
  };
}

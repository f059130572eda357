// ERNIE-Gram's n-gram head trained for 10 steps on the GPU against the float64 reference (the shared curve's model,
// schedule and clipping, selftest/curve.ts), with batches whose targets are n-gram classes (>= V) and tokens.
import { describe, expect, it } from 'vitest';
import { CURVE_CFG, CURVE_TOL, curveBatch, curveInit, referenceCurve, trainCurve } from '../../selftest/curve';
import { useGpu } from '../../testing';
import type { EngineBatch } from '../../trainer';
import type { HeadConfig } from './index';

describe('ERNIE-Gram head: a 10-step training curve', () => {
  const fx = useGpu();
  const G = 7;
  const head: HeadConfig = { kind: 'ernie-gram', G };
  const V = CURVE_CFG.V;
  /** The curve's batches with every other target an n-gram class (V + g): tokens and n-grams in one softmax. */
  const batchAt = (s: number): EngineBatch => {
    const b = curveBatch(s % 2);
    return { ...b, targets: b.targets.map((t, i) => (t >= 0 && i % 2 === 0 ? V + (t % G) : t)) };
  };

  it('follows the CPU reference loss for 10 steps (AdamW, warmup + linear decay, clip 1.0)', async () => {
    expect(batchAt(0).targets.some((x) => x >= V)).toBe(true);
    const init = curveInit(head);
    const { losses } = await trainCurve(fx.kernels, init, 10, head, batchAt);
    const ref = referenceCurve(init, 10, head, batchAt);
    const worst = Math.max(...ref.map((r, i) => Math.abs(r - losses[i])));
    console.log(
      `ERNIE-Gram curve: ${ref.map((r) => r.toFixed(3)).join(' ')}; max |GPU - CPU| ${worst.toExponential(2)}`,
    );
    expect(losses).toHaveLength(10);
    expect(worst).toBeLessThan(CURVE_TOL);
    expect(ref[9]).toBeLessThan(ref[1] - 0.05);
  });
});

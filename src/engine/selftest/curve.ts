// The whole-model case of the shared list: a 10-step training curve (forward, backward, clipping, AdamW, warmup
// and decay) of a small BERT against the float64 reference. Read by trainer.gpu.test.ts and the self-test; the
// curve of another head (with batches of its own) serves that head's GPU test.
import { modelConfig } from '../config';
import { rng } from '../check';
import { bertTensors, initParams, placeTensors, VOCAB_HEAD, type HeadConfig } from '../model/params';
import { adamwStep } from '../reference/adamw';
import { mlmReference } from '../reference/model';
import { gradNorm } from '../reference/reduce';
import { learningRate, type LrSchedule } from '../schedule';
import { Trainer, type EngineBatch, type StepMetrics } from '../trainer';
import type { KernelCase } from './case';
import type { Kernels } from '../kernels';

export const CURVE_CFG = modelConfig('tiny', 41, { L: 2, C: 24, NH: 3, F: 40, T: 10 });
export const CURVE_B = 3;
const B = CURVE_B;
const P = 3; // target slots per row
export const CURVE_M = B * P;
const M = CURVE_M;
export const CURVE_SCHEDULE: LrSchedule = { lr: 3e-3, warmupSteps: 3, totalSteps: 10, decay: 'linear', minRatio: 0.1 };
/** Per-step |GPU loss - reference loss| allowed. */
export const CURVE_TOL = 2e-3;

/** A seeded batch: random ids with [CLS]/[SEP], some padding, P targets per row at random real positions. */
export function curveBatch(step: number): EngineBatch {
  const cfg = CURVE_CFG;
  const r = rng(1000 + step);
  const T = cfg.T;
  const ids = new Int32Array(B * T);
  const valid = new Int32Array(B * T);
  const positions = new Int32Array(M).fill(-1);
  const targets = new Int32Array(M).fill(-1);
  const weights = new Float32Array(M);
  let count = 0;
  for (let b = 0; b < B; b++) {
    const len = T - (b % 3);
    for (let t = 0; t < len; t++) {
      ids[b * T + t] = t === 0 ? 2 : t === len - 1 ? 3 : 5 + Math.floor(r() * (cfg.V - 5));
      valid[b * T + t] = 1;
    }
    const slots = b === 2 ? 2 : P; // one row with an empty slot
    for (let s = 0; s < slots; s++) {
      const t = 1 + s * 2 + Math.floor(r() * 2);
      positions[b * P + s] = b * T + t;
      targets[b * P + s] = ids[b * T + t];
      ids[b * T + t] = 4; // [MASK]
      count++;
    }
  }
  for (let i = 0; i < M; i++) if (positions[i] >= 0) weights[i] = 1 / count;
  return { ids, valid, positions, targets, weights };
}

/** The curve's batches: the two seeded ones in turn. */
const alternate = (s: number) => curveBatch(s % 2);

/** The reference curve: float64 model, gradient-norm clip 1.0, AdamW, the same schedule (step s: batchAt(s)). */
export function referenceCurve(
  init: Float32Array,
  steps: number,
  head: HeadConfig = VOCAB_HEAD,
  batchAt: (step: number) => EngineBatch = alternate,
): number[] {
  const cfg = CURVE_CFG;
  const layout = placeTensors(bertTensors(cfg, head));
  const p = Float64Array.from(init);
  const m = new Float64Array(p.length);
  const v = new Float64Array(p.length);
  const ref: number[] = [];
  for (let s = 0; s < steps; s++) {
    const r = mlmReference(cfg, layout, p, { B, ...batchAt(s) }, true, head);
    ref.push(r.loss);
    const g = r.grads!;
    const { scale } = gradNorm([g], 1.0);
    const hp = { lr: learningRate(CURVE_SCHEDULE, s), beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };
    for (const t of layout.tensors) {
      const sl = (a: Float64Array) => a.subarray(t.offset, t.offset + t.size);
      adamwStep(sl(p), sl(g), sl(m), sl(v), hp, s + 1, t.decay, scale);
    }
  }
  return ref;
}

export function curveInit(head: HeadConfig = VOCAB_HEAD): Float32Array {
  return initParams(placeTensors(bertTensors(CURVE_CFG, head)), 0.02, rng(21));
}

/** Trains the curve's model (with `head`) from `init` for `steps` steps on batchAt(step): its losses and weights. */
export async function trainCurve(
  k: Kernels,
  init: Float32Array,
  steps: number,
  head: HeadConfig = VOCAB_HEAD,
  batchAt: (step: number) => EngineBatch = alternate,
): Promise<{ losses: number[]; params: Float32Array }> {
  const losses: number[] = [];
  const t = new Trainer(k, CURVE_CFG, init, {
    B,
    M,
    head,
    schedule: CURVE_SCHEDULE,
    maxGradNorm: 1.0,
    onMetrics: (m: StepMetrics) => (losses[m.step] = m.loss),
  });
  for (let s = 0; s < steps; s++) t.trainStep(batchAt(s));
  await t.flush();
  const params = await t.state.read('params');
  t.destroy();
  return { losses, params };
}

export const CURVE_CASE: KernelCase = {
  id: 'whole model: 10-step training curve (AdamW, warmup + linear decay, clip 1.0)',
  family: 'model',
  size: CURVE_CFG.V * CURVE_CFG.C,
  async run(k, ck) {
    const init = curveInit();
    const { losses } = await trainCurve(k, init, 10);
    const ref = referenceCurve(init, 10);
    ck.ok(losses.length === 10, 'ten losses read back', `read back ${losses.length} losses`);
    ck.close(losses.length === 10 ? losses : new Array<number>(10).fill(NaN), ref, { atol: CURVE_TOL }, 'loss curve');
    // Two batches alternate, so ten steps are enough to see the loss fall.
    ck.ok(ref[9] < ref[1] - 0.05, 'reference loss falls', `reference ${ref[1]} -> ${ref[9]}`);
  },
};

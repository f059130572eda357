// Reduction ops (shaders/reduce.wgsl): global gradient norm + clip scale over many gradient buffers without a CPU
// round trip, and the metric sums (loss, weighted loss, accuracy counts). All deterministic: fixed-order trees.
import {
  cdiv,
  variantOf,
  words,
  type Dispatch,
  type DispatchSpec,
  type EntryOf,
  type Kernels,
  type KernelTuning,
} from '../kernels';
import { uniformLayout } from '../uniforms';

/** Layout of the grad-norm output buffer (f32): the norm for the UI and the scale AdamW multiplies into g. */
export const GRAD_NORM = { NORM: 0, SCALE: 1, FLOATS: 2 } as const;

const WG = 256;
/**
 * Threads per reduction workgroup. CPU adapters: one SIMD group of 4 (each of the tree's barriers switches between
 * a workgroup's SIMD groups there); the partial counts below do not depend on it.
 */
function reduceWidth(tuning: KernelTuning): number {
  return tuning.cpu ? 4 : WG;
}

/**
 * A gradient-norm dispatch ('partials' or 'finish') in the tuning's variant: 'workgroup' (256-thread trees), 'simd'
 * (4-thread trees: one SIMD group on a CPU adapter) or 'subgroup' (subgroup sums: one subgroup per workgroup where
 * subgroups are narrow, as SwiftShader's 4 lanes, so no barrier; 256 threads and one barrier otherwise).
 */
function gradNormSpec(
  t: KernelTuning,
  which: 'partials' | 'finish',
  rest: Pick<DispatchSpec, 'params' | 'buffers' | 'workgroups' | 'label' | 'traffic'>,
): DispatchSpec {
  const v = variantOf(t, 'grad_norm');
  if (v === 'subgroup' && t.subgroups) {
    const entry = which === 'partials' ? 'sumsq_partials_subgroup' : 'grad_norm_finish_subgroup';
    return {
      shader: 'reduce_subgroup',
      entry,
      overrides: { WG: t.subgroups.max < 32 ? t.subgroups.max : WG },
      ...rest,
    };
  }
  const entry = which === 'partials' ? 'sumsq_partials' : 'grad_norm_finish';
  return { shader: 'reduce', entry, overrides: { WG: v === 'simd' ? 4 : WG }, ...rest };
}

/** At most this many workgroups (partial sums) per gradient tensor; on GPUs each thread sums >= 4 elements. */
export const MAX_PARTIALS_PER_TENSOR = 128;

/** Partial-sum slots one tensor of n elements uses. */
export function sumSquaresGroups(n: number): number {
  return Math.max(1, Math.min(MAX_PARTIALS_PER_TENSOR, cdiv(n, WG * 4)));
}

/** Size (in f32) of the partials buffer gradNorm needs for tensors of these sizes. */
export function gradNormSlots(sizes: readonly number[]): number {
  return sizes.reduce((acc, n) => acc + sumSquaresGroups(n), 0);
}

/**
 * An f32 tensor: a whole buffer, or n elements starting at a byte offset (a multiple of the device's
 * minStorageBufferOffsetAlignment, 256 by default) inside a larger buffer, e.g. one flat parameter allocation.
 */
export type F32Span = GPUBuffer | { buffer: GPUBuffer; n: number; offset?: number };

/** The binding and element count of a span, checked against its buffer and the offset alignment. */
export function bindSpan(device: GPUDevice, span: F32Span, what: string): { binding: GPUBufferBinding; n: number } {
  const s = 'n' in span ? span : { buffer: span, n: span.size / 4, offset: 0 };
  const offset = s.offset ?? 0;
  const align = device.limits.minStorageBufferOffsetAlignment;
  if (!(Number.isInteger(s.n) && s.n >= 1))
    throw new Error(`${what}: element count must be a positive integer, got ${s.n}`);
  if (offset % align !== 0) throw new Error(`${what}: offset ${offset} is not a multiple of ${align}`);
  if (offset + s.n * 4 > s.buffer.size) {
    throw new Error(
      `${what}: buffer "${s.buffer.label}" (${s.buffer.size} bytes) does not hold ${s.n} floats at ${offset}`,
    );
  }
  return { binding: { buffer: s.buffer, offset, size: s.n * 4 }, n: s.n };
}

export interface GradNormPlan {
  /** One sum-of-squares dispatch per gradient, then the finish; encode them in this order. */
  dispatches: Dispatch[];
  /** Partial slots used (<= partials length). */
  slots: number;
  /** Changes max_norm (<= 0: clipping off, scale 1; the norm is still computed). */
  setMaxNorm(maxNorm: number): void;
}

const SUMSQ_PARAMS = uniformLayout('reduce', 'SumSqParams', [
  ['n', 'u32'],
  ['slot', 'u32'],
]);
const NORM_PARAMS = uniformLayout('reduce', 'NormParams', [
  ['count', 'u32'],
  ['max_norm', 'f32'],
]);
const REDUCE_PARAMS = uniformLayout('reduce', 'ReduceParams', [
  ['n', 'u32'],
  ['out_index', 'u32'],
  ['accumulate', 'u32'],
]);

function normParams(count: number, maxNorm: number): ArrayBuffer {
  return NORM_PARAMS.pack({ count, max_norm: maxNorm });
}

/**
 * Global L2 norm of all gradients and the clip scale min(1, maxNorm / (norm + 1e-6)), as
 * torch.nn.utils.clip_grad_norm_. Writes out[GRAD_NORM.NORM] and out[GRAD_NORM.SCALE]; AdamW reads the scale.
 * partials: f32 scratch of at least gradNormSlots(sizes) elements.
 */
export function gradNorm(
  k: Kernels,
  grads: readonly F32Span[],
  partials: GPUBuffer,
  out: GPUBuffer,
  maxNorm: number,
  label = 'grad_norm',
): GradNormPlan {
  if (grads.length === 0) throw new Error(`${label}: no gradient buffers`);
  if (out.size < GRAD_NORM.FLOATS * 4) throw new Error(`${label}: output buffer needs ${GRAD_NORM.FLOATS} floats`);
  const refs = grads.map((g, i) => bindSpan(k.device, g, `${label}: gradient ${i}`));
  const slots = gradNormSlots(refs.map((r) => r.n));
  if (partials.size < slots * 4)
    throw new Error(`${label}: partials buffer needs ${slots} floats, has ${partials.size / 4}`);
  const dispatches: Dispatch[] = [];
  let slot = 0;
  refs.forEach((r, i) => {
    const groups = sumSquaresGroups(r.n);
    dispatches.push(
      k.dispatch(
        gradNormSpec(k.tuning, 'partials', {
          params: SUMSQ_PARAMS.pack({ n: r.n, slot }),
          buffers: [r.binding, partials],
          traffic: words(r.n, groups),
          workgroups: groups,
          label: `${label}.sumsq[${i}]`,
        }),
      ),
    );
    slot += groups;
  });
  const finish = k.dispatch(
    gradNormSpec(k.tuning, 'finish', {
      params: normParams(slots, maxNorm),
      buffers: [partials, out],
      traffic: words(slots, GRAD_NORM.FLOATS),
      workgroups: 1,
      label: `${label}.finish`,
    }),
  );
  dispatches.push(finish);
  const params = finish.params;
  if (!params) throw new Error(`${label}: finish dispatch has no params buffer`);
  return { dispatches, slots, setMaxNorm: (m) => k.writeParams(params, normParams(slots, m)) };
}

/** Where a metric lands: out[index] (and out[index + 1] for counts); accumulate adds instead of overwriting. */
export interface MetricSlot {
  out: GPUBuffer;
  index: number;
  accumulate?: boolean;
}

function metric(
  k: Kernels,
  entry: EntryOf<'reduce'>,
  inputs: GPUBuffer[],
  n: number,
  slot: MetricSlot,
  width: number,
  label: string,
): Dispatch {
  if (!(Number.isInteger(n) && n >= 1)) throw new Error(`${label}: n must be a positive integer, got ${n}`);
  for (const b of inputs) {
    if (b.size < n * 4) throw new Error(`${label}: buffer "${b.label}" has ${b.size} bytes, needs ${n * 4}`);
  }
  if (slot.out.size < (slot.index + width) * 4)
    throw new Error(`${label}: output has no element ${slot.index + width - 1}`);
  return k.dispatch({
    shader: 'reduce',
    entry,
    overrides: { WG: reduceWidth(k.tuning) },
    params: REDUCE_PARAMS.pack({ n, out_index: slot.index, accumulate: slot.accumulate ?? false }),
    buffers: [...inputs, slot.out],
    traffic: words(inputs.length * n + (slot.accumulate ? width : 0), width),
    workgroups: 1,
    label,
  });
}

/** out[index] (+)= sum of x[0..n). One workgroup: meant for per-row losses and other metric-sized inputs. */
export function reduceSum(k: Kernels, x: GPUBuffer, n: number, slot: MetricSlot, label = 'reduce.sum'): Dispatch {
  return metric(k, 'sum', [x], n, slot, 1, label);
}

/** out[index] (+)= sum of x[i] * w[i]: with w = the loss weights (1/num_targets) this is the mean loss. */
export function reduceWeightedSum(
  k: Kernels,
  x: GPUBuffer,
  w: GPUBuffer,
  n: number,
  slot: MetricSlot,
  label = 'reduce.weighted_sum',
): Dispatch {
  return metric(k, 'weighted_sum', [x, w], n, slot, 1, label);
}

/** out[index] (+)= rows with target >= 0 and pred == target; out[index + 1] (+)= rows with target >= 0. */
export function countCorrect(
  k: Kernels,
  pred: GPUBuffer,
  target: GPUBuffer,
  n: number,
  slot: MetricSlot,
  label = 'reduce.count_correct',
): Dispatch {
  return metric(k, 'count_correct', [pred, target], n, slot, 2, label);
}

/** out[index] (+)= tokens with weight != 0 and pred == (label > 0.5); out[index + 1] (+)= tokens with weight != 0. */
export function countBinaryCorrect(
  k: Kernels,
  pred: GPUBuffer,
  labels: GPUBuffer,
  weights: GPUBuffer,
  n: number,
  slot: MetricSlot,
  label = 'reduce.count_binary_correct',
): Dispatch {
  return metric(k, 'count_binary_correct', [pred, labels, weights], n, slot, 2, label);
}

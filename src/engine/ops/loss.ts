// Loss ops: fused softmax cross-entropy over gathered rows (MLM vocabulary head and k-class heads), the top-k
// probe readback, and binary cross-entropy per token. Each builds a Dispatch once per shape (shaders/mlm_loss.wgsl,
// shaders/binary_loss.wgsl).
import {
  grid1d,
  subgroupRowGrid,
  variantOf,
  words,
  type Dispatch,
  type EntryOf,
  type Kernels,
  type KernelTuning,
} from '../kernels';
import { uniformLayout } from '../uniforms';

/** Where crossEntropy writes dlogits: over the logits, into a separate buffer, or nowhere (evaluation). */
export type XentGrad = 'inplace' | 'separate' | 'none';

export interface XentBuffers {
  /** (M, V) f32 logits of the gathered rows. With grad 'inplace' they are overwritten by dlogits. */
  logits: GPUBuffer;
  /** (M) i32 target ids; a row with target < 0 (or >= V) carries none: loss 0, gradient 0, argmax -1. */
  targets: GPUBuffer;
  /** (M) f32 per-row weight, e.g. 1 / num_targets: the mean reduction and any loss weight live here. */
  weights: GPUBuffer;
  /** (M) f32 out: unweighted per-row loss, lse(x) - x[target]. */
  losses: GPUBuffer;
  /** (M) i32 out: first index of the row maximum. */
  argmax: GPUBuffer;
  /** (M, V) f32 out: weight * (softmax - onehot); needed with grad 'separate' only. */
  dlogits?: GPUBuffer;
}

const XENT_PARAMS = uniformLayout('mlm_loss', 'XentParams', [
  ['M', 'u32'],
  ['V', 'u32'],
]);
const TOPK_PARAMS = uniformLayout('mlm_loss', 'TopkParams', [
  ['R', 'u32'],
  ['V', 'u32'],
  ['K', 'u32'],
]);
const BCE_PARAMS = uniformLayout('binary_loss', 'BceParams', [['N', 'u32']]);

const ENTRY: Record<XentGrad, EntryOf<'mlm_loss'>> = {
  inplace: 'xent_inplace',
  separate: 'xent_separate',
  none: 'xent_forward',
};
const SUBGROUP_ENTRY: Record<XentGrad, EntryOf<'mlm_loss_subgroup'>> = {
  inplace: 'xent_inplace_subgroup',
  separate: 'xent_separate_subgroup',
  none: 'xent_forward_subgroup',
};

/** Invocations per workgroup of the subgroup variant (rows per workgroup: this over the subgroup size). */
const SUBGROUP_WG = 64;

function requireBytes(buf: GPUBuffer, bytes: number, what: string): void {
  if (buf.size < bytes) throw new Error(`${what}: buffer "${buf.label}" has ${buf.size} bytes, needs ${bytes}`);
}

/**
 * Threads per row of the workgroup-per-row variant: a power of two near V/4, between 32 and 256 (so the 29-class
 * head does not idle 256 threads); 1 for the thread-per-row variant (CPU adapters by default: barriers are context
 * switches there; see KernelTuning). The subgroup variant's workgroups hold one row per subgroup (SUBGROUP_WG).
 */
export function xentWorkgroupSize(V: number, tuning: KernelTuning = {}): number {
  if (variantOf(tuning, 'xent') === 'thread') return 1;
  let wg = 32;
  while (wg < 256 && wg * 4 < V) wg *= 2;
  return wg;
}

/**
 * Fused forward + backward softmax cross-entropy, one workgroup per row. Serves the vocabulary head (V = vocab)
 * and the k-class heads (V = K). Rows are padded to a fixed M; padding rows have target -1.
 */
export function crossEntropy(
  k: Kernels,
  shape: { M: number; V: number },
  b: XentBuffers,
  grad: XentGrad = 'inplace',
  label = `xent.${grad}`,
): Dispatch {
  const { M, V } = shape;
  if (!(M >= 1 && V >= 1)) throw new Error(`${label}: need M >= 1 and V >= 1, got M=${M}, V=${V}`);
  requireBytes(b.logits, M * V * 4, label);
  for (const buf of [b.targets, b.weights, b.losses, b.argmax]) requireBytes(buf, M * 4, label);
  const buffers = [b.logits, b.targets, b.weights, b.losses, b.argmax];
  if (grad === 'separate') {
    if (!b.dlogits) throw new Error(`${label}: grad 'separate' needs a dlogits buffer`);
    if (b.dlogits === b.logits) throw new Error(`${label}: dlogits must differ from logits; use grad 'inplace'`);
    requireBytes(b.dlogits, M * V * 4, label);
    buffers.push(b.dlogits);
  }
  const common = {
    params: XENT_PARAMS.pack({ M, V }),
    buffers,
    // Logits, targets and weights read; losses and argmax written, and (M, V) gradients unless forward only.
    traffic: words(M * V + 2 * M, 2 * M + (grad === 'none' ? 0 : M * V)),
    label,
  };
  if (variantOf(k.tuning, 'xent') === 'subgroup') {
    return k.dispatch({
      shader: 'mlm_loss_subgroup',
      entry: SUBGROUP_ENTRY[grad],
      overrides: { WG: SUBGROUP_WG },
      workgroups: subgroupRowGrid(k, M, SUBGROUP_WG),
      ...common,
    });
  }
  return k.dispatch({
    shader: 'mlm_loss',
    entry: ENTRY[grad],
    overrides: { WG: xentWorkgroupSize(V, k.tuning) },
    workgroups: grid1d(M, 1, k.device.limits.maxComputeWorkgroupsPerDimension),
    ...common,
  });
}

export interface TopKBuffers {
  /** (M, V) f32 logits; encode the probe before an in-place crossEntropy overwrites them. */
  logits: GPUBuffer;
  /** (R) i32 row indices into logits (probe sentence positions); a row < 0 yields ids -1. */
  rows: GPUBuffer;
  /** (R, K) i32 out: ids by decreasing probability (ties: lower id first); -1 past V. */
  ids: GPUBuffer;
  /** (R, K) f32 out: softmax probabilities of those ids. */
  probs: GPUBuffer;
}

/** Top-K ids and probabilities of R of the M rows (the prediction probe); one workgroup per probe row. */
export function topK(
  k: Kernels,
  shape: { M: number; V: number; R: number; K: number },
  b: TopKBuffers,
  label = 'xent.topk',
): Dispatch {
  const { R, V, K } = shape;
  if (!(R >= 1 && V >= 1 && K >= 1 && K <= 64)) throw new Error(`${label}: need R, V >= 1 and 1 <= K <= 64`);
  requireBytes(b.logits, shape.M * V * 4, label);
  requireBytes(b.rows, R * 4, label);
  requireBytes(b.ids, R * K * 4, label);
  requireBytes(b.probs, R * K * 4, label);
  return k.dispatch({
    shader: 'mlm_loss',
    entry: 'topk',
    overrides: { WG: xentWorkgroupSize(V, k.tuning) },
    params: TOPK_PARAMS.pack({ R, V, K }),
    buffers: [b.logits, b.rows, b.ids, b.probs],
    traffic: words(R * V + R, 2 * R * K),
    workgroups: R,
    label,
  });
}

export interface BceBuffers {
  /** (N) f32 logits, one per token. */
  logits: GPUBuffer;
  /** (N) f32 labels in {0, 1}. */
  labels: GPUBuffer;
  /** (N) f32 weights; 0 for padding (loss and gradient 0 there). */
  weights: GPUBuffer;
  /** (N) f32 out: unweighted loss per token. */
  losses: GPUBuffer;
  /** (N) f32 out: weight * (sigmoid(x) - y) (overwrites). */
  dlogits: GPUBuffer;
  /** (N) i32 out: 1 where x > 0, else 0. */
  preds: GPUBuffer;
}

/** Binary (sigmoid) cross-entropy per token: loss, gradient and prediction in one pass. */
export function binaryCrossEntropy(k: Kernels, N: number, b: BceBuffers, label = 'bce'): Dispatch {
  if (!(N >= 1)) throw new Error(`${label}: need N >= 1, got ${N}`);
  for (const buf of [b.logits, b.labels, b.weights, b.losses, b.dlogits, b.preds]) requireBytes(buf, N * 4, label);
  return k.dispatch({
    shader: 'binary_loss',
    entry: 'bce',
    params: BCE_PARAMS.pack({ N }),
    buffers: [b.logits, b.labels, b.weights, b.losses, b.dlogits, b.preds],
    traffic: words(3 * N, 3 * N),
    workgroups: grid1d(N, 256, k.device.limits.maxComputeWorkgroupsPerDimension),
    label,
  });
}

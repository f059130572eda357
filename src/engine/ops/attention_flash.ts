// Fused attention op (shaders/attention_flash.wgsl): the same forward and backward as attention.ts with memory
// linear in T, saving per-row softmax statistics instead of the (B, NH, T, T) probabilities.
import { grid1d, type Dispatch, type Kernels } from '../kernels';
import { checkLimit } from '../limits';
import { attentionSizes, checkAttentionShape, type AttentionShape } from './attention';

/** Largest head size the fused kernels take (registers and workgroup memory are sized for it). */
export const FLASH_MAX_HEAD_SIZE = 64;
/** Queries (forward, dQ) or keys (dK, dV) per workgroup. */
const ROWS = 16;

export interface FlashForwardArgs extends AttentionShape {
  /** (B*T, 3C) rows [Q | K | V]. */
  qkv: GPUBuffer;
  /** (B*T) i32: 1 real token, 0 padding. */
  valid: GPUBuffer;
  /** (B*T, C) output, overwritten; backward reads it again. */
  out: GPUBuffer;
  /** (B, NH, T, 2) f32 per-row max logit and 1 / sum of exponentials, overwritten; kept for backward. */
  stats: GPUBuffer;
  causal: boolean;
}

export interface FlashBackwardArgs extends AttentionShape {
  qkv: GPUBuffer;
  valid: GPUBuffer;
  /** The forward's out and stats, unchanged since. */
  out: GPUBuffer;
  stats: GPUBuffer;
  /** (B*T, C) gradient with respect to out. */
  dout: GPUBuffer;
  /** (B*T, 3C) gradient with respect to qkv, overwritten. */
  dqkv: GPUBuffer;
  /** Scratch of flashAttentionSizes(shape).delta bytes: rowsum(dout * out) per (b, h, i). */
  delta: GPUBuffer;
  causal: boolean;
}

/** Byte sizes of the buffers the fused op adds (stats kept from forward to backward, delta scratch). */
export function flashAttentionSizes(s: AttentionShape): { stats: number; delta: number } {
  return { stats: s.B * s.NH * s.T * 2 * 4, delta: s.B * s.NH * s.T * 4 };
}

function check(k: Kernels, s: AttentionShape, bufs: Record<string, GPUBuffer>): void {
  checkAttentionShape(k.device, s, false);
  const HS = s.C / s.NH;
  if (HS > FLASH_MAX_HEAD_SIZE) {
    throw new Error(`fused attention: head size C/NH = ${HS} is over ${FLASH_MAX_HEAD_SIZE}; use attentionForward/Backward`);
  }
  // Q, K, V, dO rows staged in workgroup memory (at most 16 + 16 + 8 + 8 rows of HS + 1 floats).
  checkLimit(k.device, 'maxComputeWorkgroupStorageSize', 4 * (48 * (HS + 1) + 2 * 8 * 16 + 3 * 8), 'fused attention workgroup memory');
  const sizes = { ...attentionSizes(s), ...flashAttentionSizes(s) } as Record<string, number>;
  for (const [name, buf] of Object.entries(bufs)) {
    if (buf.size < sizes[name]) {
      throw new Error(`fused attention: buffer ${name} has ${buf.size} bytes, needs ${sizes[name]} for B=${s.B} T=${s.T} C=${s.C} NH=${s.NH}`);
    }
  }
}

function params(s: AttentionShape, causal: boolean): ArrayBuffer {
  const buf = new ArrayBuffer(6 * 4);
  const u = new Uint32Array(buf);
  u.set([s.T, s.C, s.NH, causal ? 1 : 0]);
  new Float32Array(buf, 16, 1)[0] = 1 / Math.sqrt(s.C / s.NH);
  u[5] = s.B * s.NH * s.T;
  return buf;
}

/** One dispatch: out and stats from qkv. */
export function flashAttentionForward(k: Kernels, a: FlashForwardArgs): Dispatch[] {
  check(k, a, { qkv: a.qkv, valid: a.valid, out: a.out, stats: a.stats });
  return [
    k.dispatch({
      shader: 'attention_flash',
      entry: 'flash_forward',
      overrides: { HS: a.C / a.NH },
      params: params(a, a.causal),
      buffers: [a.qkv, a.valid, a.out, a.stats],
      workgroups: [Math.ceil(a.T / ROWS), a.B * a.NH],
      label: 'attention.flash_forward',
    }),
  ];
}

/** Three dispatches: delta = rowsum(dout * out), then dK and dV, then dQ, into dqkv (overwritten). */
export function flashAttentionBackward(k: Kernels, a: FlashBackwardArgs): Dispatch[] {
  check(k, a, { qkv: a.qkv, valid: a.valid, out: a.out, stats: a.stats, dout: a.dout, dqkv: a.dqkv, delta: a.delta });
  const common = { shader: 'attention_flash', overrides: { HS: a.C / a.NH }, params: params(a, a.causal) };
  const tiles: [number, number] = [Math.ceil(a.T / ROWS), a.B * a.NH];
  const grads = [a.qkv, a.valid, a.dout, a.stats, a.delta, a.dqkv];
  return [
    k.dispatch({
      ...common,
      entry: 'flash_delta',
      buffers: [a.out, a.dout, a.delta],
      workgroups: grid1d(a.B * a.NH * a.T, 64, k.device.limits.maxComputeWorkgroupsPerDimension),
      label: 'attention.flash_delta',
    }),
    k.dispatch({ ...common, entry: 'flash_backward_kv', buffers: grads, workgroups: tiles, label: 'attention.flash_backward_kv' }),
    k.dispatch({ ...common, entry: 'flash_backward_q', buffers: grads, workgroups: tiles, label: 'attention.flash_backward_q' }),
  ];
}

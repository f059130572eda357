// Row gather/scatter ops (shaders/gather.wgsl): pick the (M, C) rows of an (N, C) tensor named by an i32 index
// (-1 or out of range -> zero row), and the backward scatter dst[index[m]] (+)= src[m] for unique indices.
import { grid1d, words, type Dispatch, type Kernels } from '../kernels';
import { uniformLayout } from '../uniforms';
import { checkBuffer, checkDims, type Buf } from './shapecheck';

const WG = 256;

export interface GatherShape {
  /** Rows picked (length of index). */
  M: number;
  /** Rows of the full tensor. */
  N: number;
  /** Channels. */
  C: number;
}

const GATHER_PARAMS = uniformLayout('gather', 'Params', [
  ['M', 'u32'],
  ['N', 'u32'],
  ['C', 'u32'],
  ['accumulate', 'u32'],
]);

function params(s: GatherShape, accumulate: boolean): ArrayBuffer {
  return GATHER_PARAMS.pack({ M: s.M, N: s.N, C: s.C, accumulate });
}

function check(op: string, s: GatherShape, index: Buf, small: [string, Buf], full: [string, Buf]): void {
  checkDims(op, { M: s.M, N: s.N, C: s.C });
  checkBuffer(op, 'index', index, s.M, `(M) = (${s.M})`);
  checkBuffer(op, small[0], small[1], s.M * s.C, `(M, C) = (${s.M}, ${s.C})`);
  checkBuffer(op, full[0], full[1], s.N * s.C, `(N, C) = (${s.N}, ${s.C})`);
}

/** out[m, :] = src[index[m], :]; a zero row where index[m] is -1 or outside [0, N). */
export function gatherRows(
  k: Kernels,
  b: { index: Buf; src: Buf; out: Buf },
  s: GatherShape,
  label = 'gather',
): Dispatch {
  check('gatherRows', s, b.index, ['out', b.out], ['src', b.src]);
  return k.dispatch({
    shader: 'gather',
    entry: 'gather',
    params: params(s, false),
    buffers: [b.index, b.src, b.out],
    // The index and the M rows it picks.
    traffic: words(s.M + s.M * s.C, s.M * s.C),
    workgroups: grid1d(s.M * s.C, WG, k.device.limits.maxComputeWorkgroupsPerDimension),
    label,
  });
}

/**
 * Backward of gatherRows: dst[index[m], :] = src[m, :] (or += with `accumulate`), skipping -1/out-of-range indices.
 * Indices must be unique within the call (duplicates would race). Rows of dst no index names are not written:
 * zero dst first (fill) when it should hold only these rows.
 */
export function scatterRows(
  k: Kernels,
  b: { index: Buf; src: Buf; dst: Buf },
  s: GatherShape & { accumulate?: boolean },
  label = 'scatter',
): Dispatch {
  check('scatterRows', s, b.index, ['src', b.src], ['dst', b.dst]);
  return k.dispatch({
    shader: 'gather',
    entry: 'scatter',
    params: params(s, s.accumulate ?? false),
    buffers: [b.index, b.src, b.dst],
    traffic: words(s.M + s.M * s.C * (s.accumulate ? 2 : 1), s.M * s.C),
    workgroups: grid1d(s.M * s.C, WG, k.device.limits.maxComputeWorkgroupsPerDimension),
    label,
  });
}

/**
 * Groups the slots of an index by destination row (CSR), for scatterAddCsr: offsets (N+1) and order (M, slots
 * sorted by destination, ascending within a destination; entries past offsets[N] are unused). Slots whose index
 * is -1 or outside [0, N) are left out. Writes into `out` when given (no allocation per batch).
 */
export function csrOf(
  index: ArrayLike<number>,
  N: number,
  out?: { offsets: Int32Array; order: Int32Array },
): { offsets: Int32Array; order: Int32Array } {
  const M = index.length;
  const offsets = out?.offsets ?? new Int32Array(N + 1);
  const order = out?.order ?? new Int32Array(Math.max(1, M));
  offsets.fill(0);
  for (let m = 0; m < M; m++) {
    const r = index[m];
    if (r >= 0 && r < N) offsets[r + 1]++;
  }
  for (let n = 0; n < N; n++) offsets[n + 1] += offsets[n];
  // Fill each group from its end, then walk the slots backwards: ascending order within a group, and offsets[r]
  // (moved down by one per slot) ends where it started, so no cursor array is needed.
  for (let n = 0; n < N; n++) offsets[n] = offsets[n + 1];
  for (let m = M - 1; m >= 0; m--) {
    const r = index[m];
    if (r >= 0 && r < N) order[--offsets[r]] = m;
  }
  return { offsets, order };
}

/**
 * dst[n, :] += the sum of src[m, :] over the slots whose index is n, with repeated indices allowed (see
 * shaders/gather.wgsl scatter_add_csr); `order` and `offsets` come from csrOf(index, N).
 */
export function scatterAddCsr(
  k: Kernels,
  b: { order: Buf; offsets: Buf; src: Buf; dst: Buf },
  s: GatherShape,
  label = 'scatter_add',
): Dispatch {
  check('scatterAddCsr', s, b.order, ['src', b.src], ['dst', b.dst]);
  checkBuffer('scatterAddCsr', 'offsets', b.offsets, s.N + 1, `(N + 1) = (${s.N + 1})`);
  return k.dispatch({
    shader: 'gather',
    entry: 'scatter_add_csr',
    params: params(s, true),
    buffers: [b.order, b.offsets, b.src, b.dst],
    // At most min(M, N) rows of dst have slots: each read and written once.
    traffic: words(s.M + s.N + 1 + s.M * s.C + Math.min(s.M, s.N) * s.C, Math.min(s.M, s.N) * s.C),
    workgroups: grid1d(s.N * s.C, WG, k.device.limits.maxComputeWorkgroupsPerDimension),
    label,
  });
}

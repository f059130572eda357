// Embedding op (shaders/embedding.wgsl): out = wte[ids] + wtt[0] + wpe[t] over (B, T, C), and a deterministic
// backward (dwte, dwpe, dwtt +=) that groups positions by id on the GPU with a stable radix sort, no float atomics.
//
// dwte design, N = B*T rows: (1) stable LSD radix sort of (id, position) pairs, 8 bits per pass, ceil(log2(V+1)/8)
// passes (2 for V <= 65535), each a per-block digit histogram (workgroup integer atomics), one-workgroup scan and a
// stable scatter: O(N) work, ids never leave the GPU. (2) each sorted row finds its run of equal ids by binary
// search. (3) runs are cut into pieces of S rows (S ~ sqrt(N), 128 at N = 16K); pieces after the first are summed
// in parallel into a (ceil(N/S), C) scratch, then the run's first row sums its piece plus the others, in order,
// into dwte[id]. One thread per (row, channel); at most S + N/S serial adds per thread, whatever the id counts.
// Out-of-range ids sort to a sentinel key V and are skipped. Where the CPU holds the ids (every graph but ELECTRA's
// discriminator, whose ids the sampler writes on the GPU), it sorts them itself (sortIds, writeSortedIds: the
// id_sort fusion) and the backward skips (1) and (2): seven dispatches fewer, two of them one-workgroup scans.
import { cdiv, grid1d, words, type Dispatch, type Kernels } from '../kernels';
import { uniformLayout } from '../uniforms';
import { createStorage } from '../buffers';
import { checkBuffer, checkDims, nextPow2, type Buf } from './shapecheck';

export interface EmbeddingShape {
  B: number;
  T: number;
  C: number;
  /** Vocabulary size: ids outside [0, V) are skipped (no token row, no wte gradient). */
  V: number;
}

export interface EmbeddingBackwardShape extends EmbeddingShape {
  /** Rows per piece of a run of equal ids (default: a power of two near sqrt(B*T), at least 8). */
  piece?: number;
}

const WG = 256;
const TC = 64;
const TR = 4;
const RADIX = 256;

/**
 * GPU scratch for the backward, made once per shape (createEmbeddingScratch). keys/vals: the ping-pong buffers
 * of the sort, (B*T) u32 each; hist: (256, ceil(B*T/256)) u32; seg: (B*T, 2) u32; pieces: (ceil(B*T/piece), C)
 * f32; possum: (T, C) f32.
 */
export interface EmbeddingScratch {
  keysA: Buf;
  valsA: Buf;
  keysB: Buf;
  valsB: Buf;
  hist: Buf;
  seg: Buf;
  pieces: Buf;
  possum: Buf;
}

function piece(s: EmbeddingBackwardShape): number {
  const n = s.piece ?? Math.max(8, nextPow2(Math.ceil(Math.sqrt(s.B * s.T))));
  checkDims('embeddingBackward', { piece: n });
  return n;
}

/**
 * What the sort and run kernels leave in keysA, valsA and seg, computed on the CPU: the (id, position) pairs of
 * `ids` sorted stably by id (ids outside [0, V) as V, last), and each sorted row's run of equal keys [start, end).
 * `out` (from sortedIdsArrays) is overwritten; nothing is allocated.
 */
export function sortIds(ids: ArrayLike<number>, V: number, out: SortedIds): void {
  const N = ids.length;
  const { keys, vals, seg, counts } = out;
  if (keys.length < N || seg.length < 2 * N || counts.length < V + 2)
    throw new Error(`sortIds: arrays for ${out.keys.length} ids over ${counts.length - 2} ids, got ${N} over ${V}`);
  counts.fill(0, 0, V + 2);
  const key = (i: number) => {
    const id = ids[i];
    return id >= 0 && id < V ? id : V;
  };
  for (let i = 0; i < N; i++) counts[key(i) + 1]++;
  for (let v = 0; v <= V; v++) counts[v + 1] += counts[v];
  for (let i = 0; i < N; i++) {
    const kk = key(i);
    const at = counts[kk]++;
    keys[at] = kk;
    vals[at] = i;
  }
  for (let start = 0; start < N;) {
    let end = start + 1;
    while (end < N && keys[end] === keys[start]) end++;
    for (let i = start; i < end; i++) {
      seg[2 * i] = start;
      seg[2 * i + 1] = end;
    }
    start = end;
  }
}

/** sortIds's arrays for N = B*T ids over a vocabulary of V. */
export interface SortedIds {
  keys: Uint32Array;
  vals: Uint32Array;
  seg: Uint32Array;
  counts: Uint32Array;
}

export function sortedIdsArrays(N: number, V: number): SortedIds {
  return {
    keys: new Uint32Array(N),
    vals: new Uint32Array(N),
    seg: new Uint32Array(2 * N),
    counts: new Uint32Array(V + 2),
  };
}

/** Sorts ids on the CPU (sortIds) into the scratch an embeddingBackward built with `presorted` reads. */
export function writeSortedIds(
  device: GPUDevice,
  sc: EmbeddingScratch,
  ids: ArrayLike<number>,
  V: number,
  cpu: SortedIds,
): void {
  sortIds(ids, V, cpu);
  const N = ids.length;
  const q = device.queue;
  const write = (b: Buf, data: Uint32Array, n: number) =>
    'buffer' in b ? q.writeBuffer(b.buffer, b.offset ?? 0, data, 0, n) : q.writeBuffer(b, 0, data, 0, n);
  write(sc.keysA, cpu.keys, N);
  write(sc.valsA, cpu.vals, N);
  write(sc.seg, cpu.seg, 2 * N);
}

/** Element counts (4 bytes each) of every scratch buffer. */
export function embeddingScratchSizes(s: EmbeddingBackwardShape): Record<keyof EmbeddingScratch, number> {
  const N = s.B * s.T;
  return {
    keysA: N,
    valsA: N,
    keysB: N,
    valsB: N,
    hist: RADIX * cdiv(N, RADIX),
    seg: 2 * N,
    pieces: cdiv(N, piece(s)) * s.C,
    possum: s.T * s.C,
  };
}

export function createEmbeddingScratch(
  device: GPUDevice,
  s: EmbeddingBackwardShape,
  label = 'embedding.scratch',
): EmbeddingScratch {
  checkDims('createEmbeddingScratch', { B: s.B, T: s.T, C: s.C, V: s.V });
  const sizes = embeddingScratchSizes(s);
  const make = (name: keyof EmbeddingScratch): GPUBuffer => createStorage(device, sizes[name] * 4, `${label}.${name}`);
  return {
    keysA: make('keysA'),
    valsA: make('valsA'),
    keysB: make('keysB'),
    valsB: make('valsB'),
    hist: make('hist'),
    seg: make('seg'),
    pieces: make('pieces'),
    possum: make('possum'),
  };
}

/** 8-bit radix passes needed for keys in [0, V] (V marks skipped ids). */
export function sortPasses(V: number): number {
  const bits = Math.max(1, Math.ceil(Math.log2(V + 1)));
  return Math.ceil(bits / 8);
}

const PARAMS = uniformLayout('embedding', 'Params', [
  ['B', 'u32'],
  ['T', 'u32'],
  ['C', 'u32'],
  ['V', 'u32'],
  ['N', 'u32'],
  ['shift', 'u32'],
  ['first', 'u32'],
  ['blocks', 'u32'],
  ['piece', 'u32'],
]);

function params(s: EmbeddingShape, o: { shift?: number; first?: boolean; piece?: number } = {}): ArrayBuffer {
  const N = s.B * s.T;
  const { B, T, C, V } = s;
  return PARAMS.pack({
    B,
    T,
    C,
    V,
    N,
    shift: o.shift ?? 0,
    first: o.first ?? false,
    blocks: cdiv(N, RADIX),
    piece: o.piece ?? 0,
  });
}

function checkShape(op: string, s: EmbeddingShape, ids: Buf, d: [string, Buf]): void {
  checkDims(op, { B: s.B, T: s.T, C: s.C, V: s.V });
  if (s.V >= 2 ** 31) throw new RangeError(`${op}: V = ${s.V} does not fit an i32 id`);
  checkBuffer(op, 'ids', ids, s.B * s.T, `(B, T) = (${s.B}, ${s.T}) i32`);
  checkBuffer(op, d[0], d[1], s.B * s.T * s.C, `(B, T, C) = (${s.B}, ${s.T}, ${s.C})`);
}

/** out[b, t, :] = wte[ids[b, t], :] + wtt[0, :] + wpe[t, :]. wpe may have more rows than T, wtt more than one. */
export function embeddingForward(
  k: Kernels,
  b: { ids: Buf; wte: Buf; wpe: Buf; wtt: Buf; out: Buf },
  s: EmbeddingShape,
  label = 'embedding.forward',
): Dispatch {
  const op = 'embeddingForward';
  checkShape(op, s, b.ids, ['out', b.out]);
  checkBuffer(op, 'wte', b.wte, s.V * s.C, `(V, C) = (${s.V}, ${s.C})`);
  checkBuffer(op, 'wpe', b.wpe, s.T * s.C, `(>= T, C) = (${s.T}, ${s.C})`);
  checkBuffer(op, 'wtt', b.wtt, s.C, `(>= 1, C) = (1, ${s.C})`);
  return k.dispatch({
    shader: 'embedding',
    entry: 'forward',
    params: params(s),
    buffers: [b.ids, b.wte, b.wpe, b.wtt, b.out],
    // The ids, one wte row per token, T rows of wpe and one of wtt.
    traffic: words(s.B * s.T * (1 + s.C) + (s.T + 1) * s.C, s.B * s.T * s.C),
    workgroups: grid1d(s.B * s.T * s.C, WG, k.device.limits.maxComputeWorkgroupsPerDimension),
    label,
  });
}

/**
 * Backward, in order: the radix sort of positions by id (3 dispatches per 8-bit digit of V), run boundaries,
 * dwte pieces and reduce, dwpe, dwtt. dwte, dwpe and dwtt (row 0) accumulate (+=). Bitwise deterministic for any
 * ids, repeated or not. The sort reads only `ids`, so it can run as soon as they are final. `presorted`: the sort
 * and the runs come from the CPU (writeSortedIds before each submit), so neither is dispatched here.
 */
export function embeddingBackward(
  k: Kernels,
  b: { ids: Buf; dout: Buf; dwte: Buf; dwpe: Buf; dwtt: Buf; scratch: EmbeddingScratch },
  s: EmbeddingBackwardShape,
  label = 'embedding.backward',
  presorted = false,
): Dispatch[] {
  const op = 'embeddingBackward';
  checkShape(op, s, b.ids, ['dout', b.dout]);
  checkBuffer(op, 'dwte', b.dwte, s.V * s.C, `(V, C) = (${s.V}, ${s.C})`);
  checkBuffer(op, 'dwpe', b.dwpe, s.T * s.C, `(>= T, C) = (${s.T}, ${s.C})`);
  checkBuffer(op, 'dwtt', b.dwtt, s.C, `(>= 1, C) = (1, ${s.C})`);
  const sizes = embeddingScratchSizes(s);
  for (const [name, count] of Object.entries(sizes) as [keyof EmbeddingScratch, number][]) {
    checkBuffer(op, `scratch.${name}`, b.scratch[name], count, `(${count})`);
  }
  const N = s.B * s.T;
  const blocks = cdiv(N, RADIX);
  const S = piece(s);
  const sc = b.scratch;
  const maxDim = k.device.limits.maxComputeWorkgroupsPerDimension;
  const out: Dispatch[] = [];
  const hist = RADIX * blocks;
  // Ping-pong: pass 0 reads the ids and writes A; later passes alternate A -> B -> A.
  const bufs = [
    { keys: sc.keysA, vals: sc.valsA },
    { keys: sc.keysB, vals: sc.valsB },
  ];
  const passes = presorted ? 1 : sortPasses(s.V);
  for (let pass = 0; pass < passes && !presorted; pass++) {
    const first = pass === 0;
    const src = first ? { keys: b.ids, vals: sc.valsB } : bufs[(pass + 1) % 2];
    const dst = bufs[pass % 2];
    const p = params(s, { shift: 8 * pass, first });
    const l = `${label}.sort${pass}`;
    out.push(
      k.dispatch({
        shader: 'embedding',
        entry: 'sort_histogram',
        params: p,
        buffers: [src.keys, sc.hist],
        traffic: words(N, hist),
        workgroups: blocks,
        label: `${l}.histogram`,
      }),
      k.dispatch({
        shader: 'embedding',
        entry: 'sort_scan',
        params: p,
        buffers: [sc.hist],
        traffic: words(hist, hist),
        workgroups: 1,
        label: `${l}.scan`,
      }),
      k.dispatch({
        shader: 'embedding',
        entry: 'sort_scatter',
        params: p,
        buffers: [src.keys, src.vals, sc.hist, dst.keys, dst.vals],
        traffic: words((first ? 1 : 2) * N + hist, 2 * N),
        workgroups: blocks,
        label: `${l}.scatter`,
      }),
    );
  }
  const sorted = bufs[(passes - 1) % 2];
  const p = params(s, { piece: S });
  const rowsGrid: [number, number] = [cdiv(s.C, TC), cdiv(N, TR)];
  const pieceRows = cdiv(N, S) * s.C;
  // Rows of dwte a batch can touch: one per distinct id.
  const touched = Math.min(N, s.V) * s.C;
  if (!presorted)
    out.push(
      k.dispatch({
        shader: 'embedding',
        entry: 'backward_segments',
        params: p,
        buffers: [sorted.keys, sc.seg],
        traffic: words(N, 2 * N),
        workgroups: grid1d(N, WG, maxDim),
        label: `${label}.segments`,
      }),
    );
  out.push(
    k.dispatch({
      shader: 'embedding',
      entry: 'backward_wte_pieces',
      overrides: { TC, TR },
      params: p,
      buffers: [b.dout, sorted.keys, sorted.vals, sc.seg, sc.pieces],
      // Keys and runs; the rows of long runs are counted under wte_reduce, which reads dout once in all.
      traffic: words(3 * N, pieceRows),
      workgroups: rowsGrid,
      label: `${label}.wte_pieces`,
    }),
    k.dispatch({
      shader: 'embedding',
      entry: 'backward_wte_reduce',
      overrides: { TC, TR },
      params: p,
      buffers: [b.dout, sorted.keys, sorted.vals, sc.seg, sc.pieces, b.dwte],
      traffic: words(N * s.C + 4 * N + pieceRows + touched, touched),
      workgroups: rowsGrid,
      label: `${label}.wte_reduce`,
    }),
    k.dispatch({
      shader: 'embedding',
      entry: 'backward_wpe',
      params: p,
      buffers: [b.dout, b.dwpe, sc.possum],
      traffic: words(N * s.C + s.T * s.C, 2 * s.T * s.C),
      workgroups: grid1d(s.T * s.C, WG, maxDim),
      label: `${label}.wpe`,
    }),
    k.dispatch({
      shader: 'embedding',
      entry: 'backward_wtt',
      params: p,
      buffers: [sc.possum, b.dwtt],
      traffic: words((s.T + 1) * s.C, s.C),
      workgroups: grid1d(s.C, WG, maxDim),
      label: `${label}.wtt`,
    }),
  );
  return out;
}

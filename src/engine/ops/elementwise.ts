// Elementwise ops (shaders/elementwise.wgsl): residual add, scaled in-place add, scale, bias add over the last dim,
// and the bias gradient (dbias += column sums, deterministic two passes over a caller-provided scratch buffer).
import { cdiv, grid1d, words, type Dispatch, type EntryOf, type Kernels, type Traffic } from '../kernels';
import { uniformLayout } from '../uniforms';
import { checkBuffer, checkDims, nextPow2, type Buf } from './shapecheck';

const WG = 256;
const TC = 64;
const TR = 4;

interface P {
  n: number;
  C?: number;
  s?: number;
  N?: number;
  rowsPerChunk?: number;
  chunks?: number;
}

const PARAMS = uniformLayout('elementwise', 'Params', [
  ['n', 'u32'],
  ['C', 'u32'],
  ['s', 'f32'],
  ['N', 'u32'],
  ['rows_per_chunk', 'u32'],
  ['chunks', 'u32'],
]);

function params(p: P): ArrayBuffer {
  return PARAMS.pack({
    n: p.n,
    C: p.C ?? 0,
    s: p.s ?? 1,
    N: p.N ?? 0,
    rows_per_chunk: p.rowsPerChunk ?? 0,
    chunks: p.chunks ?? 0,
  });
}

function flat(
  k: Kernels,
  entry: EntryOf<'elementwise'>,
  p: P,
  buffers: Buf[],
  traffic: Traffic,
  label: string,
): Dispatch {
  return k.dispatch({
    shader: 'elementwise',
    entry,
    params: params(p),
    buffers,
    traffic,
    workgroups: grid1d(p.n, WG, k.device.limits.maxComputeWorkgroupsPerDimension),
    label,
  });
}

function checkScale(op: string, s: number): void {
  if (!Number.isFinite(s)) throw new RangeError(`${op}: scale must be finite, got ${s}`);
}

/** out = a + b over n elements (the residual connection). out may not alias a or b. */
export function add(k: Kernels, b: { a: Buf; b: Buf; out: Buf }, n: number, label = 'add'): Dispatch {
  checkDims('add', { n });
  for (const [name, buf] of [
    ['a', b.a],
    ['b', b.b],
    ['out', b.out],
  ] as const)
    checkBuffer('add', name, buf, n, `(${n})`);
  return flat(k, 'add', { n }, [b.a, b.b, b.out], words(2 * n, n), label);
}

/** out += s * a over n elements (s = 1: accumulate a residual-stream gradient). */
export function addInPlace(k: Kernels, b: { a: Buf; out: Buf }, n: number, s = 1, label = 'add_inplace'): Dispatch {
  checkDims('addInPlace', { n });
  checkScale('addInPlace', s);
  checkBuffer('addInPlace', 'a', b.a, n, `(${n})`);
  checkBuffer('addInPlace', 'out', b.out, n, `(${n})`);
  return flat(k, 'add_inplace', { n, s }, [b.a, b.out], words(2 * n, n), label);
}

/** out *= a over n elements (a gradient mask: entries multiplied by 0 or 1). */
export function mulInPlace(k: Kernels, b: { a: Buf; out: Buf }, n: number, label = 'mul_inplace'): Dispatch {
  checkDims('mulInPlace', { n });
  checkBuffer('mulInPlace', 'a', b.a, n, `(${n})`);
  checkBuffer('mulInPlace', 'out', b.out, n, `(${n})`);
  return flat(k, 'mul_inplace', { n }, [b.a, b.out], words(2 * n, n), label);
}

/** out = s * a over n elements. */
export function scale(k: Kernels, b: { a: Buf; out: Buf }, n: number, s: number, label = 'scale'): Dispatch {
  checkDims('scale', { n });
  checkScale('scale', s);
  checkBuffer('scale', 'a', b.a, n, `(${n})`);
  checkBuffer('scale', 'out', b.out, n, `(${n})`);
  return flat(k, 'scale', { n, s }, [b.a, b.out], words(n, n), label);
}

/** out *= s over n elements. */
export function scaleInPlace(k: Kernels, b: { out: Buf }, n: number, s: number, label = 'scale_inplace'): Dispatch {
  checkDims('scaleInPlace', { n });
  checkScale('scaleInPlace', s);
  checkBuffer('scaleInPlace', 'out', b.out, n, `(${n})`);
  return flat(k, 'scale_inplace', { n, s }, [b.out], words(n, n), label);
}

/** Changes the factor of a dispatch built by addInPlace, scale or scaleInPlace (e.g. a per-step value). */
export function setScale(k: Kernels, d: Dispatch, s: number): void {
  checkScale('setScale', s);
  if (!d.params || !['elementwise.add_inplace', 'elementwise.scale', 'elementwise.scale_inplace'].includes(d.kernel)) {
    throw new Error(`setScale: ${d.label} (${d.kernel}) has no scale factor`);
  }
  k.device.queue.writeBuffer(d.params, PARAMS.offsetOf('s'), Float32Array.of(s));
}

export interface RowsShape {
  /** Rows. */
  N: number;
  /** Channels (last dim). */
  C: number;
}

/** Checks N, C and buffers that hold an (N, C) tensor ('NC') or a (C) vector ('C'). */
function checkRows(op: string, s: RowsShape, names: [string, Buf, 'NC' | 'C'][]): void {
  checkDims(op, { N: s.N, C: s.C });
  for (const [name, buf, kind] of names) {
    if (kind === 'C') checkBuffer(op, name, buf, s.C, `(C) = (${s.C})`);
    else checkBuffer(op, name, buf, s.N * s.C, `(N, C) = (${s.N}, ${s.C})`);
  }
}

/** out[r, c] = a[r, c] + bias[c]. */
export function biasAdd(k: Kernels, b: { a: Buf; bias: Buf; out: Buf }, s: RowsShape, label = 'bias_add'): Dispatch {
  const n = s.N * s.C;
  checkRows('biasAdd', s, [
    ['a', b.a, 'NC'],
    ['bias', b.bias, 'C'],
    ['out', b.out, 'NC'],
  ]);
  return flat(k, 'bias_add', { n, C: s.C }, [b.a, b.bias, b.out], words(n + s.C, n), label);
}

/** out[r, c] += bias[c]. */
export function biasAddInPlace(
  k: Kernels,
  b: { bias: Buf; out: Buf },
  s: RowsShape,
  label = 'bias_add_inplace',
): Dispatch {
  const n = s.N * s.C;
  checkRows('biasAddInPlace', s, [
    ['bias', b.bias, 'C'],
    ['out', b.out, 'NC'],
  ]);
  return flat(k, 'bias_add_inplace', { n, C: s.C }, [b.bias, b.out], words(n + s.C, n), label);
}

export interface BiasBackwardShape extends RowsShape {
  /** Rows per partial (default: a power of two near sqrt(N), at least 16). */
  rowsPerChunk?: number;
}

function rowsPerChunk(s: BiasBackwardShape): number {
  const r = s.rowsPerChunk ?? Math.max(16, nextPow2(Math.ceil(Math.sqrt(s.N))));
  checkDims('biasBackward', { rowsPerChunk: r });
  return r;
}

/** f32s the bias backward's scratch must hold: (chunks, C). */
export function biasBackwardScratchFloats(s: BiasBackwardShape): number {
  return cdiv(s.N, rowsPerChunk(s)) * s.C;
}

/**
 * dbias[c] += sum over rows of dout[r, c]: [partials per chunk of rows, finish]. Fixed summation order, so
 * bitwise reproducible. (The input gradient of a bias add is dout itself: no kernel needed.)
 */
export function biasBackward(
  k: Kernels,
  b: { dout: Buf; dbias: Buf; scratch: Buf },
  s: BiasBackwardShape,
  label = 'bias_backward',
): Dispatch[] {
  const op = 'biasBackward';
  checkRows(op, s, [
    ['dout', b.dout, 'NC'],
    ['dbias', b.dbias, 'C'],
  ]);
  const rpc = rowsPerChunk(s);
  const chunks = cdiv(s.N, rpc);
  checkBuffer(op, 'scratch', b.scratch, chunks * s.C, `(chunks, C) = (${chunks}, ${s.C})`);
  const p = params({ n: s.N * s.C, C: s.C, N: s.N, rowsPerChunk: rpc, chunks });
  return [
    k.dispatch({
      shader: 'elementwise',
      entry: 'bias_backward_partial',
      overrides: { TC, TR },
      params: p,
      buffers: [b.dout, b.scratch],
      traffic: words(s.N * s.C, chunks * s.C),
      workgroups: [cdiv(s.C, TC), chunks],
      label: `${label}.partial`,
    }),
    k.dispatch({
      shader: 'elementwise',
      entry: 'bias_backward_finish',
      params: p,
      buffers: [b.scratch, b.dbias],
      traffic: words((chunks + 1) * s.C, s.C),
      workgroups: grid1d(s.C, WG, k.device.limits.maxComputeWorkgroupsPerDimension),
      label: `${label}.finish`,
    }),
  ];
}

// LayerNorm op (shaders/layernorm.wgsl): forward over (N, C) rows saving mean/rstd, and backward giving dx (= or +=)
// plus dgamma/dbeta (+=) through a deterministic two-pass column sum over a caller-provided scratch buffer (on CPU
// adapters with the ln_params fusion, one pass: fusion.ts).
import { fused } from '../fusion';
import { cdiv, grid1d, variantOf, words, type Dispatch, type Kernels, type KernelTuning } from '../kernels';
import { uniformLayout } from '../uniforms';
import { checkBuffer, checkDims, nextPow2, type Buf } from './shapecheck';

/** Hugging Face BERT's layer_norm_eps. */
export const BERT_LAYER_NORM_EPS = 1e-12;

export interface LayerNormShape {
  /** Rows (B*T). */
  N: number;
  /** Channels normalized over. */
  C: number;
  /** Added to the variance inside the square root (default 1e-12, BERT's). */
  eps?: number;
  /**
   * Who reduces a row: 'workgroup' (threads share the row, tree sums through workgroup memory) or 'thread' (one
   * thread per row, serial sums, no barriers). Default: rowMode(kernels.tuning).
   */
  rows?: RowMode;
}

export type RowMode = 'workgroup' | 'thread';

/**
 * The tuning's LayerNorm variant: by default one thread per row on CPU adapters (barriers are context switches
 * there) and a workgroup per row on GPUs; the autotuner may choose either (KernelTuning.choice).
 */
export function rowMode(t: KernelTuning): RowMode {
  return variantOf(t, 'layernorm');
}

const ROW_WG = 64;

export interface LayerNormBackwardOptions extends LayerNormShape {
  /** dx += instead of dx = (for the residual stream). */
  accumulate?: boolean;
  /** Rows per partial in the dgamma/dbeta column sum (default: a power of two near sqrt(N), at least 16). */
  rowsPerChunk?: number;
}

export interface LayerNormForwardBuffers {
  x: Buf; // (N, C)
  gamma: Buf; // (C)
  beta: Buf; // (C)
  out: Buf; // (N, C)
  mean: Buf; // (N)
  rstd: Buf; // (N)
}

export interface LayerNormBackwardBuffers {
  dy: Buf; // (N, C)
  x: Buf; // (N, C), the forward input
  gamma: Buf; // (C)
  mean: Buf; // (N), saved by forward
  rstd: Buf; // (N), saved by forward
  dx: Buf; // (N, C), overwritten or accumulated
  dgamma: Buf; // (C), accumulated
  dbeta: Buf; // (C), accumulated
  /** layerNormScratchFloats(shape) f32s, contents irrelevant. */
  scratch: Buf;
}

const TC = 64;
const TR = 4;

/**
 * backward_params_partial's workgroup: TC columns by TR row lanes summed through workgroup memory on GPUs; on CPU
 * adapters 8 columns, one row lane, no workgroup memory and no barrier.
 */
function paramsTile(tuning: KernelTuning): { TC: number; TR: number } {
  return tuning.cpu ? { TC: 8, TR: 1 } : { TC, TR };
}

/**
 * Threads per row: a power of two from 32 to 128, about eight channels each (C = 768 -> 128). Small workgroups
 * keep many rows resident per GPU core, and SwiftShader (tests) pays per thread at each barrier.
 */
function rowThreads(C: number): number {
  return Math.min(128, Math.max(32, nextPow2(Math.ceil(C / 8))));
}

/** Entry, workgroup size and grid of a per-row kernel in either mode. */
function rowDispatch(entry: 'forward' | 'backward_input', N: number, C: number, mode: RowMode, maxDim: number) {
  return mode === 'thread'
    ? { entry: `${entry}_rows` as const, overrides: { WG: ROW_WG }, workgroups: grid1d(N, ROW_WG, maxDim) }
    : { entry, overrides: { WG: rowThreads(C) }, workgroups: grid1d(N, 1, maxDim) };
}

function rowsPerChunk(o: LayerNormBackwardOptions): number {
  const r = o.rowsPerChunk ?? Math.max(16, nextPow2(Math.ceil(Math.sqrt(o.N))));
  checkDims('layerNormBackward', { rowsPerChunk: r });
  return r;
}

/** f32s the backward's scratch buffer must hold: (2, chunks, C). */
export function layerNormScratchFloats(o: LayerNormBackwardOptions): number {
  return 2 * cdiv(o.N, rowsPerChunk(o)) * o.C;
}

const PARAMS = uniformLayout('layernorm', 'Params', [
  ['N', 'u32'],
  ['C', 'u32'],
  ['eps', 'f32'],
  ['accumulate', 'u32'],
  ['rows_per_chunk', 'u32'],
  ['chunks', 'u32'],
]);

function params(N: number, C: number, eps: number, accumulate: boolean, rpc: number, chunks: number): ArrayBuffer {
  return PARAMS.pack({ N, C, eps, accumulate, rows_per_chunk: rpc, chunks });
}

function checkEps(op: string, eps: number): void {
  if (!(eps >= 0) || !Number.isFinite(eps)) throw new RangeError(`${op}: eps must be a finite number >= 0, got ${eps}`);
}

/** out = (x - mean) * rstd * gamma + beta per row; saves mean and rstd. */
export function layerNormForward(
  k: Kernels,
  b: LayerNormForwardBuffers,
  s: LayerNormShape,
  label = 'layernorm.forward',
): Dispatch {
  const op = 'layerNormForward';
  const { N, C } = s;
  const eps = s.eps ?? BERT_LAYER_NORM_EPS;
  checkDims(op, { N, C });
  checkEps(op, eps);
  const nc = `(N, C) = (${N}, ${C})`;
  checkBuffer(op, 'x', b.x, N * C, nc);
  checkBuffer(op, 'gamma', b.gamma, C, `(C) = (${C})`);
  checkBuffer(op, 'beta', b.beta, C, `(C) = (${C})`);
  checkBuffer(op, 'out', b.out, N * C, nc);
  checkBuffer(op, 'mean', b.mean, N, `(N) = (${N})`);
  checkBuffer(op, 'rstd', b.rstd, N, `(N) = (${N})`);
  return k.dispatch({
    shader: 'layernorm',
    ...rowDispatch('forward', N, C, s.rows ?? rowMode(k.tuning), k.device.limits.maxComputeWorkgroupsPerDimension),
    params: params(N, C, eps, false, 0, 0),
    buffers: [b.x, b.gamma, b.beta, b.out, b.mean, b.rstd],
    traffic: words(N * C + 2 * C, N * C + 2 * N),
    label,
  });
}

/**
 * Backward: [dx, dgamma/dbeta partials, dgamma/dbeta finish], or on CPU adapters with the ln_params fusion [dx,
 * dgamma/dbeta in one pass] (the scratch then unused). dx is overwritten unless `accumulate`; dgamma and dbeta
 * accumulate. Summation order is fixed, so results are bitwise reproducible.
 */
export function layerNormBackward(
  k: Kernels,
  b: LayerNormBackwardBuffers,
  o: LayerNormBackwardOptions,
  label = 'layernorm.backward',
): Dispatch[] {
  const op = 'layerNormBackward';
  const { N, C } = o;
  checkDims(op, { N, C });
  const nc = `(N, C) = (${N}, ${C})`;
  checkBuffer(op, 'dy', b.dy, N * C, nc);
  checkBuffer(op, 'x', b.x, N * C, nc);
  checkBuffer(op, 'gamma', b.gamma, C, `(C) = (${C})`);
  checkBuffer(op, 'mean', b.mean, N, `(N) = (${N})`);
  checkBuffer(op, 'rstd', b.rstd, N, `(N) = (${N})`);
  checkBuffer(op, 'dx', b.dx, N * C, nc);
  checkBuffer(op, 'dgamma', b.dgamma, C, `(C) = (${C})`);
  checkBuffer(op, 'dbeta', b.dbeta, C, `(C) = (${C})`);
  const rpc = rowsPerChunk(o);
  const chunks = cdiv(N, rpc);
  checkBuffer(op, 'scratch', b.scratch, 2 * chunks * C, `(2, chunks, C) = (2, ${chunks}, ${C})`);
  const maxDim = k.device.limits.maxComputeWorkgroupsPerDimension;
  const p = params(N, C, 0, o.accumulate ?? false, rpc, chunks);
  const dx = k.dispatch({
    shader: 'layernorm',
    ...rowDispatch('backward_input', N, C, o.rows ?? rowMode(k.tuning), maxDim),
    params: p,
    buffers: [b.dy, b.x, b.gamma, b.mean, b.rstd, b.dx],
    traffic: words((o.accumulate ? 3 : 2) * N * C + C + 2 * N, N * C),
    label: `${label}.dx`,
  });
  if (k.tuning.cpu && fused(k.tuning, 'ln_params')) {
    const TCOLS = 8;
    return [
      dx,
      k.dispatch({
        shader: 'layernorm',
        entry: 'backward_params',
        overrides: { TC: TCOLS },
        params: p,
        buffers: [b.dy, b.x, b.mean, b.rstd, b.dgamma, b.dbeta],
        traffic: words(2 * N * C + 2 * N + 2 * C, 2 * C),
        workgroups: grid1d(C, TCOLS, maxDim),
        label: `${label}.dparams`,
      }),
    ];
  }
  return [
    dx,
    k.dispatch({
      shader: 'layernorm',
      entry: 'backward_params_partial',
      overrides: paramsTile(k.tuning),
      params: p,
      buffers: [b.dy, b.x, b.mean, b.rstd, b.scratch],
      traffic: words(2 * N * C + 2 * N, 2 * chunks * C),
      workgroups: [cdiv(C, paramsTile(k.tuning).TC), chunks],
      label: `${label}.dparams_partial`,
    }),
    k.dispatch({
      shader: 'layernorm',
      entry: 'backward_params_finish',
      params: p,
      buffers: [b.scratch, b.dgamma, b.dbeta],
      traffic: words(2 * chunks * C + 2 * C, 2 * C),
      workgroups: grid1d(C, 256, maxDim),
      label: `${label}.dparams_finish`,
    }),
  ];
}

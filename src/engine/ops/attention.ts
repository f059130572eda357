// Multi-head self-attention op (shaders/attention.wgsl): builds the forward and backward dispatches over a packed
// qkv (B*T, 3C), a key-padding mask and a causal flag, with the probabilities att (B, NH, T, T) materialized.
import {
  cdiv,
  grid1d,
  variantOf,
  words,
  type Dispatch,
  type EntryOf,
  type Kernels,
  type KernelTuning,
  type Traffic,
} from '../kernels';
import { uniformLayout } from '../uniforms';
import { checkLimit } from '../limits';
import { fused } from '../fusion';

export interface AttentionShape {
  B: number;
  T: number;
  C: number;
  NH: number;
}

export interface AttentionForwardArgs extends AttentionShape {
  /** (B*T, 3C) f32, rows [Q | K | V]; head h of Q is columns h*HS .. h*HS+HS-1. */
  qkv: GPUBuffer;
  /** (B*T) i32: 1 for a real token, 0 for padding (padding keys are masked; padding queries still compute). */
  valid: GPUBuffer;
  /** (B*T, C) f32 output, heads concatenated (overwritten). */
  out: GPUBuffer;
  /** (B, NH, T, T) f32 probabilities (overwritten): kept for backward and for attention maps. */
  att: GPUBuffer;
  /** Mask keys after the query (decoder-style objectives). */
  causal: boolean;
}

export interface AttentionBackwardArgs extends AttentionShape {
  qkv: GPUBuffer;
  valid: GPUBuffer;
  /** The forward's probabilities, unchanged since. */
  att: GPUBuffer;
  /** (B*T, C) gradient of the loss with respect to out. */
  dout: GPUBuffer;
  /** (B*T, 3C) gradient with respect to qkv (overwritten, not accumulated). */
  dqkv: GPUBuffer;
  /** Scratch of attentionSizes(shape).datt bytes: (B, NH, T, T) gradient of the probabilities, then of scores. */
  datt: GPUBuffer;
  causal: boolean;
}

/** Byte sizes of every buffer the op reads or writes (datt is the only scratch; one can serve every layer). */
export function attentionSizes(s: AttentionShape): {
  qkv: number;
  valid: number;
  out: number;
  att: number;
  datt: number;
  dqkv: number;
  dout: number;
} {
  const { B, T, C, NH } = s;
  return {
    qkv: B * T * 3 * C * 4,
    valid: B * T * 4,
    out: B * T * C * 4,
    dout: B * T * C * 4,
    dqkv: B * T * 3 * C * 4,
    att: B * NH * T * T * 4,
    datt: B * NH * T * T * 4,
  };
}

/**
 * Throws a clear error for a shape the kernels cannot run: C % NH != 0, or over a device limit. `probabilities`:
 * whether (B, NH, T, T) att and datt buffers are needed (the materialized variant; not the fused one).
 */
export function checkAttentionShape(device: GPUDevice, s: AttentionShape, probabilities = true): void {
  const { B, T, C, NH } = s;
  for (const [name, v] of Object.entries({ B, T, C, NH })) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`attention: ${name}=${v} must be a positive integer`);
  }
  if (C % NH !== 0) throw new Error(`attention: channels C=${C} must be a multiple of heads NH=${NH} (head size C/NH)`);
  const sizes = attentionSizes(s);
  const what = `attention probabilities att (B*NH*T*T = ${B}*${NH}*${T}*${T} floats)`;
  if (probabilities) {
    checkLimit(device, 'maxBufferSize', sizes.att, what);
    checkLimit(device, 'maxStorageBufferBindingSize', sizes.att, what);
  }
  checkLimit(device, 'maxStorageBufferBindingSize', sizes.qkv, `attention qkv (B*T*3C = ${B}*${T}*${3 * C} floats)`);
  checkLimit(device, 'maxComputeWorkgroupsPerDimension', B * NH, `attention batch*heads (B*NH = ${B}*${NH})`);
}

function checkBuffers(s: AttentionShape, bufs: Record<string, GPUBuffer>): void {
  const sizes = attentionSizes(s) as Record<string, number>;
  for (const [name, buf] of Object.entries(bufs)) {
    if (buf.size < sizes[name]) {
      throw new Error(
        `attention: buffer ${name} has ${buf.size} bytes, needs ${sizes[name]} for B=${s.B} T=${s.T} C=${s.C} NH=${s.NH}`,
      );
    }
  }
}

/** An operand of a batched product: element (row, col) of batch b, head h at off + b*sb + h*sh + row*s1 + col*s2. */
interface Operand {
  off: number;
  sb: number;
  sh: number;
  s1: number;
  s2: number;
}

interface Product {
  M: number;
  N: number;
  K: number;
  a: Operand;
  b: Operand;
  c: Operand;
  alpha: number;
  causal: boolean;
  /** 0 every k; 1 only k <= m (A lower triangular); 2 only k >= m (A upper triangular). */
  kband: 0 | 1 | 2;
}

const PRODUCT_PARAMS = uniformLayout('attention', 'ProductParams', [
  ['M', 'u32'],
  ['N', 'u32'],
  ['K', 'u32'],
  ['NH', 'u32'],
  ['a_off', 'u32'],
  ['a_sb', 'u32'],
  ['a_sh', 'u32'],
  ['a_sm', 'u32'],
  ['a_sk', 'u32'],
  ['b_off', 'u32'],
  ['b_sb', 'u32'],
  ['b_sh', 'u32'],
  ['b_sk', 'u32'],
  ['b_sn', 'u32'],
  ['c_off', 'u32'],
  ['c_sb', 'u32'],
  ['c_sh', 'u32'],
  ['c_sm', 'u32'],
  ['c_sn', 'u32'],
  ['alpha', 'f32'],
  ['causal', 'u32'],
  ['kband', 'u32'],
]);
const SOFTMAX_PARAMS = uniformLayout('attention', 'SoftmaxParams', [
  ['rows', 'u32'],
  ['T', 'u32'],
  ['NH', 'u32'],
  ['causal', 'u32'],
  ['scale', 'f32'],
]);

function productParams(NH: number, pr: Product): ArrayBuffer {
  const { a, b, c } = pr;
  return PRODUCT_PARAMS.pack({
    ...{ M: pr.M, N: pr.N, K: pr.K, NH },
    ...{ a_off: a.off, a_sb: a.sb, a_sh: a.sh, a_sm: a.s1, a_sk: a.s2 },
    ...{ b_off: b.off, b_sb: b.sb, b_sh: b.sh, b_sk: b.s1, b_sn: b.s2 },
    ...{ c_off: c.off, c_sb: c.sb, c_sh: c.sh, c_sm: c.s1, c_sn: c.s2 },
    ...{ alpha: pr.alpha, causal: pr.causal, kband: pr.kband },
  });
}

/**
 * Workgroup tile for an M x N output: 64 x 64 with 8 x 8 outputs per thread (64 threads), narrower for small
 * heads (N = HS) and short sequences, keeping 64 threads (32 for a 32 x 16 tile).
 */
export function tileFor(M: number, N: number): { BM: number; BN: number; TM: number; TN: number } {
  const BM = M <= 32 ? 32 : 64;
  const BN = N <= 16 ? 16 : N <= 32 ? 32 : 64;
  // Threads (BM/TM) * (BN/TN) >= BM, BN, as the shader's staging loops need.
  return { BM, BN, TM: BM === 64 && BN >= 32 ? 8 : 4, TN: BN === 64 ? 8 : 4 };
}

/**
 * CPU adapters (KernelTuning.cpu): the shader's DIRECT products, no workgroup memory or barriers; each invocation
 * owns 8 rows and 8 columns strided by WGX, a workgroup WGX invocations (fewer for narrow outputs, N = HS).
 */
export function directLayout(N: number): { WGX: number; BM: number; BN: number } {
  const WGX = Math.min(8, 2 ** Math.ceil(Math.log2(Math.max(1, N / 8))));
  return { WGX, BM: 8, BN: 8 * WGX };
}

function product(
  k: Kernels,
  entry: EntryOf<'attention'>,
  s: AttentionShape,
  pr: Product,
  buffers: GPUBuffer[],
  traffic: Traffic,
  label: string,
  products = 1,
): Dispatch {
  // Every (query, key) pair of every head, as computed: causal products skip tiles above the diagonal but are
  // counted whole, as the analytic count (profile.ts) does. `products`: products of this shape in the dispatch
  // (grad_query_key: 2, one per half of workgroup z).
  const flops = 2 * pr.M * pr.N * pr.K * s.B * s.NH * products;
  const z = s.B * s.NH * products;
  const contiguous = { A_K_CONTIGUOUS: pr.a.s2 === 1 ? 1 : 0, B_N_CONTIGUOUS: pr.b.s2 === 1 ? 1 : 0 };
  if (variantOf(k.tuning, 'attention') === 'direct') {
    const { WGX, BM, BN } = directLayout(pr.N);
    return k.dispatch({
      shader: 'attention',
      entry,
      overrides: { DIRECT: 1, WGX, WGY: 1, BM, BN, TM: 8, TN: 8, ...contiguous },
      params: productParams(s.NH, pr),
      buffers,
      workgroups: [cdiv(pr.N, BN), cdiv(pr.M, BM), z],
      label,
      flops,
      traffic,
    });
  }
  const { BM, BN, TM, TN } = tileFor(pr.M, pr.N);
  return k.dispatch({
    shader: 'attention',
    entry,
    overrides: { BM, BN, TM, TN, ...contiguous },
    params: productParams(s.NH, pr),
    buffers,
    workgroups: [cdiv(pr.N, BN), cdiv(pr.M, BM), z],
    label,
    flops,
    traffic,
  });
}

/**
 * Row kernels: SM_W threads share a row (a power of two, up to 8: few barriers, and 8 consecutive floats = one
 * 32-byte memory sector per row and step), 64 / SM_W rows per workgroup.
 */
export function rowLayout(T: number, tuning: KernelTuning = {}): { SM_W: number; SM_ROWS: number } {
  // One thread per row, no barriers (CPU adapters by default; see KernelTuning).
  if (variantOf(tuning, 'softmax') === 'thread') return { SM_W: 1, SM_ROWS: 64 };
  const w = Math.min(8, Math.max(1, 2 ** Math.ceil(Math.log2(T / 8))));
  return { SM_W: w, SM_ROWS: Math.max(1, 64 / w) };
}

function rowKernel(
  k: Kernels,
  entry: EntryOf<'attention'>,
  s: AttentionShape,
  causal: boolean,
  buffers: GPUBuffer[],
  traffic: Traffic,
  label: string,
): Dispatch {
  const { B, T, C, NH } = s;
  const rows = B * NH * T;
  const params = SOFTMAX_PARAMS.pack({ rows, T, NH, causal, scale: 1 / Math.sqrt(C / NH) });
  const { SM_W, SM_ROWS } = rowLayout(T, k.tuning);
  return k.dispatch({
    shader: 'attention',
    entry,
    overrides: { SM_W, SM_ROWS },
    params,
    buffers,
    workgroups: grid1d(cdiv(rows, SM_ROWS), 1, k.device.limits.maxComputeWorkgroupsPerDimension),
    label,
    traffic,
  });
}

/** grad_query_key's second product (dK) as a small storage buffer (its first, dQ, is the uniform params). */
function keyParams(k: Kernels, NH: number, pr: Product): GPUBuffer {
  return k.storage(new Uint32Array(productParams(NH, pr)), 'attention.grad_key.params', 'other');
}

/** Strides of the packed layouts, per (batch, head). */
function layouts(s: AttentionShape) {
  const { T, C, NH } = s;
  const HS = C / NH;
  const C3 = 3 * C;
  // Row-major (token, head column) views of Q, K, V inside qkv, and of out / dout.
  const q = { off: 0, sb: T * C3, sh: HS, s1: C3, s2: 1 };
  const kk = { ...q, off: C };
  const v = { ...q, off: 2 * C };
  const o = { off: 0, sb: T * C, sh: HS, s1: C, s2: 1 };
  const att = { off: 0, sb: NH * T * T, sh: T * T, s1: T, s2: 1 };
  const t = (x: Operand): Operand => ({ ...x, s1: x.s2, s2: x.s1 });
  return { HS, q, k: kk, v, o, att, t };
}

/** Element counts for traffic: the probabilities (B, NH, T, T), one of Q/K/V/out (B, T, C), the mask (B, T). */
function counts(s: AttentionShape): { att: number; btc: number; bt: number } {
  return { att: s.B * s.NH * s.T * s.T, btc: s.B * s.T * s.C, bt: s.B * s.T };
}

/** Dispatches computing out and att from qkv: scores, softmax, context. Build once per shape and buffers. */
export function attentionForward(k: Kernels, a: AttentionForwardArgs): Dispatch[] {
  checkAttentionShape(k.device, a);
  checkBuffers(a, { qkv: a.qkv, valid: a.valid, out: a.out, att: a.att });
  const { T } = a;
  const L = layouts(a);
  const band = a.causal ? 1 : 0;
  const n = counts(a);
  return [
    product(
      k,
      'scores',
      a,
      { M: T, N: T, K: L.HS, a: L.q, b: L.t(L.k), c: L.att, alpha: 1 / Math.sqrt(L.HS), causal: a.causal, kband: 0 },
      [a.qkv, a.qkv, a.valid, a.att],
      words(2 * n.btc + n.bt, n.att),
      'attention.scores',
    ),
    rowKernel(k, 'softmax', a, a.causal, [a.att], words(n.att, n.att), 'attention.softmax'),
    product(
      k,
      'context',
      a,
      { M: T, N: L.HS, K: T, a: L.att, b: L.v, c: L.o, alpha: 1, causal: a.causal, kband: band },
      [a.att, a.qkv, a.out],
      words(n.att + n.btc, n.btc),
      'attention.context',
    ),
  ];
}

/**
 * Dispatches computing dqkv (overwritten) from dout: grad_probs, softmax_backward, then dQ, dK, dV (dQ and dK in
 * one dispatch, grad_query_key, with the attention_grads fusion).
 */
export function attentionBackward(k: Kernels, a: AttentionBackwardArgs): Dispatch[] {
  checkAttentionShape(k.device, a);
  checkBuffers(a, { qkv: a.qkv, valid: a.valid, att: a.att, dout: a.dout, dqkv: a.dqkv, datt: a.datt });
  const { T, C } = a;
  const L = layouts(a);
  const lower = a.causal ? 1 : 0;
  const upper = a.causal ? 2 : 0;
  const dq = { ...L.q };
  const dk = { ...L.q, off: C };
  const dv = { ...L.q, off: 2 * C };
  const common = { alpha: 1, causal: a.causal };
  const n = counts(a);
  // Each gradient product reads the (B, NH, T, T) probabilities or their gradient and one (B, T, C) operand.
  const product1 = words(n.att + n.btc, n.btc);
  const dQ: Product = { M: T, N: L.HS, K: T, a: L.att, b: L.k, c: dq, ...common, kband: lower };
  const dK: Product = { M: T, N: L.HS, K: T, a: L.t(L.att), b: L.q, c: dk, ...common, kband: upper };
  const queryKey = fused(k.tuning, 'attention_grads')
    ? [
        product(
          k,
          'grad_query_key',
          a,
          dQ,
          [a.datt, a.qkv, a.dqkv, keyParams(k, a.NH, dK)],
          // dS once, Q and K; dQ and dK.
          words(n.att + 2 * n.btc, 2 * n.btc),
          'attention.grad_query_key',
          2,
        ),
      ]
    : [
        product(k, 'grad_inputs', a, dQ, [a.datt, a.qkv, a.dqkv], product1, 'attention.grad_query'),
        product(k, 'grad_inputs', a, dK, [a.datt, a.qkv, a.dqkv], product1, 'attention.grad_key'),
      ];
  return [
    product(
      k,
      'grad_probs',
      a,
      { M: T, N: T, K: L.HS, a: L.o, b: L.t(L.v), c: L.att, ...common, kband: 0 },
      [a.dout, a.qkv, a.datt],
      words(2 * n.btc, n.att),
      'attention.grad_probs',
    ),
    rowKernel(
      k,
      'softmax_backward',
      a,
      a.causal,
      [a.att, a.valid, a.datt],
      words(2 * n.att + n.bt, n.att),
      'attention.softmax_backward',
    ),
    ...queryKey,
    product(
      k,
      'grad_inputs',
      a,
      { M: T, N: L.HS, K: T, a: L.t(L.att), b: L.o, c: dv, ...common, kband: upper },
      [a.att, a.dout, a.dqkv],
      product1,
      'attention.grad_value',
    ),
  ];
}

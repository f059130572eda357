// Matmul ops: out(M,N) = alpha * op(A) op(B) [+ bias(N)] [+ out] with an optional fused epilogue (residual add,
// GELU, GELU's derivative, the bias gradient), and the bias gradient db(N) += colsum(dY) on its own, as Dispatch
// records built once per shape over shaders/matmul.wgsl (matmul_cpu.wgsl on CPU adapters). Shapes are checked
// against buffers and limits.
import { createStorage } from '../buffers';
import {
  cdiv,
  grid1d,
  variantOf,
  words,
  type Dispatch,
  type EntryOf,
  type Kernels,
  type KernelTuning,
} from '../kernels';
import { uniformLayout } from '../uniforms';
import { LimitError } from '../limits';

/** A whole buffer, or a range of one (offset a multiple of minStorageBufferOffsetAlignment). */
export type Operand = GPUBuffer | GPUBufferBinding;

export type MatmulTile = 64 | 128;

export interface MatmulShape {
  M: number;
  N: number;
  K: number;
  /** A is stored (K, M) and used transposed. */
  transA?: boolean;
  /** B is stored (N, K) and used transposed: y = x W^T with W (out, in). */
  transB?: boolean;
  /** Output tile side; default chosen from the shape (see chooseTile). */
  tile?: MatmulTile;
  /** false forces the scalar-load path; default: vec4 whenever the shape allows it (see canVec4). */
  vec4?: boolean;
  /**
   * 'tiled': workgroup tiles staged in workgroup memory (GPUs). 'direct': matmul_direct, no workgroup memory and
   * no barriers, for CPU adapters (about 2x the tiled kernel on SwiftShader). 'direct_subgroup': matmul_direct with
   * the A operand shared through subgroup broadcasts (needs kernels tuned with subgroups). matmul() defaults to the
   * variant of its Kernels' tuning (matmulVariant); planMatmul defaults to 'tiled'.
   */
  kernel?: MatmulKernel;
  /**
   * Tiled kernels: K split into this many parts, summed by a second pass (see matmulSplitK, which picks it with
   * chooseSplits). Default 1.
   */
  splits?: number;
}

export type MatmulKernel = 'tiled' | 'direct' | 'direct_subgroup';

/** Kernel and tile of the tuning's matmul variant (KernelTuning: the adapter's default or the autotuner's choice). */
export function matmulVariant(t: KernelTuning): { kernel: MatmulKernel; tile?: MatmulTile } {
  const v = variantOf(t, 'matmul');
  if (v === 'tiled64') return { kernel: 'tiled', tile: 64 };
  if (v === 'tiled128') return { kernel: 'tiled', tile: 128 };
  return { kernel: v };
}

/** The kernel and tile a product runs with: the shape's own, else the tuning's. */
function withVariant<S extends MatmulShape>(t: KernelTuning, s: S): S {
  if (s.kernel) return s;
  const v = matmulVariant(t);
  return { ...s, kernel: v.kernel, tile: s.tile ?? v.tile };
}

/** Invocations per matmul_direct workgroup (DX in the shader); each owns 8 rows and 8 columns of out. */
export const DIRECT_DX = 8;

/**
 * A fused epilogue (shaders/matmul.wgsl's entry points), applied to v = alpha * op(A) op(B) [+ bias]:
 * - 'residual': out = v + aux (M, N) [+ out]: a Linear's output with the residual stream added.
 * - 'gelu': aux = v (the pre-activation, M x N); out = gelu(v): a Linear and its GELU.
 * - 'gelu_grad': out = v * gelu'(aux (M, N)): the input gradient of the Linear after a GELU, times its derivative.
 * - 'bias_grad': out = v [+ out] and aux (M) += the row sums of op(A): with op(A) = dY^T (a weight gradient) these
 *   are the column sums of dY, the bias gradient, from the same pass over dY.
 */
export type MatmulEpilogue = 'residual' | 'gelu' | 'gelu_grad' | 'bias_grad';

export interface MatmulOptions extends MatmulShape {
  a: Operand;
  b: Operand;
  out: Operand;
  bias?: Operand;
  /** A fused epilogue and its second tensor (MatmulEpilogue). */
  epilogue?: { kind: MatmulEpilogue; aux: Operand };
  /** out += result (e.g. weight gradients) instead of out = result. */
  accumulate?: boolean;
  /** Scales op(A) op(B) (not the bias, not the old out). Default 1. */
  alpha?: number;
  label?: string;
}

export interface MatmulPlan {
  /** The variant's kernel: its entry point is this plus the epilogue's suffix (entryOf). */
  entry: 'matmul' | 'matmul_direct' | 'matmul_direct_subgroup';
  /** Tiled kernel: the VEC4 variant (one bounds check per aligned quad; see canVec4). */
  vec4?: boolean;
  /** Output tile side of the tiled kernels; matmul_direct's workgroup covers 8 rows by 8 * DIRECT_DX columns. */
  tile?: MatmulTile;
  /** Parts K is split into (workgroup z = part) and k per part (a multiple of SPLIT_K_ALIGN; 0: no split). */
  splits: number;
  kSplit: number;
  workgroups: [number, number, number];
}

/** k per split is a multiple of the tiled kernels' k-tile (BK in the shader). */
const SPLIT_K_ALIGN = 8;
/** Split K only while each part keeps at least this many k: below that the second pass costs what it saves. */
const MIN_K_PER_SPLIT = 256;
/** Split until the grid has about this many workgroups (an H100 has 132 SMs, each running several). */
const TARGET_WORKGROUPS = 256;
const MAX_SPLITS = 16;

/**
 * How many parts to split K into for a tiled product: 1 when its grid of output tiles already fills a large GPU
 * or K is short; otherwise enough parts to reach TARGET_WORKGROUPS, each at least MIN_K_PER_SPLIT deep. Weight
 * gradients are the case: dW (out, in) has few tiles and K = B*T (mini's qkv dW: 48 tiles of 64 over K = 4096).
 */
export function chooseSplits(M: number, N: number, K: number, tile: MatmulTile = chooseTile(M, N)): number {
  const tiles = cdiv(M, tile) * cdiv(N, tile);
  if (tiles >= TARGET_WORKGROUPS) return 1;
  return Math.max(1, Math.min(MAX_SPLITS, Math.ceil(TARGET_WORKGROUPS / tiles), Math.floor(K / MIN_K_PER_SPLIT)));
}

export type LimitsLike = Pick<GPUSupportedLimits, 'maxComputeWorkgroupsPerDimension' | 'maxStorageBufferBindingSize'>;

/** Floating-point operations of one (M,N,K) product: a multiply and an add per term. */
export function matmulFlops(M: number, N: number, K: number): number {
  return 2 * M * N * K;
}

/** The vec4 path needs the contiguous dimension of every operand (and of out and bias) to be a multiple of 4. */
export function canVec4(s: MatmulShape): boolean {
  const aInner = s.transA ? s.M : s.K;
  const bInner = s.transB ? s.K : s.N;
  return aInner % 4 === 0 && bInner % 4 === 0 && s.N % 4 === 0;
}

/**
 * 128x128 tiles (256 threads, 8x8 outputs each) when the product has enough of them to fill a large GPU,
 * 64x64 tiles (64 threads) otherwise, so that small products still spread over many workgroups.
 */
export function chooseTile(M: number, N: number): MatmulTile {
  return cdiv(M, 128) * cdiv(N, 128) >= 128 ? 128 : 64;
}

function checkDims(what: string, dims: Record<string, number>): void {
  for (const [name, v] of Object.entries(dims)) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${what}: ${name} = ${v} must be a positive integer`);
  }
}

function checkBinding(limits: LimitsLike, what: string, operand: string, floats: number): void {
  const bytes = floats * 4;
  const max = Number(limits.maxStorageBufferBindingSize);
  if (bytes > max) throw new LimitError('maxStorageBufferBindingSize', bytes, max, `${what} operand ${operand}`);
}

/**
 * Chooses entry point, tile and grid for a shape and checks it against the device limits (LimitError), with
 * no GPU work: the workgroup grid (N tiles, M tiles) and the bytes each operand binds.
 */
export function planMatmul(limits: LimitsLike, s: MatmulShape, what = 'matmul'): MatmulPlan {
  checkDims(what, { M: s.M, N: s.N, K: s.K });
  const direct = s.kernel === 'direct' || s.kernel === 'direct_subgroup';
  const want = s.splits ?? 1;
  if (!Number.isInteger(want) || want < 1) throw new Error(`${what}: splits = ${want} must be a positive integer`);
  if (direct && want > 1) throw new Error(`${what}: the direct kernel does not split K`);
  let plan: MatmulPlan;
  if (direct) {
    const entry = s.kernel === 'direct' ? 'matmul_direct' : 'matmul_direct_subgroup';
    plan = { entry, splits: 1, kSplit: 0, workgroups: [cdiv(s.N, 8 * DIRECT_DX), cdiv(s.M, 8), 1] };
  } else {
    const vec4 = (s.vec4 ?? true) && canVec4(s);
    const tile = s.tile ?? chooseTile(s.M, s.N);
    if (tile !== 64 && tile !== 128) throw new Error(`${what}: tile ${String(tile)} must be 64 or 128`);
    const kSplit = want > 1 ? cdiv(cdiv(s.K, want), SPLIT_K_ALIGN) * SPLIT_K_ALIGN : 0;
    const splits = want > 1 ? cdiv(s.K, kSplit) : 1;
    plan = {
      entry: 'matmul',
      vec4,
      tile,
      splits,
      kSplit: splits > 1 ? kSplit : 0,
      workgroups: [cdiv(s.N, tile), cdiv(s.M, tile), splits],
    };
  }
  const maxWg = Number(limits.maxComputeWorkgroupsPerDimension);
  for (const n of plan.workgroups) {
    if (n > maxWg) {
      const how = direct ? String(s.kernel) : `tile ${String(plan.tile)}`;
      throw new LimitError('maxComputeWorkgroupsPerDimension', n, maxWg, `${what} (M=${s.M}, N=${s.N}, ${how})`);
    }
  }
  checkBinding(limits, what, 'A', s.M * s.K);
  checkBinding(limits, what, 'B', s.K * s.N);
  checkBinding(limits, what, 'out', s.M * s.N);
  return plan;
}

function bindingBytes(o: Operand): number {
  return 'buffer' in o ? (o.size ?? o.buffer.size - (o.offset ?? 0)) : o.size;
}

/** The first `floats` elements of an operand, as an exact binding; throws when the operand is smaller. */
function bind(o: Operand, floats: number, what: string, name: string, shape: string): GPUBufferBinding {
  const have = bindingBytes(o);
  const need = floats * 4;
  if (have < need) {
    throw new Error(`${what}: ${name} holds ${Math.floor(have / 4)} floats but ${shape} needs ${floats}`);
  }
  return 'buffer' in o ? { buffer: o.buffer, offset: o.offset ?? 0, size: need } : { buffer: o, offset: 0, size: need };
}

const dummies = { bias: new WeakMap<GPUDevice, GPUBuffer>(), aux: new WeakMap<GPUDevice, GPUBuffer>() };

/**
 * Bound at the bias slot when there is no bias (the shader reads it only when params.has_bias), and at the aux slot
 * of kernels without an epilogue (never read or written there). Two buffers: aux is bound read-write.
 */
function dummy(device: GPUDevice, what: 'bias' | 'aux'): GPUBuffer {
  let b = dummies[what].get(device);
  if (!b) {
    b = createStorage(device, new Float32Array(4), `matmul.no-${what}`);
    dummies[what].set(device, b);
  }
  return b;
}

const MATMUL_FIELDS = [
  ['M', 'u32'],
  ['N', 'u32'],
  ['K', 'u32'],
  ['alpha', 'f32'],
  ['has_bias', 'u32'],
  ['accumulate', 'u32'],
  ['k_split', 'u32'],
] as const;
const MATMUL_PARAMS = uniformLayout('matmul', 'MatmulParams', MATMUL_FIELDS);
uniformLayout('matmul_cpu', 'MatmulParams', MATMUL_FIELDS);
const SPLIT_PARAMS = uniformLayout('matmul', 'SplitParams', [
  ['M', 'u32'],
  ['N', 'u32'],
  ['splits', 'u32'],
  ['alpha', 'f32'],
  ['has_bias', 'u32'],
  ['accumulate', 'u32'],
  ['row_sums', 'u32'],
]);

const ENTRY_SUFFIX: Record<MatmulEpilogue, string> = {
  residual: '_residual',
  gelu: '_gelu',
  gelu_grad: '_gelu_grad',
  bias_grad: '_bias_grad',
};

/** Checks an epilogue against the shape: its aux size, and what it cannot be combined with. */
function checkEpilogue(o: MatmulOptions, what: string): void {
  const e = o.epilogue;
  if (!e) return;
  if ((e.kind === 'gelu' || e.kind === 'gelu_grad') && o.accumulate)
    throw new Error(`${what}: the ${e.kind} epilogue overwrites out (no accumulate)`);
  if (e.kind === 'bias_grad' && o.bias) throw new Error(`${what}: the bias_grad epilogue takes no bias`);
  if (e.aux === o.out || ('buffer' in e.aux && e.aux.buffer === ('buffer' in o.out ? o.out.buffer : o.out)))
    throw new Error(`${what}: the ${e.kind} epilogue's aux must be another buffer than out`);
}

/** MatmulParams (matmul.wgsl and matmul_cpu.wgsl, the same struct). */
function paramsOf(
  M: number,
  N: number,
  K: number,
  alpha: number,
  hasBias = false,
  accumulate = false,
  kSplit = 0,
): ArrayBuffer {
  return MATMUL_PARAMS.pack({ M, N, K, alpha, has_bias: hasBias, accumulate, k_split: kSplit });
}

/**
 * out(M,N) = alpha * op(A) op(B) [+ bias] [+ out]. Linear forward y = x W^T + b: {a: x, b: W, bias: b, transB};
 * input gradient dX = dY W: {a: dY, b: W}; weight gradient dW += dY^T X: {a: dY, b: X, transA, accumulate}.
 */
export function matmul(k: Kernels, o: MatmulOptions): Dispatch {
  const what = `matmul "${o.label ?? 'matmul'}"`;
  if ((o.splits ?? 1) > 1) throw new Error(`${what}: split K needs a scratch buffer (matmulSplitK)`);
  checkEpilogue(o, what);
  const plan = planMatmul(k.device.limits, withVariant(k.tuning, o), what);
  return productDispatch(
    k,
    o,
    plan,
    o.out,
    paramsOf(o.M, o.N, o.K, o.alpha ?? 1, o.bias !== undefined, o.accumulate),
    what,
  );
}

/** The product pass of a plan, writing `out` (the real output, or the split partials). */
function productDispatch(
  k: Kernels,
  o: MatmulOptions,
  plan: MatmulPlan,
  out: Operand,
  params: ArrayBuffer,
  what: string,
): Dispatch {
  const { M, N, K } = o;
  const aShape = o.transA ? `A (K=${K}, M=${M})` : `A (M=${M}, K=${K})`;
  const bShape = o.transB ? `B (N=${N}, K=${K})` : `B (K=${K}, N=${N})`;
  const split = plan.splits > 1;
  const epi = o.epilogue;
  const rowSums = epi?.kind === 'bias_grad';
  const buffers: GPUBufferBinding[] = [
    bind(o.a, M * K, what, 'a', aShape),
    bind(o.b, K * N, what, 'b', bShape),
    o.bias && !split ? bind(o.bias, N, what, 'bias', `bias (N=${N})`) : { buffer: dummy(k.device, 'bias') },
    split
      ? bind(out, partialFloats(plan.splits, o), what, 'scratch', `partials (${plan.splits}, ${M}, ${N})`)
      : bind(out, M * N, what, 'out', `out (M=${M}, N=${N})`),
    epi && !split
      ? bind(epi.aux, rowSums ? M : M * N, what, 'aux', rowSums ? `aux (M=${M})` : `aux (M=${M}, N=${N})`)
      : { buffer: dummy(k.device, 'aux') },
  ];
  const trans = { TRANS_A: o.transA ? 1 : 0, TRANS_B: o.transB ? 1 : 0 };
  // Split: the raw partials only (bias, the old out and the row sums' targets are the sum's).
  const extra = split ? 0 : (o.bias ? N : 0) + (o.accumulate ? M * N : 0) + epilogueReads(o);
  const written = split ? partialFloats(plan.splits, o) : M * N + epilogueWrites(o);
  const common = {
    params,
    buffers,
    workgroups: plan.workgroups,
    label: o.label ?? 'matmul',
    flops: matmulFlops(M, N, K),
    traffic: words(M * K + K * N + extra, written),
  };
  const suffix = epi ? ENTRY_SUFFIX[epi.kind] : '';
  if (plan.entry === 'matmul_direct') {
    return k.dispatch({
      shader: 'matmul_cpu',
      entry: `matmul_direct${suffix}` as EntryOf<'matmul_cpu'>,
      overrides: { DX: DIRECT_DX, ...trans },
      ...common,
    });
  }
  if (plan.entry === 'matmul_direct_subgroup') {
    if (!k.tuning.subgroups) throw new Error(`${what}: the direct_subgroup kernel needs kernels tuned with subgroups`);
    return k.dispatch({
      shader: 'matmul_cpu_subgroup',
      entry: `matmul_direct_subgroup${suffix}` as EntryOf<'matmul_cpu_subgroup'>,
      overrides: { DX: DIRECT_DX, ...trans },
      ...common,
    });
  }
  const tile = { WX: (plan.tile ?? 64) / 8, VEC4: plan.vec4 ? 1 : 0 };
  return k.dispatch({
    shader: 'matmul',
    entry: `matmul${suffix}` as EntryOf<'matmul'>,
    overrides: { ...tile, ...trans },
    ...common,
  });
}

/** Floats of a split product's partials: (splits, M, N), then matmul_bias_grad's (splits, M) row sums. */
function partialFloats(splits: number, o: MatmulShape & { epilogue?: MatmulOptions['epilogue'] }): number {
  return splits * o.M * o.N + (o.epilogue?.kind === 'bias_grad' ? splits * o.M : 0);
}

/** Elements an unsplit product's epilogue reads from aux: (M, N) for residual and gelu_grad, (M) for bias_grad. */
function epilogueReads(o: MatmulOptions): number {
  const kind = o.epilogue?.kind;
  return kind === 'residual' || kind === 'gelu_grad' ? o.M * o.N : kind === 'bias_grad' ? o.M : 0;
}

/** Elements it writes to aux: the pre-activation (M, N) for gelu, the bias gradient (M) for bias_grad. */
function epilogueWrites(o: MatmulOptions): number {
  const kind = o.epilogue?.kind;
  return kind === 'gelu' ? o.M * o.N : kind === 'bias_grad' ? o.M : 0;
}

/** The plan matmulSplitK uses for a shape on these kernels (splits 1: a single matmul). */
export function planSplitK(k: Kernels, shape: MatmulShape): MatmulPlan {
  const s = withVariant(k.tuning, shape);
  // The partials (splits, M, N) must fit one binding.
  const fit = Math.max(1, Math.floor(Number(k.device.limits.maxStorageBufferBindingSize) / (4 * s.M * s.N)));
  const splits =
    s.kernel !== 'tiled' ? 1 : Math.min(fit, s.splits ?? chooseSplits(s.M, s.N, s.K, s.tile ?? chooseTile(s.M, s.N)));
  return planMatmul(k.device.limits, { ...s, splits }, 'matmul');
}

/**
 * Floats of scratch matmulSplitK needs for a shape on these kernels (0: it does not split), room for the bias
 * gradient's partial row sums included.
 */
export function splitKScratchFloats(k: Kernels, s: MatmulShape): number {
  const plan = planSplitK(k, s);
  return plan.splits > 1
    ? partialFloats(plan.splits, { ...s, epilogue: { kind: 'bias_grad', aux: dummy(k.device, 'aux') } })
    : 0;
}

/** Threads per splitk_reduce workgroup (SK_WG in the shader). */
const SK_WG = 256;

/**
 * matmul with K split over more workgroups when the output has too few tiles to fill a GPU (chooseSplits; tiled
 * kernels only): the parts go to `scratch` (splitKScratchFloats(k, shape) floats), then splitk_reduce adds them in
 * a fixed order into out with alpha, bias and accumulate: the same bits every run. One dispatch (a plain matmul)
 * when it does not split, or when no scratch (or too small a one) is given.
 */
export function matmulSplitK(k: Kernels, o: MatmulOptions, scratch?: Operand): Dispatch[] {
  const what = `matmul "${o.label ?? 'matmul'}"`;
  checkEpilogue(o, what);
  if (o.epilogue && o.epilogue.kind !== 'bias_grad')
    throw new Error(`${what}: split K takes the bias_grad epilogue only (got ${o.epilogue.kind})`);
  const plan = planSplitK(k, o);
  if (plan.splits <= 1 || !scratch || bindingBytes(scratch) < partialFloats(plan.splits, o) * 4)
    return [matmul(k, { ...o, splits: 1 })];
  const { M, N, K } = o;
  const rowSums = o.epilogue?.kind === 'bias_grad';
  const partial = productDispatch(k, o, plan, scratch, paramsOf(M, N, K, 1, false, false, plan.kSplit), what);
  const reduce = k.dispatch({
    shader: 'matmul',
    entry: 'splitk_reduce',
    overrides: { SK_WG },
    params: SPLIT_PARAMS.pack({
      M,
      N,
      splits: plan.splits,
      alpha: o.alpha ?? 1,
      has_bias: o.bias !== undefined,
      accumulate: o.accumulate ?? false,
      row_sums: rowSums,
    }),
    buffers: [
      bind(scratch, partialFloats(plan.splits, o), what, 'scratch', `partials (${plan.splits}, ${M}, ${N})`),
      o.bias ? bind(o.bias, N, what, 'bias', `bias (N=${N})`) : { buffer: dummy(k.device, 'bias') },
      bind(o.out, M * N, what, 'out', `out (M=${M}, N=${N})`),
      o.epilogue ? bind(o.epilogue.aux, M, what, 'aux', `aux (M=${M})`) : { buffer: dummy(k.device, 'aux') },
    ],
    traffic: words(
      partialFloats(plan.splits, o) + (o.bias ? N : 0) + (o.accumulate ? M * N : 0) + (rowSums ? M : 0),
      M * N + (rowSums ? M : 0),
    ),
    workgroups: grid1d(M * N + (rowSums ? M : 0), SK_WG, k.device.limits.maxComputeWorkgroupsPerDimension),
    label: `${o.label ?? 'matmul'}.splitk_sum`,
  });
  return [partial, reduce];
}

export interface BiasGradOptions {
  /** (M, N) output gradient. */
  dy: Operand;
  /** (N) bias gradient, accumulated: db += column sums of dy. */
  db: Operand;
  M: number;
  N: number;
  label?: string;
}

/**
 * bias_grad's workgroup: BG_COLS columns by BG_ROWS row lanes combined through workgroup memory on GPUs; on CPU
 * adapters 8 columns, one row lane, no barrier.
 */
function biasGradTile(tuning: KernelTuning): { BG_COLS: number; BG_ROWS: number } {
  return tuning.cpu ? { BG_COLS: 8, BG_ROWS: 1 } : { BG_COLS: 32, BG_ROWS: 8 };
}

/** db(N) += sum over rows of dY(M,N), in a fixed order: the same bits every run. */
export function biasGrad(k: Kernels, o: BiasGradOptions): Dispatch {
  const what = `biasGrad "${o.label ?? 'bias_grad'}"`;
  checkDims(what, { M: o.M, N: o.N });
  const tile = biasGradTile(k.tuning);
  return k.dispatch({
    shader: 'matmul',
    entry: 'bias_grad',
    overrides: tile,
    params: paramsOf(o.M, o.N, 0, 1),
    buffers: [
      bind(o.dy, o.M * o.N, what, 'dy', `dy (M=${o.M}, N=${o.N})`),
      bind(o.db, o.N, what, 'db', `db (N=${o.N})`),
    ],
    traffic: words(o.M * o.N + o.N, o.N),
    workgroups: [cdiv(o.N, tile.BG_COLS), 1, 1],
    label: o.label ?? 'bias_grad',
  });
}

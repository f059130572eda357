// Matmul family: out(M,N) = alpha * op(A) op(B) [+ bias(N)] [+ out], tiled in workgroup memory with an 8x8
// register block per thread, with fused epilogues; and bias_grad, the deterministic column sum db(N) += sum_m dY(m, N).
//
// op(A) is A (M,K) or, with TRANS_A, A stored (K,M); op(B) is B (K,N) or, with TRANS_B, B stored (N,K).
// A workgroup of WX x WX threads owns a (8*WX) x (8*WX) tile of out and walks K in steps of BK, staging both
// operands k-major in workgroup memory (double-buffered: one barrier per step, the next tile's global loads in
// flight in registers during the current tile's math; transposed layouts are transposed while staging). Thread (tx, ty) owns rows {ty, ty+WX} * 4 + 0..3 and columns {tx, tx+WX} * 4 +
// 0..3, so its workgroup reads are one broadcast (A) and conflict-free consecutive vec4s (B), and its global
// stores are coalesced vec4s. Each entry point comes in two variants chosen by the override VEC4: with VEC4
// (every operand's contiguous dimension is a multiple of 4) each slot's four elements are loaded and stored with
// one bounds check per aligned quad; without it (any shape) each element is checked on its own. Both are
// bounds-checked for any M, N, K.
// Entry points, one per epilogue (what is done to v = alpha * op(A) op(B) [+ bias] before it is stored; `aux` is
// binding 5, a dummy where unused):
//   matmul            out = v [+ out]
//   matmul_residual   out = v + aux [+ out]                      (aux (M, N): a Linear's output plus the residual)
//   matmul_gelu       aux = v; out = gelu(v)                     (a Linear and its GELU: pre-activation and output)
//   matmul_gelu_grad  out = v * gelu'(aux)                       (dX of the next Linear times GELU's derivative)
//   matmul_bias_grad  out = v [+ out]; aux(M) += sum_k op(A)(m, k) (a weight gradient dW = dY^T X and the bias
//                     gradient db = column sums of dY, in one pass over dY)
// matmul_cpu.wgsl has the same entry points for CPU adapters (matmul_direct*): no workgroup memory, no barriers.
// Split K (tiled kernels, for products whose grid of output tiles is too small to fill a GPU, such as weight
// gradients dW (out, in) over K = B*T rows): with k_split != 0, workgroup z sums k in [z*k_split, (z+1)*k_split)
// and stores its raw partial product at out + z*M*N (the caller binds a scratch as out, with alpha 1, no bias,
// no accumulate), and matmul_bias_grad its partial row sums at out + splits*M*N + z*M; splitk_reduce then adds the
// partials in order of z into the real out with alpha, bias and accumulate (and the row sums into aux). k_split
// is a multiple of BK, so only the last split has a partial k-tile.
// #include lib/gelu.wgsl

struct MatmulParams {
  M: u32,
  N: u32,
  K: u32,
  alpha: f32,
  /** 1: add bias(N) to every row (otherwise binding 3 is a dummy and is not read). */
  has_bias: u32,
  /** 1: out += result instead of out = result. */
  accumulate: u32,
  /** Tiled kernels: k per split (a multiple of BK; workgroup z takes split z), or 0 for the whole K. */
  k_split: u32,
}

@group(0) @binding(0) var<uniform> p: MatmulParams;

@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
/** The epilogue's second tensor (see the header); a 4-float dummy for matmul. */
@group(0) @binding(5) var<storage, read_write> aux: array<f32>;

// Epilogues (the entry point passes one as a constant).
const EPI_PLAIN: u32 = 0u;
const EPI_RESIDUAL: u32 = 1u;
const EPI_GELU: u32 = 2u;
const EPI_GELU_GRAD: u32 = 3u;

/** k depth of one staged tile. */
const BK: u32 = 8u;
/** Threads per side of the workgroup; the output tile is (8*WX) x (8*WX). 16 (128x128 tiles) or 8 (64x64). */
override WX: u32 = 16u;
override TRANS_A: bool = false;
override TRANS_B: bool = false;
/** Every operand's contiguous dimension (and N) is a multiple of 4: one bounds check per aligned quad. */
override VEC4: bool = false;

/** Derived from WX (never set): vec4s per staged k-row (the tile width plus one of padding), and per buffer. */
override SROW: u32 = 2u * WX + 1u;
override HALF: u32 = BK * SROW;
/** vec4 staging slots per thread per operand per tile: a tile is BK x 8*WX floats = 16*WX vec4s. */
override LOADS: u32 = 16u / WX;

// Two buffers of BK k-rows of SROW vec4s; the padding vec4 keeps the transposing stores of the (M,K) / (N,K)
// layouts free of bank conflicts. Inner-loop reads index them only with loop counters, local_invocation_id and
// constants, which lets the compiler prove them in bounds (no clamping in the hot loop).
var<workgroup> As: array<vec4f, 2u * BK * (2u * WX + 1u)>;
var<workgroup> Bs: array<vec4f, 2u * BK * (2u * WX + 1u)>;

// Staging slot s (0 .. 16*WX) of a tile: with a k-major source (A stored (K,M), B stored (K,N)) slot s is k-row
// s / (2*WX), vec4 s % (2*WX); with a k-minor source ((M,K), (N,K)) it is row s / 2, k-quad s % 2.

fn stage(is_a: bool, k_major: bool, base: u32, s: u32, v: vec4f) {
  let S = SROW;
  if (k_major) {
    let i = base + (s / (2u * WX)) * S + s % (2u * WX);
    if (is_a) { As[i] = v; } else { Bs[i] = v; }
  } else {
    let r = s / 2u;
    let i = base + ((s % 2u) * 4u) * S + r / 4u;
    let c = r % 4u;
    if (is_a) {
      As[i][c] = v.x;
      As[i + S][c] = v.y;
      As[i + 2u * S][c] = v.z;
      As[i + 3u * S][c] = v.w;
    } else {
      Bs[i][c] = v.x;
      Bs[i + S][c] = v.y;
      Bs[i + 2u * S][c] = v.z;
      Bs[i + 3u * S][c] = v.w;
    }
  }
}

/** Element offset and validity of slot s of a tile at (r0 in the M or N dimension, k0), for a vec4 load. */
struct Slot {
  idx: u32,
  ok: bool,
}

fn slot4(k_major: bool, s: u32, r0: u32, k0: u32, R: u32) -> Slot {
  if (k_major) {
    let k = k0 + s / (2u * WX);
    let r = r0 + (s % (2u * WX)) * 4u;
    return Slot(k * R + r, k < p.K && r < R);
  }
  let r = r0 + s / 2u;
  let k = k0 + (s % 2u) * 4u;
  return Slot(r * p.K + k, r < R && k < p.K);
}

fn load_a4(s: u32, m0: u32, k0: u32) -> vec4f {
  let t = slot4(TRANS_A, s, m0, k0, p.M);
  if (t.ok) { return vec4f(A[t.idx], A[t.idx + 1u], A[t.idx + 2u], A[t.idx + 3u]); }
  return vec4f(0.0);
}

fn load_b4(s: u32, n0: u32, k0: u32) -> vec4f {
  let t = slot4(!TRANS_B, s, n0, k0, p.N);
  if (t.ok) { return vec4f(B[t.idx], B[t.idx + 1u], B[t.idx + 2u], B[t.idx + 3u]); }
  return vec4f(0.0);
}

// Scalar loads: the same four elements as slot4, each checked on its own (the last vec4 may be partial).
fn load_a1(s: u32, m0: u32, k0: u32) -> vec4f {
  var v = vec4f(0.0);
  if (TRANS_A) {
    let k = k0 + s / (2u * WX);
    let m = m0 + (s % (2u * WX)) * 4u;
    if (k < p.K) {
      for (var c = 0u; c < 4u; c++) { if (m + c < p.M) { v[c] = A[k * p.M + m + c]; } }
    }
  } else {
    let m = m0 + s / 2u;
    let k = k0 + (s % 2u) * 4u;
    if (m < p.M) {
      for (var c = 0u; c < 4u; c++) { if (k + c < p.K) { v[c] = A[m * p.K + k + c]; } }
    }
  }
  return v;
}

fn load_b1(s: u32, n0: u32, k0: u32) -> vec4f {
  var v = vec4f(0.0);
  if (TRANS_B) {
    let n = n0 + s / 2u;
    let k = k0 + (s % 2u) * 4u;
    if (n < p.N) {
      for (var c = 0u; c < 4u; c++) { if (k + c < p.K) { v[c] = B[n * p.K + k + c]; } }
    }
  } else {
    let k = k0 + s / (2u * WX);
    let n = n0 + (s % (2u * WX)) * 4u;
    if (k < p.K) {
      for (var c = 0u; c < 4u; c++) { if (n + c < p.N) { v[c] = B[k * p.N + n + c]; } }
    }
  }
  return v;
}

/** acc += the 8x8 outer product of one k-step: rows a0, a1 (4 each) times columns b0, b1 (4 each). */
fn fma_step(a0: vec4f, a1: vec4f, b0: vec4f, b1: vec4f, acc: ptr<function, array<vec4f, 16>>) {
  (*acc)[0] = fma(vec4f(a0.x), b0, (*acc)[0]);
  (*acc)[1] = fma(vec4f(a0.x), b1, (*acc)[1]);
  (*acc)[2] = fma(vec4f(a0.y), b0, (*acc)[2]);
  (*acc)[3] = fma(vec4f(a0.y), b1, (*acc)[3]);
  (*acc)[4] = fma(vec4f(a0.z), b0, (*acc)[4]);
  (*acc)[5] = fma(vec4f(a0.z), b1, (*acc)[5]);
  (*acc)[6] = fma(vec4f(a0.w), b0, (*acc)[6]);
  (*acc)[7] = fma(vec4f(a0.w), b1, (*acc)[7]);
  (*acc)[8] = fma(vec4f(a1.x), b0, (*acc)[8]);
  (*acc)[9] = fma(vec4f(a1.x), b1, (*acc)[9]);
  (*acc)[10] = fma(vec4f(a1.y), b0, (*acc)[10]);
  (*acc)[11] = fma(vec4f(a1.y), b1, (*acc)[11]);
  (*acc)[12] = fma(vec4f(a1.z), b0, (*acc)[12]);
  (*acc)[13] = fma(vec4f(a1.z), b1, (*acc)[13]);
  (*acc)[14] = fma(vec4f(a1.w), b0, (*acc)[14]);
  (*acc)[15] = fma(vec4f(a1.w), b1, (*acc)[15]);
}

/** Global loads of the tile at k0 into registers (quads with VEC4, element-checked otherwise). */
fn prefetch(t: u32, m0: u32, n0: u32, k0: u32, ra: ptr<function, array<vec4f, 2>>, rb: ptr<function, array<vec4f, 2>>) {
  for (var i = 0u; i < LOADS; i++) {
    let s = t + i * WX * WX;
    if (VEC4) {
      (*ra)[i] = load_a4(s, m0, k0);
      (*rb)[i] = load_b4(s, n0, k0);
    } else {
      (*ra)[i] = load_a1(s, m0, k0);
      (*rb)[i] = load_b1(s, n0, k0);
    }
  }
}

/** Registers into workgroup buffer `base` (0 or HALF). */
fn stage_all(t: u32, base: u32, ra: ptr<function, array<vec4f, 2>>, rb: ptr<function, array<vec4f, 2>>) {
  for (var i = 0u; i < LOADS; i++) {
    let s = t + i * WX * WX;
    stage(true, TRANS_A, base, s, (*ra)[i]);
    stage(false, !TRANS_B, base, s, (*rb)[i]);
  }
}

// Stores: v = alpha * acc [+ bias], then the epilogue `epi`, written where (row, col..col+3) lies inside out.
// Thread (tx, ty) holds rows r0 + 0..3 and r1 + 0..3 (r0 = ty*4, r1 = r0 + 4*WX) and columns c0 + 0..3 and
// c1 + 0..3 (c0 = tx*4, c1 = c0 + 4*WX); acc[2*i + j] is row i (0..7), column group j. Constant acc indices only,
// so the accumulators stay in registers whatever the compiler unrolls.

/** The stored quad of element i (row, col..col+3) from v = alpha * acc + bias: the epilogue, then [+ out]. */
fn epilogue4(epi: u32, i: u32, v0: vec4f) -> vec4f {
  var v = v0;
  if (epi == EPI_RESIDUAL) { v += vec4f(aux[i], aux[i + 1u], aux[i + 2u], aux[i + 3u]); }
  if (epi == EPI_GELU_GRAD) { v *= gelu_grad4(vec4f(aux[i], aux[i + 1u], aux[i + 2u], aux[i + 3u])); }
  if (p.accumulate != 0u) { v += vec4f(out[i], out[i + 1u], out[i + 2u], out[i + 3u]); }
  if (epi == EPI_GELU) {
    aux[i] = v.x;
    aux[i + 1u] = v.y;
    aux[i + 2u] = v.z;
    aux[i + 3u] = v.w;
    v = gelu4(v);
  }
  return v;
}

/** The same for one element. */
fn epilogue1(epi: u32, i: u32, v0: f32) -> f32 {
  var v = v0;
  if (epi == EPI_RESIDUAL) { v += aux[i]; }
  if (epi == EPI_GELU_GRAD) { v *= gelu_grad(aux[i]); }
  if (p.accumulate != 0u) { v += out[i]; }
  if (epi == EPI_GELU) {
    aux[i] = v;
    v = gelu(v);
  }
  return v;
}

// `base`: the split's partial product (z * M * N; 0 without split K).
fn store4(epi: u32, base: u32, row: u32, col: u32, a: vec4f) {
  if (row < p.M && col < p.N) {
    let i = base + row * p.N + col;
    var v = p.alpha * a;
    if (p.has_bias != 0u) { v += vec4f(bias[col], bias[col + 1u], bias[col + 2u], bias[col + 3u]); }
    v = epilogue4(epi, i, v);
    out[i] = v.x;
    out[i + 1u] = v.y;
    out[i + 2u] = v.z;
    out[i + 3u] = v.w;
  }
}

/** Stores one row's quad: whole with VEC4 (N a multiple of 4), element-checked otherwise. */
fn store(epi: u32, base: u32, row: u32, col: u32, a: vec4f) {
  if (VEC4) { store4(epi, base, row, col, a); } else { store1(epi, base, row, col, a); }
}

fn store1(epi: u32, base: u32, row: u32, col: u32, a: vec4f) {
  if (row < p.M) {
    for (var j = 0u; j < 4u; j++) {
      if (col + j < p.N) {
        let i = base + row * p.N + col + j;
        var x = p.alpha * a[j];
        if (p.has_bias != 0u) { x += bias[col + j]; }
        out[i] = epilogue1(epi, i, x);
      }
    }
  }
}

fn store_block(epi: u32, base: u32, r0: u32, r1: u32, c0: u32, c1: u32, acc: ptr<function, array<vec4f, 16>>) {
  store(epi, base, r0, c0, (*acc)[0]);
  store(epi, base, r0, c1, (*acc)[1]);
  store(epi, base, r0 + 1u, c0, (*acc)[2]);
  store(epi, base, r0 + 1u, c1, (*acc)[3]);
  store(epi, base, r0 + 2u, c0, (*acc)[4]);
  store(epi, base, r0 + 2u, c1, (*acc)[5]);
  store(epi, base, r0 + 3u, c0, (*acc)[6]);
  store(epi, base, r0 + 3u, c1, (*acc)[7]);
  store(epi, base, r1, c0, (*acc)[8]);
  store(epi, base, r1, c1, (*acc)[9]);
  store(epi, base, r1 + 1u, c0, (*acc)[10]);
  store(epi, base, r1 + 1u, c1, (*acc)[11]);
  store(epi, base, r1 + 2u, c0, (*acc)[12]);
  store(epi, base, r1 + 2u, c1, (*acc)[13]);
  store(epi, base, r1 + 3u, c0, (*acc)[14]);
  store(epi, base, r1 + 3u, c1, (*acc)[15]);
}

/** The k range [x, y) of split z (the whole K without split K). */
fn k_range(z: u32) -> vec2u {
  if (p.k_split == 0u) { return vec2u(0u, p.K); }
  let k0 = z * p.k_split;
  return vec2u(k0, min(p.K, k0 + p.k_split));
}

/**
 * The workgroup's tile of op(A) op(B) into acc. With `row_sums`, the workgroups of the first column of tiles also
 * add up the op(A) rows they stage: rs[0] rows r0 + 0..3, rs[1] rows r1 + 0..3 (the bias gradient's column sums of
 * dY, read from workgroup memory as the product reads them).
 */
fn product(
  wg: vec3u,
  lid: vec3u,
  acc: ptr<function, array<vec4f, 16>>,
  rs: ptr<function, array<vec4f, 2>>,
  row_sums: bool,
) {
  let m0 = wg.y * 8u * WX;
  let n0 = wg.x * 8u * WX;
  let t = lid.y * WX + lid.x;
  let kr = k_range(wg.z);
  let tiles = (kr.y - kr.x + BK - 1u) / BK;
  let sums = row_sums && wg.x == 0u;
  var ra: array<vec4f, 2>;
  var rb: array<vec4f, 2>;
  prefetch(t, m0, n0, kr.x, &ra, &rb);
  stage_all(t, 0u, &ra, &rb);
  workgroupBarrier();
  // Two tiles per trip, buffer 0 then buffer HALF, so the workgroup-memory reads below use constant bases.
  for (var kt = 0u; kt < tiles; kt += 2u) {
    let odd = kt + 1u < tiles;
    if (odd) { prefetch(t, m0, n0, kr.x + (kt + 1u) * BK, &ra, &rb); }
    for (var k = 0u; k < BK; k++) {
      let o = k * SROW;
      let a0 = As[o + lid.y];
      let a1 = As[o + lid.y + WX];
      fma_step(a0, a1, Bs[o + lid.x], Bs[o + lid.x + WX], acc);
      if (sums) {
        (*rs)[0] += a0;
        (*rs)[1] += a1;
      }
    }
    if (odd) { stage_all(t, HALF, &ra, &rb); }
    workgroupBarrier();
    if (odd) {
      let even = kt + 2u < tiles;
      if (even) { prefetch(t, m0, n0, kr.x + (kt + 2u) * BK, &ra, &rb); }
      for (var k = 0u; k < BK; k++) {
        let o = HALF + k * SROW;
        let a0 = As[o + lid.y];
        let a1 = As[o + lid.y + WX];
        fma_step(a0, a1, Bs[o + lid.x], Bs[o + lid.x + WX], acc);
        if (sums) {
          (*rs)[0] += a0;
          (*rs)[1] += a1;
        }
      }
      if (even) { stage_all(t, 0u, &ra, &rb); }
      workgroupBarrier();
    }
  }
}

/** The product, stored through epilogue `epi` (the split's partial at z * M * N with split K). */
fn product_store(epi: u32, wg: vec3u, lid: vec3u) {
  var acc: array<vec4f, 16>;
  var rs: array<vec4f, 2>;
  product(wg, lid, &acc, &rs, false);
  let r0 = wg.y * 8u * WX + lid.y * 4u;
  let c0 = wg.x * 8u * WX + lid.x * 4u;
  store_block(epi, wg.z * p.M * p.N, r0, r0 + 4u * WX, c0, c0 + 4u * WX, &acc);
}

@compute @workgroup_size(WX, WX)
fn matmul(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  product_store(EPI_PLAIN, wg, lid);
}

@compute @workgroup_size(WX, WX)
fn matmul_residual(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  product_store(EPI_RESIDUAL, wg, lid);
}

@compute @workgroup_size(WX, WX)
fn matmul_gelu(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  product_store(EPI_GELU, wg, lid);
}

@compute @workgroup_size(WX, WX)
fn matmul_gelu_grad(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  product_store(EPI_GELU_GRAD, wg, lid);
}

/** Row sum r of op(A) (one quad lane of rs) where r < M: added to aux, or its split's partial stored. */
fn store_row_sum(row: u32, s: f32, z: u32, splits: u32) {
  if (row >= p.M) { return; }
  if (p.k_split == 0u) {
    aux[row] += s;
  } else {
    out[splits * p.M * p.N + z * p.M + row] = s;
  }
}

@compute @workgroup_size(WX, WX)
fn matmul_bias_grad(
  @builtin(workgroup_id) wg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
) {
  var acc: array<vec4f, 16>;
  var rs: array<vec4f, 2>;
  product(wg, lid, &acc, &rs, true);
  let r0 = wg.y * 8u * WX + lid.y * 4u;
  let r1 = r0 + 4u * WX;
  let c0 = wg.x * 8u * WX + lid.x * 4u;
  store_block(EPI_PLAIN, wg.z * p.M * p.N, r0, r1, c0, c0 + 4u * WX, &acc);
  if (wg.x == 0u && lid.x == 0u) {
    for (var j = 0u; j < 4u; j++) {
      store_row_sum(r0 + j, rs[0][j], wg.z, nwg.z);
      store_row_sum(r1 + j, rs[1][j], wg.z, nwg.z);
    }
  }
}

// ---- splitk_reduce: out (+)= alpha * sum over z of part[z] (+ bias), the splits added in order (same bits every
// run); with row_sums, also aux(M) += the sum over z of the partial row sums stored after the partial products.
// One thread per element of out (M, N) (and of aux); params: sk.M, sk.N, sk.splits, alpha, has_bias, accumulate.

struct SplitParams {
  M: u32,
  N: u32,
  splits: u32,
  alpha: f32,
  has_bias: u32,
  accumulate: u32,
  /** 1: matmul_bias_grad's partial row sums follow the partials, to be added into sk_aux (M). */
  row_sums: u32,
}

@group(0) @binding(0) var<uniform> sk: SplitParams;
@group(0) @binding(1) var<storage, read> sk_part: array<f32>;
@group(0) @binding(2) var<storage, read> sk_bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> sk_out: array<f32>;
@group(0) @binding(4) var<storage, read_write> sk_aux: array<f32>;

override SK_WG: u32 = 256u;

@compute @workgroup_size(SK_WG)
fn splitk_reduce(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * SK_WG;
  let total = sk.M * sk.N;
  if (i >= total) {
    let m = i - total;
    if (sk.row_sums == 0u || m >= sk.M) { return; }
    var r = 0.0;
    for (var z = 0u; z < sk.splits; z++) { r += sk_part[sk.splits * total + z * sk.M + m]; }
    sk_aux[m] += r;
    return;
  }
  var s = 0.0;
  for (var z = 0u; z < sk.splits; z++) { s += sk_part[z * total + i]; }
  var v = sk.alpha * s;
  if (sk.has_bias != 0u) { v += sk_bias[i % sk.N]; }
  if (sk.accumulate != 0u) { v += sk_out[i]; }
  sk_out[i] = v;
}

// ---- bias_grad: db(N) += sum over the M rows of dY(M,N), in a fixed order (no atomics, same bits every run).
// A workgroup of BG_COLS x BG_ROWS threads owns BG_COLS columns; thread (x, y) sums rows y, y+BG_ROWS, ... in
// order (coalesced along the row), then column x's BG_ROWS partial sums are added in order of y.

@group(0) @binding(1) var<storage, read> dY: array<f32>;
@group(0) @binding(2) var<storage, read_write> db: array<f32>;

override BG_COLS: u32 = 32u;
override BG_ROWS: u32 = 8u;

var<workgroup> bg_part: array<f32, BG_COLS * BG_ROWS>;

@compute @workgroup_size(BG_COLS, BG_ROWS)
fn bias_grad(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let col = wg.x * BG_COLS + lid.x;
  var s = 0.0;
  if (col < p.N) {
    for (var r = lid.y; r < p.M; r += BG_ROWS) { s += dY[r * p.N + col]; }
  }
  if (BG_ROWS == 1u) {
    // One row lane (CPU adapters): nothing to combine, no barrier.
    if (col < p.N) { db[col] += s; }
    return;
  }
  bg_part[lid.y * BG_COLS + lid.x] = s;
  workgroupBarrier();
  if (lid.y == 0u && col < p.N) {
    var total = 0.0;
    for (var y = 0u; y < BG_ROWS; y++) { total += bg_part[y * BG_COLS + lid.x]; }
    db[col] += total;
  }
}

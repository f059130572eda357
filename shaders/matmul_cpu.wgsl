// The matmul of CPU adapters: out(M,N) = alpha * op(A) op(B) [+ bias(N)] [+ out], with the params, bindings,
// transpose overrides and fused epilogues of matmul.wgsl's tiled kernels (the op builds both from one MatmulOptions):
// matmul_direct, matmul_direct_residual, matmul_direct_gelu, matmul_direct_gelu_grad and matmul_direct_bias_grad
// do what matmul, matmul_residual, ... do there (see its header).
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
  /** Tiled kernels only (split K); unused here. */
  k_split: u32,
}

@group(0) @binding(0) var<uniform> p: MatmulParams;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
/** The epilogue's second tensor (see matmul.wgsl); a 4-float dummy for matmul_direct. */
@group(0) @binding(5) var<storage, read_write> aux: array<f32>;

const EPI_PLAIN: u32 = 0u;
const EPI_RESIDUAL: u32 = 1u;
const EPI_GELU: u32 = 2u;
const EPI_GELU_GRAD: u32 = 3u;

override TRANS_A: bool = false;
override TRANS_B: bool = false;

// matmul_direct, for CPU adapters (SwiftShader, llvmpipe: isCpuAdapter). There workgroup memory is ordinary
// memory and every barrier switches between the invocations of a workgroup, so the tiled kernels above pay for
// staging and synchronisation without gaining anything. Here nothing is staged: invocation x of a workgroup of DX
// owns rows r0 + 0..7 and columns c0 + DX * (0..7) of out (c0 = 8 * DX * workgroup + x) and reads its operands
// straight from the buffers, k by k. Neighbouring invocations (a CPU's SIMD lanes) read the same A element (one
// broadcast load) and neighbouring columns of B. 64 accumulators per invocation: each loaded value feeds 8
// products. Any shape, any transposition; rows and columns past the edge read clamped (valid) elements and are
// never stored. About 2x the tiled kernel's throughput on SwiftShader (bench/kernels.ts).

override DX: u32 = 8u;

fn store_direct(epi: u32, row: u32, c0: u32, lo: vec4f, hi: vec4f) {
  if (row >= p.M) { return; }
  for (var j = 0u; j < 8u; j++) {
    let col = c0 + j * DX;
    if (col < p.N) {
      let i = row * p.N + col;
      var x = p.alpha * select(lo[j % 4u], hi[j % 4u], j >= 4u);
      if (p.has_bias != 0u) { x += bias[col]; }
      if (epi == EPI_RESIDUAL) { x += aux[i]; }
      if (epi == EPI_GELU_GRAD) { x *= gelu_grad(aux[i]); }
      if (p.accumulate != 0u) { x += out[i]; }
      if (epi == EPI_GELU) {
        aux[i] = x;
        x = gelu(x);
      }
      out[i] = x;
    }
  }
}

/** The workgroup's 8 rows by 8 * DX columns of op(A) op(B) into acc (acc[2 * i]: row i, columns 0..3 of eight). */
fn direct_product(wg: vec3u, lid: vec3u, acc: ptr<function, array<vec4f, 16>>) {
  let r0 = wg.y * 8u;
  let c0 = wg.x * 8u * DX + lid.x;
  // op(A)(r, k) = A[r * ar + k * ak]; op(B)(k, c) = B[k * bk + c * bc].
  var ar = p.K;
  var ak = 1u;
  if (TRANS_A) { ar = 1u; ak = p.M; }
  var bk = p.N;
  var bc = 1u;
  if (TRANS_B) { bk = 1u; bc = p.K; }
  let rl = p.M - 1u;
  let cl = p.N - 1u;
  let a0 = min(r0, rl) * ar;
  let a1 = min(r0 + 1u, rl) * ar;
  let a2 = min(r0 + 2u, rl) * ar;
  let a3 = min(r0 + 3u, rl) * ar;
  let a4 = min(r0 + 4u, rl) * ar;
  let a5 = min(r0 + 5u, rl) * ar;
  let a6 = min(r0 + 6u, rl) * ar;
  let a7 = min(r0 + 7u, rl) * ar;
  let b0 = min(c0, cl) * bc;
  let b1 = min(c0 + DX, cl) * bc;
  let b2 = min(c0 + 2u * DX, cl) * bc;
  let b3 = min(c0 + 3u * DX, cl) * bc;
  let b4 = min(c0 + 4u * DX, cl) * bc;
  let b5 = min(c0 + 5u * DX, cl) * bc;
  let b6 = min(c0 + 6u * DX, cl) * bc;
  let b7 = min(c0 + 7u * DX, cl) * bc;
  // Constant acc indices only.
  for (var k = 0u; k < p.K; k++) {
    let ka = k * ak;
    let kb = k * bk;
    let lo = vec4f(B[b0 + kb], B[b1 + kb], B[b2 + kb], B[b3 + kb]);
    let hi = vec4f(B[b4 + kb], B[b5 + kb], B[b6 + kb], B[b7 + kb]);
    var a = vec4f(A[a0 + ka]);
    (*acc)[0] = fma(a, lo, (*acc)[0]);
    (*acc)[1] = fma(a, hi, (*acc)[1]);
    a = vec4f(A[a1 + ka]);
    (*acc)[2] = fma(a, lo, (*acc)[2]);
    (*acc)[3] = fma(a, hi, (*acc)[3]);
    a = vec4f(A[a2 + ka]);
    (*acc)[4] = fma(a, lo, (*acc)[4]);
    (*acc)[5] = fma(a, hi, (*acc)[5]);
    a = vec4f(A[a3 + ka]);
    (*acc)[6] = fma(a, lo, (*acc)[6]);
    (*acc)[7] = fma(a, hi, (*acc)[7]);
    a = vec4f(A[a4 + ka]);
    (*acc)[8] = fma(a, lo, (*acc)[8]);
    (*acc)[9] = fma(a, hi, (*acc)[9]);
    a = vec4f(A[a5 + ka]);
    (*acc)[10] = fma(a, lo, (*acc)[10]);
    (*acc)[11] = fma(a, hi, (*acc)[11]);
    a = vec4f(A[a6 + ka]);
    (*acc)[12] = fma(a, lo, (*acc)[12]);
    (*acc)[13] = fma(a, hi, (*acc)[13]);
    a = vec4f(A[a7 + ka]);
    (*acc)[14] = fma(a, lo, (*acc)[14]);
    (*acc)[15] = fma(a, hi, (*acc)[15]);
  }
}

/** The invocation's 8 rows by 8 columns (acc, as direct_product leaves it), stored through epilogue `epi`. */
fn store_acc(epi: u32, wg: vec3u, lid: vec3u, acc: ptr<function, array<vec4f, 16>>) {
  let r0 = wg.y * 8u;
  let c0 = wg.x * 8u * DX + lid.x;
  store_direct(epi, r0, c0, (*acc)[0], (*acc)[1]);
  store_direct(epi, r0 + 1u, c0, (*acc)[2], (*acc)[3]);
  store_direct(epi, r0 + 2u, c0, (*acc)[4], (*acc)[5]);
  store_direct(epi, r0 + 3u, c0, (*acc)[6], (*acc)[7]);
  store_direct(epi, r0 + 4u, c0, (*acc)[8], (*acc)[9]);
  store_direct(epi, r0 + 5u, c0, (*acc)[10], (*acc)[11]);
  store_direct(epi, r0 + 6u, c0, (*acc)[12], (*acc)[13]);
  store_direct(epi, r0 + 7u, c0, (*acc)[14], (*acc)[15]);
}

/** The product, stored through epilogue `epi`. */
fn direct_product_store(epi: u32, wg: vec3u, lid: vec3u) {
  var acc: array<vec4f, 16>;
  direct_product(wg, lid, &acc);
  store_acc(epi, wg, lid, &acc);
}

@compute @workgroup_size(DX)
fn matmul_direct(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  direct_product_store(EPI_PLAIN, wg, lid);
}

@compute @workgroup_size(DX)
fn matmul_direct_residual(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  direct_product_store(EPI_RESIDUAL, wg, lid);
}

@compute @workgroup_size(DX)
fn matmul_direct_gelu(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  direct_product_store(EPI_GELU, wg, lid);
}

@compute @workgroup_size(DX)
fn matmul_direct_gelu_grad(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  direct_product_store(EPI_GELU_GRAD, wg, lid);
}

// The product, and the workgroups of the first column block also add up their 8 rows of op(A) over k, in order
// (invocation x takes rows x, x + DX, ...): aux(M) += the row sums, a weight gradient's bias gradient.
@compute @workgroup_size(DX)
fn matmul_direct_bias_grad(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  direct_product_store(EPI_PLAIN, wg, lid);
  add_row_sums(wg, lid);
}

/** matmul_direct_bias_grad's row sums: aux(M) += op(A)'s rows summed over k, by the first column block. */
fn add_row_sums(wg: vec3u, lid: vec3u) {
  if (wg.x != 0u) { return; }
  var ar = p.K;
  var ak = 1u;
  if (TRANS_A) { ar = 1u; ak = p.M; }
  for (var r = wg.y * 8u + lid.x; r < min(wg.y * 8u + 8u, p.M); r += DX) {
    var s = 0.0;
    for (var k = 0u; k < p.K; k++) { s += A[r * ar + k * ak]; }
    aux[r] += s;
  }
}

enable subgroups;
// matmul_direct_subgroup and its fused epilogues (_residual, _gelu, _gelu_grad, _bias_grad): matmul_direct and
// its epilogues (extends matmul_cpu.wgsl: compiled after it, in one module, with its params, bindings, overrides,
// store_acc and add_row_sums) with the A operand shared through the subgroup. Every invocation of a workgroup owns
// the same 8 rows (and its own 8 columns), so instead of each invocation loading the 8 A elements of a k, lane l of
// each subgroup loads two of them (rows l % 4 and 4 + l % 4) and the 8 values reach every lane by subgroupBroadcast
// from lanes 0..3: a quarter of the A loads. Any subgroup size from 4 (SwiftShader, whose lanes are the CPU's SIMD
// lanes) up, since a subgroup never spans workgroups.

/** direct_product with A shared through the subgroup. */
fn subgroup_product(wg: vec3u, lid: vec3u, lane: u32, acc: ptr<function, array<vec4f, 16>>) {
  let r0 = wg.y * 8u;
  let c0 = wg.x * 8u * DX + lid.x;
  var ar = p.K;
  var ak = 1u;
  if (TRANS_A) { ar = 1u; ak = p.M; }
  var bk = p.N;
  var bc = 1u;
  if (TRANS_B) { bk = 1u; bc = p.K; }
  let rl = p.M - 1u;
  let cl = p.N - 1u;
  let q = lane % 4u;
  let a_lo = min(r0 + q, rl) * ar;
  let a_hi = min(r0 + 4u + q, rl) * ar;
  let b0 = min(c0, cl) * bc;
  let b1 = min(c0 + DX, cl) * bc;
  let b2 = min(c0 + 2u * DX, cl) * bc;
  let b3 = min(c0 + 3u * DX, cl) * bc;
  let b4 = min(c0 + 4u * DX, cl) * bc;
  let b5 = min(c0 + 5u * DX, cl) * bc;
  let b6 = min(c0 + 6u * DX, cl) * bc;
  let b7 = min(c0 + 7u * DX, cl) * bc;
  for (var k = 0u; k < p.K; k++) {
    let ka = k * ak;
    let kb = k * bk;
    let lo = vec4f(B[b0 + kb], B[b1 + kb], B[b2 + kb], B[b3 + kb]);
    let hi = vec4f(B[b4 + kb], B[b5 + kb], B[b6 + kb], B[b7 + kb]);
    let x = A[a_lo + ka];
    let y = A[a_hi + ka];
    (*acc)[0] = fma(vec4f(subgroupBroadcast(x, 0u)), lo, (*acc)[0]);
    (*acc)[1] = fma(vec4f(subgroupBroadcast(x, 0u)), hi, (*acc)[1]);
    (*acc)[2] = fma(vec4f(subgroupBroadcast(x, 1u)), lo, (*acc)[2]);
    (*acc)[3] = fma(vec4f(subgroupBroadcast(x, 1u)), hi, (*acc)[3]);
    (*acc)[4] = fma(vec4f(subgroupBroadcast(x, 2u)), lo, (*acc)[4]);
    (*acc)[5] = fma(vec4f(subgroupBroadcast(x, 2u)), hi, (*acc)[5]);
    (*acc)[6] = fma(vec4f(subgroupBroadcast(x, 3u)), lo, (*acc)[6]);
    (*acc)[7] = fma(vec4f(subgroupBroadcast(x, 3u)), hi, (*acc)[7]);
    (*acc)[8] = fma(vec4f(subgroupBroadcast(y, 0u)), lo, (*acc)[8]);
    (*acc)[9] = fma(vec4f(subgroupBroadcast(y, 0u)), hi, (*acc)[9]);
    (*acc)[10] = fma(vec4f(subgroupBroadcast(y, 1u)), lo, (*acc)[10]);
    (*acc)[11] = fma(vec4f(subgroupBroadcast(y, 1u)), hi, (*acc)[11]);
    (*acc)[12] = fma(vec4f(subgroupBroadcast(y, 2u)), lo, (*acc)[12]);
    (*acc)[13] = fma(vec4f(subgroupBroadcast(y, 2u)), hi, (*acc)[13]);
    (*acc)[14] = fma(vec4f(subgroupBroadcast(y, 3u)), lo, (*acc)[14]);
    (*acc)[15] = fma(vec4f(subgroupBroadcast(y, 3u)), hi, (*acc)[15]);
  }
}

/** The product, stored through epilogue `epi`. */
fn subgroup_product_store(epi: u32, wg: vec3u, lid: vec3u, lane: u32) {
  var acc: array<vec4f, 16>;
  subgroup_product(wg, lid, lane, &acc);
  store_acc(epi, wg, lid, &acc);
}

@compute @workgroup_size(DX)
fn matmul_direct_subgroup(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                          @builtin(subgroup_invocation_id) lane: u32) {
  subgroup_product_store(EPI_PLAIN, wg, lid, lane);
}

@compute @workgroup_size(DX)
fn matmul_direct_subgroup_residual(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                                   @builtin(subgroup_invocation_id) lane: u32) {
  subgroup_product_store(EPI_RESIDUAL, wg, lid, lane);
}

@compute @workgroup_size(DX)
fn matmul_direct_subgroup_gelu(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                               @builtin(subgroup_invocation_id) lane: u32) {
  subgroup_product_store(EPI_GELU, wg, lid, lane);
}

@compute @workgroup_size(DX)
fn matmul_direct_subgroup_gelu_grad(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                                    @builtin(subgroup_invocation_id) lane: u32) {
  subgroup_product_store(EPI_GELU_GRAD, wg, lid, lane);
}

@compute @workgroup_size(DX)
fn matmul_direct_subgroup_bias_grad(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
                                    @builtin(subgroup_invocation_id) lane: u32) {
  subgroup_product_store(EPI_PLAIN, wg, lid, lane);
  add_row_sums(wg, lid);
}

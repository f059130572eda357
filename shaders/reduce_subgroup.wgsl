enable subgroups;
// The gradient norm's two reductions with subgroup sums (extends reduce.wgsl: compiled after it, in one module,
// with its params, bindings and overrides). Each lane sums its strided elements in order as sumsq_partials does;
// subgroupAdd combines the lanes, and a workgroup of several subgroups combines their sums through one slot each
// and a single barrier (a workgroup of one subgroup, such as SwiftShader's 4 lanes, has no barrier at all) instead of
// the log2(WG) barriers of tree2. Fixed order on a given adapter: the same bits every run.

// The workgroup's total of x (one value per invocation), in every invocation: each subgroup's sum goes to its slot,
// then every subgroup adds the slots in the same order.
fn wg_total(x: f32, sid: u32, nsg: u32, lane: u32, S: u32) -> f32 {
  let s = subgroupAdd(x);
  if (nsg == 1u) { return s; }
  if (lane == 0u) { s_a[sid] = s; }
  workgroupBarrier();
  var t = 0.0;
  for (var i = lane; i < nsg; i += S) { t += s_a[i]; }
  return subgroupAdd(t);
}

@compute @workgroup_size(WG)
fn sumsq_partials_subgroup(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                           @builtin(local_invocation_index) tid: u32, @builtin(subgroup_id) sid: u32,
                           @builtin(num_subgroups) nsg: u32, @builtin(subgroup_invocation_id) lane: u32,
                           @builtin(subgroup_size) S: u32) {
  var acc = 0.0;
  for (var i = wid.x * WG + tid; i < sp.n; i += nwg.x * WG) {
    let v = x[i];
    acc += v * v;
  }
  let total = wg_total(acc, sid, nsg, lane, S);
  if (tid == 0u) {
    partials[sp.slot + wid.x] = total;
  }
}

@compute @workgroup_size(WG)
fn grad_norm_finish_subgroup(@builtin(local_invocation_index) tid: u32, @builtin(subgroup_id) sid: u32,
                             @builtin(num_subgroups) nsg: u32, @builtin(subgroup_invocation_id) lane: u32,
                             @builtin(subgroup_size) S: u32) {
  var acc = 0.0;
  for (var i = tid; i < np.count; i += WG) {
    acc += partials_in[i];
  }
  let total = wg_total(acc, sid, nsg, lane, S);
  if (tid == 0u) {
    let norm = sqrt(total);
    norm_out[0] = norm;
    norm_out[1] = select(1.0, min(1.0, np.max_norm / (norm + 1e-6)), np.max_norm > 0.0);
  }
}

enable subgroups;
// The fused cross-entropy with one subgroup per row (extends mlm_loss.wgsl: compiled after it, in one module, with
// its params, bindings and helpers). The lanes of a subgroup stride over the row's V logits with the same online
// max/sum as row_stats, then combine through subgroupMax / subgroupAdd / subgroupMin (no workgroup memory, no
// barrier), and write the gradient over their own elements. The subgroups of the grid take rows in turn (WG / S per
// workgroup for subgroup size S), so any S from 4 (SwiftShader, the CPU's SIMD lanes; its one-thread-per-row
// variant leaves three of four lanes idle) to WG is right. Entries and bindings as xent_inplace, xent_separate and
// xent_forward.

// The first subgroup index of this workgroup in the grid, and how many subgroups the grid has.
fn sg_first(wid: vec3u, nwg: vec3u, sid: u32, nsg: u32) -> u32 {
  return (wid.x + wid.y * nwg.x) * nsg + sid;
}

// row_stats over the subgroup: each lane's online statistics, then the row's (every lane gets the same bits).
fn sg_stats(base: u32, V: u32, lane: u32, S: u32) -> Stats {
  let own = online_stats(base, V, lane, S);
  let m = own.m;
  let idx = own.idx;
  let mm = subgroupMax(select(LOWEST, m, idx != NONE));
  let ss = subgroupBroadcastFirst(subgroupAdd(select(0.0, own.s * exp(m - mm), idx != NONE)));
  // The first index holding the maximum: the smallest of the lanes' first indices of it.
  let ii = subgroupMin(select(NONE, idx, idx != NONE && m == mm));
  return Stats(mm, ss, ii);
}

// What a row's gradient needs, after its loss and argmax are written (or, for a row without a target, their
// empty values): whether it has a target t, and the statistics, weight and 1 / sum.
struct SgRow {
  has_target: bool,
  t: u32,
  st: Stats,
  w: f32,
  inv_s: f32,
}

// The subgroup's work on one row before its gradient: target, statistics (x[t] read first: in place, the row is
// overwritten with the gradient afterwards), loss and argmax. Subgroup-uniform: every lane holds the same row.
fn sg_row(row: u32, lane: u32, S: u32) -> SgRow {
  let t = target_of(row);
  if (t < 0) {
    write_no_target(row, lane);
    return SgRow(false, 0u, Stats(0.0, 1.0, NONE), 0.0, 0.0);
  }
  let base = row * p.V;
  let xt = logits[base + u32(t)];
  let st = sg_stats(base, p.V, lane, S);
  write_loss(row, st, xt, lane);
  return SgRow(true, u32(t), st, weights[row], 1.0 / st.s);
}

// The gradient of element j of the row at base: w * (softmax - onehot(t)), or 0 for a row without a target.
fn sg_grad(base: u32, j: u32, r: SgRow) -> f32 {
  if (!r.has_target) { return 0.0; }
  let prob = exp(logits[base + j] - r.st.m) * r.inv_s;
  return r.w * select(prob, prob - 1.0, j == r.t);
}

@compute @workgroup_size(WG)
fn xent_inplace_subgroup(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                         @builtin(subgroup_id) sid: u32, @builtin(num_subgroups) nsg: u32,
                         @builtin(subgroup_invocation_id) lane: u32, @builtin(subgroup_size) S: u32) {
  for (var row = sg_first(wid, nwg, sid, nsg); row < p.M; row += nwg.x * nwg.y * nsg) {
    let r = sg_row(row, lane, S);
    let base = row * p.V;
    for (var j = lane; j < p.V; j += S) { logits[base + j] = sg_grad(base, j, r); }
  }
}

@compute @workgroup_size(WG)
fn xent_separate_subgroup(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                          @builtin(subgroup_id) sid: u32, @builtin(num_subgroups) nsg: u32,
                          @builtin(subgroup_invocation_id) lane: u32, @builtin(subgroup_size) S: u32) {
  for (var row = sg_first(wid, nwg, sid, nsg); row < p.M; row += nwg.x * nwg.y * nsg) {
    let r = sg_row(row, lane, S);
    let base = row * p.V;
    for (var j = lane; j < p.V; j += S) { dlogits[base + j] = sg_grad(base, j, r); }
  }
}

@compute @workgroup_size(WG)
fn xent_forward_subgroup(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                         @builtin(subgroup_id) sid: u32, @builtin(num_subgroups) nsg: u32,
                         @builtin(subgroup_invocation_id) lane: u32, @builtin(subgroup_size) S: u32) {
  for (var row = sg_first(wid, nwg, sid, nsg); row < p.M; row += nwg.x * nwg.y * nsg) {
    _ = sg_row(row, lane, S);
  }
}

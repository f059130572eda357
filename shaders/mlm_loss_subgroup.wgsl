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
  var m = LOWEST;
  var s = 0.0;
  var idx = NONE;
  for (var j = lane; j < V; j += S) {
    let x = logits[base + j];
    if (idx == NONE || x > m) {
      s = s * exp(m - x) + 1.0;
      m = x;
      idx = j;
    } else {
      s += exp(x - m);
    }
  }
  let mm = subgroupMax(select(LOWEST, m, idx != NONE));
  let ss = subgroupBroadcastFirst(subgroupAdd(select(0.0, s * exp(m - mm), idx != NONE)));
  // The first index holding the maximum: the smallest of the lanes' first indices of it.
  let ii = subgroupMin(select(NONE, idx, idx != NONE && m == mm));
  return Stats(mm, ss, ii);
}

fn sg_prob(base: u32, j: u32, st: Stats, inv_s: f32) -> f32 {
  return exp(logits[base + j] - st.m) * inv_s;
}

@compute @workgroup_size(WG)
fn xent_inplace_subgroup(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                         @builtin(subgroup_id) sid: u32, @builtin(num_subgroups) nsg: u32,
                         @builtin(subgroup_invocation_id) lane: u32, @builtin(subgroup_size) S: u32) {
  for (var row = sg_first(wid, nwg, sid, nsg); row < p.M; row += nwg.x * nwg.y * nsg) {
    let base = row * p.V;
    let t = target_of(row);
    if (t < 0) {
      for (var j = lane; j < p.V; j += S) { logits[base + j] = 0.0; }
      write_no_target(row, lane);
      continue;
    }
    // Read x[t] before the subgroup's statistics: after them the row is overwritten with the gradient.
    let xt = logits[base + u32(t)];
    let st = sg_stats(base, p.V, lane, S);
    write_loss(row, st, xt, lane);
    let w = weights[row];
    let inv_s = 1.0 / st.s;
    for (var j = lane; j < p.V; j += S) {
      let prob = sg_prob(base, j, st, inv_s);
      logits[base + j] = w * select(prob, prob - 1.0, j == u32(t));
    }
  }
}

@compute @workgroup_size(WG)
fn xent_separate_subgroup(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                          @builtin(subgroup_id) sid: u32, @builtin(num_subgroups) nsg: u32,
                          @builtin(subgroup_invocation_id) lane: u32, @builtin(subgroup_size) S: u32) {
  for (var row = sg_first(wid, nwg, sid, nsg); row < p.M; row += nwg.x * nwg.y * nsg) {
    let base = row * p.V;
    let t = target_of(row);
    if (t < 0) {
      for (var j = lane; j < p.V; j += S) { dlogits[base + j] = 0.0; }
      write_no_target(row, lane);
      continue;
    }
    let xt = logits[base + u32(t)];
    let st = sg_stats(base, p.V, lane, S);
    write_loss(row, st, xt, lane);
    let w = weights[row];
    let inv_s = 1.0 / st.s;
    for (var j = lane; j < p.V; j += S) {
      let prob = sg_prob(base, j, st, inv_s);
      dlogits[base + j] = w * select(prob, prob - 1.0, j == u32(t));
    }
  }
}

@compute @workgroup_size(WG)
fn xent_forward_subgroup(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                         @builtin(subgroup_id) sid: u32, @builtin(num_subgroups) nsg: u32,
                         @builtin(subgroup_invocation_id) lane: u32, @builtin(subgroup_size) S: u32) {
  for (var row = sg_first(wid, nwg, sid, nsg); row < p.M; row += nwg.x * nwg.y * nsg) {
    let t = target_of(row);
    if (t < 0) {
      write_no_target(row, lane);
      continue;
    }
    let base = row * p.V;
    let xt = logits[base + u32(t)];
    let st = sg_stats(base, p.V, lane, S);
    // Keeps weights in this entry's layout, so one buffer list serves all three entries.
    _ = weights[row];
    write_loss(row, st, xt, lane);
  }
}

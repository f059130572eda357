// LayerNorm over the last dim C, as PyTorch/Hugging Face BERT compute it (biased variance, eps inside the sqrt).
// forward saves mean and rstd per row; backward_input gives dx (= or +=); dgamma/dbeta (+=) come from a
// deterministic two-pass column sum: backward_params_partial (one partial per chunk of rows) then _finish, or, on
// CPU adapters, from backward_params: one pass, a thread per column summing every row in order (no scratch, no
// barrier, one dispatch instead of two).

struct Params {
  N: u32,
  C: u32,
  eps: f32,
  accumulate: u32,      // backward_input: 0 -> dx = ..., 1 -> dx += ... (the residual stream)
  rows_per_chunk: u32,  // backward_params_*: rows summed by one partial
  chunks: u32,          // backward_params_*: number of partials per column, ceil(N / rows_per_chunk)
}

@group(0) @binding(0) var<uniform> p: Params;

override WG: u32 = 256u;  // threads per row in forward/backward_input (a power of two); threads in _finish
override TC: u32 = 64u;   // backward_params_partial: columns per workgroup
override TR: u32 = 4u;    // backward_params_partial: row lanes per workgroup

var<workgroup> sa: array<f32, WG>;
var<workgroup> sb: array<f32, WG>;
var<workgroup> pg: array<f32, TC * TR>;
var<workgroup> pb: array<f32, TC * TR>;

// Tree sum of sa and sb over the workgroup into element 0, pairing fixed (bitwise deterministic).
fn reduce2(t: u32) {
  for (var s = WG / 2u; s > 0u; s = s / 2u) {
    workgroupBarrier();
    if (t < s) {
      sa[t] += sa[t + s];
      sb[t] += sb[t + s];
    }
  }
  workgroupBarrier();
}

// ---- forward: one workgroup per row ----
@group(0) @binding(1) var<storage, read> f_x: array<f32>;          // (N, C)
@group(0) @binding(2) var<storage, read> f_gamma: array<f32>;      // (C)
@group(0) @binding(3) var<storage, read> f_beta: array<f32>;       // (C)
@group(0) @binding(4) var<storage, read_write> f_out: array<f32>;  // (N, C)
@group(0) @binding(5) var<storage, read_write> f_mean: array<f32>; // (N)
@group(0) @binding(6) var<storage, read_write> f_rstd: array<f32>; // (N)

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_index) t: u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= p.N) { return; }
  let C = p.C;
  let base = row * C;
  var s = 0.0;
  for (var c = t; c < C; c += WG) { s += f_x[base + c]; }
  sa[t] = s;
  sb[t] = 0.0;
  reduce2(t);
  let m = sa[0] / f32(C);
  workgroupBarrier();
  // Two-pass variance: sum of squared deviations, no cancellation.
  var v = 0.0;
  for (var c = t; c < C; c += WG) {
    let d = f_x[base + c] - m;
    v += d * d;
  }
  sa[t] = v;
  reduce2(t);
  let r = 1.0 / sqrt(sa[0] / f32(C) + p.eps);
  for (var c = t; c < C; c += WG) {
    f_out[base + c] = (f_x[base + c] - m) * r * f_gamma[c] + f_beta[c];
  }
  if (t == 0u) {
    f_mean[row] = m;
    f_rstd[row] = r;
  }
}

// ---- forward_rows: one thread per row, no workgroup memory and no barriers (narrow rows: C up to ROW_MAX_C) ----
// The same two-pass mean / variance in the same order as a serial sum; used where a row is too short to share out.
@compute @workgroup_size(WG)
fn forward_rows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let row = gid.x + gid.y * nwg.x * WG;
  if (row >= p.N) { return; }
  let C = p.C;
  let base = row * C;
  var s = 0.0;
  for (var c = 0u; c < C; c++) { s += f_x[base + c]; }
  let m = s / f32(C);
  var v = 0.0;
  for (var c = 0u; c < C; c++) {
    let d = f_x[base + c] - m;
    v += d * d;
  }
  let r = 1.0 / sqrt(v / f32(C) + p.eps);
  for (var c = 0u; c < C; c++) {
    f_out[base + c] = (f_x[base + c] - m) * r * f_gamma[c] + f_beta[c];
  }
  f_mean[row] = m;
  f_rstd[row] = r;
}

// ---- backward_input: dx = rstd * (dy*gamma - mean(dy*gamma) - xhat * mean(dy*gamma*xhat)), one workgroup per row ----
@group(0) @binding(1) var<storage, read> bi_dy: array<f32>;        // (N, C)
@group(0) @binding(2) var<storage, read> bi_x: array<f32>;         // (N, C)
@group(0) @binding(3) var<storage, read> bi_gamma: array<f32>;     // (C)
@group(0) @binding(4) var<storage, read> bi_mean: array<f32>;      // (N)
@group(0) @binding(5) var<storage, read> bi_rstd: array<f32>;      // (N)
@group(0) @binding(6) var<storage, read_write> bi_dx: array<f32>;  // (N, C)

// dx[base + c] (+)= rstd * (dy*gamma - mean(dy*gamma) - xhat * mean(dy*gamma*xhat)), given the two row means.
fn write_dx(base: u32, c: u32, m: f32, r: f32, mdn: f32, mdnx: f32) {
  let xh = (bi_x[base + c] - m) * r;
  let g = r * (bi_dy[base + c] * bi_gamma[c] - mdn - xh * mdnx);
  if (p.accumulate != 0u) {
    bi_dx[base + c] += g;
  } else {
    bi_dx[base + c] = g;
  }
}

@compute @workgroup_size(WG)
fn backward_input(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                  @builtin(local_invocation_index) t: u32) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= p.N) { return; }
  let C = p.C;
  let base = row * C;
  let m = bi_mean[row];
  let r = bi_rstd[row];
  var s_dn = 0.0;
  var s_dnx = 0.0;
  for (var c = t; c < C; c += WG) {
    let dn = bi_dy[base + c] * bi_gamma[c];
    s_dn += dn;
    s_dnx += dn * (bi_x[base + c] - m) * r;
  }
  sa[t] = s_dn;
  sb[t] = s_dnx;
  reduce2(t);
  let mdn = sa[0] / f32(C);
  let mdnx = sb[0] / f32(C);
  for (var c = t; c < C; c += WG) { write_dx(base, c, m, r, mdn, mdnx); }
}

// ---- backward_input_rows: one thread per row, no barriers (narrow rows), same formula as backward_input ----
@compute @workgroup_size(WG)
fn backward_input_rows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let row = gid.x + gid.y * nwg.x * WG;
  if (row >= p.N) { return; }
  let C = p.C;
  let base = row * C;
  let m = bi_mean[row];
  let r = bi_rstd[row];
  var s_dn = 0.0;
  var s_dnx = 0.0;
  for (var c = 0u; c < C; c++) {
    let dn = bi_dy[base + c] * bi_gamma[c];
    s_dn += dn;
    s_dnx += dn * (bi_x[base + c] - m) * r;
  }
  let mdn = s_dn / f32(C);
  let mdnx = s_dnx / f32(C);
  for (var c = 0u; c < C; c++) { write_dx(base, c, m, r, mdn, mdnx); }
}

// ---- backward_params_partial: workgroup (column tile, chunk of rows) -> partial[chunk, c] for dgamma and dbeta ----
@group(0) @binding(1) var<storage, read> bp_dy: array<f32>;             // (N, C)
@group(0) @binding(2) var<storage, read> bp_x: array<f32>;              // (N, C)
@group(0) @binding(3) var<storage, read> bp_mean: array<f32>;           // (N)
@group(0) @binding(4) var<storage, read> bp_rstd: array<f32>;           // (N)
@group(0) @binding(5) var<storage, read_write> bp_partial: array<f32>;  // (2, chunks, C): dgamma then dbeta

@compute @workgroup_size(TC, TR)
fn backward_params_partial(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let C = p.C;
  let c = wid.x * TC + lid.x;
  let chunk = wid.y;
  let r0 = chunk * p.rows_per_chunk;
  let r1 = min(r0 + p.rows_per_chunk, p.N);
  var g = 0.0;
  var b = 0.0;
  if (c < C) {
    for (var r = r0 + lid.y; r < r1; r += TR) {
      let d = bp_dy[r * C + c];
      g += d * (bp_x[r * C + c] - bp_mean[r]) * bp_rstd[r];
      b += d;
    }
  }
  if (TR == 1u) {
    // One row lane (CPU adapters): nothing to combine, no barrier.
    if (c < C) {
      bp_partial[chunk * C + c] = g;
      bp_partial[(p.chunks + chunk) * C + c] = b;
    }
    return;
  }
  let li = lid.y * TC + lid.x;
  pg[li] = g;
  pb[li] = b;
  workgroupBarrier();
  if (lid.y == 0u && c < C) {
    var gs = 0.0;
    var bs = 0.0;
    for (var k = 0u; k < TR; k++) {
      gs += pg[k * TC + lid.x];
      bs += pb[k * TC + lid.x];
    }
    bp_partial[chunk * C + c] = gs;
    bp_partial[(p.chunks + chunk) * C + c] = bs;
  }
}

// ---- backward_params_finish: one thread per column sums its partials in chunk order ----
@group(0) @binding(1) var<storage, read> bf_partial: array<f32>;       // (2, chunks, C)
@group(0) @binding(2) var<storage, read_write> bf_dgamma: array<f32>;  // (C)
@group(0) @binding(3) var<storage, read_write> bf_dbeta: array<f32>;   // (C)

@compute @workgroup_size(WG)
fn backward_params_finish(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let c = gid.x + gid.y * nwg.x * WG;
  let C = p.C;
  if (c >= C) { return; }
  var g = 0.0;
  var b = 0.0;
  for (var k = 0u; k < p.chunks; k++) {
    g += bf_partial[k * C + c];
    b += bf_partial[(p.chunks + k) * C + c];
  }
  bf_dgamma[c] += g;
  bf_dbeta[c] += b;
}

// ---- backward_params: one thread per column sums every row in order (CPU adapters: TC columns a workgroup) ----
@group(0) @binding(5) var<storage, read_write> bq_dgamma: array<f32>;  // (C)
@group(0) @binding(6) var<storage, read_write> bq_dbeta: array<f32>;   // (C)

@compute @workgroup_size(TC)
fn backward_params(@builtin(global_invocation_id) gid: vec3u) {
  let C = p.C;
  let c = gid.x;
  if (c >= C) { return; }
  var g = 0.0;
  var b = 0.0;
  for (var r = 0u; r < p.N; r++) {
    let d = bp_dy[r * C + c];
    g += d * (bp_x[r * C + c] - bp_mean[r]) * bp_rstd[r];
    b += d;
  }
  bq_dgamma[c] += g;
  bq_dbeta[c] += b;
}

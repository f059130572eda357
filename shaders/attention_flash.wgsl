// Fused (FlashAttention-style) multi-head self-attention on a packed qkv (B*T, 3C): online softmax over key tiles,
// per-row max and 1/sum saved instead of the (B, NH, T, T) probabilities, so memory stays linear in T.
//
// Same semantics as attention.wgsl (masked logits replaced by PAD_MASKED / CAUSAL_MASKED). Backward as in
// FlashAttention-2, without atomics (deterministic): flash_delta D = rowsum(dO * O); flash_backward_kv walks the
// query tiles for one key tile and writes dK, dV; flash_backward_q walks the key tiles for one query tile and
// writes dQ. 64 threads per workgroup: thread (row = tid / 4, lane = tid % 4) owns dims lane + 4k of its row.
// Workgroup memory stays under 14 KB for HS <= 64 (rows padded to HS + 1 floats against bank conflicts).

const PAD_MASKED: f32 = -1.0e30;
const CAUSAL_MASKED: f32 = -3.0e38;

struct FlashParams {
  T: u32,
  C: u32,
  NH: u32,
  causal: u32,
  scale: f32, // 1 / sqrt(HS)
  rows: u32,  // B * NH * T (flash_delta)
}

@group(0) @binding(0) var<uniform> p: FlashParams;
// flash_forward, flash_backward_kv, flash_backward_q
@group(0) @binding(1) var<storage, read> qkv: array<f32>;          // (B*T, 3C)
@group(0) @binding(2) var<storage, read> valid: array<i32>;        // (B*T)
@group(0) @binding(3) var<storage, read_write> out: array<f32>;    // forward: (B*T, C)
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;  // forward: (B, NH, T, 2) row max, 1 / row sum
@group(0) @binding(3) var<storage, read> dout: array<f32>;         // backward: (B*T, C)
@group(0) @binding(4) var<storage, read> stats_r: array<f32>;      // backward: the forward's stats
@group(0) @binding(5) var<storage, read> delta_r: array<f32>;      // backward: (B, NH, T) from flash_delta
@group(0) @binding(6) var<storage, read_write> dqkv: array<f32>;   // backward: (B*T, 3C), overwritten
// flash_delta
@group(0) @binding(1) var<storage, read> out_r: array<f32>;        // (B*T, C)
@group(0) @binding(2) var<storage, read> dout_d: array<f32>;       // (B*T, C)
@group(0) @binding(3) var<storage, read_write> delta: array<f32>;  // (B, NH, T)

override HS: u32 = 64u;        // head size, at most 64
override DPT: u32 = (HS + 3u) / 4u; // dims per thread
const RS_PAD: u32 = 1u;
override RS: u32 = HS + RS_PAD; // row stride of staged Q, K, V, dO rows
const BIG: u32 = 16u;          // rows per workgroup (forward: queries and keys; kv: keys; q: queries)
const SMALL: u32 = 8u;         // rows per inner step (kv: queries; q: keys)

fn exp_shifted(d: f32) -> f32 {
  return select(0.0, exp(d), d > -80.0);
}

// Start of head h of token t's Q (part 0), K (1) or V (2) in qkv.
fn qkv_at(b: u32, t: u32, h: u32, part: u32) -> u32 {
  return (b * p.T + t) * 3u * p.C + part * p.C + h * HS;
}

// The logit replacement for query i, key j (or 0.0 when the logit is computed): out-of-range keys count as
// causal-masked (never any weight).
fn mask_of(b: u32, i: u32, j: u32) -> f32 {
  if (j >= p.T || (p.causal == 1u && j > i)) { return CAUSAL_MASKED; }
  if (valid[b * p.T + j] == 0) { return PAD_MASKED; }
  return 0.0;
}

var<workgroup> fQ: array<f32, BIG * RS>;
var<workgroup> fK: array<f32, BIG * RS>;
var<workgroup> fV: array<f32, BIG * RS>;
var<workgroup> fS: array<f32, BIG * BIG>;

// One workgroup per (16 queries, b * NH + h). Bindings: p, qkv, valid, out, stats.
@compute @workgroup_size(64)
fn flash_forward(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) tid: u32) {
  let z = wid.y;
  let b = z / p.NH;
  let h = z % p.NH;
  let q0 = wid.x * BIG;
  let r = tid / 4u;
  let lane = tid % 4u;
  let i = q0 + r;
  for (var e = tid; e < BIG * HS; e += 64u) {
    let rr = e / HS;
    let d = e % HS;
    var v = 0.0;
    if (q0 + rr < p.T) { v = qkv[qkv_at(b, q0 + rr, h, 0u) + d]; }
    fQ[rr * RS + d] = v;
  }
  var acc: array<f32, 16>;
  var m = CAUSAL_MASKED;
  var l = 0.0;
  var k_end = p.T;
  if (p.causal == 1u) { k_end = min(p.T, q0 + BIG); }
  for (var k0 = 0u; k0 < k_end; k0 += BIG) {
    for (var e = tid; e < BIG * HS; e += 64u) {
      let jj = e / HS;
      let d = e % HS;
      var kv = 0.0;
      var vv = 0.0;
      if (k0 + jj < p.T) {
        kv = qkv[qkv_at(b, k0 + jj, h, 1u) + d];
        vv = qkv[qkv_at(b, k0 + jj, h, 2u) + d];
      }
      fK[jj * RS + d] = kv;
      fV[jj * RS + d] = vv;
    }
    workgroupBarrier();
    for (var q = 0u; q < BIG / 4u; q++) {
      let jj = lane + 4u * q;
      var s = 0.0;
      for (var d = 0u; d < HS; d++) { s = fma(fQ[r * RS + d], fK[jj * RS + d], s); }
      let mk = mask_of(b, i, k0 + jj);
      fS[r * BIG + jj] = select(s * p.scale, mk, mk != 0.0);
    }
    workgroupBarrier();
    var mt = m;
    for (var jj = 0u; jj < BIG; jj++) { mt = max(mt, fS[r * BIG + jj]); }
    let alpha = exp_shifted(m - mt);
    l *= alpha;
    for (var k = 0u; k < DPT; k++) { acc[k] *= alpha; }
    for (var jj = 0u; jj < BIG; jj++) {
      let pj = exp_shifted(fS[r * BIG + jj] - mt);
      l += pj;
      for (var k = 0u; k < DPT; k++) {
        let d = min(lane + 4u * k, HS - 1u);
        acc[k] = fma(pj, fV[jj * RS + d], acc[k]);
      }
    }
    m = mt;
    workgroupBarrier();
  }
  if (i < p.T) {
    let inv = 1.0 / l;
    for (var k = 0u; k < DPT; k++) {
      let d = lane + 4u * k;
      if (d < HS) { out[(b * p.T + i) * p.C + h * HS + d] = acc[k] * inv; }
    }
    if (lane == 0u) {
      stats[(z * p.T + i) * 2u] = m;
      stats[(z * p.T + i) * 2u + 1u] = inv;
    }
  }
}

// D = rowsum(dO * O) per (b, h, i): one thread per row, HS terms. Bindings: p, out_r, dout_d, delta.
@compute @workgroup_size(64)
fn flash_delta(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let row = gid.x + gid.y * nwg.x * 64u;
  if (row >= p.rows) { return; }
  let i = row % p.T;
  let z = row / p.T;
  let base = ((z / p.NH) * p.T + i) * p.C + (z % p.NH) * HS;
  var s = 0.0;
  for (var d = 0u; d < HS; d++) { s = fma(dout_d[base + d], out_r[base + d], s); }
  delta[row] = s;
}

var<workgroup> kK: array<f32, BIG * RS>;
var<workgroup> kV: array<f32, BIG * RS>;
var<workgroup> kQ: array<f32, SMALL * RS>;
var<workgroup> kdO: array<f32, SMALL * RS>;
var<workgroup> kP: array<f32, SMALL * BIG>;
var<workgroup> kdS: array<f32, SMALL * BIG>;

// P and dS of query i (row ii of the staged tile) for key j (row jj), from the saved row stats.
struct Grads {
  p: f32,
  ds: f32,
}

fn probs_and_grad(b: u32, z: u32, i: u32, j: u32, s_raw: f32, dp: f32) -> Grads {
  if (i >= p.T) { return Grads(0.0, 0.0); }
  let mk = mask_of(b, i, j);
  let s = select(s_raw * p.scale, mk, mk != 0.0);
  let pr = exp_shifted(s - stats_r[(z * p.T + i) * 2u]) * stats_r[(z * p.T + i) * 2u + 1u];
  let ds = pr * (dp - delta_r[z * p.T + i]) * p.scale;
  return Grads(pr, select(ds, 0.0, mk != 0.0));
}

// One workgroup per (16 keys, b * NH + h): dK, dV. Bindings: p, qkv, valid, dout, stats_r, delta_r, dqkv.
@compute @workgroup_size(64)
fn flash_backward_kv(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) tid: u32) {
  let z = wid.y;
  let b = z / p.NH;
  let h = z % p.NH;
  let k0 = wid.x * BIG;
  let jr = tid / 4u;
  let lane = tid % 4u;
  for (var e = tid; e < BIG * HS; e += 64u) {
    let jj = e / HS;
    let d = e % HS;
    var kv = 0.0;
    var vv = 0.0;
    if (k0 + jj < p.T) {
      kv = qkv[qkv_at(b, k0 + jj, h, 1u) + d];
      vv = qkv[qkv_at(b, k0 + jj, h, 2u) + d];
    }
    kK[jj * RS + d] = kv;
    kV[jj * RS + d] = vv;
  }
  var dk: array<f32, 16>;
  var dv: array<f32, 16>;
  // Causal: queries before the key tile see none of its keys.
  var q_begin = 0u;
  if (p.causal == 1u) { q_begin = k0; }
  for (var q0 = q_begin; q0 < p.T; q0 += SMALL) {
    for (var e = tid; e < SMALL * HS; e += 64u) {
      let ii = e / HS;
      let d = e % HS;
      var qv = 0.0;
      var gv = 0.0;
      if (q0 + ii < p.T) {
        qv = qkv[qkv_at(b, q0 + ii, h, 0u) + d];
        gv = dout[(b * p.T + q0 + ii) * p.C + h * HS + d];
      }
      kQ[ii * RS + d] = qv;
      kdO[ii * RS + d] = gv;
    }
    workgroupBarrier();
    // Entries (query ii = lane + 4q, key jr), q < 2.
    for (var q = 0u; q < SMALL / 4u; q++) {
      let ii = lane + 4u * q;
      var s = 0.0;
      var dp = 0.0;
      for (var d = 0u; d < HS; d++) {
        s = fma(kQ[ii * RS + d], kK[jr * RS + d], s);
        dp = fma(kdO[ii * RS + d], kV[jr * RS + d], dp);
      }
      let g = probs_and_grad(b, z, q0 + ii, k0 + jr, s, dp);
      kP[ii * BIG + jr] = g.p;
      kdS[ii * BIG + jr] = g.ds;
    }
    workgroupBarrier();
    for (var ii = 0u; ii < SMALL; ii++) {
      let pv = kP[ii * BIG + jr];
      let ds = kdS[ii * BIG + jr];
      for (var k = 0u; k < DPT; k++) {
        let d = min(lane + 4u * k, HS - 1u);
        dv[k] = fma(pv, kdO[ii * RS + d], dv[k]);
        dk[k] = fma(ds, kQ[ii * RS + d], dk[k]);
      }
    }
    workgroupBarrier();
  }
  if (k0 + jr < p.T) {
    for (var k = 0u; k < DPT; k++) {
      let d = lane + 4u * k;
      if (d < HS) {
        dqkv[qkv_at(b, k0 + jr, h, 1u) + d] = dk[k];
        dqkv[qkv_at(b, k0 + jr, h, 2u) + d] = dv[k];
      }
    }
  }
}

var<workgroup> gQ: array<f32, BIG * RS>;
var<workgroup> gdO: array<f32, BIG * RS>;
var<workgroup> gK: array<f32, SMALL * RS>;
var<workgroup> gV: array<f32, SMALL * RS>;
var<workgroup> gdS: array<f32, BIG * SMALL>;

// One workgroup per (16 queries, b * NH + h): dQ. Bindings: p, qkv, valid, dout, stats_r, delta_r, dqkv.
@compute @workgroup_size(64)
fn flash_backward_q(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) tid: u32) {
  let z = wid.y;
  let b = z / p.NH;
  let h = z % p.NH;
  let q0 = wid.x * BIG;
  let r = tid / 4u;
  let lane = tid % 4u;
  for (var e = tid; e < BIG * HS; e += 64u) {
    let ii = e / HS;
    let d = e % HS;
    var qv = 0.0;
    var gv = 0.0;
    if (q0 + ii < p.T) {
      qv = qkv[qkv_at(b, q0 + ii, h, 0u) + d];
      gv = dout[(b * p.T + q0 + ii) * p.C + h * HS + d];
    }
    gQ[ii * RS + d] = qv;
    gdO[ii * RS + d] = gv;
  }
  var dq: array<f32, 16>;
  var k_end = p.T;
  if (p.causal == 1u) { k_end = min(p.T, q0 + BIG); }
  for (var k0 = 0u; k0 < k_end; k0 += SMALL) {
    for (var e = tid; e < SMALL * HS; e += 64u) {
      let jj = e / HS;
      let d = e % HS;
      var kv = 0.0;
      var vv = 0.0;
      if (k0 + jj < p.T) {
        kv = qkv[qkv_at(b, k0 + jj, h, 1u) + d];
        vv = qkv[qkv_at(b, k0 + jj, h, 2u) + d];
      }
      gK[jj * RS + d] = kv;
      gV[jj * RS + d] = vv;
    }
    workgroupBarrier();
    // Entries (query r, key jj = lane + 4q), q < 2.
    for (var q = 0u; q < SMALL / 4u; q++) {
      let jj = lane + 4u * q;
      var s = 0.0;
      var dp = 0.0;
      for (var d = 0u; d < HS; d++) {
        s = fma(gQ[r * RS + d], gK[jj * RS + d], s);
        dp = fma(gdO[r * RS + d], gV[jj * RS + d], dp);
      }
      gdS[r * SMALL + jj] = probs_and_grad(b, z, q0 + r, k0 + jj, s, dp).ds;
    }
    workgroupBarrier();
    for (var jj = 0u; jj < SMALL; jj++) {
      let ds = gdS[r * SMALL + jj];
      for (var k = 0u; k < DPT; k++) {
        let d = min(lane + 4u * k, HS - 1u);
        dq[k] = fma(ds, gK[jj * RS + d], dq[k]);
      }
    }
    workgroupBarrier();
  }
  if (q0 + r < p.T) {
    for (var k = 0u; k < DPT; k++) {
      let d = lane + 4u * k;
      if (d < HS) { dqkv[qkv_at(b, q0 + r, h, 0u) + d] = dq[k]; }
    }
  }
}

// Multi-head self-attention (BERT's BertSelfAttention, no dropout) on a packed qkv (B*T, 3C), as batched tiled
// matrix products over (batch, head) with materialized probabilities att (B, NH, T, T), forward and backward.
//
// Every product is C[z](m, n) = alpha * sum_k A[z](m, k) B[z](k, n), z = b * NH + h = workgroup_id.z, with each
// operand addressed by strides (offset + b*sb + h*sh + row*s1 + col*s2), so transposes and the packed Q|K|V
// layout cost nothing. Workgroup tiles BM x BN, BK deep; each thread keeps a 4 x 4 block of C in registers.
//   forward:  scores   S = Q K^T / sqrt(HS), masked            -> att
//             softmax  att = softmax(att) row by row            (in place)
//             context  out = att V                               (heads concatenated)
//   backward: grad_probs       dP = dout V^T                      -> datt
//             softmax_backward datt = att * (dP - rowsum(dP att)) / sqrt(HS), 0 at masked logits (in place)
//             grad_inputs      dQ = dS K, dK = dS^T Q, dV = att^T dout -> dqkv (three dispatches)

// Masked logits are replaced (not added to): a padding key gets PAD_MASKED, far below any real logit, so its
// probability is exactly 0 while one key is allowed, and a row whose keys are all padding stays finite (uniform
// over its visible keys). A future key (causal) gets CAUSAL_MASKED, below PAD_MASKED, so it stays at 0 always.
const PAD_MASKED: f32 = -1.0e30;
const CAUSAL_MASKED: f32 = -3.0e38;

struct ProductParams {
  M: u32, N: u32, K: u32, NH: u32,
  a_off: u32, a_sb: u32, a_sh: u32, a_sm: u32, a_sk: u32,
  b_off: u32, b_sb: u32, b_sh: u32, b_sk: u32, b_sn: u32,
  c_off: u32, c_sb: u32, c_sh: u32, c_sm: u32, c_sn: u32,
  alpha: f32,
  // 1: decoder-style attention; m is the query index and n the key index of the output (scores, grad_probs).
  causal: u32,
  // Causal band of the k loop: 0 all k; 1 k <= m (A is lower triangular); 2 k >= m (A is upper triangular).
  kband: u32,
}

struct SoftmaxParams {
  rows: u32,   // B * NH * T
  T: u32,
  NH: u32,
  causal: u32,
  scale: f32,  // 1 / sqrt(HS), softmax_backward only
}

// Products (scores, context, grad_probs, grad_inputs): params, A, B, then valid (scores only) and the output.
@group(0) @binding(0) var<uniform> p: ProductParams;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> Bm: array<f32>;
@group(0) @binding(3) var<storage, read_write> Cout: array<f32>;   // context, grad_probs, grad_inputs
@group(0) @binding(3) var<storage, read> valid_s: array<i32>;      // scores: (B*T) 1 real token, 0 padding
@group(0) @binding(4) var<storage, read_write> scores_out: array<f32>; // scores: att (B, NH, T, T)

// Row kernels: softmax works in place on att; softmax_backward reads att and valid and updates datt in place.
@group(0) @binding(0) var<uniform> sp: SoftmaxParams;
@group(0) @binding(1) var<storage, read_write> rows_rw: array<f32>; // softmax: logits in, probabilities out
@group(0) @binding(1) var<storage, read> probs: array<f32>;         // softmax_backward: att
@group(0) @binding(2) var<storage, read> valid_r: array<i32>;       // softmax_backward: (B*T)
@group(0) @binding(3) var<storage, read_write> grad: array<f32>;    // softmax_backward: dP in, dS out

override BM: u32 = 64u;
override BN: u32 = 64u;
// Which index of A (of B) has stride 1, so that consecutive threads load consecutive addresses.
override A_K_CONTIGUOUS: bool = true;
override B_N_CONTIGUOUS: bool = true;
const BK: u32 = 16u;
override WGX: u32 = BN / 4u;
override WGY: u32 = BM / 4u;

var<workgroup> tileA: array<f32, BK * BM>; // [k][m]
var<workgroup> tileB: array<f32, BK * BN>; // [k][n]
var<private> acc: array<array<f32, 4>, 4>;

// acc = the 4 x 4 block of A B owned by this thread: rows m0 + ly + i*WGY, columns n0 + lx + j*WGX.
fn tile_product(wid: vec3u, lid: vec3u) {
  let bb = wid.z / p.NH;
  let hh = wid.z % p.NH;
  let m0 = wid.y * BM;
  let n0 = wid.x * BN;
  let a_base = p.a_off + bb * p.a_sb + hh * p.a_sh;
  let b_base = p.b_off + bb * p.b_sb + hh * p.b_sh;
  let tid = lid.y * WGX + lid.x;
  let nt = WGX * WGY;
  var k_begin = 0u;
  var k_end = p.K;
  if (p.kband == 1u) { k_end = min(p.K, m0 + BM); }
  if (p.kband == 2u) { k_begin = m0; } // BM is a multiple of BK
  for (var i = 0u; i < 4u; i++) {
    for (var j = 0u; j < 4u; j++) { acc[i][j] = 0.0; }
  }
  for (var k0 = k_begin; k0 < k_end; k0 += BK) {
    for (var e = tid; e < BM * BK; e += nt) {
      var m: u32;
      var kk: u32;
      if (A_K_CONTIGUOUS) { m = e / BK; kk = e % BK; } else { kk = e / BM; m = e % BM; }
      let gm = m0 + m;
      let gk = k0 + kk;
      var v = 0.0;
      if (gm < p.M && gk < k_end) { v = A[a_base + gm * p.a_sm + gk * p.a_sk]; }
      tileA[kk * BM + m] = v;
    }
    for (var e = tid; e < BN * BK; e += nt) {
      var n: u32;
      var kk: u32;
      if (B_N_CONTIGUOUS) { kk = e / BN; n = e % BN; } else { n = e / BK; kk = e % BK; }
      let gn = n0 + n;
      let gk = k0 + kk;
      var v = 0.0;
      if (gn < p.N && gk < k_end) { v = Bm[b_base + gk * p.b_sk + gn * p.b_sn]; }
      tileB[kk * BN + n] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      var a: array<f32, 4>;
      var b: array<f32, 4>;
      for (var i = 0u; i < 4u; i++) { a[i] = tileA[kk * BM + lid.y + i * WGY]; }
      for (var j = 0u; j < 4u; j++) { b[j] = tileB[kk * BN + lid.x + j * WGX]; }
      for (var i = 0u; i < 4u; i++) {
        for (var j = 0u; j < 4u; j++) { acc[i][j] = fma(a[i], b[j], acc[i][j]); }
      }
    }
    workgroupBarrier();
  }
}

// The output tile lies wholly above the diagonal (every key after every query): nothing to compute.
fn above_diagonal(wid: vec3u) -> bool {
  return p.causal == 1u && wid.x * BN >= wid.y * BM + BM;
}

fn store_product(wid: vec3u, lid: vec3u, zero: bool) {
  let c_base = p.c_off + (wid.z / p.NH) * p.c_sb + (wid.z % p.NH) * p.c_sh;
  for (var i = 0u; i < 4u; i++) {
    let gm = wid.y * BM + lid.y + i * WGY;
    for (var j = 0u; j < 4u; j++) {
      let gn = wid.x * BN + lid.x + j * WGX;
      if (gm < p.M && gn < p.N) {
        Cout[c_base + gm * p.c_sm + gn * p.c_sn] = select(p.alpha * acc[i][j], 0.0, zero);
      }
    }
  }
}

// att (B, NH, T, T) = masked Q K^T / sqrt(HS). Bindings: p, A = qkv (Q), Bm = qkv (K), valid_s, scores_out.
@compute @workgroup_size(WGX, WGY)
fn scores(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let skip = above_diagonal(wid);
  if (!skip) { tile_product(wid, lid); }
  let bb = wid.z / p.NH;
  let c_base = p.c_off + bb * p.c_sb + (wid.z % p.NH) * p.c_sh;
  for (var i = 0u; i < 4u; i++) {
    let gm = wid.y * BM + lid.y + i * WGY;
    for (var j = 0u; j < 4u; j++) {
      let gn = wid.x * BN + lid.x + j * WGX;
      if (gm < p.M && gn < p.N) {
        var s = p.alpha * acc[i][j];
        if (p.causal == 1u && gn > gm) {
          s = CAUSAL_MASKED;
        } else if (valid_s[bb * p.N + gn] == 0) {
          s = PAD_MASKED;
        }
        scores_out[c_base + gm * p.c_sm + gn * p.c_sn] = s;
      }
    }
  }
}

// out (B*T, C) = att V per head. Bindings: p, A = att, Bm = qkv (V), Cout = out.
@compute @workgroup_size(WGX, WGY)
fn context(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  tile_product(wid, lid);
  store_product(wid, lid, false);
}

// datt = dout V^T (0 where causal hides the key: att is 0 there). Bindings: p, A = dout, Bm = qkv (V), Cout = datt.
@compute @workgroup_size(WGX, WGY)
fn grad_probs(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let skip = above_diagonal(wid);
  if (!skip) { tile_product(wid, lid); }
  store_product(wid, lid, skip);
}

// dQ, dK or dV, written into their block of dqkv. Bindings: p, A = datt or att (transposed by strides),
// Bm = qkv or dout, Cout = dqkv.
@compute @workgroup_size(WGX, WGY)
fn grad_inputs(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  tile_product(wid, lid);
  store_product(wid, lid, false);
}

override SM_WG: u32 = 64u; // threads per row, a power of two
var<workgroup> red: array<f32, SM_WG>;

fn reduce_max(x: f32, lid: u32) -> f32 {
  red[lid] = x;
  for (var s = SM_WG / 2u; s > 0u; s >>= 1u) {
    workgroupBarrier();
    if (lid < s) { red[lid] = max(red[lid], red[lid + s]); }
  }
  workgroupBarrier();
  let r = red[0];
  workgroupBarrier();
  return r;
}

fn reduce_sum(x: f32, lid: u32) -> f32 {
  red[lid] = x;
  for (var s = SM_WG / 2u; s > 0u; s >>= 1u) {
    workgroupBarrier();
    if (lid < s) { red[lid] = red[lid] + red[lid + s]; }
  }
  workgroupBarrier();
  let r = red[0];
  workgroupBarrier();
  return r;
}

// exp(d) for d = logit - row max <= 0, exactly 0 far below (masked logits: no inf or NaN ever reaches exp).
fn exp_shifted(d: f32) -> f32 {
  return select(0.0, exp(d), d > -80.0);
}

// One workgroup per row of att (rows folded into a 2-D grid): max-subtracted softmax in place.
// Bindings: sp, rows_rw = att.
@compute @workgroup_size(SM_WG)
fn softmax(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_index) lid: u32) {
  let r = wid.x + wid.y * nwg.x;
  if (r >= sp.rows) { return; }
  let base = r * sp.T;
  var m = CAUSAL_MASKED;
  for (var j = lid; j < sp.T; j += SM_WG) { m = max(m, rows_rw[base + j]); }
  m = reduce_max(m, lid);
  var s = 0.0;
  for (var j = lid; j < sp.T; j += SM_WG) { s += exp_shifted(rows_rw[base + j] - m); }
  s = reduce_sum(s, lid);
  let inv = 1.0 / s;
  for (var j = lid; j < sp.T; j += SM_WG) { rows_rw[base + j] = exp_shifted(rows_rw[base + j] - m) * inv; }
}

// One workgroup per row: dS = att * (dP - rowsum(dP * att)) * scale where the logit was computed, 0 where it
// was a mask constant (the logit did not depend on Q or K there). Bindings: sp, probs = att, valid_r, grad = datt.
@compute @workgroup_size(SM_WG)
fn softmax_backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                    @builtin(local_invocation_index) lid: u32) {
  let r = wid.x + wid.y * nwg.x;
  if (r >= sp.rows) { return; }
  let base = r * sp.T;
  let i = r % sp.T;
  let vbase = (r / (sp.T * sp.NH)) * sp.T;
  var d = 0.0;
  for (var j = lid; j < sp.T; j += SM_WG) { d += grad[base + j] * probs[base + j]; }
  d = reduce_sum(d, lid);
  for (var j = lid; j < sp.T; j += SM_WG) {
    let allowed = valid_r[vbase + j] != 0 && (sp.causal == 0u || j <= i);
    let g = probs[base + j] * (grad[base + j] - d) * sp.scale;
    grad[base + j] = select(0.0, g, allowed);
  }
}

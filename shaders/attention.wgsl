// Multi-head self-attention (BERT's BertSelfAttention, no dropout) on a packed qkv (B*T, 3C), as batched tiled
// matrix products over (batch, head) with materialized probabilities att (B, NH, T, T), forward and backward.
//
// Every product is C[z](m, n) = alpha * sum_k A[z](m, k) B[z](k, n), z = b * NH + h = workgroup_id.z, with each
// operand addressed by strides (offset + b*sb + h*sh + row*s1 + col*s2), so transposes and the packed Q|K|V
// layout cost nothing. Workgroup tiles BM x BN, BK deep; each thread keeps a TM x TN block of C in registers.
// With DIRECT (CPU adapters) nothing is staged in workgroup memory and there is no barrier: see direct_product.
//   forward:  scores   S = Q K^T / sqrt(HS), masked            -> att
//             softmax  att = softmax(att) row by row            (in place)
//             context  out = att V                               (heads concatenated)
//   backward: grad_probs       dP = dout V^T                      -> datt
//             softmax_backward datt = att * (dP - rowsum(dP att)) / sqrt(HS), 0 at masked logits (in place)
//             grad_inputs      dQ = dS K, dK = dS^T Q, dV = att^T dout -> dqkv (three dispatches), or
//             grad_query_key   dQ and dK in one dispatch, then grad_inputs dV (the attention_grads fusion)

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
@group(0) @binding(4) var<storage, read> p_key: ProductParams;         // grad_query_key: dK's product

// Row kernels: softmax works in place on att; softmax_backward reads att and valid and updates datt in place.
@group(0) @binding(0) var<uniform> sp: SoftmaxParams;
@group(0) @binding(1) var<storage, read_write> rows_rw: array<f32>; // softmax: logits in, probabilities out
@group(0) @binding(1) var<storage, read> probs: array<f32>;         // softmax_backward: att
@group(0) @binding(2) var<storage, read> valid_r: array<i32>;       // softmax_backward: (B*T)
@group(0) @binding(3) var<storage, read_write> grad: array<f32>;    // softmax_backward: dP in, dS out

override BM: u32 = 64u;
override BN: u32 = 64u;
// Outputs per thread, 4 or 8 each way: thread (tx, ty) owns rows (ty + g*WGY)*4 + 0..3, g < TM/4, and columns
// (tx + c*WGX)*4 + 0..3, c < TN/4, of the tile, so that its workgroup-memory reads are vec4s.
override TM: u32 = 8u;
override TN: u32 = 8u;
// Which index of A (of B) has stride 1, so that consecutive threads load consecutive addresses.
override A_K_CONTIGUOUS: bool = true;
override B_N_CONTIGUOUS: bool = true;
const BK: u32 = 16u;
override WGX: u32 = BN / TN;
override WGY: u32 = BM / TM;
// CPU adapters (SwiftShader, llvmpipe): workgroups of WGX x 1 invocations, each owning 8 rows and 8 columns strided
// by WGX (set BM = 8, BN = 8 * WGX, TM = TN = 8 with it). See direct_product.
override DIRECT: bool = false;

var<workgroup> tileA: array<vec4f, BK * BM / 4u>; // [k][m / 4][m % 4]
var<workgroup> tileB: array<vec4f, BK * BN / 4u>; // [k][n / 4][n % 4]
// acc[g*8 + r*2 + c][e]: row (ty + g*WGY)*4 + r, column (tx + c*WGX)*4 + e.
var<private> acc: array<vec4f, 16>;

// DIRECT: invocation x owns rows m0 + 0..7 and columns n0 + x + WGX * (0..7) of the output and reads its operands
// straight from the buffers, k by k: neighbouring invocations (a CPU's SIMD lanes) share each A element and read
// neighbouring columns of B. Workgroup memory is ordinary memory on a CPU and each barrier switches between
// invocations, so this is about 2x the tiled product there (as matmul_direct in matmul_cpu.wgsl). acc[2 * i + c] holds
// row i, columns 4c .. 4c+3 of the eight, which is the tiled layout's acc[g*8 + r*2 + c] with i = 4g + r.
// Rows and columns past the edge read clamped (valid) elements and are never stored.
fn direct_product(wid: vec3u, lid: vec3u, q: ProductParams) {
  let bb = wid.z / q.NH;
  let hh = wid.z % q.NH;
  let m0 = wid.y * 8u;
  let a_base = q.a_off + bb * q.a_sb + hh * q.a_sh;
  let b_base = q.b_off + bb * q.b_sb + hh * q.b_sh;
  var k_begin = 0u;
  var k_end = q.K;
  if (q.kband == 1u) { k_end = min(q.K, m0 + 8u); }
  if (q.kband == 2u) { k_begin = m0; }
  let rl = q.M - 1u;
  let cl = q.N - 1u;
  let a0 = a_base + min(m0, rl) * q.a_sm;
  let a1 = a_base + min(m0 + 1u, rl) * q.a_sm;
  let a2 = a_base + min(m0 + 2u, rl) * q.a_sm;
  let a3 = a_base + min(m0 + 3u, rl) * q.a_sm;
  let a4 = a_base + min(m0 + 4u, rl) * q.a_sm;
  let a5 = a_base + min(m0 + 5u, rl) * q.a_sm;
  let a6 = a_base + min(m0 + 6u, rl) * q.a_sm;
  let a7 = a_base + min(m0 + 7u, rl) * q.a_sm;
  let n0 = direct_col(wid, lid.x, 0u);
  let b0 = b_base + min(n0, cl) * q.b_sn;
  let b1 = b_base + min(n0 + WGX, cl) * q.b_sn;
  let b2 = b_base + min(n0 + 2u * WGX, cl) * q.b_sn;
  let b3 = b_base + min(n0 + 3u * WGX, cl) * q.b_sn;
  let b4 = b_base + min(n0 + 4u * WGX, cl) * q.b_sn;
  let b5 = b_base + min(n0 + 5u * WGX, cl) * q.b_sn;
  let b6 = b_base + min(n0 + 6u * WGX, cl) * q.b_sn;
  let b7 = b_base + min(n0 + 7u * WGX, cl) * q.b_sn;
  for (var i = 0u; i < 16u; i++) { acc[i] = vec4f(0.0); }
  for (var k = k_begin; k < k_end; k++) {
    let ka = k * q.a_sk;
    let kb = k * q.b_sk;
    let lo = vec4f(Bm[b0 + kb], Bm[b1 + kb], Bm[b2 + kb], Bm[b3 + kb]);
    let hi = vec4f(Bm[b4 + kb], Bm[b5 + kb], Bm[b6 + kb], Bm[b7 + kb]);
    var a = vec4f(A[a0 + ka]);
    acc[0] = fma(a, lo, acc[0]);
    acc[1] = fma(a, hi, acc[1]);
    a = vec4f(A[a1 + ka]);
    acc[2] = fma(a, lo, acc[2]);
    acc[3] = fma(a, hi, acc[3]);
    a = vec4f(A[a2 + ka]);
    acc[4] = fma(a, lo, acc[4]);
    acc[5] = fma(a, hi, acc[5]);
    a = vec4f(A[a3 + ka]);
    acc[6] = fma(a, lo, acc[6]);
    acc[7] = fma(a, hi, acc[7]);
    a = vec4f(A[a4 + ka]);
    acc[8] = fma(a, lo, acc[8]);
    acc[9] = fma(a, hi, acc[9]);
    a = vec4f(A[a5 + ka]);
    acc[10] = fma(a, lo, acc[10]);
    acc[11] = fma(a, hi, acc[11]);
    a = vec4f(A[a6 + ka]);
    acc[12] = fma(a, lo, acc[12]);
    acc[13] = fma(a, hi, acc[13]);
    a = vec4f(A[a7 + ka]);
    acc[14] = fma(a, lo, acc[14]);
    acc[15] = fma(a, hi, acc[15]);
  }
}

// acc = this thread's TM x TN block of A B (k limited to the causal band when q.kband says so).
// Needs WGX * WGY >= BM, BN (every configuration the TS side picks).
fn tile_product(wid: vec3u, lid: vec3u, q: ProductParams) {
  if (DIRECT) {
    direct_product(wid, lid, q);
    return;
  }
  let bb = wid.z / q.NH;
  let hh = wid.z % q.NH;
  let m0 = wid.y * BM;
  let n0 = wid.x * BN;
  let a_base = q.a_off + bb * q.a_sb + hh * q.a_sh;
  let b_base = q.b_off + bb * q.b_sb + hh * q.b_sh;
  let tid = lid.y * WGX + lid.x;
  let nt = WGX * WGY;
  // Staging: each thread loads a fixed k (or m, n) lane and steps over the other index.
  var a_lane: u32; var a_first: u32; var a_step: u32;
  if (A_K_CONTIGUOUS) { a_lane = tid % BK; a_first = tid / BK; a_step = nt / BK; }
  else { a_lane = tid % BM; a_first = tid / BM; a_step = nt / BM; }
  var b_lane: u32; var b_first: u32; var b_step: u32;
  if (B_N_CONTIGUOUS) { b_lane = tid % BN; b_first = tid / BN; b_step = nt / BN; }
  else { b_lane = tid % BK; b_first = tid / BK; b_step = nt / BK; }
  var k_begin = 0u;
  var k_end = q.K;
  if (q.kband == 1u) { k_end = min(q.K, m0 + BM); }
  if (q.kband == 2u) { k_begin = m0; } // BM is a multiple of BK
  for (var i = 0u; i < 16u; i++) { acc[i] = vec4f(0.0); }
  for (var k0 = k_begin; k0 < k_end; k0 += BK) {
    if (A_K_CONTIGUOUS) {
      let gk = k0 + a_lane;
      for (var m = a_first; m < BM; m += a_step) {
        let gm = m0 + m;
        var v = 0.0;
        if (gm < q.M && gk < k_end) { v = A[a_base + gm * q.a_sm + gk * q.a_sk]; }
        tileA[a_lane * (BM / 4u) + m / 4u][m % 4u] = v;
      }
    } else {
      let gm = m0 + a_lane;
      for (var kk = a_first; kk < BK; kk += a_step) {
        let gk = k0 + kk;
        var v = 0.0;
        if (gm < q.M && gk < k_end) { v = A[a_base + gm * q.a_sm + gk * q.a_sk]; }
        tileA[kk * (BM / 4u) + a_lane / 4u][a_lane % 4u] = v;
      }
    }
    if (B_N_CONTIGUOUS) {
      let gn = n0 + b_lane;
      for (var kk = b_first; kk < BK; kk += b_step) {
        let gk = k0 + kk;
        var v = 0.0;
        if (gn < q.N && gk < k_end) { v = Bm[b_base + gk * q.b_sk + gn * q.b_sn]; }
        tileB[kk * (BN / 4u) + b_lane / 4u][b_lane % 4u] = v;
      }
    } else {
      let gk = k0 + b_lane;
      for (var n = b_first; n < BN; n += b_step) {
        let gn = n0 + n;
        var v = 0.0;
        if (gn < q.N && gk < k_end) { v = Bm[b_base + gk * q.b_sk + gn * q.b_sn]; }
        tileB[b_lane * (BN / 4u) + n / 4u][n % 4u] = v;
      }
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      let b0 = tileB[kk * (BN / 4u) + lid.x];
      var b1 = vec4f(0.0);
      if (TN == 8u) { b1 = tileB[kk * (BN / 4u) + lid.x + WGX]; }
      for (var g = 0u; g < TM / 4u; g++) {
        let a = tileA[kk * (BM / 4u) + lid.y + g * WGY];
        let o = g * 8u;
        acc[o] = fma(vec4f(a.x), b0, acc[o]);
        acc[o + 2u] = fma(vec4f(a.y), b0, acc[o + 2u]);
        acc[o + 4u] = fma(vec4f(a.z), b0, acc[o + 4u]);
        acc[o + 6u] = fma(vec4f(a.w), b0, acc[o + 6u]);
        if (TN == 8u) {
          acc[o + 1u] = fma(vec4f(a.x), b1, acc[o + 1u]);
          acc[o + 3u] = fma(vec4f(a.y), b1, acc[o + 3u]);
          acc[o + 5u] = fma(vec4f(a.z), b1, acc[o + 5u]);
          acc[o + 7u] = fma(vec4f(a.w), b1, acc[o + 7u]);
        }
      }
    }
    workgroupBarrier();
  }
}

// The output tile lies wholly above the diagonal (every key after every query): nothing to compute.
fn above_diagonal(wid: vec3u, q: ProductParams) -> bool {
  return q.causal == 1u && wid.x * BN >= wid.y * BM + BM;
}

fn out_row(wid: vec3u, lid: vec3u, g: u32, r: u32) -> u32 {
  if (DIRECT) { return wid.y * 8u + g * 4u + r; }
  return wid.y * BM + (lid.y + g * WGY) * 4u + r;
}

/** DIRECT: column j (0..7) of invocation x. */
fn direct_col(wid: vec3u, x: u32, j: u32) -> u32 {
  return wid.x * 8u * WGX + x + j * WGX;
}

fn out_col(wid: vec3u, lid: vec3u, c: u32, e: u32) -> u32 {
  if (DIRECT) { return direct_col(wid, lid.x, c * 4u + e); }
  return wid.x * BN + (lid.x + c * WGX) * 4u + e;
}

fn store_product(wid: vec3u, lid: vec3u, zero: bool, q: ProductParams) {
  let c_base = q.c_off + (wid.z / q.NH) * q.c_sb + (wid.z % q.NH) * q.c_sh;
  for (var g = 0u; g < TM / 4u; g++) {
    for (var r = 0u; r < 4u; r++) {
      let gm = out_row(wid, lid, g, r);
      for (var c = 0u; c < TN / 4u; c++) {
        let v = select(q.alpha * acc[g * 8u + r * 2u + c], vec4f(0.0), zero);
        for (var e = 0u; e < 4u; e++) {
          let gn = out_col(wid, lid, c, e);
          if (gm < q.M && gn < q.N) { Cout[c_base + gm * q.c_sm + gn * q.c_sn] = v[e]; }
        }
      }
    }
  }
}

// att (B, NH, T, T) = masked Q K^T / sqrt(HS). Bindings: p, A = qkv (Q), Bm = qkv (K), valid_s, scores_out.
@compute @workgroup_size(WGX, WGY)
fn scores(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let skip = above_diagonal(wid, p);
  if (!skip) { tile_product(wid, lid, p); }
  let bb = wid.z / p.NH;
  let c_base = p.c_off + bb * p.c_sb + (wid.z % p.NH) * p.c_sh;
  for (var g = 0u; g < TM / 4u; g++) {
    for (var r = 0u; r < 4u; r++) {
      let gm = out_row(wid, lid, g, r);
      for (var c = 0u; c < TN / 4u; c++) {
        let v = p.alpha * acc[g * 8u + r * 2u + c];
        for (var e = 0u; e < 4u; e++) {
          let gn = out_col(wid, lid, c, e);
          if (gm < p.M && gn < p.N) {
            var s = v[e];
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
  }
}

// out (B*T, C) = att V per head. Bindings: p, A = att, Bm = qkv (V), Cout = out.
@compute @workgroup_size(WGX, WGY)
fn context(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  tile_product(wid, lid, p);
  store_product(wid, lid, false, p);
}

// datt = dout V^T (0 where causal hides the key: att is 0 there). Bindings: p, A = dout, Bm = qkv (V), Cout = datt.
@compute @workgroup_size(WGX, WGY)
fn grad_probs(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let skip = above_diagonal(wid, p);
  if (!skip) { tile_product(wid, lid, p); }
  store_product(wid, lid, skip, p);
}

// dQ, dK or dV, written into their block of dqkv. Bindings: p, A = datt or att (transposed by strides),
// Bm = qkv or dout, Cout = dqkv.
@compute @workgroup_size(WGX, WGY)
fn grad_inputs(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  tile_product(wid, lid, p);
  store_product(wid, lid, false, p);
}

// dQ = dS K and dK = dS^T Q in one dispatch (they read the same datt and qkv and write dqkv): workgroups
// z < B * NH compute p's product (dQ), the others p_key's (dK). Bindings: p, A = datt, Bm = qkv, Cout = dqkv, p_key.
@compute @workgroup_size(WGX, WGY)
fn grad_query_key(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u,
                  @builtin(num_workgroups) nwg: vec3u) {
  let half = nwg.z / 2u;
  if (wid.z < half) {
    tile_product(wid, lid, p);
    store_product(wid, lid, false, p);
  } else {
    let w = vec3u(wid.xy, wid.z - half);
    let q = p_key;
    tile_product(w, lid, q);
    store_product(w, lid, false, q);
  }
}

// Row kernels: SM_ROWS rows per workgroup (rows folded into a 2-D grid of workgroups), SM_W threads per row.
override SM_W: u32 = 16u;   // a power of two
override SM_ROWS: u32 = 4u;
var<workgroup> red: array<f32, SM_W * SM_ROWS>;

// Tree reduction over the SM_W threads of one row (op 0: max, 1: sum); every thread gets the result.
// With SM_W = 1 (CPU adapters: one thread per row) there is nothing to share and no barrier at all.
fn reduce_row(x: f32, row: u32, lane: u32, op: u32) -> f32 {
  if (SM_W == 1u) { return x; }
  let base = row * SM_W;
  red[base + lane] = x;
  for (var s = SM_W / 2u; s > 0u; s >>= 1u) {
    workgroupBarrier();
    if (lane < s) {
      let a = red[base + lane];
      let b = red[base + lane + s];
      red[base + lane] = select(a + b, max(a, b), op == 0u);
    }
  }
  workgroupBarrier();
  let r = red[base];
  workgroupBarrier();
  return r;
}

// exp(d) for d = logit - row max <= 0, exactly 0 far below (masked logits: no inf or NaN ever reaches exp).
fn exp_shifted(d: f32) -> f32 {
  return select(0.0, exp(d), d > -80.0);
}

// Max-subtracted softmax of each row of att, in place. Bindings: sp, rows_rw = att.
@compute @workgroup_size(SM_W, SM_ROWS)
fn softmax(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
           @builtin(local_invocation_id) lid: vec3u) {
  let r = (wid.x + wid.y * nwg.x) * SM_ROWS + lid.y;
  let live = r < sp.rows;
  let n = select(0u, sp.T, live);
  let base = r * sp.T;
  var m = CAUSAL_MASKED;
  for (var j = lid.x; j < n; j += SM_W) { m = max(m, rows_rw[base + j]); }
  m = reduce_row(m, lid.y, lid.x, 0u);
  var s = 0.0;
  for (var j = lid.x; j < n; j += SM_W) { s += exp_shifted(rows_rw[base + j] - m); }
  s = reduce_row(s, lid.y, lid.x, 1u);
  let inv = 1.0 / s;
  for (var j = lid.x; j < n; j += SM_W) { rows_rw[base + j] = exp_shifted(rows_rw[base + j] - m) * inv; }
}

// dS = att * (dP - rowsum(dP * att)) * scale where the logit was computed, 0 where it was a mask constant (the
// logit did not depend on Q or K there), in place over dP. Bindings: sp, probs = att, valid_r, grad = datt.
@compute @workgroup_size(SM_W, SM_ROWS)
fn softmax_backward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                    @builtin(local_invocation_id) lid: vec3u) {
  let r = (wid.x + wid.y * nwg.x) * SM_ROWS + lid.y;
  let live = r < sp.rows;
  let n = select(0u, sp.T, live);
  let base = r * sp.T;
  let i = r % sp.T;
  let vbase = (r / (sp.T * sp.NH)) * sp.T;
  var d = 0.0;
  for (var j = lid.x; j < n; j += SM_W) { d += grad[base + j] * probs[base + j]; }
  d = reduce_row(d, lid.y, lid.x, 1u);
  for (var j = lid.x; j < n; j += SM_W) {
    let allowed = valid_r[vbase + j] != 0 && (sp.causal == 0u || j <= i);
    let g = probs[base + j] * (grad[base + j] - d) * sp.scale;
    grad[base + j] = select(0.0, g, allowed);
  }
}

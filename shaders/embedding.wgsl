// BERT's embedding sum, out[b,t,:] = wte[ids[b,t],:] + wtt[0,:] + wpe[t,:], and its deterministic backward.
// Ids outside [0, V) are skipped: no token row in forward, no wte gradient in backward (wpe/wtt still get theirs).
// dwte without float atomics: a stable LSD radix sort of the positions by id (sort_histogram / sort_scan /
// sort_scatter per 8-bit digit, ids on the GPU), then a segmented sum over each run of equal ids whose
// serial length is bounded by splitting long runs into pieces (backward_segments, _wte_pieces, _wte_reduce).
// Every sum has a fixed order (positions ascending within an id), so results are bitwise reproducible.

struct Params {
  B: u32,
  T: u32,
  C: u32,
  V: u32,
  N: u32,       // B * T
  shift: u32,   // sort_*: digit = (key >> shift) & 0xff
  first: u32,   // sort_*: 1 -> keys are the i32 ids (out of range -> V) and values the positions 0..N-1
  blocks: u32,  // sort_*: ceil(N / RADIX)
  piece: u32,   // backward_wte_*: rows per piece of a run
}

@group(0) @binding(0) var<uniform> p: Params;

override WG: u32 = 256u;  // flat kernels
override TC: u32 = 64u;   // backward_wte_*: channels per workgroup
override TR: u32 = 4u;    // backward_wte_*: sorted rows per workgroup
// 8-bit digits. The sort kernels use one thread per item and per bin, so their workgroup size is RADIX: it is
// fixed by the algorithm rather than tuned.
const RADIX: u32 = 256u;

fn flat(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

// ---- forward: one thread per output element ----
@group(0) @binding(1) var<storage, read> f_ids: array<i32>;         // (B*T)
@group(0) @binding(2) var<storage, read> f_wte: array<f32>;         // (V, C)
@group(0) @binding(3) var<storage, read> f_wpe: array<f32>;         // (max positions >= T, C)
@group(0) @binding(4) var<storage, read> f_wtt: array<f32>;         // (token types >= 1, C)
@group(0) @binding(5) var<storage, read_write> f_out: array<f32>;   // (B*T, C)

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  let C = p.C;
  if (i >= p.N * C) { return; }
  let row = i / C;
  let c = i - row * C;
  let t = row % p.T;
  let id = f_ids[row];
  var tok = 0.0;
  if (id >= 0 && u32(id) < p.V) { tok = f_wte[u32(id) * C + c]; }
  // Hugging Face's order: (inputs_embeds + token_type_embeddings) + position_embeddings.
  f_out[i] = (tok + f_wtt[c]) + f_wpe[t * C + c];
}

// ---- radix sort of (key = id, value = position) pairs, one 8-bit digit per pass ----
@group(0) @binding(1) var<storage, read> s_keys: array<u32>;  // (N) keys, or the ids (as bits) when first

// An id in [0, V) is its own key; anything else (negative ids read as u32 are >= 2^31) becomes V.
fn sort_key(i: u32) -> u32 {
  let k = s_keys[i];
  return select(k, min(k, p.V), p.first != 0u);
}

@group(0) @binding(2) var<storage, read_write> h_hist: array<u32>;  // (RADIX, blocks), digit-major
var<workgroup> bins: array<atomic<u32>, RADIX>;

// Digit counts per block of RADIX items (integer atomics: the counts do not depend on their order).
@compute @workgroup_size(RADIX)
fn sort_histogram(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) t: u32) {
  let b = wid.x;
  atomicStore(&bins[t], 0u);
  workgroupBarrier();
  let i = b * RADIX + t;
  if (i < p.N) { atomicAdd(&bins[(sort_key(i) >> p.shift) & 0xffu], 1u); }
  workgroupBarrier();
  h_hist[t * p.blocks + b] = atomicLoad(&bins[t]);
}

@group(0) @binding(1) var<storage, read_write> c_hist: array<u32>;  // (RADIX * blocks), scanned in place
var<workgroup> sums: array<u32, RADIX>;

// Exclusive prefix sum of the digit-major histogram, one workgroup: entry (d, b) becomes the first output slot
// of digit d's items from block b.
@compute @workgroup_size(RADIX)
fn sort_scan(@builtin(local_invocation_index) t: u32) {
  let L = RADIX * p.blocks;
  let a0 = t * p.blocks;  // RADIX threads, `blocks` entries each
  let a1 = min(a0 + p.blocks, L);
  var s = 0u;
  for (var j = a0; j < a1; j++) { s += c_hist[j]; }
  sums[t] = s;
  workgroupBarrier();
  for (var off = 1u; off < RADIX; off *= 2u) {
    var v = 0u;
    if (t >= off) { v = sums[t - off]; }
    workgroupBarrier();
    sums[t] += v;
    workgroupBarrier();
  }
  var run = sums[t] - s;
  for (var j = a0; j < a1; j++) {
    let c = c_hist[j];
    c_hist[j] = run;
    run += c;
  }
}

@group(0) @binding(2) var<storage, read> x_vals: array<u32>;            // (N) values (unused when first)
@group(0) @binding(3) var<storage, read> x_offsets: array<u32>;         // (RADIX, blocks) from sort_scan
@group(0) @binding(4) var<storage, read_write> x_keys_out: array<u32>;  // (N)
@group(0) @binding(5) var<storage, read_write> x_vals_out: array<u32>;  // (N)
var<workgroup> digits: array<u32, RADIX>;

// Stable scatter: an item goes after the items of its digit in earlier blocks and earlier in its own block.
@compute @workgroup_size(RADIX)
fn sort_scatter(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) t: u32) {
  let b = wid.x;
  let i = b * RADIX + t;
  var key = 0u;
  var dg = 0xffffffffu;  // never equals a digit: marks the missing items of the last block
  if (i < p.N) {
    key = sort_key(i);
    dg = (key >> p.shift) & 0xffu;
  }
  digits[t] = dg;
  workgroupBarrier();
  if (i < p.N) {
    var rank = 0u;
    for (var j = 0u; j < t; j++) { rank += select(0u, 1u, digits[j] == dg); }
    let dst = x_offsets[dg * p.blocks + b] + rank;
    x_keys_out[dst] = key;
    x_vals_out[dst] = select(x_vals[i], i, p.first != 0u);
  }
}

// ---- segments: for each sorted row, the [start, end) of its run of equal keys (binary searches) ----
@group(0) @binding(2) var<storage, read_write> g_seg: array<u32>;  // (N, 2)

@compute @workgroup_size(WG)
fn backward_segments(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i >= p.N) { return; }
  let key = s_keys[i];
  var lo = 0u;
  var hi = i;
  while (lo < hi) {
    let mid = (lo + hi) / 2u;
    if (s_keys[mid] < key) { lo = mid + 1u; } else { hi = mid; }
  }
  let start = lo;
  lo = i + 1u;
  hi = p.N;
  while (lo < hi) {
    let mid = (lo + hi) / 2u;
    if (s_keys[mid] <= key) { lo = mid + 1u; } else { hi = mid; }
  }
  g_seg[2u * i] = start;
  g_seg[2u * i + 1u] = lo;
}

// ---- dwte: runs are cut into pieces of `piece` rows; piece k >= 1 of a run is summed into slot
// floor(row / piece) (unique: two such pieces less than `piece` rows apart would share a run), then the
// run's first row adds its own piece and the others, in order, to dwte[id]. Serial work per thread:
// piece + N / piece rows at most. ----
@group(0) @binding(1) var<storage, read> w_dout: array<f32>;   // (N, C)
@group(0) @binding(2) var<storage, read> w_keys: array<u32>;   // (N) sorted ids (V = skipped)
@group(0) @binding(3) var<storage, read> w_rows: array<u32>;   // (N) positions in id order
@group(0) @binding(4) var<storage, read> w_seg: array<u32>;    // (N, 2)
@group(0) @binding(5) var<storage, read_write> w_pieces: array<f32>;  // (ceil(N / piece), C)

fn piece_sum(i: u32, end: u32, c: u32) -> f32 {
  var s = 0.0;
  let e = min(i + p.piece, end);
  for (var j = i; j < e; j++) { s += w_dout[w_rows[j] * p.C + c]; }
  return s;
}

@compute @workgroup_size(TC, TR)
fn backward_wte_pieces(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let c = wid.x * TC + lid.x;
  let i = wid.y * TR + lid.y;
  if (c >= p.C || i >= p.N || w_keys[i] >= p.V) { return; }
  let off = i - w_seg[2u * i];
  if (off == 0u || off % p.piece != 0u) { return; }
  w_pieces[(i / p.piece) * p.C + c] = piece_sum(i, w_seg[2u * i + 1u], c);
}

@group(0) @binding(5) var<storage, read> r_pieces: array<f32>;       // (ceil(N / piece), C)
@group(0) @binding(6) var<storage, read_write> r_dwte: array<f32>;   // (V, C)

@compute @workgroup_size(TC, TR)
fn backward_wte_reduce(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let c = wid.x * TC + lid.x;
  let i = wid.y * TR + lid.y;
  if (c >= p.C || i >= p.N) { return; }
  let key = w_keys[i];
  if (key >= p.V || w_seg[2u * i] != i) { return; }
  let end = w_seg[2u * i + 1u];
  var s = piece_sum(i, end, c);
  for (var q = i + p.piece; q < end; q += p.piece) { s += r_pieces[(q / p.piece) * p.C + c]; }
  r_dwte[key * p.C + c] += s;
}

// ---- dwpe[t] += sum over the batch; the per-position sums are kept for dwtt ----
@group(0) @binding(1) var<storage, read> q_dout: array<f32>;            // (B, T, C)
@group(0) @binding(2) var<storage, read_write> q_dwpe: array<f32>;      // (max positions, C)
@group(0) @binding(3) var<storage, read_write> q_possum: array<f32>;    // (T, C) scratch

@compute @workgroup_size(WG)
fn backward_wpe(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  let TCn = p.T * p.C;
  if (i >= TCn) { return; }
  var s = 0.0;
  for (var b = 0u; b < p.B; b++) { s += q_dout[b * TCn + i]; }
  q_dwpe[i] += s;
  q_possum[i] = s;
}

// ---- dwtt[0] += sum of all rows = sum over positions of the per-position sums ----
@group(0) @binding(1) var<storage, read> k_possum: array<f32>;     // (T, C)
@group(0) @binding(2) var<storage, read_write> k_dwtt: array<f32>; // (token types, C): row 0

@compute @workgroup_size(WG)
fn backward_wtt(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let c = flat(gid, nwg);
  if (c >= p.C) { return; }
  var s = 0.0;
  for (var t = 0u; t < p.T; t++) { s += k_possum[t * p.C + c]; }
  k_dwtt[c] += s;
}

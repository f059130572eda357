// Elementwise ops on flat f32 tensors: residual add (out = a + b), scaled in-place add (out += s a), in-place
// product (out *= a), scale,
// bias add over the last dim C (out = a + bias, or out += bias), and the bias backward dbias += sum over rows,
// a deterministic two-pass column sum (bias_backward_partial per chunk of rows, then bias_backward_finish).

struct Params {
  n: u32,               // elements (N * C for the bias ops)
  C: u32,               // bias ops: channels (last dim)
  s: f32,               // scale factor (add_inplace, scale, scale_inplace)
  N: u32,               // bias_backward_*: rows
  rows_per_chunk: u32,  // bias_backward_*: rows summed by one partial
  chunks: u32,          // bias_backward_*: ceil(N / rows_per_chunk)
}

@group(0) @binding(0) var<uniform> p: Params;

override WG: u32 = 256u;
override TC: u32 = 64u;  // bias_backward_partial: columns per workgroup
override TR: u32 = 4u;   // bias_backward_partial: row lanes per workgroup

var<workgroup> part: array<f32, TC * TR>;

fn flat(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

@group(0) @binding(1) var<storage, read> e_a: array<f32>;
@group(0) @binding(2) var<storage, read> e_b: array<f32>;
@group(0) @binding(3) var<storage, read_write> e_out3: array<f32>;

// out = a + b
@compute @workgroup_size(WG)
fn add(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i < p.n) { e_out3[i] = e_a[i] + e_b[i]; }
}

@group(0) @binding(2) var<storage, read_write> e_out2: array<f32>;

// out += s * a (s = 1 is the residual accumulate; exact, since 1 * a == a)
@compute @workgroup_size(WG)
fn add_inplace(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i < p.n) { e_out2[i] += p.s * e_a[i]; }
}

// out *= a (a gradient mask of 0s and 1s: the probe's trainable entries)
@compute @workgroup_size(WG)
fn mul_inplace(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i < p.n) { e_out2[i] *= e_a[i]; }
}

// out = s * a
@compute @workgroup_size(WG)
fn scale(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i < p.n) { e_out2[i] = p.s * e_a[i]; }
}

@group(0) @binding(1) var<storage, read_write> e_inout: array<f32>;

// out *= s
@compute @workgroup_size(WG)
fn scale_inplace(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i < p.n) { e_inout[i] *= p.s; }
}

@group(0) @binding(2) var<storage, read> e_bias: array<f32>;

// out[r, c] = a[r, c] + bias[c]
@compute @workgroup_size(WG)
fn bias_add(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i < p.n) { e_out3[i] = e_a[i] + e_bias[i % p.C]; }
}

// out[r, c] += bias[c]  (bias at binding 1, out at binding 2)
@compute @workgroup_size(WG)
fn bias_add_inplace(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  if (i < p.n) { e_out2[i] += e_a[i % p.C]; }
}

// partial[chunk, c] = sum of dout[r, c] over the chunk's rows; workgroup = (column tile, chunk)
@group(0) @binding(1) var<storage, read> bb_dout: array<f32>;
@group(0) @binding(2) var<storage, read_write> bb_partial: array<f32>;

@compute @workgroup_size(TC, TR)
fn bias_backward_partial(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let C = p.C;
  let c = wid.x * TC + lid.x;
  let chunk = wid.y;
  let r0 = chunk * p.rows_per_chunk;
  let r1 = min(r0 + p.rows_per_chunk, p.N);
  var s = 0.0;
  if (c < C) {
    for (var r = r0 + lid.y; r < r1; r += TR) { s += bb_dout[r * C + c]; }
  }
  part[lid.y * TC + lid.x] = s;
  workgroupBarrier();
  if (lid.y == 0u && c < C) {
    var t = 0.0;
    for (var k = 0u; k < TR; k++) { t += part[k * TC + lid.x]; }
    bb_partial[chunk * C + c] = t;
  }
}

// dbias[c] += sum of the partials in chunk order
@group(0) @binding(1) var<storage, read> bf_partial: array<f32>;
@group(0) @binding(2) var<storage, read_write> bf_dbias: array<f32>;

@compute @workgroup_size(WG)
fn bias_backward_finish(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let c = flat(gid, nwg);
  if (c >= p.C) { return; }
  var s = 0.0;
  for (var k = 0u; k < p.chunks; k++) { s += bf_partial[k * p.C + c]; }
  bf_dbias[c] += s;
}

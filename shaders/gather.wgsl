// Row gather and its backward scatter, to run the MLM head only at the positions that carry a target.
// gather: out[m, :] = src[index[m], :], a zero row when index[m] is -1 or outside [0, N).
// scatter: dst[index[m], :] = or += src[m, :], skipping such indices. Indices must be unique within one call
// (then every dst element has at most one writer, so the result is deterministic); rows of dst that no index
// names are left untouched.
// scatter_add_csr: dst[n, :] += sum of src[m, :] over the slots m whose index is n, for ANY index (repeats
// allowed: SpanBERT's boundary rows are shared by every token of a span). The caller passes the slots grouped by
// destination (CSR: offsets (N+1), order (M), built on the CPU from the index); one thread per (n, c) sums its
// group in order, so the result is deterministic without atomics.

struct Params {
  M: u32,           // rows of index / the gathered side
  N: u32,           // rows of the full side (src of gather, dst of scatter)
  C: u32,           // channels
  accumulate: u32,  // scatter: 0 -> dst =, 1 -> dst +=
}

@group(0) @binding(0) var<uniform> p: Params;

override WG: u32 = 256u;

@group(0) @binding(1) var<storage, read> index: array<i32>;  // (M)

@group(0) @binding(2) var<storage, read> g_src: array<f32>;        // (N, C)
@group(0) @binding(3) var<storage, read_write> g_out: array<f32>;  // (M, C)

@compute @workgroup_size(WG)
fn gather(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.M * p.C) { return; }
  let m = i / p.C;
  let c = i - m * p.C;
  let r = index[m];
  var v = 0.0;
  if (r >= 0 && u32(r) < p.N) { v = g_src[u32(r) * p.C + c]; }
  g_out[i] = v;
}

@group(0) @binding(2) var<storage, read> s_src: array<f32>;        // (M, C)
@group(0) @binding(3) var<storage, read_write> s_dst: array<f32>;  // (N, C)

@compute @workgroup_size(WG)
fn scatter(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.M * p.C) { return; }
  let m = i / p.C;
  let c = i - m * p.C;
  let r = index[m];
  if (r < 0 || u32(r) >= p.N) { return; }
  let o = u32(r) * p.C + c;
  if (p.accumulate != 0u) {
    s_dst[o] += s_src[i];
  } else {
    s_dst[o] = s_src[i];
  }
}

@group(0) @binding(2) var<storage, read> c_offsets: array<i32>;    // (N + 1)
@group(0) @binding(3) var<storage, read> c_src: array<f32>;        // (M, C)
@group(0) @binding(4) var<storage, read_write> c_dst: array<f32>;  // (N, C)

@compute @workgroup_size(WG)
fn scatter_add_csr(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.N * p.C) { return; }
  let n = i / p.C;
  let c = i - n * p.C;
  let a = c_offsets[n];
  let b = c_offsets[n + 1u];
  if (b <= a) { return; }
  var s = 0.0;
  for (var j = a; j < b; j++) { s += c_src[u32(index[j]) * p.C + c]; }
  c_dst[i] += s;
}

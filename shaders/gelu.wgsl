// GELU in its tanh form (Hugging Face "gelu_new"), elementwise: forward out = gelu(x); backward dx = dy * gelu'(x)
// (overwrite). The function and its derivative are lib/gelu.wgsl's, which the matmul epilogues share.
// #include lib/gelu.wgsl

struct Params {
  n: u32,
}

@group(0) @binding(0) var<uniform> p: Params;

override WG: u32 = 256u;

@group(0) @binding(1) var<storage, read> f_x: array<f32>;
@group(0) @binding(2) var<storage, read_write> f_out: array<f32>;

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  f_out[i] = gelu(f_x[i]);
}

@group(0) @binding(1) var<storage, read> b_dy: array<f32>;
@group(0) @binding(2) var<storage, read> b_x: array<f32>;
@group(0) @binding(3) var<storage, read_write> b_dx: array<f32>;

@compute @workgroup_size(WG)
fn backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) { return; }
  b_dx[i] = b_dy[i] * gelu_grad(b_x[i]);
}

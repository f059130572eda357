// Fills: set every element of a buffer to a value (zeroing gradients, initialising accumulators).

struct FillParams {
  n: u32,
  value: f32,
}

@group(0) @binding(0) var<uniform> p: FillParams;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

override WG: u32 = 256u;

@compute @workgroup_size(WG)
fn fill(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  // 2-D grid so buffers with more than 65535 * WG elements still fit the workgroup-count limit.
  let i = gid.x + gid.y * nwg.x * WG;
  if (i < p.n) {
    out[i] = p.value;
  }
}

// Position hiding (the "position" objective, MP3 / DropPos): rows flagged in no_pos get a learned "no position"
// vector instead of their position embedding. Runs after embedding.wgsl's forward / backward and corrects them.
//
// forward:        out[row, c] = (wte[id, c] + wtt[0, c]) + wnone[c] for flagged rows (the embedding's own order).
// backward_wpe:   dwpe[t, c] -= sum over b of dout[b, t, c] for flagged (b, t) (the embedding backward added them);
//                 scratch[t, c] = that sum.
// backward_none:  dwnone[c] += sum over t of scratch[t, c].
// Sums run in a fixed order: results are bitwise reproducible.

struct Params {
  B: u32,
  T: u32,
  C: u32,
  V: u32,
}

@group(0) @binding(0) var<uniform> p: Params;

override WG: u32 = 256u;

fn flat(gid: vec3u, nwg: vec3u) -> u32 {
  return gid.x + gid.y * nwg.x * WG;
}

@group(0) @binding(1) var<storage, read> f_ids: array<i32>;       // (B*T)
@group(0) @binding(2) var<storage, read> f_nopos: array<i32>;     // (B*T) 1 = hide the position
@group(0) @binding(3) var<storage, read> f_wte: array<f32>;       // (V, C)
@group(0) @binding(4) var<storage, read> f_wtt: array<f32>;       // (>= 1, C)
@group(0) @binding(5) var<storage, read> f_wnone: array<f32>;     // (C)
@group(0) @binding(6) var<storage, read_write> f_out: array<f32>; // (B*T, C)

@compute @workgroup_size(WG)
fn forward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  let C = p.C;
  if (i >= p.B * p.T * C) { return; }
  let row = i / C;
  if (f_nopos[row] == 0) { return; }
  let c = i - row * C;
  let id = f_ids[row];
  var tok = 0.0;
  if (id >= 0 && u32(id) < p.V) { tok = f_wte[u32(id) * C + c]; }
  f_out[i] = (tok + f_wtt[c]) + f_wnone[c];
}

@group(0) @binding(1) var<storage, read> q_dout: array<f32>;            // (B, T, C)
@group(0) @binding(2) var<storage, read> q_nopos: array<i32>;           // (B*T)
@group(0) @binding(3) var<storage, read_write> q_dwpe: array<f32>;      // (>= T, C)
@group(0) @binding(4) var<storage, read_write> q_scratch: array<f32>;   // (T, C)

@compute @workgroup_size(WG)
fn backward_wpe(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = flat(gid, nwg);
  let TC = p.T * p.C;
  if (i >= TC) { return; }
  let t = i / p.C;
  var s = 0.0;
  for (var b = 0u; b < p.B; b++) {
    if (q_nopos[b * p.T + t] != 0) { s += q_dout[b * TC + i]; }
  }
  q_dwpe[i] -= s;
  q_scratch[i] = s;
}

@group(0) @binding(1) var<storage, read> n_scratch: array<f32>;       // (T, C)
@group(0) @binding(2) var<storage, read_write> n_dwnone: array<f32>;  // (C)

@compute @workgroup_size(WG)
fn backward_none(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let c = flat(gid, nwg);
  if (c >= p.C) { return; }
  var s = 0.0;
  for (var t = 0u; t < p.T; t++) { s += n_scratch[t * p.C + c]; }
  n_dwnone[c] += s;
}

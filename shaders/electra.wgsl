// ELECTRA's link between generator and discriminator, on the GPU: a seeded Gumbel-max sample from each target
// row's logits (no gradient), then the samples written into the discriminator's input with their labels.
//
// gumbel_sample: one workgroup per target row m (M rows of V logits). For each id v, u = hash(seed, step, m, v)
//   mapped to (0, 1); score = logit + g with g = -log(-log(u)) (standard Gumbel); the argmax of score is a sample
//   of softmax(logits) (Gumbel-max trick). Ties go to the lower id, so the result is deterministic. Rows whose
//   position is -1 get -1.
// replace_tokens: for every target row m with a sample, ids[positions[m]] = sample and
//   labels[positions[m]] = 1 if the sample differs from the original token (targets[m]) else 0.

struct SampleParams {
  M: u32,
  V: u32,
  seed: u32,
  step: u32,
}

struct ReplaceParams {
  M: u32,
}

@group(0) @binding(0) var<uniform> sp: SampleParams;
@group(0) @binding(1) var<storage, read> g_logits: array<f32>;
@group(0) @binding(2) var<storage, read> g_positions: array<i32>;
@group(0) @binding(3) var<storage, read_write> g_sampled: array<i32>;

@group(0) @binding(0) var<uniform> rp: ReplaceParams;
@group(0) @binding(1) var<storage, read> r_positions: array<i32>;
@group(0) @binding(2) var<storage, read> r_targets: array<i32>;
@group(0) @binding(3) var<storage, read> r_sampled: array<i32>;
@group(0) @binding(4) var<storage, read_write> r_ids: array<i32>;
@group(0) @binding(5) var<storage, read_write> r_labels: array<f32>;

override WG: u32 = 256u;

// PCG-style 32-bit hash (Jarzynski & Olano 2020, "Hash Functions for GPU Rendering"); src/engine/reference/sample.ts
// computes the same bits on the CPU.
fn pcg_hash(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

var<workgroup> best_score: array<f32, WG>;
var<workgroup> best_id: array<i32, WG>;

@compute @workgroup_size(WG)
fn gumbel_sample(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let m = wid.x + wid.y * nwg.x;
  // Uniform control flow: every thread of the workgroup reaches the barriers; rows past M do no work.
  let live = m < sp.M && g_positions[min(m, sp.M - 1u)] >= 0;
  var score = -3.0e38;
  var id = -1;
  if (live) {
    let base = pcg_hash(m + pcg_hash(sp.step + pcg_hash(sp.seed)));
    for (var v = lid; v < sp.V; v += WG) {
      let h = pcg_hash(base + v);
      let u = (f32(h >> 8u) + 0.5) * (1.0 / 16777216.0);
      let s = g_logits[m * sp.V + v] - log(-log(u));
      if (s > score) {
        score = s;
        id = i32(v);
      }
    }
  }
  best_score[lid] = score;
  best_id[lid] = id;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) {
      let s2 = best_score[lid + stride];
      let i2 = best_id[lid + stride];
      let s1 = best_score[lid];
      let i1 = best_id[lid];
      if (i2 >= 0 && (i1 < 0 || s2 > s1 || (s2 == s1 && i2 < i1))) {
        best_score[lid] = s2;
        best_id[lid] = i2;
      }
    }
    workgroupBarrier();
  }
  if (lid == 0u && m < sp.M) {
    g_sampled[m] = select(-1, best_id[0], live);
  }
}

@compute @workgroup_size(WG)
fn replace_tokens(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let m = gid.x + gid.y * nwg.x * WG;
  if (m >= rp.M) {
    return;
  }
  let pos = r_positions[m];
  let s = r_sampled[m];
  if (pos < 0 || s < 0) {
    return;
  }
  r_ids[pos] = s;
  r_labels[pos] = select(0.0, 1.0, s != r_targets[m]);
}

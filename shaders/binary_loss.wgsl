// Binary (sigmoid) cross-entropy per token for the replaced-token / shuffled-token / discriminator heads:
// loss, gradient and prediction in one elementwise pass.
//
// bce: p, logits (N), labels (N) in {0,1}, weights (N) (0 = padding), losses (N), dlogits (N), preds (N) i32
//   losses[i]  = max(x,0) - x*y + log1p(exp(-|x|))  (unweighted; 0 where weight == 0)
//   dlogits[i] = weight * (sigmoid(x) - y)           (overwrites; exactly 0 where weight == 0)
//   preds[i]   = 1 if x > 0 else 0

struct BceParams {
  N: u32,
}

@group(0) @binding(0) var<uniform> p: BceParams;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<f32>;
@group(0) @binding(3) var<storage, read> weights: array<f32>;
@group(0) @binding(4) var<storage, read_write> losses: array<f32>;
@group(0) @binding(5) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(6) var<storage, read_write> preds: array<i32>;

override WG: u32 = 256u;

// log(1 + z) for z in [0, 1], accurate to a few ulp relative even for tiny z: 2 atanh(w) with w = z / (2 + z)
// (w <= 1/3) as an odd series. Uses only + * /, whose precision WGSL bounds; log() is only bounded absolutely.
fn log1p_unit(z: f32) -> f32 {
  let w = z / (2.0 + z);
  let w2 = w * w;
  let poly = 1.0 + w2 * (1.0 / 3.0 + w2 * (1.0 / 5.0 + w2 * (1.0 / 7.0 + w2 * (1.0 / 9.0 +
             w2 * (1.0 / 11.0 + w2 * (1.0 / 13.0 + w2 * (1.0 / 15.0 + w2 * (1.0 / 17.0))))))));
  return 2.0 * w * poly;
}

@compute @workgroup_size(WG)
fn bce(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.N) {
    return;
  }
  let x = logits[i];
  let y = labels[i];
  let w = weights[i];
  let z = exp(-abs(x));
  let loss = max(x, 0.0) - x * y + log1p_unit(z);
  // sigmoid(x) and sigmoid(-x) without cancellation: sigmoid(x) - y = (1 - y) sigmoid(x) - y sigmoid(-x).
  let big = 1.0 / (1.0 + z);
  let small = z / (1.0 + z);
  let pos = select(small, big, x >= 0.0);
  let neg = select(big, small, x >= 0.0);
  losses[i] = select(loss, 0.0, w == 0.0);
  dlogits[i] = select(w * ((1.0 - y) * pos - y * neg), 0.0, w == 0.0);
  preds[i] = select(0, 1, x > 0.0);
}

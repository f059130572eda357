// Deterministic reductions: the global gradient norm with its clip scale, and the metric sums (loss, accuracy).
// Each thread sums a fixed strided set of elements in order, then a fixed-order tree combines the threads:
// the same inputs give the same bits on every run.
//
// Entry points (params at binding 0, then the buffers in this order):
//   sumsq_partials     : sp, x (n), partials rw      partials[slot + g] = sum of x^2 over workgroup g's share
//   grad_norm_finish   : np, partials, out rw        out[0] = norm = sqrt(sum partials[0..count]),
//                                                    out[1] = clip scale = min(1, max_norm / (norm + 1e-6)),
//                                                    or 1 when max_norm <= 0 (clipping off)
//   sum                : rp, x (n), out rw           out[out_index] (+)= sum x
//   weighted_sum       : rp, x (n), w (n), out rw    out[out_index] (+)= sum x * w
//   count_correct      : rp, pred (n) i32, target (n) i32, out rw
//                          out[out_index] (+)= #(target >= 0 and pred == target), out[out_index + 1] (+)= #(target >= 0)
//   count_binary_correct: rp, pred (n) i32, labels (n), weights (n), out rw
//                          out[out_index] (+)= #(weight != 0 and pred == (label > 0.5)), out[out_index + 1] (+)= #(weight != 0)
// The metric entries run as one workgroup (their inputs are a batch of rows or tokens); with accumulate = 1 they
// add to the output (summing over evaluation batches), otherwise they overwrite it. Counts are exact below 2^24.

struct SumSqParams {
  n: u32,
  slot: u32,
}

struct NormParams {
  count: u32,
  max_norm: f32,
}

struct ReduceParams {
  n: u32,
  out_index: u32,
  accumulate: u32,
}

@group(0) @binding(0) var<uniform> sp: SumSqParams;
@group(0) @binding(0) var<uniform> np: NormParams;
@group(0) @binding(0) var<uniform> rp: ReduceParams;

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> partials: array<f32>;

@group(0) @binding(1) var<storage, read> partials_in: array<f32>;
@group(0) @binding(2) var<storage, read_write> norm_out: array<f32>;

@group(0) @binding(2) var<storage, read_write> sum_out: array<f32>;

@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> wsum_out: array<f32>;

@group(0) @binding(1) var<storage, read> pred: array<i32>;
@group(0) @binding(2) var<storage, read> targets_in: array<i32>;
@group(0) @binding(3) var<storage, read_write> count_out: array<f32>;

@group(0) @binding(2) var<storage, read> labels: array<f32>;
@group(0) @binding(3) var<storage, read> label_weights: array<f32>;
@group(0) @binding(4) var<storage, read_write> bin_out: array<f32>;

// Power of two (the tree halves it).
override WG: u32 = 256u;

var<workgroup> s_a: array<f32, WG>;
var<workgroup> s_b: array<f32, WG>;

// Tree-sums s_a (and s_b) over the workgroup; the totals end in slot 0. Call from uniform control flow.
fn tree2(tid: u32) {
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (tid < stride) {
      s_a[tid] += s_a[tid + stride];
      s_b[tid] += s_b[tid + stride];
    }
    workgroupBarrier();
  }
}

// One workgroup per share: workgroup g of G sums x[g*WG + tid + k*G*WG] for k = 0, 1, ...
@compute @workgroup_size(WG)
fn sumsq_partials(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                  @builtin(local_invocation_index) tid: u32) {
  var acc = 0.0;
  for (var i = wid.x * WG + tid; i < sp.n; i += nwg.x * WG) {
    let v = x[i];
    acc += v * v;
  }
  s_a[tid] = acc;
  s_b[tid] = 0.0;
  tree2(tid);
  if (tid == 0u) {
    partials[sp.slot + wid.x] = s_a[0];
  }
}

@compute @workgroup_size(WG)
fn grad_norm_finish(@builtin(local_invocation_index) tid: u32) {
  var acc = 0.0;
  for (var i = tid; i < np.count; i += WG) {
    acc += partials_in[i];
  }
  s_a[tid] = acc;
  s_b[tid] = 0.0;
  tree2(tid);
  if (tid == 0u) {
    let norm = sqrt(s_a[0]);
    norm_out[0] = norm;
    norm_out[1] = select(1.0, min(1.0, np.max_norm / (norm + 1e-6)), np.max_norm > 0.0);
  }
}

fn store(old: f32, value: f32) -> f32 {
  return select(value, old + value, rp.accumulate != 0u);
}

@compute @workgroup_size(WG)
fn sum(@builtin(local_invocation_index) tid: u32) {
  var acc = 0.0;
  for (var i = tid; i < rp.n; i += WG) {
    acc += x[i];
  }
  s_a[tid] = acc;
  s_b[tid] = 0.0;
  tree2(tid);
  if (tid == 0u) {
    sum_out[rp.out_index] = store(sum_out[rp.out_index], s_a[0]);
  }
}

@compute @workgroup_size(WG)
fn weighted_sum(@builtin(local_invocation_index) tid: u32) {
  var acc = 0.0;
  for (var i = tid; i < rp.n; i += WG) {
    acc += x[i] * w[i];
  }
  s_a[tid] = acc;
  s_b[tid] = 0.0;
  tree2(tid);
  if (tid == 0u) {
    wsum_out[rp.out_index] = store(wsum_out[rp.out_index], s_a[0]);
  }
}

@compute @workgroup_size(WG)
fn count_correct(@builtin(local_invocation_index) tid: u32) {
  var hit = 0u;
  var total = 0u;
  for (var i = tid; i < rp.n; i += WG) {
    let t = targets_in[i];
    if (t >= 0) {
      total += 1u;
      hit += select(0u, 1u, pred[i] == t);
    }
  }
  s_a[tid] = f32(hit);
  s_b[tid] = f32(total);
  tree2(tid);
  if (tid == 0u) {
    let o = rp.out_index;
    count_out[o] = store(count_out[o], s_a[0]);
    count_out[o + 1u] = store(count_out[o + 1u], s_b[0]);
  }
}

@compute @workgroup_size(WG)
fn count_binary_correct(@builtin(local_invocation_index) tid: u32) {
  var hit = 0u;
  var total = 0u;
  for (var i = tid; i < rp.n; i += WG) {
    if (label_weights[i] != 0.0) {
      total += 1u;
      hit += select(0u, 1u, pred[i] == select(0, 1, labels[i] > 0.5));
    }
  }
  s_a[tid] = f32(hit);
  s_b[tid] = f32(total);
  tree2(tid);
  if (tid == 0u) {
    let o = rp.out_index;
    bin_out[o] = store(bin_out[o], s_a[0]);
    bin_out[o + 1u] = store(bin_out[o + 1u], s_b[0]);
  }
}

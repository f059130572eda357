// Softmax cross-entropy over gathered rows (vocabulary MLM head and k-class heads), fused forward + backward,
// and the top-k readback for the prediction probe. One workgroup per row, parallel max/sum in workgroup memory.
//
// Entry points and their bindings (Kernels binds params at 0, then buffers in this order):
//   xent_inplace  : p, logits (M,V) rw [overwritten by dlogits], targets (M) i32, weights (M), losses (M), argmax (M) i32
//   xent_separate : same, then dlogits (M,V) at binding 6; logits are left unchanged
//   xent_forward  : same as xent_inplace but writes no gradient (evaluation); logits are left unchanged
//   topk          : tp, logits (M,V), rows (R) i32, ids (R,K) i32, probs (R,K)
// A row whose target is < 0 or >= V carries no target: loss 0, gradient 0, argmax -1.
// Per-row loss is unweighted: lse(x) - x[target]. dlogits = weight * (softmax(x) - onehot(target)).
// Every entry declares logits read_write so one helper serves all; only xent_inplace writes it.

struct XentParams {
  M: u32,
  V: u32,
}

struct TopkParams {
  R: u32,
  V: u32,
  K: u32,
}

@group(0) @binding(0) var<uniform> p: XentParams;
@group(0) @binding(0) var<uniform> tp: TopkParams;
@group(0) @binding(1) var<storage, read_write> logits: array<f32>;
@group(0) @binding(2) var<storage, read> targets: array<i32>;
@group(0) @binding(3) var<storage, read> weights: array<f32>;
@group(0) @binding(4) var<storage, read_write> losses: array<f32>;
@group(0) @binding(5) var<storage, read_write> argmax: array<i32>;
@group(0) @binding(6) var<storage, read_write> dlogits: array<f32>;
// topk's own bindings 2..4
@group(0) @binding(2) var<storage, read> probe_rows: array<i32>;
@group(0) @binding(3) var<storage, read_write> topk_ids: array<i32>;
@group(0) @binding(4) var<storage, read_write> topk_probs: array<f32>;

// Power of two (the tree reductions halve it).
override WG: u32 = 256u;

const NONE: u32 = 0xffffffffu;
const LOWEST: f32 = -0x1.fffffep+127f; // lowest finite f32

var<workgroup> s_m: array<f32, WG>;
var<workgroup> s_s: array<f32, WG>;
var<workgroup> s_i: array<u32, WG>;

// Row statistics: the maximum, the first index holding it, and sum(exp(x - max)).
struct Stats {
  m: f32,
  s: f32,
  idx: u32,
}

// a "beats" b in the order (value descending, index ascending); an empty slot (NONE) never beats.
fn beats(av: f32, ai: u32, bv: f32, bi: u32) -> bool {
  return ai != NONE && (bi == NONE || av > bv || (av == bv && ai < bi));
}

// Online max/sum (and first argmax) over elements first, first + stride, ... of the row at base: one thread's share.
fn online_stats(base: u32, V: u32, first: u32, stride: u32) -> Stats {
  var m = LOWEST;
  var s = 0.0;
  var idx = NONE;
  for (var j = first; j < V; j += stride) {
    let x = logits[base + j];
    if (idx == NONE || x > m) {
      s = s * exp(m - x) + 1.0;
      m = x;
      idx = j;
    } else {
      s += exp(x - m);
    }
  }
  return Stats(m, s, idx);
}

// Online max/sum over this thread's strided elements, then a fixed-order tree over the workgroup.
// Every thread returns the row's statistics. Must be called from uniform control flow.
fn row_stats(base: u32, V: u32, tid: u32) -> Stats {
  let own = online_stats(base, V, tid, WG);
  // One thread per row (CPU adapters): nothing to combine, no barrier.
  if (WG == 1u) { return own; }
  let m = own.m;
  let s = own.s;
  let idx = own.idx;
  s_m[tid] = m;
  s_s[tid] = s;
  s_i[tid] = idx;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (tid < stride) {
      let am = s_m[tid];
      let ai = s_i[tid];
      let bm = s_m[tid + stride];
      let bi = s_i[tid + stride];
      if (bi != NONE) {
        if (ai == NONE) {
          s_m[tid] = bm;
          s_s[tid] = s_s[tid + stride];
          s_i[tid] = bi;
        } else {
          let mm = max(am, bm);
          s_s[tid] = s_s[tid] * exp(am - mm) + s_s[tid + stride] * exp(bm - mm);
          if (beats(bm, bi, am, ai)) {
            s_m[tid] = bm;
            s_i[tid] = bi;
          }
        }
      }
    }
    workgroupBarrier();
  }
  let st = Stats(s_m[0], s_s[0], s_i[0]);
  // Nobody may overwrite the workgroup slots or (in place) the logits before every thread has read them.
  workgroupBarrier();
  storageBarrier();
  return st;
}

fn row_of(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.x + wid.y * nwg.x;
}

fn target_of(row: u32) -> i32 {
  let t = targets[row];
  return select(-1, t, t >= 0 && u32(t) < p.V);
}

// Loss = (max - x[t]) + log(sum): the large terms cancel exactly before the log is added.
fn write_loss(row: u32, st: Stats, xt: f32, tid: u32) {
  if (tid == 0u) {
    losses[row] = (st.m - xt) + log(st.s);
    argmax[row] = i32(st.idx);
  }
}

fn write_no_target(row: u32, tid: u32) {
  if (tid == 0u) {
    losses[row] = 0.0;
    argmax[row] = -1;
  }
}

@compute @workgroup_size(WG)
fn xent_inplace(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                @builtin(local_invocation_index) tid: u32) {
  let row = row_of(wid, nwg);
  if (row >= p.M) {
    return;
  }
  let base = row * p.V;
  let t = target_of(row);
  if (t < 0) {
    for (var j = tid; j < p.V; j += WG) {
      logits[base + j] = 0.0;
    }
    write_no_target(row, tid);
    return;
  }
  // Read x[t] before row_stats' barriers: after them the row is overwritten with the gradient.
  let xt = logits[base + u32(t)];
  let st = row_stats(base, p.V, tid);
  write_loss(row, st, xt, tid);
  let w = weights[row];
  let inv_s = 1.0 / st.s;
  for (var j = tid; j < p.V; j += WG) {
    let prob = exp(logits[base + j] - st.m) * inv_s;
    logits[base + j] = w * select(prob, prob - 1.0, j == u32(t));
  }
}

@compute @workgroup_size(WG)
fn xent_separate(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                 @builtin(local_invocation_index) tid: u32) {
  let row = row_of(wid, nwg);
  if (row >= p.M) {
    return;
  }
  let base = row * p.V;
  let t = target_of(row);
  if (t < 0) {
    for (var j = tid; j < p.V; j += WG) {
      dlogits[base + j] = 0.0;
    }
    write_no_target(row, tid);
    return;
  }
  let xt = logits[base + u32(t)];
  let st = row_stats(base, p.V, tid);
  write_loss(row, st, xt, tid);
  let w = weights[row];
  let inv_s = 1.0 / st.s;
  for (var j = tid; j < p.V; j += WG) {
    let prob = exp(logits[base + j] - st.m) * inv_s;
    dlogits[base + j] = w * select(prob, prob - 1.0, j == u32(t));
  }
}

@compute @workgroup_size(WG)
fn xent_forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
                @builtin(local_invocation_index) tid: u32) {
  let row = row_of(wid, nwg);
  if (row >= p.M) {
    return;
  }
  let base = row * p.V;
  let t = target_of(row);
  if (t < 0) {
    write_no_target(row, tid);
    return;
  }
  let xt = logits[base + u32(t)];
  let st = row_stats(base, p.V, tid);
  // Keeps weights in this entry's layout, so one buffer list serves all three entries.
  _ = weights[row];
  write_loss(row, st, xt, tid);
}

// Top-k of softmax(logits[rows[r]]): K passes over the row, each taking the best element strictly after the
// previous pick in the order (value descending, index ascending). Rows < 0 and picks past V give id -1, prob 0.
@compute @workgroup_size(WG)
fn topk(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) tid: u32) {
  let r = wid.x;
  if (r >= tp.R) {
    return;
  }
  let row = probe_rows[r];
  let out = r * tp.K;
  if (row < 0) {
    for (var k = tid; k < tp.K; k += WG) {
      topk_ids[out + k] = -1;
      topk_probs[out + k] = 0.0;
    }
    return;
  }
  let base = u32(row) * tp.V;
  let st = row_stats(base, tp.V, tid);
  var last_v = st.m;
  var last_i = st.idx;
  if (tid == 0u) {
    topk_ids[out] = i32(st.idx);
    topk_probs[out] = 1.0 / st.s;
  }
  for (var k = 1u; k < tp.K; k++) {
    var bv = LOWEST;
    var bi = NONE;
    for (var j = tid; j < tp.V; j += WG) {
      let x = logits[base + j];
      let after = x < last_v || (x == last_v && j > last_i);
      if (after && beats(x, j, bv, bi)) {
        bv = x;
        bi = j;
      }
    }
    s_m[tid] = bv;
    s_i[tid] = bi;
    workgroupBarrier();
    for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
      if (tid < stride && beats(s_m[tid + stride], s_i[tid + stride], s_m[tid], s_i[tid])) {
        s_m[tid] = s_m[tid + stride];
        s_i[tid] = s_i[tid + stride];
      }
      workgroupBarrier();
    }
    last_v = s_m[0];
    last_i = s_i[0];
    workgroupBarrier();
    if (tid == 0u) {
      if (last_i == NONE) {
        topk_ids[out + k] = -1;
        topk_probs[out + k] = 0.0;
      } else {
        topk_ids[out + k] = i32(last_i);
        topk_probs[out + k] = exp(last_v - st.m) / st.s;
      }
    }
  }
}

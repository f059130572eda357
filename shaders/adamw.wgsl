// AdamW update of one parameter tensor, matching PyTorch's torch.optim.AdamW (single-tensor path) operation for
// operation: decay first (p *= 1 - lr*wd), then the bias-corrected Adam step. The gradient is scaled by the
// global clip factor read from a GPU buffer, so clipping needs no CPU round trip.
//
// adamw: p (per tensor), grad (n), hyper (per step, shared by all tensors), clip (scale at clip_index),
//        param (n) rw, m (n) rw, v (n) rw
//   g = grad * clip[clip_index]
//   if decay: param *= decay_factor                         (PyTorch: param.mul_(1 - lr * weight_decay))
//   m += one_minus_beta1 * (g - m)                          (PyTorch: exp_avg.lerp_(grad, 1 - beta1))
//   v = v * beta2 + one_minus_beta2 * g * g                 (PyTorch: exp_avg_sq.mul_(beta2).addcmul_(...))
//   param -= step_size * m / (sqrt(v) / bc2_sqrt + eps)     (PyTorch: param.addcdiv_(exp_avg, denom, value=-step_size))
// adamw_zero_grad: the same, and grad = 0 once read (PyTorch: optimizer.zero_grad() after the step), so the next
// step's backward can accumulate into it without a zeroing pass of its own.

// Per tensor, written once when the dispatch is built.
struct AdamWParams {
  n: u32,
  // 1: apply weight decay to this tensor (2-D weights); 0: biases, LayerNorm, embeddings.
  decay: u32,
  // Index of the clip scale in `clip` (GRAD_NORM.SCALE for the grad-norm output buffer).
  clip_index: u32,
}

// Per step, written by the trainer into one small storage buffer all AdamW dispatches read. The scalars are
// computed in float64 on the CPU, as PyTorch computes them in Python, and rounded to f32 once.
struct AdamWHyper {
  lr: f32,
  beta2: f32,
  one_minus_beta1: f32,
  one_minus_beta2: f32,
  eps: f32,
  // 1 - lr * weight_decay
  decay_factor: f32,
  // lr / (1 - beta1^t)
  step_size: f32,
  // sqrt(1 - beta2^t)
  bc2_sqrt: f32,
}

@group(0) @binding(0) var<uniform> p: AdamWParams;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(1) var<storage, read_write> grad_rw: array<f32>;  // adamw_zero_grad
@group(0) @binding(2) var<storage, read> hyper: AdamWHyper;
@group(0) @binding(3) var<storage, read> clip: array<f32>;
@group(0) @binding(4) var<storage, read_write> param: array<f32>;
@group(0) @binding(5) var<storage, read_write> m: array<f32>;
@group(0) @binding(6) var<storage, read_write> v: array<f32>;

override WG: u32 = 256u;

/** Element i's update from its gradient g (before the clip scale). */
fn update(i: u32, grad_i: f32) {
  let h = hyper;
  let g = grad_i * clip[p.clip_index];
  var x = param[i];
  if (p.decay != 0u) {
    x = x * h.decay_factor;
  }
  let mi = m[i] + h.one_minus_beta1 * (g - m[i]);
  let vi = v[i] * h.beta2 + h.one_minus_beta2 * (g * g);
  let denom = sqrt(vi) / h.bc2_sqrt + h.eps;
  x = x - h.step_size * mi / denom;
  m[i] = mi;
  v[i] = vi;
  param[i] = x;
}

@compute @workgroup_size(WG)
fn adamw(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) {
    return;
  }
  update(i, grad[i]);
}

@compute @workgroup_size(WG)
fn adamw_zero_grad(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n) {
    return;
  }
  let g = grad_rw[i];
  grad_rw[i] = 0.0;
  update(i, g);
}

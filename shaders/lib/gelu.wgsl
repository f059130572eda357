// GELU in its tanh form (Hugging Face "gelu_new"), included by the kernels that apply it: gelu.wgsl and the matmul
// epilogues. 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3), evaluated as x * sigmoid(2u) (the same
// function; no cancellation in 1 + tanh(u) for negative x, and no inf/inf from exp overflow). Past |u| >= 40
// (|x| > ~9.9) the result is the exact limit: x or 0, derivative 1 or 0.

const GELU_K: f32 = 0.7978845608028654;  // sqrt(2 / pi)
const GELU_A: f32 = 0.044715;
const GELU_U_MAX: f32 = 40.0;            // sigmoid(-80) ~ 1.8e-35: beyond this the limits are exact in f32

// u with x clamped to +-30 first (u(30) ~ 987 > GELU_U_MAX), so x^3 can never overflow.
fn gelu_inner(x: f32) -> f32 {
  let xc = clamp(x, -30.0, 30.0);
  return GELU_K * (xc + GELU_A * xc * xc * xc);
}

fn gelu_sigmoid2(u: f32) -> f32 {
  return 1.0 / (1.0 + exp(-2.0 * clamp(u, -GELU_U_MAX, GELU_U_MAX)));
}

fn gelu(x: f32) -> f32 {
  let u = gelu_inner(x);
  return select(x * gelu_sigmoid2(u), select(0.0, x, x > 0.0), abs(u) >= GELU_U_MAX);
}

// d/dx [x s(2u)] = s + 2 x s (1 - s) u'(x), u' = K (1 + 3 A x^2); 2 s (1 - s) = (1 - tanh(u)^2) / 2.
fn gelu_grad(x: f32) -> f32 {
  let u = gelu_inner(x);
  let s = gelu_sigmoid2(u);
  let xc = clamp(x, -30.0, 30.0);  // equals x wherever `curve` is used; keeps x^2 finite elsewhere
  let curve = s + 2.0 * xc * s * (1.0 - s) * GELU_K * (1.0 + 3.0 * GELU_A * xc * xc);
  return select(curve, select(0.0, 1.0, x > 0.0), abs(u) >= GELU_U_MAX);
}

fn gelu4(v: vec4f) -> vec4f {
  return vec4f(gelu(v.x), gelu(v.y), gelu(v.z), gelu(v.w));
}

fn gelu_grad4(v: vec4f) -> vec4f {
  return vec4f(gelu_grad(v.x), gelu_grad(v.y), gelu_grad(v.z), gelu_grad(v.w));
}

// AdamW op (shaders/adamw.wgsl), matching torch.optim.AdamW: one dispatch per parameter tensor, all reading one
// small per-step hyperparameter buffer the trainer rewrites each step, and the clip scale the grad-norm op wrote.
import { createStorage } from '../buffers';
import { grid1d, words, type Dispatch, type Kernels } from '../kernels';
import { uniformLayout } from '../uniforms';
import { bindSpan, GRAD_NORM, type F32Span } from './reduce';

const ADAMW_PARAMS = uniformLayout('adamw', 'AdamWParams', [
  ['n', 'u32'],
  ['decay', 'u32'],
  ['clip_index', 'u32'],
]);

export interface AdamWConfig {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Decoupled weight decay, applied only to tensors whose dispatch has decay = true. */
  weightDecay: number;
}

/** PyTorch's defaults (lr = 1e-3, betas = (0.9, 0.999), eps = 1e-8, weight_decay = 1e-2). */
export const ADAMW_DEFAULTS: AdamWConfig = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };

/**
 * The per-step hyper buffer, 8 f32 in this order (struct AdamWHyper in adamw.wgsl):
 * lr, beta2, 1 - beta1, 1 - beta2, eps, 1 - lr * weightDecay, lr / (1 - beta1^t), sqrt(1 - beta2^t).
 * Each scalar is computed in float64, as PyTorch computes it in Python, then rounded to f32 once.
 */
export const ADAMW_HYPER_FLOATS = 8;

/** The hyper buffer contents for step t (t = 1 for the first update). */
export function adamwHyperData(cfg: AdamWConfig, step: number): Float32Array {
  if (!(Number.isInteger(step) && step >= 1)) throw new Error(`AdamW step must be an integer >= 1, got ${step}`);
  const bc1 = 1 - cfg.beta1 ** step;
  const bc2 = 1 - cfg.beta2 ** step;
  return Float32Array.of(
    cfg.lr,
    cfg.beta2,
    1 - cfg.beta1,
    1 - cfg.beta2,
    cfg.eps,
    1 - cfg.lr * cfg.weightDecay,
    cfg.lr / bc1,
    Math.sqrt(bc2),
  );
}

/** A storage buffer for the per-step hyperparameters, filled for step 1. */
export function createAdamWHyper(
  device: GPUDevice,
  cfg: AdamWConfig = ADAMW_DEFAULTS,
  label = 'adamw.hyper',
): GPUBuffer {
  return createStorage(device, adamwHyperData(cfg, 1), label);
}

/** Rewrites the hyper buffer for step t (the schedule's lr goes in cfg.lr). Queue order: before the step's submit. */
export function writeAdamWHyper(device: GPUDevice, hyper: GPUBuffer, cfg: AdamWConfig, step: number): void {
  device.queue.writeBuffer(hyper, 0, adamwHyperData(cfg, step));
}

export interface AdamWBuffers {
  /** (n) f32 parameters, updated in place. */
  param: F32Span;
  /** (n) f32 gradient (multiplied by the clip scale; read only, or zeroed once read with `zeroGrad`). */
  grad: F32Span;
  /** (n) f32 first moment, zero-initialised. */
  m: F32Span;
  /** (n) f32 second moment, zero-initialised. */
  v: F32Span;
  /** The per-step hyper buffer (createAdamWHyper). */
  hyper: GPUBuffer;
  /** f32 buffer holding the gradient scale at clipIndex: the grad-norm output (GRAD_NORM.SCALE), or a 1. */
  clip: GPUBuffer;
  clipIndex?: number;
}

/**
 * One AdamW step over a tensor (or a group of tensors laid out contiguously). decay: true for 2-D weight matrices,
 * false for biases, LayerNorm and embeddings (BERT / nanoGPT convention). The four spans must have equal length.
 * zeroGrad: the gradient is set to 0 once read (adamw_zero_grad), ready for the next step's accumulation.
 */
export function adamw(
  k: Kernels,
  b: AdamWBuffers,
  opts: { decay: boolean; zeroGrad?: boolean },
  label = 'adamw',
): Dispatch {
  const span = (name: 'param' | 'grad' | 'm' | 'v') => bindSpan(k.device, b[name], `${label}.${name}`);
  const [param, grad, m, v] = [span('param'), span('grad'), span('m'), span('v')];
  const n = param.n;
  if (grad.n !== n || m.n !== n || v.n !== n) {
    throw new Error(`${label}: param, grad, m, v lengths differ (${n}, ${grad.n}, ${m.n}, ${v.n})`);
  }
  const clipIndex = b.clipIndex ?? GRAD_NORM.SCALE;
  if (b.hyper.size < ADAMW_HYPER_FLOATS * 4) throw new Error(`${label}: hyper buffer is too small`);
  if (b.clip.size < (clipIndex + 1) * 4) throw new Error(`${label}: clip buffer has no element ${clipIndex}`);
  return k.dispatch({
    shader: 'adamw',
    entry: opts.zeroGrad ? 'adamw_zero_grad' : 'adamw',
    params: ADAMW_PARAMS.pack({ n, decay: opts.decay ?? false, clip_index: clipIndex }),
    buffers: [grad.binding, b.hyper, b.clip, param.binding, m.binding, v.binding],
    // grad, param, m and v read; param, m and v written, and grad zeroed (the hyper and clip scalars not counted).
    traffic: words(4 * n, (opts.zeroGrad ? 4 : 3) * n),
    workgroups: grid1d(n, 256, k.device.limits.maxComputeWorkgroupsPerDimension),
    label,
  });
}

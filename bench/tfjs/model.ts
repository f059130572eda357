// MaskLab's BertForMaskedLM rebuilt in TF.js (one tf.variable per tensor of model/params.ts, same init, same math as
// src/engine/reference/model.ts) with a hand-written training step: tf.variableGrads, global-norm clip, AdamW in tf ops.
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from '../../src/engine/config';
import { bertTensors, placeTensors, type ParamLayout, type PlacedTensor } from '../../src/engine/model/params';
import { PAD_MASKED } from '../../src/engine/reference/attention';
import { GELU_A, GELU_K } from '../../src/engine/reference/gelu';

/** One batch, the same arrays the engine's Trainer takes (src/engine/trainer.ts EngineBatch). */
export interface TfBatch {
  /** (B*T) input ids. */
  ids: Int32Array;
  /** (B*T) 1 for a real token, 0 for padding. */
  valid: Int32Array;
  /** (M) row into B*T of each target, -1 for an unused slot. */
  positions: Int32Array;
  /** (M) target ids, -1 for none. */
  targets: Int32Array;
  /** (M) per-target weights (1 / number of targets). */
  weights: Float32Array;
}

export interface TfAdamW {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export const TF_ADAMW_DEFAULTS: TfAdamW = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };

export interface TfBertOptions {
  B: number;
  adam?: Partial<TfAdamW>;
  /** Global gradient-norm clip as torch.nn.utils.clip_grad_norm_ (<= 0: off). Default 1.0. */
  maxGradNorm?: number;
}

let instances = 0;

export class TfBert {
  readonly layout: ParamLayout;
  readonly adam: TfAdamW;
  /** Updates done so far (AdamW's t is step + 1 in the next update). */
  step = 0;
  private readonly vars = new Map<string, tf.Variable>();
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  private readonly prefix: string;

  constructor(
    readonly cfg: ModelConfig,
    init: Float32Array,
    readonly opt: TfBertOptions,
  ) {
    this.layout = placeTensors(bertTensors(cfg));
    if (init.length !== this.layout.totalFloats)
      throw new Error(`init has ${init.length} floats, the layout ${this.layout.totalFloats}`);
    this.adam = { ...TF_ADAMW_DEFAULTS, ...opt.adam };
    this.prefix = `tfbert${instances++}/`;
    for (const t of this.layout.tensors) {
      const data = init.slice(t.offset, t.offset + t.size);
      this.vars.set(t.name, tf.variable(tf.tensor(data, t.shape, 'float32'), true, this.prefix + t.name));
      this.m.set(t.name, tf.variable(tf.zeros(t.shape), false, this.prefix + 'm/' + t.name));
      this.v.set(t.name, tf.variable(tf.zeros(t.shape), false, this.prefix + 'v/' + t.name));
    }
  }

  private P(name: string): tf.Variable {
    const p = this.vars.get(name);
    if (!p) throw new Error(`no parameter "${name}"`);
    return p;
  }

  /** Uploads a batch; unused target slots point at row 0 with weight 0 (no loss, no gradient, as in the reference). */
  inputs(b: TfBatch): TfInputs {
    const { B } = this.opt;
    const { T, V } = this.cfg;
    if (b.ids.length !== B * T) throw new Error(`ids has ${b.ids.length} entries, expected B*T = ${B * T}`);
    const M = b.positions.length;
    const pos = new Int32Array(M);
    const tgt = new Int32Array(M);
    const w = new Float32Array(M);
    for (let i = 0; i < M; i++) {
      const ok = b.positions[i] >= 0 && b.positions[i] < B * T && b.targets[i] >= 0 && b.targets[i] < V;
      pos[i] = ok ? b.positions[i] : 0;
      tgt[i] = ok ? b.targets[i] : 0;
      w[i] = ok ? b.weights[i] : 0;
    }
    const keyOk = Float32Array.from(b.valid, (x) => (x !== 0 ? 1 : 0));
    return {
      ids: tf.tensor1d(
        Int32Array.from(b.ids, (id) => Math.min(Math.max(id, 0), V - 1)),
        'int32',
      ),
      keyValid: tf.tensor4d(keyOk, [B, 1, 1, T]),
      keyMasked: tf.tensor4d(
        keyOk.map((x) => (x ? 0 : PAD_MASKED)),
        [B, 1, 1, T],
      ),
      positions: tf.tensor1d(pos, 'int32'),
      targets: tf.tensor1d(tgt, 'int32'),
      weights: tf.tensor1d(w),
    };
  }

  /** sum over targets of weight * cross-entropy: the scalar every gradient is of. */
  loss(x: TfInputs): tf.Scalar {
    const { L, C, NH, T, V, lnEps } = this.cfg;
    const B = this.opt.B;
    const N = B * T;
    const HS = C / NH;
    const P = (n: string) => this.P(n);
    const linear = (a: tf.Tensor2D, w: string, b: string): tf.Tensor2D => tf.add(tf.matMul(a, P(w), false, true), P(b));
    const ln = (a: tf.Tensor2D, g: string, b: string) => layerNorm(a, P(g), P(b), lnEps);

    // Embeddings: wte[id] + wtt[0] + wpe[t], then LayerNorm.
    const tok = tf.gather(P('wte'), x.ids).reshape([B, T, C]);
    const emb = tf.add(tf.add(tok, tf.slice(P('wtt'), [0, 0], [1, C])), P('wpe')).reshape([N, C]) as tf.Tensor2D;
    let h = ln(emb, 'emb_ln_g', 'emb_ln_b');
    const heads = (a: tf.Tensor2D) => a.reshape([B, T, NH, HS]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
    for (let l = 0; l < L; l++) {
      const p = `h${l}.`;
      const [q, k, v] = tf.split(linear(h, p + 'qkv_w', p + 'qkv_b'), 3, 1) as tf.Tensor2D[];
      // Padding keys get the reference's replacement logit: s * 1 + 0 keeps s, s * 0 + PAD_MASKED replaces it.
      const s = tf.mul(tf.matMul(heads(q), heads(k), false, true), 1 / Math.sqrt(HS));
      const att = tf.softmax(tf.add(tf.mul(s, x.keyValid), x.keyMasked));
      const a = tf.matMul(att, heads(v)).transpose([0, 2, 1, 3]).reshape([N, C]) as tf.Tensor2D;
      const ln1 = ln(tf.add(linear(a, p + 'attn_proj_w', p + 'attn_proj_b'), h), p + 'ln1_g', p + 'ln1_b');
      const f = gelu(linear(ln1, p + 'fc_w', p + 'fc_b'));
      h = ln(tf.add(linear(f, p + 'fc_proj_w', p + 'fc_proj_b'), ln1), p + 'ln2_g', p + 'ln2_b');
    }
    // MLM head on the gathered target rows only; decoder tied to wte.
    const hm = tf.gather(h, x.positions);
    const hln = ln(gelu(linear(hm, 'head_w', 'head_b')), 'head_ln_g', 'head_ln_b');
    const logits = tf.add(tf.matMul(hln, P('wte'), false, true), P('decoder_b'));
    const logp = tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(x.targets, V)), 1);
    return tf.neg(tf.sum(tf.mul(logp, x.weights)));
  }

  /** Loss and every parameter gradient in the flat layout (for checks against the CPU reference); no update. */
  async lossAndGrads(b: TfBatch): Promise<{ loss: number; grads: Float32Array }> {
    const x = this.inputs(b);
    const { value, grads } = tf.variableGrads(() => this.loss(x), [...this.vars.values()]);
    const flat = new Float32Array(this.layout.totalFloats);
    for (const t of this.layout.tensors) flat.set(await grads[this.prefix + t.name].data(), t.offset);
    const loss = (await value.data())[0];
    tf.dispose([value, ...Object.values(grads)]);
    disposeInputs(x);
    return { loss, grads: flat };
  }

  /**
   * One training step at learning rate lr: loss + gradients, global-norm clip, AdamW (decay on 2-D weights only).
   * Returns the loss (before the update) as a tensor the caller disposes; nothing is read back.
   */
  trainStep(b: TfBatch, lr: number): tf.Scalar {
    const x = this.inputs(b);
    const t = ++this.step;
    const { beta1, beta2, eps, weightDecay } = this.adam;
    const maxNorm = this.opt.maxGradNorm ?? 1.0;
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => this.loss(x), [...this.vars.values()]);
      const g = (spec: PlacedTensor) => grads[this.prefix + spec.name];
      const norm = tf.sqrt(sumAll(this.layout.tensors.map((s) => tf.sum(tf.square(g(s))))));
      const scale = maxNorm > 0 ? tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6))) : tf.scalar(1);
      // Scalars in float64 as PyTorch computes them in Python, rounded to f32 once (as ops/adamw.ts).
      const stepSize = lr / (1 - beta1 ** t);
      const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
      for (const s of this.layout.tensors) {
        const p = this.P(s.name);
        const m = this.m.get(s.name)!;
        const v = this.v.get(s.name)!;
        const gs = tf.mul(g(s), scale);
        const p0 = s.decay ? tf.mul(p, 1 - lr * weightDecay) : p;
        const m1 = tf.add(m, tf.mul(tf.sub(gs, m), 1 - beta1));
        const v1 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(gs), 1 - beta2));
        const denom = tf.add(tf.div(tf.sqrt(v1), bc2Sqrt), eps);
        m.assign(m1);
        v.assign(v1);
        p.assign(tf.sub(p0, tf.div(tf.mul(m1, stepSize), denom)));
      }
      return value;
    });
    disposeInputs(x);
    return loss;
  }

  /** The current parameters in the flat layout of model/params.ts. */
  async params(): Promise<Float32Array> {
    const flat = new Float32Array(this.layout.totalFloats);
    for (const t of this.layout.tensors) flat.set(await this.P(t.name).data(), t.offset);
    return flat;
  }

  dispose(): void {
    for (const map of [this.vars, this.m, this.v]) for (const x of map.values()) x.dispose();
    this.vars.clear();
    this.m.clear();
    this.v.clear();
  }
}

export interface TfInputs {
  ids: tf.Tensor1D;
  /** (B, 1, 1, T) 1 for a real key, 0 for padding. */
  keyValid: tf.Tensor4D;
  /** (B, 1, 1, T) 0 for a real key, PAD_MASKED for padding. */
  keyMasked: tf.Tensor4D;
  positions: tf.Tensor1D;
  targets: tf.Tensor1D;
  weights: tf.Tensor1D;
}

function disposeInputs(x: TfInputs): void {
  tf.dispose([x.ids, x.keyValid, x.keyMasked, x.positions, x.targets, x.weights]);
}

/**
 * Sum of many same-shape tensors. tf.addN binds every input as one storage buffer, and WebGPU guarantees only 8
 * per shader stage (SwiftShader has exactly 8), so add in groups of 7.
 */
function sumAll(ts: tf.Tensor[]): tf.Tensor {
  let xs = ts;
  while (xs.length > 1) {
    const next: tf.Tensor[] = [];
    for (let i = 0; i < xs.length; i += 7) next.push(xs.length - i === 1 ? xs[i] : tf.addN(xs.slice(i, i + 7)));
    xs = next;
  }
  return xs[0];
}

/** LayerNorm over the last axis with the biased variance, as torch.nn.LayerNorm. */
function layerNorm(x: tf.Tensor2D, g: tf.Tensor, b: tf.Tensor, eps: number): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), g), b);
}

/** GELU, tanh form (Hugging Face "gelu_new"): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
function gelu<R extends tf.Rank>(x: tf.Tensor<R>): tf.Tensor<R> {
  const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), GELU_A)), GELU_K);
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

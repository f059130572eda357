// One post-LN encoder layer (Hugging Face's BertLayer) as dispatches, forward and backward:
//   x ──linear qkv──> qkv (N, 3C) ──attention──> a (N, C) ──linear attn_proj + x──> r1 ──LayerNorm──> h1
//   h1 ──linear fc, GELU──> f (pre-activation), g (N, F) ──linear fc_proj + h1──> r2 ──LayerNorm──> h2
// The residual adds and the GELU run in the matmuls' epilogues, and the backward fuses GELU's derivative and the
// bias gradients, where the tuning allows (fusion.ts, linear.ts).
import type { Dispatch, Kernels } from '../kernels';
import { attentionBackward, attentionForward, attentionSizes } from '../ops/attention';
import { layerNormBackward, layerNormForward } from '../ops/layernorm';
import type { LinearOps } from './linear';

/** A layer's saved activations (N = B*T rows). */
export interface LayerActs {
  qkv: GPUBuffer; // (N, 3C)
  att: GPUBuffer; // (B, NH, T, T) attention probabilities
  a: GPUBuffer; // (N, C) attention output, heads concatenated
  r1: GPUBuffer; // (N, C) attn_proj(a) + x
  h1: GPUBuffer; // (N, C) LayerNorm(r1)
  mean1: GPUBuffer; // (N)
  rstd1: GPUBuffer; // (N)
  f: GPUBuffer; // (N, F) fc pre-activation
  g: GPUBuffer; // (N, F) GELU(f)
  r2: GPUBuffer; // (N, C) fc_proj(g) + h1
  h2: GPUBuffer; // (N, C) LayerNorm(r2): the layer output
  mean2: GPUBuffer;
  rstd2: GPUBuffer;
}

/** What the layers share: shapes, tensor bindings, buffer allocation and the Linear ops. */
export interface LayerContext {
  k: Kernels;
  B: number;
  T: number;
  C: number;
  F: number;
  NH: number;
  eps: number;
  causal: boolean;
  /** Label prefix (ELECTRA's generator: 'gen.'). */
  prefix: string;
  /** (B*T) i32 key-padding mask. */
  valid: GPUBuffer;
  buf(floats: number, name: string): GPUBuffer;
  P(name: string): GPUBufferBinding;
  G(name: string): GPUBufferBinding;
  lin: LinearOps;
}

/** Layer l's buffers and forward dispatches from its input x (N, C); its output is acts.h2. */
export function layerForward(c: LayerContext, l: number, x: GPUBuffer): { acts: LayerActs; dispatches: Dispatch[] } {
  const { k, B, T, C, F, NH, eps, prefix: pre, buf, P, lin } = c;
  const N = B * T;
  const p = `h${l}.`;
  const a: LayerActs = {
    qkv: buf(N * 3 * C, p + 'qkv'),
    att: buf(attentionSizes({ B, T, C, NH }).att / 4, p + 'att'),
    a: buf(N * C, pre + p + 'a'),
    r1: buf(N * C, pre + p + 'r1'),
    h1: buf(N * C, pre + p + 'h1'),
    mean1: buf(N, p + 'mean1'),
    rstd1: buf(N, p + 'rstd1'),
    f: buf(N * F, pre + p + 'f'),
    g: buf(N * F, pre + p + 'g'),
    r2: buf(N * C, pre + p + 'r2'),
    h2: buf(N * C, pre + p + 'h2'),
    mean2: buf(N, p + 'mean2'),
    rstd2: buf(N, p + 'rstd2'),
  };
  const ln = (xin: GPUBuffer, g: string, out: GPUBuffer, mean: GPUBuffer, rstd: GPUBuffer, label: string) =>
    layerNormForward(k, { x: xin, gamma: P(g + '_g'), beta: P(g + '_b'), out, mean, rstd }, { N, C, eps }, label);
  const dispatches = [
    lin.linear(x, p + 'qkv_w', p + 'qkv_b', a.qkv, N, 3 * C, C, p + 'qkv'),
    ...attentionForward(k, { qkv: a.qkv, valid: c.valid, out: a.a, att: a.att, B, T, C, NH, causal: c.causal }),
    ...lin.linearResidual(a.a, p + 'attn_proj_w', p + 'attn_proj_b', x, a.r1, N, C, C, p + 'attn_proj'),
    ln(a.r1, p + 'ln1', a.h1, a.mean1, a.rstd1, pre + p + 'ln1'),
    ...lin.linearGelu(a.h1, p + 'fc_w', p + 'fc_b', a.f, a.g, N, F, C, p + 'fc'),
    ...lin.linearResidual(a.g, p + 'fc_proj_w', p + 'fc_proj_b', a.h1, a.r2, N, C, F, p + 'fc_proj'),
    ln(a.r2, p + 'ln2', a.h2, a.mean2, a.rstd2, pre + p + 'ln2'),
  ];
  return { acts: a, dispatches };
}

/** Gradient buffers every layer's backward reuses (one set per graph). */
export interface LayerGrads {
  /** (N, C) the residual stream's gradient: in, d h2; out, d x (the layer input), which it overwrites. */
  dX: GPUBuffer;
  /** (N, C) d r2, then d h1 (accumulated), and d r1 goes to dX. */
  dR: GPUBuffer;
  /** (N, C) d a. */
  dA: GPUBuffer;
  /** (N, F) d f. */
  dF: GPUBuffer;
  /** (N, 3C) d qkv. */
  dqkv: GPUBuffer;
  /** Attention's (B, NH, T, T) scratch. */
  datt: GPUBuffer;
  /** LayerNorm backward scratch. */
  ln: GPUBuffer;
}

/** The gradient buffers of layerBackward. */
export function layerGrads(c: LayerContext, lnScratch: GPUBuffer, dX: GPUBuffer): LayerGrads {
  const { B, T, C, F, NH, buf } = c;
  const N = B * T;
  return {
    dX,
    dR: buf(N * C, 'd.r'),
    dA: buf(N * C, 'd.a'),
    dF: buf(N * F, 'd.f'),
    dqkv: buf(N * 3 * C, 'd.qkv'),
    datt: buf(attentionSizes({ B, T, C, NH }).datt / 4, 'd.att'),
    ln: lnScratch,
  };
}

/**
 * Layer l's backward from d h2 in d.dX to d x in d.dX (xin: the layer's input), with every tensor gradient
 * accumulated into the graph's gradients.
 */
export function layerBackward(c: LayerContext, l: number, a: LayerActs, xin: GPUBuffer, d: LayerGrads): Dispatch[] {
  const { k, B, T, C, F, NH, prefix: pre, P, G, lin } = c;
  const N = B * T;
  const p = `h${l}.`;
  const lnBack = (dy: GPUBuffer, x: GPUBuffer, g: string, mean: GPUBuffer, rstd: GPUBuffer, dx: GPUBuffer) =>
    layerNormBackward(
      k,
      { dy, x, gamma: P(g + '_g'), mean, rstd, dx, dgamma: G(g + '_g'), dbeta: G(g + '_b'), scratch: d.ln },
      { N, C },
      `${pre}${g}.backward`,
    );
  return [
    ...lnBack(d.dX, a.r2, p + 'ln2', a.mean2, a.rstd2, d.dR),
    ...lin.dlinearGelu(d.dR, a.g, p + 'fc_proj_w', p + 'fc_proj_b', a.f, d.dF, N, C, F, p + 'fc_proj'),
    // r2 = fc_proj(g) + h1: d h1 = dR + dF fc_w, accumulated into dR.
    ...lin.dlinear(d.dF, a.h1, p + 'fc_w', p + 'fc_b', d.dR, N, F, C, true, p + 'fc'),
    ...lnBack(d.dR, a.r1, p + 'ln1', a.mean1, a.rstd1, d.dX),
    ...lin.dlinear(d.dX, a.a, p + 'attn_proj_w', p + 'attn_proj_b', d.dA, N, C, C, false, p + 'attn_proj'),
    ...attentionBackward(k, {
      ...{ qkv: a.qkv, valid: c.valid, att: a.att, dout: d.dA, dqkv: d.dqkv, datt: d.datt },
      ...{ B, T, C, NH, causal: c.causal },
    }),
    // r1 = attn_proj(a) + x: d x = d r1 + dqkv qkv_w, accumulated into dX.
    ...lin.dlinear(d.dqkv, xin, p + 'qkv_w', p + 'qkv_b', d.dX, N, 3 * C, C, true, p + 'qkv'),
  ];
}

// CPU reference of the whole BertForMaskedLM forward and backward (float64), composed from the per-op references
// and the head's own reference (its module's `reference`): the oracle for the GPU model. Same parameter layout as
// the GPU (one flat array, see model/params.ts).
import type { ModelConfig } from '../config';
import { headModule, type RefHeadInputs } from '../model/heads';
import { isSharedTensor, tensor, VOCAB_HEAD, type HeadConfig, type ParamLayout } from '../model/params';
import { attentionBackwardRef, attentionForwardRef } from './attention';
import { add } from './elementwise';
import { embeddingBackward, embeddingForward } from './embedding';
import { geluBackward, geluForward } from './gelu';
import { layerNormBackward, layerNormForward } from './layernorm';
import { matmulBackward, matmulForward } from './matmul';

/** A batch as the reference reads it: the encoder's inputs and the head's (targets, labels, SBO slots, ...). */
export interface MlmInputs extends RefHeadInputs {
  B: number;
  /** (B*T) token ids, the corrupted input. */
  ids: ArrayLike<number>;
  /** (B*T) 1 for real tokens, 0 for padding. */
  valid: ArrayLike<number>;
  causal?: boolean;
}

export interface MlmResult {
  /** sum over targets (tokens, for the binary head) of weight * loss. */
  loss: number;
  losses: Float64Array;
  /** argmax per target row (vocab, classes), or the 0/1 prediction per token (binary). */
  argmax: Int32Array;
  /** (L, B, NH, T, T) attention probabilities. */
  att: Float64Array[];
  /** Final hidden states (B*T, C). */
  hidden: Float64Array;
  /** SBO head: its weighted loss (included in `loss`) and per-slot losses. */
  sboLoss?: number;
  sboLosses?: Float64Array;
  /** Gradient of `loss` for every parameter, in the flat layout (present when backward was asked for). */
  grads?: Float64Array;
}

type Slice = (name: string) => Float64Array;

/** Which encoder of a state to compute (see GraphOptions.prefix / embedWidth in model/bert.ts). */
export interface EncoderNaming {
  prefix?: string;
  embedWidth?: number;
}

/** Linear y = x W^T + b with W (out, in). */
function linear(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  b: ArrayLike<number>,
  M: number,
  out: number,
  inp: number,
): Float64Array {
  return matmulForward(x, w, { M, N: out, K: inp, transB: true }, b);
}

export function mlmReference(
  c: ModelConfig,
  layout: ParamLayout,
  params: ArrayLike<number>,
  inp: MlmInputs,
  backward = true,
  head: HeadConfig = VOCAB_HEAD,
  enc: EncoderNaming = {},
): MlmResult {
  const { C, F, T, V, NH, L } = c;
  const B = inp.B;
  const N = B * T;
  const E = enc.embedWidth ?? C;
  const pre = enc.prefix ?? '';
  const full = (n: string) => (isSharedTensor(n) ? n : pre + n);
  const P: Slice = (name) => {
    const t = tensor(layout, full(name));
    return Float64Array.from({ length: t.size }, (_, i) => params[t.offset + i]);
  };
  const mod = headModule(head);
  if (mod.notOnOneEncoder) throw new Error('electraReference composes two encoders; mlmReference computes one');
  const dims = { B, T, C, NH, causal: inp.causal ?? false };
  const eps = c.lnEps;

  // ---- forward, keeping what backward needs ----
  const noPos = mod.referenceHiddenPositions?.(inp, N);
  const emb = embeddingForward(
    inp.ids,
    P('wte'),
    P('wpe'),
    P('wtt'),
    { B, T, C: E, V },
    noPos ? { noPos, wnone: P('wpe_none') } : undefined,
  );
  const embLn = layerNormForward(emb, P('emb_ln_g'), P('emb_ln_b'), N, E, eps);
  type Saved = {
    x: Float64Array;
    qkv: Float64Array;
    att: Float64Array;
    a: Float64Array;
    r1: Float64Array;
    ln1: ReturnType<typeof layerNormForward>;
    f: Float64Array;
    g: Float64Array;
    r2: Float64Array;
    ln2: ReturnType<typeof layerNormForward>;
  };
  const saved: Saved[] = [];
  const x0 = E === C ? embLn.out : linear(embLn.out, P('embed_proj_w'), P('embed_proj_b'), N, C, E);
  let x = x0;
  for (let l = 0; l < L; l++) {
    const p = `h${l}.`;
    const qkv = linear(x, P(p + 'qkv_w'), P(p + 'qkv_b'), N, 3 * C, C);
    const { out: a, att } = attentionForwardRef(qkv, inp.valid, dims);
    const ao = linear(a, P(p + 'attn_proj_w'), P(p + 'attn_proj_b'), N, C, C);
    const r1 = add(ao, x);
    const ln1 = layerNormForward(r1, P(p + 'ln1_g'), P(p + 'ln1_b'), N, C, eps);
    const f = linear(ln1.out, P(p + 'fc_w'), P(p + 'fc_b'), N, F, C);
    const g = geluForward(f);
    const pr = linear(g, P(p + 'fc_proj_w'), P(p + 'fc_proj_b'), N, C, F);
    const r2 = add(pr, ln1.out);
    const ln2 = layerNormForward(r2, P(p + 'ln2_g'), P(p + 'ln2_b'), N, C, eps);
    saved.push({ x, qkv, att, a, r1, ln1, f, g, r2, ln2 });
    x = ln2.out;
  }
  const hidden = x;
  const M = inp.positions.length;
  const h = mod.reference({ N, M, C, E, V, eps, hidden, inputs: inp, P }, head);
  const result: MlmResult = { loss: h.loss, losses: h.losses, argmax: h.argmax, att: saved.map((s) => s.att), hidden };
  if (h.sboLoss !== undefined) {
    result.sboLoss = h.sboLoss;
    result.sboLosses = h.sboLosses;
  }
  if (!backward) return result;

  // ---- backward ----
  const grads = new Float64Array(layout.totalFloats);
  const acc = (name: string, g: ArrayLike<number>) => {
    const t = tensor(layout, full(name));
    for (let i = 0; i < t.size; i++) grads[t.offset + i] += g[i];
  };
  const dlin = (
    dy: Float64Array,
    xin: ArrayLike<number>,
    wname: string,
    bname: string,
    M_: number,
    out: number,
    inn: number,
  ) => {
    const g = matmulBackward(dy, xin, P(wname), { M: M_, N: out, K: inn, transB: true });
    acc(wname, g.db);
    acc(bname, g.dbias);
    return g.da;
  };
  let dx = h.backward(acc);
  for (let l = L - 1; l >= 0; l--) {
    const p = `h${l}.`;
    const s = saved[l];
    const d2 = layerNormBackward(dx, s.r2, P(p + 'ln2_g'), s.ln2.mean, s.ln2.rstd, N, C);
    acc(p + 'ln2_g', d2.dgamma);
    acc(p + 'ln2_b', d2.dbeta);
    const dg = dlin(d2.dx, s.g, p + 'fc_proj_w', p + 'fc_proj_b', N, C, F);
    const df = geluBackward(dg, s.f);
    const dln1 = add(dlin(df, s.ln1.out, p + 'fc_w', p + 'fc_b', N, F, C), d2.dx);
    const d1 = layerNormBackward(dln1, s.r1, P(p + 'ln1_g'), s.ln1.mean, s.ln1.rstd, N, C);
    acc(p + 'ln1_g', d1.dgamma);
    acc(p + 'ln1_b', d1.dbeta);
    const da = dlin(d1.dx, s.a, p + 'attn_proj_w', p + 'attn_proj_b', N, C, C);
    const dqkv = attentionBackwardRef(s.qkv, inp.valid, s.att, da, dims);
    dx = add(dlin(dqkv, s.x, p + 'qkv_w', p + 'qkv_b', N, 3 * C, C), d1.dx);
  }
  const dx0 = E === C ? dx : dlin(dx, embLn.out, 'embed_proj_w', 'embed_proj_b', N, C, E);
  const de = layerNormBackward(dx0, emb, P('emb_ln_g'), embLn.mean, embLn.rstd, N, E);
  acc('emb_ln_g', de.dgamma);
  acc('emb_ln_b', de.dbeta);
  const ge = embeddingBackward(de.dx, inp.ids, { B, T, C: E, V }, noPos);
  if (noPos) acc('wpe_none', ge.dwnone);
  acc('wte', ge.dwte);
  acc('wpe', ge.dwpe);
  const tt = tensor(layout, 'wtt');
  for (let i = 0; i < E; i++) grads[tt.offset + i] += ge.dwtt[i];
  result.grads = grads;
  return result;
}

// CPU reference of the whole BertForMaskedLM forward and backward (float64), composed from the per-op references:
// the oracle for the GPU model. Same parameter layout as the GPU (one flat array, see model/params.ts).
import type { ModelConfig } from '../config';
import { headOutputs, isSharedTensor, tensor, VOCAB_HEAD, type HeadConfig, type ParamLayout } from '../model/params';
import { attentionBackwardRef, attentionForwardRef } from './attention';
import { add } from './elementwise';
import { embeddingBackward, embeddingForward } from './embedding';
import { gatherRows, gatherRowsBackward } from './gather';
import { geluBackward, geluForward } from './gelu';
import { layerNormBackward, layerNormForward } from './layernorm';
import { binaryCrossEntropy, crossEntropy } from './loss';
import { matmulBackward, matmulForward } from './matmul';

export interface MlmInputs {
  B: number;
  /** (B*T) token ids, the corrupted input. */
  ids: ArrayLike<number>;
  /** (B*T) 1 for real tokens, 0 for padding. */
  valid: ArrayLike<number>;
  /** (M) row index into B*T of each target, -1 for an unused slot. */
  positions: ArrayLike<number>;
  /** (M) target ids, -1 for none. */
  targets: ArrayLike<number>;
  /** (M) per-target weights (e.g. 1 / number of targets). */
  weights: ArrayLike<number>;
  causal?: boolean;
  /** Binary head: (B*T) labels in {0,1} and per-token weights (0 on padding). */
  labels?: ArrayLike<number>;
  tokenWeights?: ArrayLike<number>;
  /** Heads with hidePositions: (B*T) 1 where the position embedding is replaced by wpe_none. */
  noPosition?: ArrayLike<number>;
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
function linear(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number>, M: number, out: number, inp: number): Float64Array {
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
  if (head.kind === 'electra') throw new Error('electraReference composes two encoders; mlmReference computes one');
  const dims = { B, T, C, NH, causal: inp.causal ?? false };
  const eps = c.lnEps;

  // ---- forward, keeping what backward needs ----
  const noPos = head.kind === 'classes' && head.hidePositions ? (inp.noPosition ?? new Array<number>(N).fill(0)) : undefined;
  const emb = embeddingForward(inp.ids, P('wte'), P('wpe'), P('wtt'), { B, T, C: E, V }, noPos ? { noPos, wnone: P('wpe_none') } : undefined);
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
  const O = headOutputs(c, head);
  let loss = 0;
  let result: MlmResult;
  // Head forward: a dense + GELU transform on the gathered target rows (vocab, classes) or on every token (binary).
  const binary = head.kind === 'binary';
  const rows = binary ? N : M;
  const hm = binary ? hidden : gatherRows(hidden, inp.positions, N, C);
  const HW = binary ? C : E;
  const ht = linear(hm, P(binary ? 'disc_w' : 'head_w'), P(binary ? 'disc_b' : 'head_b'), rows, HW, C);
  const hg = geluForward(ht);
  let hln: ReturnType<typeof layerNormForward> | undefined;
  let dlogits: Float64Array;
  const outW = head.kind === 'vocab' ? 'wte' : head.kind === 'classes' ? 'cls_w' : 'disc_out_w';
  const outB = head.kind === 'vocab' ? 'decoder_b' : head.kind === 'classes' ? 'cls_b' : 'disc_out_b';
  if (binary) {
    if (!inp.labels || !inp.tokenWeights) throw new Error('the binary head needs labels and tokenWeights');
    const logits = linear(hg, P(outW), P(outB), N, 1, C);
    const bce = binaryCrossEntropy(logits, inp.labels, inp.tokenWeights);
    for (let i = 0; i < N; i++) loss += inp.tokenWeights[i] * bce.losses[i];
    result = { loss, losses: bce.losses, argmax: bce.preds, att: saved.map((s) => s.att), hidden };
    dlogits = bce.dlogits;
  } else {
    hln = layerNormForward(hg, P('head_ln_g'), P('head_ln_b'), M, E, eps);
    const logits = linear(hln.out, P(outW), P(outB), M, O, E);
    const xe = crossEntropy(logits, inp.targets, inp.weights, M, O);
    for (let m = 0; m < M; m++) loss += inp.weights[m] * xe.losses[m];
    result = { loss, losses: xe.losses, argmax: xe.argmax, att: saved.map((s) => s.att), hidden };
    dlogits = xe.dlogits;
  }
  if (!backward) return result;

  // ---- backward ----
  const grads = new Float64Array(layout.totalFloats);
  const acc = (name: string, g: ArrayLike<number>) => {
    const t = tensor(layout, full(name));
    for (let i = 0; i < t.size; i++) grads[t.offset + i] += g[i];
  };
  const dlin = (dy: Float64Array, xin: ArrayLike<number>, wname: string, bname: string, M_: number, out: number, inn: number) => {
    const g = matmulBackward(dy, xin, P(wname), { M: M_, N: out, K: inn, transB: true });
    acc(wname, g.db);
    acc(bname, g.dbias);
    return g.da;
  };
  let dx: Float64Array;
  if (binary) {
    const dhg = dlin(dlogits, hg, outW, outB, N, 1, C);
    const dht = geluBackward(dhg, ht);
    dx = dlin(dht, hidden, 'disc_w', 'disc_b', N, C, C);
  } else {
    const gdec = matmulBackward(dlogits, hln!.out, P(outW), { M, N: O, K: E, transB: true });
    acc(outW, gdec.db);
    acc(outB, gdec.dbias);
    const dhln = layerNormBackward(gdec.da, hg, P('head_ln_g'), hln!.mean, hln!.rstd, M, E);
    acc('head_ln_g', dhln.dgamma);
    acc('head_ln_b', dhln.dbeta);
    const dht = geluBackward(dhln.dx, ht);
    const dhm = dlin(dht, hm, 'head_w', 'head_b', M, E, C);
    dx = gatherRowsBackward(dhm, inp.positions, N, C);
  }
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

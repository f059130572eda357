// CPU reference of the whole BertForMaskedLM forward and backward (float64), composed from the per-op references:
// the oracle for the GPU model. Same parameter layout as the GPU (one flat array, see model/params.ts).
import type { ModelConfig } from '../config';
import {
  headOutputs,
  isSharedTensor,
  tensor,
  VOCAB_HEAD,
  type HeadConfig,
  type ParamLayout,
  type SboHead,
} from '../model/params';
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
  /** SBO head: per-slot boundary rows, offsets and weights (before the head's weight), aligned with positions. */
  sbo?: { left: ArrayLike<number>; right: ArrayLike<number>; rel: ArrayLike<number>; weights: ArrayLike<number> };
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
  if (head.kind === 'electra') throw new Error('electraReference composes two encoders; mlmReference computes one');
  const dims = { B, T, C, NH, causal: inp.causal ?? false };
  const eps = c.lnEps;

  // ---- forward, keeping what backward needs ----
  const noPos =
    head.kind === 'classes' && head.hidePositions ? (inp.noPosition ?? new Array<number>(N).fill(0)) : undefined;
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
  const sboHead = head.kind === 'vocab' ? head.sbo : undefined;
  const sbo = sboHead ? sboForward(sboHead, inp, hidden, P, M, N, C, V, eps) : undefined;
  if (sbo) {
    result.loss += sbo.loss;
    result.sboLoss = sbo.loss;
    result.sboLosses = sbo.xe.losses;
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
    if (sbo) {
      const g = sboBackward(sbo, P, M, C, V);
      for (const [name, grad] of g.params) acc(name, grad);
      dx = add(add(dx, gatherRowsBackward(g.dl, sbo.left, N, C)), gatherRowsBackward(g.dr, sbo.right, N, C));
      acc('sbo_rel', gatherRowsBackward(g.dp, sbo.rel, sboHead!.maxRel, C));
    }
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

/** SpanBERT's span boundary head forward (see SboHead in model/params.ts), keeping what backward needs. */
function sboForward(
  head: SboHead,
  inp: MlmInputs,
  hidden: Float64Array,
  P: Slice,
  M: number,
  N: number,
  C: number,
  V: number,
  eps: number,
) {
  const sb = inp.sbo;
  const none = new Array<number>(M).fill(-1);
  const left = sb ? sb.left : none;
  const right = sb ? sb.right : none;
  const rel = sb ? sb.rel : new Array<number>(M).fill(0);
  const ok = (m: number) => sb !== undefined && sb.weights[m] > 0 && left[m] >= 0 && right[m] >= 0;
  const weights = Array.from({ length: M }, (_, m) => (ok(m) ? sb!.weights[m] * head.weight : 0));
  const targets = Array.from({ length: M }, (_, m) => (ok(m) ? inp.targets[m] : -1));
  const sl = gatherRows(hidden, left, N, C);
  const sr = gatherRows(hidden, right, N, C);
  const sp = gatherRows(P('sbo_rel'), rel, head.maxRel, C);
  const dims = { M, N: C, K: C, transB: true };
  const t1 = add(
    add(linear(sl, P('sbo_w1l'), P('sbo_b1'), M, C, C), matmulForward(sr, P('sbo_w1r'), dims)),
    matmulForward(sp, P('sbo_w1p'), dims),
  );
  const g1 = geluForward(t1);
  const n1 = layerNormForward(g1, P('sbo_ln1_g'), P('sbo_ln1_b'), M, C, eps);
  const t2 = linear(n1.out, P('sbo_w2'), P('sbo_b2'), M, C, C);
  const g2 = geluForward(t2);
  const n2 = layerNormForward(g2, P('sbo_ln2_g'), P('sbo_ln2_b'), M, C, eps);
  const logits = linear(n2.out, P('wte'), P('sbo_decoder_b'), M, V, C);
  const xe = crossEntropy(logits, targets, weights, M, V);
  let loss = 0;
  for (let m = 0; m < M; m++) loss += weights[m] * xe.losses[m];
  return { left, right, rel, sl, sr, sp, t1, g1, n1, t2, g2, n2, xe, loss };
}

function sboBackward(f: ReturnType<typeof sboForward>, P: Slice, M: number, C: number, V: number) {
  const params: [string, Float64Array][] = [];
  const dec = matmulBackward(f.xe.dlogits, f.n2.out, P('wte'), { M, N: V, K: C, transB: true });
  params.push(['wte', dec.db], ['sbo_decoder_b', dec.dbias]);
  const d2 = layerNormBackward(dec.da, f.g2, P('sbo_ln2_g'), f.n2.mean, f.n2.rstd, M, C);
  params.push(['sbo_ln2_g', d2.dgamma], ['sbo_ln2_b', d2.dbeta]);
  const fc2 = matmulBackward(geluBackward(d2.dx, f.t2), f.n1.out, P('sbo_w2'), { M, N: C, K: C, transB: true });
  params.push(['sbo_w2', fc2.db], ['sbo_b2', fc2.dbias]);
  const d1 = layerNormBackward(fc2.da, f.g1, P('sbo_ln1_g'), f.n1.mean, f.n1.rstd, M, C);
  params.push(['sbo_ln1_g', d1.dgamma], ['sbo_ln1_b', d1.dbeta]);
  const dt1 = geluBackward(d1.dx, f.t1);
  const part = (x: Float64Array, w: string) => matmulBackward(dt1, x, P(w), { M, N: C, K: C, transB: true });
  const l = part(f.sl, 'sbo_w1l');
  const r = part(f.sr, 'sbo_w1r');
  const p = part(f.sp, 'sbo_w1p');
  params.push(['sbo_w1l', l.db], ['sbo_w1r', r.db], ['sbo_w1p', p.db], ['sbo_b1', l.dbias]);
  return { params, dl: l.da, dr: r.da, dp: p.da };
}

// Parameter layout of the BERT encoder + MLM head: named tensors with shapes, packed into one flat f32 buffer
// (decayed matrices first, then biases/LayerNorms), each tensor at a 256-byte aligned offset so ops can bind it.
import type { ModelConfig } from '../config';

export type Init = 'normal' | 'zeros' | 'ones';

export interface TensorSpec {
  /** Our name, e.g. "h0.qkv_w". */
  name: string;
  shape: number[];
  /** Weight decay applies (2-D matrices, embeddings included) or not (biases, LayerNorm gains/biases). */
  decay: boolean;
  init: Init;
}

export interface PlacedTensor extends TensorSpec {
  /** Offset in floats into the flat buffer (multiple of ALIGN_FLOATS). */
  offset: number;
  /** Number of elements. */
  size: number;
}

/**
 * On the GPU the flat array is split at decayFloats into two buffers (decayed, not decayed), so AdamW needs one
 * dispatch per group; a tensor's GPU binding is (group buffer, offset - group start).
 */
export interface ParamLayout {
  tensors: PlacedTensor[];
  byName: Map<string, PlacedTensor>;
  /** Floats in the decayed region [0, decayFloats). */
  decayFloats: number;
  /** Total floats (decayed + not decayed, with alignment padding). */
  totalFloats: number;
  /** Real parameter count (without padding). */
  count: number;
}

/** 256 bytes: WebGPU's default minStorageBufferOffsetAlignment. */
export const ALIGN_FLOATS = 64;

const alignUp = (n: number) => Math.ceil(n / ALIGN_FLOATS) * ALIGN_FLOATS;

/**
 * The prediction head on top of the encoder. vocab: BERT's MLM head (dense, GELU, LayerNorm, decoder tied to wte
 * plus a bias) on gathered rows; classes: the same transform with an untied (K, C) output layer (first-char,
 * char-n); binary: ELECTRA's discriminator head (dense, GELU, dense to one logit) on every token (rts, shuffle);
 * electra: the binary head on this encoder (the discriminator) plus a generator (see ElectraHead).
 */
export type HeadConfig =
  /** sbo: SpanBERT's span boundary head next to the MLM head (objective "sbo"). */
  | { kind: 'vocab'; sbo?: SboHead }
  /** hidePositions: the "position" objective (flagged tokens get the learned wpe_none instead of wpe[t]). */
  | { kind: 'classes'; K: number; hidePositions?: boolean }
  | { kind: 'binary' }
  | ElectraHead;

/**
 * ELECTRA (Clark et al. 2020): a generator encoder of width gen.C (same depth) shares the token, position and
 * type embeddings and their LayerNorm with the discriminator; a linear projection (C -> gen.C, HF's
 * embeddings_project) feeds its layers, and its MLM head maps back to width C (dense gen.C -> C, GELU, LayerNorm)
 * before the decoder tied to wte. Its tensors carry the prefix GEN_PREFIX. Loss = generator MLM loss +
 * discWeight x discriminator loss.
 */
export interface ElectraHead {
  kind: 'electra';
  gen: GeneratorShape;
  discWeight: number;
}

export interface GeneratorShape {
  C: number;
  NH: number;
  F: number;
}

export const GEN_PREFIX = 'gen.';

/**
 * SpanBERT's span boundary objective (Joshi et al. 2020): each target token of a span is predicted again from the
 * final states of the two tokens just outside its span and a learned embedding of its offset in the span (maxRel
 * rows): a 2-layer MLP (GELU, LayerNorm after each; the first layer's (C, 3C) weight stored as three (C, C) blocks
 * sbo_w1l / sbo_w1r / sbo_w1p) then the decoder tied to wte with its own bias. Loss = MLM + weight x SBO.
 */
export interface SboHead {
  maxRel: number;
  weight: number;
}

/**
 * The generator's shape for a width fraction (ELECTRA's get_generator_config): hidden round(C x width) (at least
 * 1), heads max(1, hidden / 64) lowered until they divide the hidden size, FFN width scaled like the hidden size.
 */
export function generatorShape(c: ModelConfig, width: number): GeneratorShape {
  if (!(width > 0 && width <= 1)) throw new Error(`generator width must be in (0, 1], got ${width}`);
  const C = Math.max(1, Math.round(c.C * width));
  let NH = Math.max(1, Math.floor(C / 64));
  while (C % NH !== 0) NH--;
  const F = Math.max(1, Math.round((c.F * C) / c.C));
  return { C, NH, F };
}

/** The generator's encoder as a ModelConfig (same depth, length, vocabulary and init as the discriminator). */
export function generatorConfig(c: ModelConfig, g: GeneratorShape): ModelConfig {
  return { ...c, C: g.C, NH: g.NH, F: g.F };
}

export const VOCAB_HEAD: HeadConfig = { kind: 'vocab' };

/** Output width of a head's last layer (V for the tied decoder; the discriminator's one logit for electra). */
export function headOutputs(c: ModelConfig, head: HeadConfig): number {
  return head.kind === 'vocab' ? c.V : head.kind === 'classes' ? head.K : 1;
}

const weight = (name: string, shape: number[]): TensorSpec => ({ name, shape, decay: true, init: 'normal' });
const bias = (name: string, n: number): TensorSpec => ({ name, shape: [n], decay: false, init: 'zeros' });
const gain = (name: string, n: number): TensorSpec => ({ name, shape: [n], decay: false, init: 'ones' });

/** The L encoder layers of width C and FFN width F, named `${prefix}h${l}.*`. */
function layerTensors(prefix: string, L: number, C: number, F: number): TensorSpec[] {
  const t: TensorSpec[] = [];
  for (let l = 0; l < L; l++) {
    const p = `${prefix}h${l}.`;
    t.push(
      weight(p + 'qkv_w', [3 * C, C]),
      bias(p + 'qkv_b', 3 * C),
      weight(p + 'attn_proj_w', [C, C]),
      bias(p + 'attn_proj_b', C),
      gain(p + 'ln1_g', C),
      bias(p + 'ln1_b', C),
      weight(p + 'fc_w', [F, C]),
      bias(p + 'fc_b', F),
      weight(p + 'fc_proj_w', [C, F]),
      bias(p + 'fc_proj_b', C),
      gain(p + 'ln2_g', C),
      bias(p + 'ln2_b', C),
    );
  }
  return t;
}

/**
 * The MLM head's transform (dense from the encoder width Ce to the embedding width E, GELU, LayerNorm over E) and
 * the decoder bias; the decoder matrix is wte, tied.
 */
function vocabHeadTensors(prefix: string, E: number, Ce: number, V: number): TensorSpec[] {
  return [weight(prefix + 'head_w', [E, Ce]), bias(prefix + 'head_b', E), gain(prefix + 'head_ln_g', E), bias(prefix + 'head_ln_b', E), bias(prefix + 'decoder_b', V)];
}

/**
 * The tensors of BertForMaskedLM in our layout (for the vocabulary head; other heads replace the MLM head's). Linear weights are (out, in) as in PyTorch; Q, K and V are fused
 * into qkv_w (3C, C) whose row blocks are query, key, value. The decoder is tied to wte; only its bias is separate.
 * ELECTRA: the discriminator (binary head) followed by the generator's tensors (GEN_PREFIX).
 */
export function bertTensors(c: ModelConfig, head: HeadConfig = VOCAB_HEAD): TensorSpec[] {
  const { C, F, T, V } = c;
  const t: TensorSpec[] = [weight('wte', [V, C]), weight('wpe', [T, C]), weight('wtt', [2, C]), gain('emb_ln_g', C), bias('emb_ln_b', C)];
  t.push(...layerTensors('', c.L, C, F));
  if (head.kind === 'binary' || head.kind === 'electra') {
    t.push(weight('disc_w', [C, C]), bias('disc_b', C), weight('disc_out_w', [1, C]), bias('disc_out_b', 1));
    if (head.kind === 'electra') {
      const g = head.gen;
      const P = GEN_PREFIX;
      if (g.C !== C) t.push(weight(P + 'embed_proj_w', [g.C, C]), bias(P + 'embed_proj_b', g.C));
      t.push(...layerTensors(P, c.L, g.C, g.F), ...vocabHeadTensors(P, C, g.C, V));
    }
    return t;
  }
  if (head.kind === 'vocab') {
    t.push(...vocabHeadTensors('', C, C, V));
    if (head.sbo) {
      t.push(weight('sbo_rel', [head.sbo.maxRel, C]), weight('sbo_w1l', [C, C]), weight('sbo_w1r', [C, C]), weight('sbo_w1p', [C, C]), bias('sbo_b1', C));
      t.push(gain('sbo_ln1_g', C), bias('sbo_ln1_b', C), weight('sbo_w2', [C, C]), bias('sbo_b2', C), gain('sbo_ln2_g', C), bias('sbo_ln2_b', C), bias('sbo_decoder_b', V));
    }
    return t;
  }
  t.push(weight('head_w', [C, C]), bias('head_b', C), gain('head_ln_g', C), bias('head_ln_b', C));
  t.push(weight('cls_w', [head.K, C]), bias('cls_b', head.K));
  // Last, so that the encoder's tensors draw the same initial values as every other objective's (fair comparisons).
  if (head.hidePositions) t.push(weight('wpe_none', [C]));
  return t;
}

export function placeTensors(specs: TensorSpec[]): ParamLayout {
  const ordered = [...specs.filter((s) => s.decay), ...specs.filter((s) => !s.decay)];
  const tensors: PlacedTensor[] = [];
  let off = 0;
  let decayFloats = 0;
  let count = 0;
  for (const s of ordered) {
    if (!s.decay && decayFloats === 0) decayFloats = off;
    const size = s.shape.reduce((a, d) => a * d, 1);
    tensors.push({ ...s, offset: off, size });
    off = alignUp(off + size);
    count += size;
  }
  if (ordered.every((s) => s.decay)) decayFloats = off;
  return { tensors, byName: new Map(tensors.map((t) => [t.name, t])), decayFloats, totalFloats: off, count };
}

export function tensor(layout: ParamLayout, name: string): PlacedTensor {
  const t = layout.byName.get(name);
  if (!t) throw new Error(`no parameter tensor "${name}"`);
  return t;
}

/**
 * Copies every tensor that both layouts have, with the same shape, from `src` (in srcLayout) into `dst` (in
 * dstLayout): e.g. a trained encoder under a fresh head. Returns the names copied.
 */
export function copyTensors(srcLayout: ParamLayout, src: Float32Array, dstLayout: ParamLayout, dst: Float32Array): string[] {
  if (src.length !== srcLayout.totalFloats) throw new Error(`source has ${src.length} floats, its layout needs ${srcLayout.totalFloats}`);
  if (dst.length !== dstLayout.totalFloats) throw new Error(`destination has ${dst.length} floats, its layout needs ${dstLayout.totalFloats}`);
  const copied: string[] = [];
  for (const t of dstLayout.tensors) {
    const s = srcLayout.byName.get(t.name);
    if (!s || s.shape.length !== t.shape.length || s.shape.some((d, i) => d !== t.shape[i])) continue;
    dst.set(src.subarray(s.offset, s.offset + s.size), t.offset);
    copied.push(t.name);
  }
  return copied;
}

/** Tensors every encoder of a state shares (never prefixed): the embeddings and their LayerNorm. */
export function isSharedTensor(name: string): boolean {
  return name === 'wte' || name === 'wpe' || name === 'wtt' || name === 'wpe_none' || name.startsWith('emb_');
}

/** Standard normal from a uniform source (Box-Muller, both values used). */
export function normalSampler(uniform: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = 0;
    while (u <= 1e-300) u = uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/** BERT initialisation: normal(0, std) matrices, zero biases, unit LayerNorm gains; the same source gives the same bits. */
export function initParams(layout: ParamLayout, std: number, uniform: () => number): Float32Array {
  const out = new Float32Array(layout.totalFloats);
  const normal = normalSampler(uniform);
  // Initialise in layout order from one stream: the same config and source give bit-identical weights.
  for (const t of layout.tensors) {
    const view = out.subarray(t.offset, t.offset + t.size);
    if (t.init === 'ones') view.fill(1);
    else if (t.init === 'normal') for (let i = 0; i < t.size; i++) view[i] = normal() * std;
  }
  return out;
}

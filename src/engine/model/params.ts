// Parameter layout of the BERT encoder + its head: named tensors with shapes, packed into one flat f32 buffer
// (decayed matrices first, then biases/LayerNorms), each tensor at a 256-byte aligned offset so ops can bind it.
import type { ModelConfig } from '../config';
import { headModule, VOCAB_HEAD, type HeadConfig } from './heads';
import { bias, gain, layerTensors, weight, type TensorSpec } from './tensors';

export type { Init, TensorSpec } from './tensors';
export type { ElectraHead, GeneratorShape, HeadConfig, HeadKind, SboHead } from './heads';
export { BINARY_HEAD, GEN_PREFIX, generatorConfig, generatorShape, headOutputs, VOCAB_HEAD } from './heads';

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
 * The tensors of BertForMaskedLM in our layout: embeddings, layers, then the head's (heads/; other heads replace
 * the MLM head's). Linear weights are (out, in) as in PyTorch; Q, K and V are fused into qkv_w (3C, C) whose row
 * blocks are query, key, value. The decoder is tied to wte; only its bias is separate. ELECTRA: the discriminator
 * (binary head) followed by the generator's tensors (GEN_PREFIX).
 */
export function bertTensors(c: ModelConfig, head: HeadConfig = VOCAB_HEAD): TensorSpec[] {
  const { C, F, T, V } = c;
  const t: TensorSpec[] = [
    weight('wte', [V, C]),
    weight('wpe', [T, C]),
    weight('wtt', [2, C]),
    gain('emb_ln_g', C),
    bias('emb_ln_b', C),
  ];
  t.push(...layerTensors('', c.L, C, F));
  // The head's own tensors (heads/): vocabulary, k-class, binary, span-boundary, position, ELECTRA's.
  t.push(...headModule(head).tensors(c, head));
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
export function copyTensors(
  srcLayout: ParamLayout,
  src: Float32Array,
  dstLayout: ParamLayout,
  dst: Float32Array,
): string[] {
  if (src.length !== srcLayout.totalFloats)
    throw new Error(`source has ${src.length} floats, its layout needs ${srcLayout.totalFloats}`);
  if (dst.length !== dstLayout.totalFloats)
    throw new Error(`destination has ${dst.length} floats, its layout needs ${dstLayout.totalFloats}`);
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

// Named tensor specs (shape, weight decay, init) and the helpers that list them: the encoder's layers here, each
// head's own tensors in heads/. params.ts places them into the flat layout.

export type Init = 'normal' | 'zeros' | 'ones';

export interface TensorSpec {
  /** Our name, e.g. "h0.qkv_w". */
  name: string;
  shape: number[];
  /** Weight decay applies (2-D matrices, embeddings included) or not (biases, LayerNorm gains/biases). */
  decay: boolean;
  init: Init;
}

/** A decayed matrix, normal init. */
export const weight = (name: string, shape: number[]): TensorSpec => ({ name, shape, decay: true, init: 'normal' });
/** A bias (or LayerNorm shift): no decay, zeros. */
export const bias = (name: string, n: number): TensorSpec => ({ name, shape: [n], decay: false, init: 'zeros' });
/** A LayerNorm gain: no decay, ones. */
export const gain = (name: string, n: number): TensorSpec => ({ name, shape: [n], decay: false, init: 'ones' });

/** The L encoder layers of width C and FFN width F, named `${prefix}h${l}.*`. */
export function layerTensors(prefix: string, L: number, C: number, F: number): TensorSpec[] {
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

// Which parameters a probe trains on a frozen encoder: its own head, and the encoder's [MASK] input row (so that
// objectives whose training never showed [MASK] are not read through a random [MASK] embedding), nothing else.
import type { ParamLayout } from './params';

/** The encoder's tensors (embeddings, their LayerNorm, every layer): what a probe copies from a run and keeps frozen. */
export function isEncoderTensor(name: string): boolean {
  return /^(wte|wpe|wtt|emb_ln_[gb]|h\d+\..+)$/.test(name);
}

/**
 * Gradient masks (1 = trains, 0 = frozen) over the two parameter groups of `layout` (decayed [0, decayFloats),
 * the rest): 1 on every tensor that is not the encoder's, and on row `row` of `wte` (width E).
 */
export function probeGradientMasks(
  layout: ParamLayout,
  row: number,
  E: number,
): { decay: Float32Array; nodecay: Float32Array } {
  const nd = layout.decayFloats;
  const decay = new Float32Array(Math.max(1, nd));
  const nodecay = new Float32Array(Math.max(1, layout.totalFloats - nd));
  const set = (offset: number, size: number) => {
    for (let i = offset; i < offset + size; i++) {
      if (i < nd) decay[i] = 1;
      else nodecay[i - nd] = 1;
    }
  };
  for (const t of layout.tensors) if (!isEncoderTensor(t.name)) set(t.offset, t.size);
  const wte = layout.byName.get('wte');
  if (!wte) throw new Error('probe: the layout has no token embedding wte');
  if (!(Number.isInteger(row) && row >= 0 && (row + 1) * E <= wte.size))
    throw new Error(`probe: wte has no row ${row} of width ${E}`);
  set(wte.offset + row * E, E);
  return { decay, nodecay };
}

// Frozen features of many sequences from whatever encoder gives them (Trainer.features on the GPU, a CPU stand-in
// in tests), read a fixed number of rows at a time.

/** Sequences per feature read. */
const FEATURE_B = 16;

/** Whatever turns sequences into (B, C) frozen features (Trainer.features; a CPU stand-in in tests). */
export interface FeatureSource {
  cfg: { T: number; C: number };
  features(ids: Int32Array, valid: Int32Array, B: number): Promise<Float32Array>;
}

/** Mean-pooled features of every row of (count, T) ids, read FEATURE_B rows at a time (the last chunk padded). */
export async function featuresOf(
  src: FeatureSource,
  ids: Int32Array,
  valid: Int32Array,
  count: number,
  onChunk?: (done: number) => void,
): Promise<Float32Array> {
  const { T, C } = src.cfg;
  const out = new Float32Array(count * C);
  const B = Math.min(FEATURE_B, count);
  for (let r0 = 0; r0 < count; r0 += B) {
    const n = Math.min(B, count - r0);
    const bi = new Int32Array(B * T);
    const bv = new Int32Array(B * T);
    for (let k = 0; k < B; k++) {
      const r = r0 + Math.min(k, n - 1); // pad with the chunk's last row
      bi.set(ids.subarray(r * T, (r + 1) * T), k * T);
      bv.set(valid.subarray(r * T, (r + 1) * T), k * T);
    }
    const f = await src.features(bi, bv, B);
    out.set(f.subarray(0, n * C), r0 * C);
    onChunk?.(r0 + n);
  }
  return out;
}

// CPU reference of ELECTRA's sampling (shaders/electra.wgsl): the same PCG hash bits, Gumbel noise in float64,
// and the token replacement. The GPU adds the noise in f32, so near-ties may resolve differently (see the test).

/** PCG-style 32-bit hash, bit-identical to pcg_hash in shaders/electra.wgsl. */
export function pcgHash(v: number): number {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** The uniform in (0, 1) the sampler draws for (seed, step, row m, id v). */
export function sampleUniform(seed: number, step: number, m: number, v: number): number {
  const base = pcgHash((m + pcgHash((step + pcgHash(seed >>> 0)) >>> 0)) >>> 0);
  const h = pcgHash((base + v) >>> 0);
  return ((h >>> 8) + 0.5) / 16777216;
}

export interface SampleResult {
  /** (M) sampled id, -1 for empty slots. */
  sampled: Int32Array;
  /** (M) best score minus the runner-up's (how far from a tie each row's argmax is). */
  margin: Float64Array;
}

/** Gumbel-max sample of softmax(logits) per row with a target position. */
export function gumbelSampleRef(
  logits: ArrayLike<number>,
  positions: ArrayLike<number>,
  M: number,
  V: number,
  seed: number,
  step: number,
): SampleResult {
  const sampled = new Int32Array(M).fill(-1);
  const margin = new Float64Array(M).fill(Infinity);
  for (let m = 0; m < M; m++) {
    if (positions[m] < 0) continue;
    let best = -Infinity;
    let second = -Infinity;
    let id = -1;
    for (let v = 0; v < V; v++) {
      const s = logits[m * V + v] - Math.log(-Math.log(sampleUniform(seed, step, m, v)));
      if (s > best) {
        second = best;
        best = s;
        id = v;
      } else if (s > second) second = s;
    }
    sampled[m] = id;
    margin[m] = best - second;
  }
  return { sampled, margin };
}

/** Writes samples into a copy of the ids and sets labels (1 = differs from the original target). */
export function replaceTokensRef(
  ids: ArrayLike<number>,
  positions: ArrayLike<number>,
  targets: ArrayLike<number>,
  sampled: ArrayLike<number>,
): { ids: Int32Array; labels: Float32Array } {
  const out = Int32Array.from(ids);
  const labels = new Float32Array(out.length);
  for (let m = 0; m < positions.length; m++) {
    const p = positions[m];
    if (p < 0 || sampled[m] < 0) continue;
    out[p] = sampled[m];
    labels[p] = sampled[m] !== targets[m] ? 1 : 0;
  }
  return { ids: out, labels };
}

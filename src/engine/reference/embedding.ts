// CPU reference for BERT's embedding sum: out[b,t,:] = wte[ids[b,t], :] + wtt[0, :] + wpe[t, :] (Hugging Face's order),
// and its backward. Ids outside [0, V) are skipped: their rows get no token embedding and send no gradient to wte.

export interface EmbeddingShape {
  B: number;
  T: number;
  C: number;
  V: number;
}

/**
 * Position hiding (the "position" objective): rows with noPos[r] != 0 add the learned vector wnone (C) instead of
 * wpe[t] (shaders/nopos.wgsl on the GPU).
 */
export interface HiddenPositions {
  noPos: ArrayLike<number>;
  wnone: ArrayLike<number>;
}

export function embeddingForward(
  ids: ArrayLike<number>,
  wte: ArrayLike<number>,
  wpe: ArrayLike<number>,
  wtt: ArrayLike<number>,
  { B, T, C, V }: EmbeddingShape,
  hide?: HiddenPositions,
): Float64Array {
  const out = new Float64Array(B * T * C);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const r = b * T + t;
      const id = ids[r];
      const ok = Number.isInteger(id) && id >= 0 && id < V;
      const none = hide !== undefined && hide.noPos[r] !== 0;
      for (let c = 0; c < C; c++)
        out[r * C + c] = (ok ? wte[id * C + c] : 0) + wtt[c] + (none ? hide.wnone[c] : wpe[t * C + c]);
    }
  }
  return out;
}

export interface EmbeddingGrads {
  /** (V, C) scatter-add of dout rows by id. */
  dwte: Float64Array;
  /** (T, C) sum over the batch per position. */
  dwpe: Float64Array;
  /** (C) sum of all rows: the gradient of token-type row 0. */
  dwtt: Float64Array;
  /** (C) sum of the rows whose position was hidden (with `noPos`). */
  dwnone: Float64Array;
}

export function embeddingBackward(
  dout: ArrayLike<number>,
  ids: ArrayLike<number>,
  { B, T, C, V }: EmbeddingShape,
  noPos?: ArrayLike<number>,
): EmbeddingGrads {
  const dwte = new Float64Array(V * C);
  const dwpe = new Float64Array(T * C);
  const dwtt = new Float64Array(C);
  const dwnone = new Float64Array(C);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const r = b * T + t;
      const id = ids[r];
      const ok = Number.isInteger(id) && id >= 0 && id < V;
      const none = noPos !== undefined && noPos[r] !== 0;
      for (let c = 0; c < C; c++) {
        const g = dout[r * C + c];
        if (ok) dwte[id * C + c] += g;
        if (none) dwnone[c] += g;
        else dwpe[t * C + c] += g;
        dwtt[c] += g;
      }
    }
  }
  return { dwte, dwpe, dwtt, dwnone };
}

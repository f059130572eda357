// CPU reference for row gather/scatter: out[m, :] = src[index[m], :] (zero row for -1 or any index outside [0, N)),
// and its backward, dsrc[index[m], :] += dout[m, :]. Used to run the MLM head only at positions with a target.

/** (M, C) rows of the (N, C) `src` picked by `index` (M). */
export function gatherRows(src: ArrayLike<number>, index: ArrayLike<number>, N: number, C: number): Float64Array {
  const M = index.length;
  const out = new Float64Array(M * C);
  for (let m = 0; m < M; m++) {
    const r = index[m];
    if (!(Number.isInteger(r) && r >= 0 && r < N)) continue;
    for (let c = 0; c < C; c++) out[m * C + c] = src[r * C + c];
  }
  return out;
}

/** (N, C) gradient of gatherRows: dout rows added back at their source rows; rows never picked stay zero. */
export function gatherRowsBackward(
  dout: ArrayLike<number>,
  index: ArrayLike<number>,
  N: number,
  C: number,
): Float64Array {
  const M = index.length;
  const dsrc = new Float64Array(N * C);
  for (let m = 0; m < M; m++) {
    const r = index[m];
    if (!(Number.isInteger(r) && r >= 0 && r < N)) continue;
    for (let c = 0; c < C; c++) dsrc[r * C + c] += dout[m * C + c];
  }
  return dsrc;
}

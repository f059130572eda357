// CPU reference for the matmul family (float64): out = alpha * op(A) op(B) + bias, its backward, and the bias
// gradient. The test oracle for shaders/matmul.wgsl and matmul_cpu.wgsl.

export interface MatmulRefShape {
  M: number;
  N: number;
  K: number;
  /** A stored (K, M) instead of (M, K). */
  transA?: boolean;
  /** B stored (N, K) instead of (K, N). */
  transB?: boolean;
  alpha?: number;
}

/** Element (m, k) of op(A) and (k, n) of op(B), whatever the storage layout. */
function opA(a: ArrayLike<number>, s: MatmulRefShape, m: number, k: number): number {
  return s.transA ? a[k * s.M + m] : a[m * s.K + k];
}

function opB(b: ArrayLike<number>, s: MatmulRefShape, k: number, n: number): number {
  return s.transB ? b[n * s.K + k] : b[k * s.N + n];
}

/** out(M,N) = alpha * op(A) op(B) [+ bias(N)] [+ init(M,N), the old out when accumulating]. */
export function matmulForward(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  s: MatmulRefShape,
  bias?: ArrayLike<number>,
  init?: ArrayLike<number>,
): Float64Array {
  const { M, N, K } = s;
  const alpha = s.alpha ?? 1;
  const out = new Float64Array(M * N);
  const row = new Float64Array(K);
  for (let m = 0; m < M; m++) {
    for (let k = 0; k < K; k++) row[k] = opA(a, s, m, k);
    for (let n = 0; n < N; n++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc += row[k] * opB(b, s, k, n);
      let v = alpha * acc;
      if (bias) v += bias[n];
      if (init) v += init[m * N + n];
      out[m * N + n] = v;
    }
  }
  return out;
}

export interface MatmulGrads {
  /** d loss / d A, in A's storage layout. */
  da: Float64Array;
  /** d loss / d B, in B's storage layout. */
  db: Float64Array;
  /** d loss / d bias (N). */
  dbias: Float64Array;
}

/**
 * Backward of out = alpha * op(A) op(B) + bias given dOut (M,N):
 * d op(A) = alpha * dOut op(B)^T (M,K), d op(B) = alpha * op(A)^T dOut (K,N), dbias = column sums of dOut.
 * Each gradient is returned in its operand's storage layout (transposed back when the operand is).
 */
export function matmulBackward(
  dout: ArrayLike<number>,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  s: MatmulRefShape,
): MatmulGrads {
  const { M, N, K } = s;
  const alpha = s.alpha ?? 1;
  const da = new Float64Array(M * K);
  const db = new Float64Array(K * N);
  for (let m = 0; m < M; m++) {
    for (let k = 0; k < K; k++) {
      let acc = 0;
      for (let n = 0; n < N; n++) acc += dout[m * N + n] * opB(b, s, k, n);
      da[s.transA ? k * M + m : m * K + k] = alpha * acc;
    }
  }
  for (let k = 0; k < K; k++) {
    for (let n = 0; n < N; n++) {
      let acc = 0;
      for (let m = 0; m < M; m++) acc += opA(a, s, m, k) * dout[m * N + n];
      db[s.transB ? n * K + k : k * N + n] = alpha * acc;
    }
  }
  return { da, db, dbias: biasGradRef(dout, M, N) };
}

/** Column sums of dY (M,N): the bias gradient of a Linear layer. */
export function biasGradRef(dy: ArrayLike<number>, M: number, N: number): Float64Array {
  const out = new Float64Array(N);
  for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) out[n] += dy[m * N + n];
  return out;
}

/** The transpose (cols, rows) of a row-major (rows, cols) matrix, row-major; for building test layouts. */
export function transpose(x: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c];
  return out;
}

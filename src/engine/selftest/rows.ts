// Shared kernel cases of the per-row and elementwise families (read by ops/layernorm.gpu.test.ts,
// ops/gelu.gpu.test.ts and the self-test): LayerNorm forward (out, mean, rstd) and backward (dx = and +=,
// dgamma/dbeta +=) in both row modes and tunings; GELU forward and backward at odd sizes.
import { createStorage, readF32 } from '../buffers';
import { randomArray } from '../check';
import { runDispatches, type Kernels, type KernelTuning } from '../kernels';
import { geluBackward, geluForward } from '../ops/gelu';
import { layerNormBackward, layerNormForward, layerNormScratchFloats, type RowMode } from '../ops/layernorm';
import { geluBackward as refGeluBackward, geluForward as refGeluForward } from '../reference/gelu';
import { layerNormBackward as refLnBackward, layerNormForward as refLnForward } from '../reference/layernorm';
import type { Checker, KernelCase } from './case';

export interface LayerNormCase {
  N: number;
  C: number;
  eps?: number;
  rowsPerChunk?: number;
  rows?: RowMode;
  /** Kernels with this tuning instead of the runner's (the dgamma/dbeta partial sums differ by tuning). */
  tuning?: KernelTuning;
}

/** Runs forward and both backward modes and compares every output; returns them (for the determinism test). */
export async function checkLayerNorm(
  k: Kernels,
  ck: Checker,
  { N, C, eps, rowsPerChunk, rows }: LayerNormCase,
  seed: number,
): Promise<Float32Array[]> {
  const d = k.device;
  // An offset of 3 tests the variance's cancellation; gamma/beta random.
  const x = randomArray(N * C, seed, 2).map((v) => v + 3);
  const gamma = randomArray(C, seed + 1, 1.5);
  const beta = randomArray(C, seed + 2);
  const dy = randomArray(N * C, seed + 3);
  const dx0 = randomArray(N * C, seed + 4);
  const dg0 = randomArray(C, seed + 5);
  const db0 = randomArray(C, seed + 6);
  const buf = (a: Float32Array, name: string): GPUBuffer => createStorage(d, a, name);
  const bx = buf(x, 'x');
  const bg = buf(gamma, 'gamma');
  const bb = buf(beta, 'beta');
  const out = createStorage(d, N * C * 4, 'out');
  const mean = createStorage(d, N * 4, 'mean');
  const rstd = createStorage(d, N * 4, 'rstd');
  const bdy = buf(dy, 'dy');
  const dxEq = createStorage(d, N * C * 4, 'dx=');
  const dxAcc = buf(dx0, 'dx+=');
  const dg = buf(dg0, 'dgamma');
  const db = buf(db0, 'dbeta');
  const dg2 = createStorage(d, C * 4, 'dgamma2');
  const db2 = createStorage(d, C * 4, 'dbeta2');
  const shape = { N, C, eps, rowsPerChunk, rows };
  const scratch = createStorage(d, layerNormScratchFloats(shape) * 4, 'scratch');
  const common = { dy: bdy, x: bx, gamma: bg, mean, rstd, scratch };
  runDispatches(d, [
    layerNormForward(k, { x: bx, gamma: bg, beta: bb, out, mean, rstd }, shape),
    ...layerNormBackward(k, { ...common, dx: dxEq, dgamma: dg, dbeta: db }, shape),
    ...layerNormBackward(k, { ...common, dx: dxAcc, dgamma: dg2, dbeta: db2 }, { ...shape, accumulate: true }),
  ]);
  const ref = refLnForward(x, gamma, beta, N, C, eps);
  const g = refLnBackward(dy, x, gamma, ref.mean, ref.rstd, N, C);
  const read = (b: GPUBuffer) => readF32(d, b);
  const got = {
    out: await read(out),
    mean: await read(mean),
    rstd: await read(rstd),
    dxEq: await read(dxEq),
    dxAcc: await read(dxAcc),
    dg: await read(dg),
    db: await read(db),
    dg2: await read(dg2),
    db2: await read(db2),
  };
  const tag = `(N, C) = (${N}, ${C})`;
  ck.close(got.out, ref.out, { atol: 1e-5, rtol: 1e-5 }, `out ${tag}`);
  ck.close(got.mean, ref.mean, { atol: 1e-5, rtol: 1e-6 }, `mean ${tag}`);
  ck.close(got.rstd, ref.rstd, { atol: 1e-5, rtol: 1e-5 }, `rstd ${tag}`);
  ck.close(got.dxEq, g.dx, { atol: 1e-4, rtol: 1e-4 }, `dx ${tag}`);
  ck.close(
    got.dxAcc,
    g.dx.map((v, i) => v + dx0[i]),
    { atol: 1e-4, rtol: 1e-4 },
    `dx += ${tag}`,
  );
  ck.close(
    got.dg,
    g.dgamma.map((v, i) => v + dg0[i]),
    { atol: 1e-4, rtol: 1e-4 },
    `dgamma += ${tag}`,
  );
  ck.close(
    got.db,
    g.dbeta.map((v, i) => v + db0[i]),
    { atol: 1e-4, rtol: 1e-4 },
    `dbeta += ${tag}`,
  );
  // The second backward accumulated into zeroed dgamma/dbeta: the bare sums.
  ck.close(got.dg2, g.dgamma, { atol: 1e-4, rtol: 1e-4 }, `dgamma ${tag}`);
  ck.close(got.db2, g.dbeta, { atol: 1e-4, rtol: 1e-4 }, `dbeta ${tag}`);
  for (const b of [bx, bg, bb, out, mean, rstd, bdy, dxEq, dxAcc, dg, db, dg2, db2, scratch]) b.destroy();
  return [got.out, got.mean, got.rstd, got.dxEq, got.dxAcc, got.dg, got.db];
}

const LAYERNORM_CASES: LayerNormCase[] = [
  { N: 37, C: 72 },
  { N: 1, C: 8 },
  { N: 130, C: 257 },
  { N: 130, C: 257, rowsPerChunk: 5 },
  { N: 6, C: 1030, eps: 1e-5 },
  { N: 3, C: 1 },
  // Both row modes, forced (the default follows the adapter).
  { N: 37, C: 72, rows: 'workgroup' },
  { N: 130, C: 257, rows: 'thread' },
  { N: 65, C: 1, rows: 'workgroup' },
  { N: 1, C: 129, rows: 'thread' },
  // Both tunings, forced (GPU: partial sums through workgroup memory; CPU: one row lane, no barrier).
  { N: 130, C: 257, rowsPerChunk: 5, tuning: { cpu: false } },
  { N: 130, C: 257, rowsPerChunk: 5, tuning: { cpu: true } },
  { N: 37, C: 72, tuning: { cpu: false } },
  { N: 37, C: 72, tuning: { cpu: true } },
];

function layerNormCases(): KernelCase[] {
  return LAYERNORM_CASES.map((c) => ({
    id: `layernorm ${JSON.stringify(c)}`,
    family: 'layernorm',
    ...(c.tuning ? { tuning: c.tuning } : {}),
    ...(c.tuning || c.rows ? {} : { roles: ['layernorm'] as const }),
    size: c.N * c.C,
    run: async (k, ck) => void (await checkLayerNorm(k, ck, c, 100 + c.N + c.C)),
  }));
}

/** GELU forward and backward over x (dx starts non-zero: backward must overwrite it). */
export async function runGelu(
  k: Kernels,
  x: Float32Array,
  dy: Float32Array,
): Promise<{ out: Float32Array; dx: Float32Array }> {
  const d = k.device;
  const n = x.length;
  const bx = createStorage(d, x, 'x');
  const bdy = createStorage(d, dy, 'dy');
  const out = createStorage(d, n * 4, 'out');
  const dx = createStorage(d, new Float32Array(n).fill(7), 'dx');
  runDispatches(d, [geluForward(k, { x: bx, out }, n), geluBackward(k, { dy: bdy, x: bx, dx }, n)]);
  const r = { out: await readF32(d, out), dx: await readF32(d, dx) };
  for (const b of [bx, bdy, out, dx]) b.destroy();
  return r;
}

function geluCases(): KernelCase[] {
  return [1, 257, 37 * 72, 130 * 257].map((n) => ({
    id: `gelu n=${n} in [-8, 8]`,
    family: 'gelu',
    size: n,
    async run(k, ck) {
      const x = randomArray(n, n, 8);
      const dy = randomArray(n, n + 1);
      const { out, dx } = await runGelu(k, x, dy);
      ck.close(out, refGeluForward(x), { atol: 1e-5, rtol: 1e-5 }, `gelu n=${n}`);
      ck.close(dx, refGeluBackward(dy, x), { atol: 1e-5, rtol: 1e-4 }, `dgelu n=${n}`);
    },
  }));
}

export function rowCases(): KernelCase[] {
  return [...layerNormCases(), ...geluCases()];
}

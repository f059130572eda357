// Shared kernel cases of the matmul family (read by ops/matmul.gpu.test.ts and the self-test): every layout, bias
// and accumulate on shapes off both tile sizes, through every variant (64 and 128 tiles, VEC4 and scalar, direct,
// and direct_subgroup where the device has subgroups) and on the tuning's own variant; split K; the bias gradient
// under both tunings.
import { createStorage, readF32 } from '../buffers';
import { randomArray } from '../check';
import { Kernels, runDispatches } from '../kernels';
import {
  biasGrad,
  canVec4,
  matmul,
  matmulSplitK,
  splitKScratchFloats,
  type MatmulShape,
  type MatmulTile,
} from '../ops/matmul';
import { biasGradRef, matmulForward } from '../reference/matmul';
import type { Checker, KernelCase } from './case';

/** f32 products of K <= 129 terms in [-1, 1] against float64: observed errors are ~1e-6. */
export const MATMUL_TOL = { atol: 1e-4, rtol: 1e-4 };

const SHAPES: [number, number, number][] = [
  [37, 72, 72],
  [1, 1003, 72],
  [64, 64, 64],
  [33, 17, 129],
  [128, 96, 80],
  [19, 36, 5], // a single, partial k-tile
  [9, 131, 3], // direct: a second row block of one row, a third column block of 3 columns
];

export interface MatmulCase {
  shape: [number, number, number];
  transA: boolean;
  transB: boolean;
  bias: boolean;
  accumulate: boolean;
}

/** A tiled variant, a direct kernel, or the tuning's own variant. */
type Variant = { tile: MatmulTile; vec4: boolean } | 'direct' | 'direct_subgroup' | 'tuning';

async function checkProduct(k: Kernels, ck: Checker, c: MatmulCase, v: Variant, seed: number): Promise<void> {
  const device = k.device;
  const [M, N, K] = c.shape;
  const how: Partial<MatmulShape> =
    v === 'tuning' ? {} : typeof v === 'string' ? { kernel: v } : { kernel: 'tiled', ...v };
  const s: MatmulShape = { M, N, K, transA: c.transA, transB: c.transB, ...how };
  const alpha = c.bias && c.accumulate ? -0.5 : 1;
  const a = randomArray(M * K, seed);
  const b = randomArray(K * N, seed + 1);
  const bias = randomArray(N, seed + 2);
  const init = randomArray(M * N, seed + 3);
  const bufs = [
    createStorage(device, a, 'a'),
    createStorage(device, b, 'b'),
    createStorage(device, bias, 'bias'),
    createStorage(device, init, 'out'),
  ];
  const d = matmul(k, {
    ...s,
    a: bufs[0],
    b: bufs[1],
    out: bufs[3],
    bias: c.bias ? bufs[2] : undefined,
    accumulate: c.accumulate,
    alpha,
  });
  runDispatches(device, [d]);
  const got = await readF32(device, bufs[3]);
  const expected = matmulForward(a, b, { ...s, alpha }, c.bias ? bias : undefined, c.accumulate ? init : undefined);
  ck.close(got, expected, MATMUL_TOL, `${d.kernel} ${JSON.stringify(v)}`);
  for (const buf of bufs) buf.destroy();
}

function productCases(): KernelCase[] {
  const out: KernelCase[] = [];
  for (const shape of SHAPES) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const bias of [false, true]) {
          for (const accumulate of [false, true]) {
            const c: MatmulCase = { shape, transA, transB, bias, accumulate };
            const [M, N, K] = shape;
            out.push({
              id: `matmul ${M}x${N}x${K} transA=${transA} transB=${transB} bias=${bias} accumulate=${accumulate}`,
              family: 'matmul',
              tuning: 'any',
              size: Math.max(M * K, K * N, M * N),
              async run(k, ck) {
                const vec4 = canVec4({ M, N, K, transA, transB });
                const seed = M * 7919 + N * 31 + K + (transA ? 1000 : 0) + (transB ? 2000 : 0);
                await checkProduct(k, ck, c, { tile: 64, vec4: true }, seed);
                await checkProduct(k, ck, c, { tile: 128, vec4: true }, seed);
                // Shapes that take the vec4 path also run the scalar path.
                if (vec4) await checkProduct(k, ck, c, { tile: 64, vec4: false }, seed);
                await checkProduct(k, ck, c, 'direct', seed);
                // Where the device has subgroups (the engine never picks the variant elsewhere).
                if (k.tuning.subgroups) await checkProduct(k, ck, c, 'direct_subgroup', seed);
              },
            });
          }
        }
      }
    }
  }
  return out;
}

/**
 * Products on the tuning's own matmul variant (the adapter's default, or a candidate the autotuner verifies), with
 * bias and with accumulate, off every tile size.
 */
function tunedCases(): KernelCase[] {
  const cases: MatmulCase[] = [
    { shape: [37, 72, 72], transA: false, transB: true, bias: true, accumulate: false },
    { shape: [33, 17, 65], transA: true, transB: false, bias: false, accumulate: true },
  ];
  return cases.map((c) => {
    const [M, N, K] = c.shape;
    return {
      id: `matmul ${M}x${N}x${K} transA=${c.transA} transB=${c.transB} on the tuning's variant`,
      family: 'matmul',
      roles: ['matmul'],
      size: Math.max(M * K, K * N, M * N),
      run: (k, ck) => checkProduct(k, ck, c, 'tuning', M * 13 + N + K),
    };
  });
}

const SPLIT_SHAPES: [number, number, number, number][] = [
  [37, 72, 300, 3],
  [20, 12, 1000, 7],
  [64, 64, 513, 2],
  [1, 1003, 600, 4],
  [33, 17, 129, 16], // kSplit 16: 9 parts, the last of 1 k
  [20, 12, 130, 2], // small enough for the self-test's quick set
];

async function runSplit(
  k: Kernels,
  ck: Checker,
  c: MatmulCase & { splits: number },
  tile: MatmulTile,
  vec4: boolean,
  seed: number,
): Promise<Float32Array> {
  const device = k.device;
  const [M, N, K] = c.shape;
  const s: MatmulShape = { M, N, K, transA: c.transA, transB: c.transB, tile, vec4, kernel: 'tiled', splits: c.splits };
  const alpha = c.bias && c.accumulate ? -0.5 : 1.25;
  const a = randomArray(M * K, seed);
  const b = randomArray(K * N, seed + 1);
  const bias = randomArray(N, seed + 2);
  const init = randomArray(M * N, seed + 3);
  const bufs = [
    createStorage(device, a, 'a'),
    createStorage(device, b, 'b'),
    createStorage(device, bias, 'bias'),
    createStorage(device, init, 'out'),
  ];
  const floats = splitKScratchFloats(k, s);
  ck.ok(floats > 0, `split K ${c.splits}: needs a scratch`);
  const scratch = createStorage(device, new Float32Array(Math.max(1, floats)).fill(1e30), 'scratch');
  const ds = matmulSplitK(
    k,
    { ...s, a: bufs[0], b: bufs[1], bias: c.bias ? bufs[2] : undefined, out: bufs[3], accumulate: c.accumulate, alpha },
    scratch,
  );
  const kernels = ds.map((d) => d.kernel).join(',');
  ck.ok(
    kernels === 'matmul.matmul,matmul.splitk_reduce',
    `split K ${c.splits}: a product and its sum`,
    `split K ran ${kernels}`,
  );
  runDispatches(device, ds);
  const got = await readF32(device, bufs[3]);
  const expected = matmulForward(a, b, { ...s, alpha }, c.bias ? bias : undefined, c.accumulate ? init : undefined);
  ck.close(got, expected, MATMUL_TOL, `split K ${c.splits} tile ${tile} vec4 ${vec4}`);
  for (const buf of [...bufs, scratch]) buf.destroy();
  return got;
}

function splitCases(): KernelCase[] {
  const out: KernelCase[] = [];
  for (const [M, N, K, splits] of SPLIT_SHAPES) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const c = {
          shape: [M, N, K] as [number, number, number],
          transA,
          transB,
          bias: transA,
          accumulate: transB,
          splits,
        };
        out.push({
          id: `matmul split K ${M}x${N}x${K} in ${splits} transA=${transA} transB=${transB}`,
          family: 'matmul_splitk',
          // Split K is a tiled-kernel path: GPU tuning whatever the adapter.
          tuning: { cpu: false },
          size: Math.max(M * K, K * N, splits * M * N),
          async run(k, ck) {
            const seed = M * 31 + K;
            const first = await runSplit(k, ck, c, 64, true, seed);
            await runSplit(k, ck, c, 128, false, seed);
            // The same bits on a second run (the partials are summed in a fixed order).
            const again = await runSplit(k, ck, c, 64, true, seed);
            ck.ok(
              again.every((v, i) => Object.is(v, first[i])),
              'split K: the same bits on a rerun',
            );
          },
        });
      }
    }
  }
  return out;
}

function biasGradCases(): KernelCase[] {
  const shapes: [number, number][] = [
    [37, 72],
    [1, 1003],
    [300, 17],
    [1024, 33],
  ];
  return [false, true].flatMap((cpu) =>
    shapes.map(([M, N]): KernelCase => ({
      id: `bias_grad M=${M} N=${N} (${cpu ? 'cpu' : 'gpu'} tuning)`,
      family: 'bias_grad',
      tuning: { cpu },
      size: M * N,
      async run(k, ck) {
        const device = k.device;
        const dy = randomArray(M * N, M + N);
        const init = randomArray(N, 5);
        const dyBuf = createStorage(device, dy, 'dy');
        const runOnce = async () => {
          const db = createStorage(device, init, 'db');
          runDispatches(device, [biasGrad(k, { dy: dyBuf, db, M, N })]);
          const got = await readF32(device, db);
          db.destroy();
          return got;
        };
        const first = await runOnce();
        const sums = biasGradRef(dy, M, N);
        ck.close(
          first,
          Array.from(sums, (v, i) => v + init[i]),
          { atol: 1e-4, rtol: 1e-4 },
          `bias_grad M=${M} N=${N}`,
        );
        const second = await runOnce();
        ck.ok(
          second.every((v, i) => Object.is(v, first[i])),
          'bias_grad: the same bits every run',
        );
        dyBuf.destroy();
      },
    })),
  );
}

export function matmulCases(): KernelCase[] {
  return [...productCases(), ...tunedCases(), ...splitCases(), ...biasGradCases()];
}

// Row gather and scatter against the float64 reference at odd shapes, with -1 and out-of-range indices: gather
// gives zero rows, scatter (= and +=) skips them and leaves unnamed rows untouched; shape errors.
import { describe, expect, it } from 'vitest';
import { createStorage, readF32 } from '../buffers';
import { runDispatches, type Dispatch } from '../kernels';
import { gatherRows as refGather, gatherRowsBackward as refScatter } from '../reference/gather';
import { expectClose, randomArray, rng, useGpu, type GpuFixture } from '../testing';
import { csrOf, gatherRows, scatterAddCsr, scatterRows } from './gather';

async function run(fx: GpuFixture, build: () => Dispatch[]): Promise<void> {
  fx.device.pushErrorScope('validation');
  runDispatches(fx.device, build());
  const err = await fx.device.popErrorScope();
  if (err) throw new Error(`WebGPU validation error: ${err.message}`);
}

/** M indices: distinct rows of [0, N) in random order, with every 5th replaced by -1, N or -7 (skipped). */
function indices(M: number, N: number, seed: number): Int32Array {
  const r = rng(seed);
  const rows = Array.from({ length: N }, (_, i) => i);
  for (let i = N - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [rows[i], rows[j]] = [rows[j], rows[i]];
  }
  const bad = [-1, N, -7];
  return Int32Array.from({ length: M }, (_, m) => (m % 5 === 4 ? bad[m % 3] : rows[m % N]));
}

describe('gather/scatter kernels', () => {
  const fx = useGpu();

  it.each([
    [37, 72, 11],
    [1, 8, 1],
    [130, 257, 40],
    [74, 72, 74],
  ])('(N, C) = (%i, %i), M = %i: gather, scatter =, scatter +=', async (N, C, M) => {
    const d = fx.device;
    const k = fx.kernels;
    const index = M === 1 ? Int32Array.of(0) : indices(M, N, N * M);
    const src = randomArray(N * C, N, 2);
    const dout = randomArray(M * C, M, 2);
    const dst0 = randomArray(N * C, 5);
    const bi = createStorage(d, index, 'index');
    const bsrc = createStorage(d, src, 'src');
    const out = createStorage(d, new Float32Array(M * C).fill(9), 'out');
    const bdout = createStorage(d, dout, 'dout');
    const dstEq = createStorage(d, dst0, 'dst=');
    const dstAcc = createStorage(d, dst0, 'dst+=');
    const s = { M, N, C };
    await run(fx, () => [
      gatherRows(k, { index: bi, src: bsrc, out }, s),
      scatterRows(k, { index: bi, src: bdout, dst: dstEq }, s),
      scatterRows(k, { index: bi, src: bdout, dst: dstAcc }, { ...s, accumulate: true }),
    ]);
    // Gather and scatter = move values: exact.
    expectClose(await readF32(d, out), refGather(src, index, N, C), { atol: 0 }, 'gather');
    const g = refScatter(dout, index, N, C);
    const named = new Set(Array.from(index).filter((r) => r >= 0 && r < N));
    const eq = dst0.map((v, i) => (named.has(Math.floor(i / C)) ? g[i] : v));
    expectClose(await readF32(d, dstEq), eq, { atol: 0 }, 'scatter =');
    expectClose(
      await readF32(d, dstAcc),
      Float32Array.from(g, (v, i) => v + dst0[i]),
      { atol: 0 },
      'scatter +=',
    );
  });

  for (const [M, N, C] of [
    [1, 1, 1],
    [41, 9, 37],
    [300, 123, 72],
  ] as const) {
    it(`scatter-adds with repeated indices (CSR) at M=${M} N=${N} C=${C}`, async () => {
      const r = rng(M + N);
      // Heavy repeats (a few rows named many times), plus -1 and out-of-range slots.
      const index = Int32Array.from({ length: M }, (_, m) =>
        m % 7 === 3 ? -1 : m % 11 === 5 ? N + 2 : Math.floor(r() * Math.min(N, 4)),
      );
      const src = randomArray(M * C, 3);
      const base = randomArray(N * C, 4);
      const csr = csrOf(index, N);
      const d = fx.device;
      const b = {
        order: createStorage(d, csr.order, 'order'),
        offsets: createStorage(d, csr.offsets, 'offsets'),
        src: createStorage(d, src, 'src'),
        dst: createStorage(d, base, 'dst'),
      };
      await run(fx, () => [scatterAddCsr(fx.kernels, b, { M, N, C })]);
      const want = refScatter(src, index, N, C).map((x, i) => x + base[i]);
      expectClose(await readF32(d, b.dst), want, { atol: 1e-5, rtol: 1e-5 }, 'scatter-add');
      Object.values(b).forEach((x) => x.destroy());
    });
  }

  it('rejects mismatched shapes, naming the tensor', () => {
    const small = createStorage(fx.device, 16, 'small');
    const big = createStorage(fx.device, 4096, 'big');
    expect(() => gatherRows(fx.kernels, { index: small, src: big, out: big }, { M: 5, N: 10, C: 8 })).toThrow(
      /gatherRows: index \(M\) = \(5\) needs 5 x 4 = 20 bytes, but its buffer has 16/,
    );
    expect(() => scatterRows(fx.kernels, { index: big, src: big, dst: small }, { M: 2, N: 10, C: 8 })).toThrow(
      /scatterRows: dst \(N, C\) = \(10, 8\)/,
    );
  });
});

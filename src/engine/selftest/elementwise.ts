// Shared kernel cases of the pointwise and data-movement kernels (read by ops/elementwise.gpu.test.ts,
// ops/gather.gpu.test.ts, ops/fill.gpu.test.ts, ops/sample.gpu.test.ts and the self-test): add, out += s a, scale,
// masks, bias add and its gradient; row gather and scatter (= and +=, -1 and out-of-range rows skipped) and the
// CSR scatter-add with repeated rows; fill; ELECTRA's Gumbel-max sampler and token replacement (the same hash bits
// as the CPU reference).
import { createStorage, readF32, readI32 } from '../buffers';
import { randomArray, rng } from '../check';
import { runDispatches, type Kernels } from '../kernels';
import {
  add,
  addInPlace,
  biasAdd,
  biasAddInPlace,
  biasBackward,
  biasBackwardScratchFloats,
  mulInPlace,
  scale,
  scaleInPlace,
} from '../ops/elementwise';
import { fill } from '../ops/fill';
import { csrOf, gatherRows, scatterAddCsr, scatterRows } from '../ops/gather';
import { gumbelSample, replaceTokens, setSampleStep } from '../ops/sample';
import * as ref from '../reference/elementwise';
import { gatherRows as refGather, gatherRowsBackward as refScatter } from '../reference/gather';
import { gumbelSampleRef, replaceTokensRef } from '../reference/sample';
import type { Checker, KernelCase } from './case';

const EXACT = { atol: 0 };
const TOL = { atol: 1e-6, rtol: 1e-6 };

async function checkPointwise(k: Kernels, ck: Checker, n: number): Promise<void> {
  const d = k.device;
  const a = randomArray(n, n, 3);
  const b = randomArray(n, n + 1, 3);
  const mask = Float32Array.from({ length: n }, (_, i) => (i % 3 === 1 ? 1 : 0));
  const bufs = {
    a: createStorage(d, a, 'a'),
    b: createStorage(d, b, 'b'),
    mask: createStorage(d, mask, 'mask'),
    sum: createStorage(d, n * 4, 'sum'),
    acc1: createStorage(d, b, 'acc1'),
    accS: createStorage(d, b, 'accS'),
    scaled: createStorage(d, n * 4, 'scaled'),
    inplace: createStorage(d, a, 'inplace'),
    masked: createStorage(d, a, 'masked'),
    mul: createStorage(d, a, 'mul'),
  };
  runDispatches(d, [
    add(k, { a: bufs.a, b: bufs.b, out: bufs.sum }, n),
    addInPlace(k, { a: bufs.a, out: bufs.acc1 }, n),
    addInPlace(k, { a: bufs.a, out: bufs.accS }, n, -0.37),
    scale(k, { a: bufs.a, out: bufs.scaled }, n, 0.125),
    scaleInPlace(k, { out: bufs.inplace }, n, -3),
    mulInPlace(k, { a: bufs.mask, out: bufs.masked }, n),
    mulInPlace(k, { a: bufs.b, out: bufs.mul }, n),
  ]);
  // Single f32 operations: the GPU result is the f32 rounding of the exact value.
  const f32 = (x: Float64Array): Float32Array => Float32Array.from(x);
  const read = (x: GPUBuffer) => readF32(d, x);
  ck.close(await read(bufs.sum), f32(ref.add(a, b)), EXACT, `a + b n=${n}`);
  ck.close(await read(bufs.acc1), f32(ref.addScaled(b, a)), EXACT, `out += a n=${n}`);
  ck.close(await read(bufs.accS), ref.addScaled(b, a, -0.37), TOL, `out += s a n=${n}`);
  ck.close(await read(bufs.scaled), f32(ref.scale(a, 0.125)), EXACT, `scale n=${n}`);
  ck.close(await read(bufs.inplace), f32(ref.scale(a, -3)), EXACT, `scale in place n=${n}`);
  ck.close(await read(bufs.masked), f32(ref.mul(a, mask)), EXACT, `out *= mask n=${n}`);
  ck.close(await read(bufs.mul), f32(ref.mul(a, b)), EXACT, `out *= b n=${n}`);
  Object.values(bufs).forEach((x) => x.destroy());
}

async function checkBias(k: Kernels, ck: Checker, N: number, C: number, rowsPerChunk?: number): Promise<void> {
  const d = k.device;
  const n = N * C;
  const a = randomArray(n, N, 2);
  const bias = randomArray(C, C, 2);
  const dout = randomArray(n, N + C);
  const db0 = randomArray(C, 3);
  const shape = { N, C, rowsPerChunk };
  const b = {
    a: createStorage(d, a, 'a'),
    bias: createStorage(d, bias, 'bias'),
    out: createStorage(d, n * 4, 'out'),
    inplace: createStorage(d, a, 'inplace'),
    dout: createStorage(d, dout, 'dout'),
    dbias: createStorage(d, db0, 'dbias'),
    scratch: createStorage(d, biasBackwardScratchFloats(shape) * 4, 'scratch'),
  };
  runDispatches(d, [
    biasAdd(k, { a: b.a, bias: b.bias, out: b.out }, shape),
    biasAddInPlace(k, { bias: b.bias, out: b.inplace }, shape),
    ...biasBackward(k, { dout: b.dout, dbias: b.dbias, scratch: b.scratch }, shape),
  ]);
  const tag = `(N, C) = (${N}, ${C}), rows per chunk ${rowsPerChunk ?? 'default'}`;
  const expected = Float32Array.from(ref.biasAdd(a, bias, N, C));
  ck.close(await readF32(d, b.out), expected, EXACT, `a + bias ${tag}`);
  ck.close(await readF32(d, b.inplace), expected, EXACT, `out += bias ${tag}`);
  const g = ref.biasAddBackward(dout, N, C).dbias;
  ck.close(
    await readF32(d, b.dbias),
    g.map((v, i) => v + db0[i]),
    { atol: 1e-4, rtol: 1e-5 },
    `dbias += ${tag}`,
  );
  Object.values(b).forEach((x) => x.destroy());
}

function elementwiseCases(): KernelCase[] {
  const pointwise = [1, 8, 37 * 72 + 5, 130 * 257].map((n): KernelCase => ({
    id: `elementwise add, scale, mul n=${n}`,
    family: 'elementwise',
    size: n,
    run: (k, ck) => checkPointwise(k, ck, n),
  }));
  const bias = (
    [
      [37, 72, undefined],
      [1, 8, undefined],
      [130, 257, undefined],
      [130, 257, 3],
      [1000, 5, 64],
    ] as const
  ).map(([N, C, rows]): KernelCase => ({
    id: `elementwise bias add and gradient (N, C) = (${N}, ${C}) rows per chunk ${rows ?? 'default'}`,
    family: 'elementwise',
    size: N * C,
    run: (k, ck) => checkBias(k, ck, N, C, rows),
  }));
  return [...pointwise, ...bias];
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

async function checkGather(k: Kernels, ck: Checker, N: number, C: number, M: number): Promise<void> {
  const d = k.device;
  const index = M === 1 ? Int32Array.of(0) : indices(M, N, N * M);
  const src = randomArray(N * C, N, 2);
  const dout = randomArray(M * C, M, 2);
  const dst0 = randomArray(N * C, 5);
  const b = {
    index: createStorage(d, index, 'index'),
    src: createStorage(d, src, 'src'),
    out: createStorage(d, new Float32Array(M * C).fill(9), 'out'),
    dout: createStorage(d, dout, 'dout'),
    dstEq: createStorage(d, dst0, 'dst='),
    dstAcc: createStorage(d, dst0, 'dst+='),
  };
  const s = { M, N, C };
  runDispatches(d, [
    gatherRows(k, { index: b.index, src: b.src, out: b.out }, s),
    scatterRows(k, { index: b.index, src: b.dout, dst: b.dstEq }, s),
    scatterRows(k, { index: b.index, src: b.dout, dst: b.dstAcc }, { ...s, accumulate: true }),
  ]);
  const tag = `(N, C) = (${N}, ${C}), M = ${M}`;
  // Gather and scatter = move values: exact.
  ck.close(await readF32(d, b.out), refGather(src, index, N, C), EXACT, `gather ${tag}`);
  const g = refScatter(dout, index, N, C);
  const named = new Set(Array.from(index).filter((r) => r >= 0 && r < N));
  const eq = dst0.map((v, i) => (named.has(Math.floor(i / C)) ? g[i] : v));
  ck.close(await readF32(d, b.dstEq), eq, EXACT, `scatter = ${tag}`);
  ck.close(
    await readF32(d, b.dstAcc),
    Float32Array.from(g, (v, i) => v + dst0[i]),
    EXACT,
    `scatter += ${tag}`,
  );
  Object.values(b).forEach((x) => x.destroy());
}

async function checkScatterAdd(k: Kernels, ck: Checker, M: number, N: number, C: number): Promise<void> {
  const r = rng(M + N);
  // Heavy repeats (a few rows named many times), plus -1 and out-of-range slots.
  const index = Int32Array.from({ length: M }, (_, m) =>
    m % 7 === 3 ? -1 : m % 11 === 5 ? N + 2 : Math.floor(r() * Math.min(N, 4)),
  );
  const src = randomArray(M * C, 3);
  const base = randomArray(N * C, 4);
  const csr = csrOf(index, N);
  const d = k.device;
  const b = {
    order: createStorage(d, csr.order, 'order'),
    offsets: createStorage(d, csr.offsets, 'offsets'),
    src: createStorage(d, src, 'src'),
    dst: createStorage(d, base, 'dst'),
  };
  runDispatches(d, [scatterAddCsr(k, b, { M, N, C })]);
  const want = refScatter(src, index, N, C).map((x, i) => x + base[i]);
  ck.close(await readF32(d, b.dst), want, { atol: 1e-5, rtol: 1e-5 }, `scatter-add (CSR) M=${M} N=${N} C=${C}`);
  Object.values(b).forEach((x) => x.destroy());
}

function gatherCases(): KernelCase[] {
  const moves = (
    [
      [37, 72, 11],
      [1, 8, 1],
      [130, 257, 40],
      [74, 72, 74],
      [23, 9, 17],
    ] as const
  ).map(([N, C, M]): KernelCase => ({
    id: `gather and scatter (N, C) = (${N}, ${C}), M = ${M}`,
    family: 'gather',
    size: N * C,
    run: (k, ck) => checkGather(k, ck, N, C, M),
  }));
  const csr = (
    [
      [1, 1, 1],
      [41, 9, 37],
      [300, 123, 72],
    ] as const
  ).map(([M, N, C]): KernelCase => ({
    id: `gather scatter-add with repeated rows (CSR) M=${M} N=${N} C=${C}`,
    family: 'gather',
    size: Math.max(M, N) * C,
    run: (k, ck) => checkScatterAdd(k, ck, M, N, C),
  }));
  return [...moves, ...csr];
}

function fillCases(): KernelCase[] {
  return [1, 255, 257, 1003, 70001].map((n) => ({
    id: `fill the first n=${n} of n + 5 elements`,
    family: 'fill',
    size: n + 5,
    async run(k, ck) {
      const total = n + 5;
      const buf = createStorage(k.device, new Float32Array(total).fill(-1), 'buf');
      runDispatches(k.device, [fill(k, buf, 2.5, n)]);
      const expected = new Float32Array(total).fill(-1);
      expected.fill(2.5, 0, n);
      ck.close(await readF32(k.device, buf), expected, EXACT, `fill n=${n}, the rest untouched`);
      buf.destroy();
    },
  }));
}

/** The sampler against the reference's hash bits at two steps; only an f32 near-tie may resolve differently. */
async function checkSample(k: Kernels, ck: Checker, M: number, V: number, seed: number): Promise<void> {
  const d = k.device;
  const logits = randomArray(M * V, M + V, 3);
  const positions = Int32Array.from({ length: M }, (_, m) => (m % 5 === 4 ? -1 : m * 3));
  const b = {
    logits: createStorage(d, logits, 'logits'),
    positions: createStorage(d, positions, 'pos'),
    sampled: createStorage(d, new Int32Array(M).fill(-7), 'sampled'),
  };
  const shape = { M, V, seed };
  const disp = gumbelSample(k, shape, b);
  const draws: Int32Array[] = [];
  for (const step of [0, 1]) {
    setSampleStep(k, disp, shape, step);
    runDispatches(d, [disp]);
    const got = await readI32(d, b.sampled);
    const r = gumbelSampleRef(logits, positions, M, V, seed, step);
    const tag = `M=${M} V=${V} seed=${seed} step ${step}`;
    const empty = Array.from(positions).every((p, m) => p >= 0 || got[m] === -1);
    ck.ok(empty, `-1 on rows without a target ${tag}`);
    const off = Array.from(got).filter((x, m) => positions[m] >= 0 && x !== r.sampled[m]);
    const nearTies = Array.from(got).every((x, m) => positions[m] < 0 || x === r.sampled[m] || r.margin[m] < 1e-4);
    ck.ok(
      off.length <= 1 && nearTies,
      `samples equal the reference's ${tag}`,
      `samples ${tag}: ${off.length} differ from the reference (at most one, at an f32 near-tie, may)`,
    );
    draws.push(got);
  }
  if (M > 10)
    ck.ok(
      draws[0].some((x, m) => x !== draws[1][m]),
      `new draws at a new step M=${M} V=${V}`,
    );
  Object.values(b).forEach((x) => x.destroy());
}

async function checkReplace(k: Kernels, ck: Checker): Promise<void> {
  const d = k.device;
  const N = 45;
  const M = 13;
  const r = rng(9);
  const ids = Int32Array.from({ length: N }, () => 5 + Math.floor(r() * 90));
  const positions = Int32Array.from({ length: M }, (_, m) => (m === 6 ? -1 : (m * 7 + 2) % N));
  const targets = Int32Array.from(positions, (p) => (p >= 0 ? ids[p] : -1));
  // Half the samples equal the original token: label 0 there.
  const sampled = Int32Array.from(targets, (t, m) => (m === 9 ? -1 : m % 2 === 0 ? t : t + 1));
  const b = {
    positions: createStorage(d, positions, 'pos'),
    targets: createStorage(d, targets, 'targets'),
    sampled: createStorage(d, sampled, 'sampled'),
    ids: createStorage(d, ids, 'ids'),
    labels: createStorage(d, new Float32Array(N), 'labels'),
  };
  runDispatches(d, [replaceTokens(k, M, b)]);
  const want = replaceTokensRef(ids, positions, targets, sampled);
  ck.close(await readI32(d, b.ids), want.ids, EXACT, 'replaced ids');
  ck.close(await readF32(d, b.labels), want.labels, EXACT, 'replaced labels');
  Object.values(b).forEach((x) => x.destroy());
}

function sampleCases(): KernelCase[] {
  return [
    ...(
      [
        [1, 7, 3],
        [37, 1003, 11],
        [70, 300, 0xdeadbeef],
        [23, 101, 5],
      ] as const
    ).map(([M, V, seed]): KernelCase => ({
      id: `sample Gumbel-max M=${M} V=${V} seed=${seed}`,
      family: 'sample',
      size: M * V,
      run: (k, ck) => checkSample(k, ck, M, V, seed),
    })),
    { id: 'sample replace tokens at the target rows', family: 'sample', size: 45, run: checkReplace },
  ];
}

export function elementwiseFamilyCases(): KernelCase[] {
  return [...elementwiseCases(), ...gatherCases(), ...fillCases(), ...sampleCases()];
}

// Shared kernel cases of the embedding lookup and position hiding (read by ops/embedding.gpu.test.ts,
// ops/nopos.gpu.test.ts and the self-test): forward (exact) and backward with heavily repeated ids, runs longer
// than a piece, 1 to 3 radix passes and out-of-range ids (skipped, nothing written out of bounds); the "no position"
// vector in forward and its gradient moved from dwpe to dwnone in backward.
import { createStorage, readF32 } from '../buffers';
import { randomArray, rng } from '../check';
import { runDispatches, type Kernels } from '../kernels';
import {
  createEmbeddingScratch,
  embeddingBackward,
  embeddingForward,
  sortedIdsArrays,
  writeSortedIds,
  type EmbeddingBackwardShape,
} from '../ops/embedding';
import { noPositionBackward, noPositionForward } from '../ops/nopos';
import { embeddingBackward as refBackward, embeddingForward as refForward } from '../reference/embedding';
import type { Checker, KernelCase } from './case';

export type IdKind = 'five' | 'uniform' | 'same' | 'wild';

/** five: drawn from 5 values; uniform: from [0, V); same: all one id; wild: five values plus out-of-range ids. */
export function makeIds(kind: IdKind, N: number, V: number, seed: number): Int32Array {
  const r = rng(seed);
  const five = [0, 1, Math.floor(V / 2), V - 2, V - 1].map((v) => Math.max(0, v));
  const bad = [-1, V, V + 5, -100000, 2 ** 31 - 1];
  return Int32Array.from({ length: N }, (_, i) => {
    if (kind === 'same') return V - 1;
    if (kind === 'uniform') return Math.floor(r() * V);
    if (kind === 'wild' && i % 4 === 1) return bad[Math.floor(r() * bad.length)];
    return five[Math.floor(r() * five.length)];
  });
}

const GUARD = 64;

export interface EmbeddingResult {
  out: Float32Array;
  dwte: Float32Array;
  dwpe: Float32Array;
  dwtt: Float32Array;
}

/**
 * Forward and backward on the GPU, every output checked against the reference; returns them (determinism test).
 * `presorted`: the ids sorted on the CPU (writeSortedIds) instead of by the GPU's radix sort.
 */
export async function checkEmbedding(
  k: Kernels,
  ck: Checker,
  s: EmbeddingBackwardShape,
  ids: Int32Array,
  seed: number,
  presorted = false,
): Promise<EmbeddingResult> {
  const d = k.device;
  const { B, T, C, V } = s;
  const N = B * T;
  const extraT = 3; // wpe has more rows than T, wtt two rows: only the first T / the first row are used
  const wte = randomArray(V * C, seed, 0.5);
  const wpe = randomArray((T + extraT) * C, seed + 1, 0.5);
  const wtt = randomArray(2 * C, seed + 2, 0.5);
  const dout = randomArray(N * C, seed + 3);
  // Gradients start non-zero (they accumulate) and carry a guard region that must stay untouched.
  const dwte0 = randomArray(V * C + GUARD, seed + 4);
  const dwpe0 = randomArray((T + extraT) * C, seed + 5);
  const dwtt0 = randomArray(2 * C, seed + 6);
  const b = {
    ids: createStorage(d, ids, 'ids'),
    wte: createStorage(d, wte, 'wte'),
    wpe: createStorage(d, wpe, 'wpe'),
    wtt: createStorage(d, wtt, 'wtt'),
    out: createStorage(d, N * C * 4, 'out'),
    dout: createStorage(d, dout, 'dout'),
    dwte: createStorage(d, dwte0, 'dwte'),
    dwpe: createStorage(d, dwpe0, 'dwpe'),
    dwtt: createStorage(d, dwtt0, 'dwtt'),
  };
  const scratch = createEmbeddingScratch(d, s);
  if (presorted) writeSortedIds(d, scratch, ids, V, sortedIdsArrays(N, V));
  runDispatches(d, [embeddingForward(k, b, s), ...embeddingBackward(k, { ...b, scratch }, s, undefined, presorted)]);
  const got: EmbeddingResult = {
    out: await readF32(d, b.out),
    dwte: await readF32(d, b.dwte),
    dwpe: await readF32(d, b.dwpe),
    dwtt: await readF32(d, b.dwtt),
  };
  Object.values(b).forEach((x) => x.destroy());
  Object.values(scratch).forEach((x) => (x as GPUBuffer).destroy());

  const tag = `(B, T, C, V) = (${B}, ${T}, ${C}, ${V})`;
  // Forward: the same three f32 additions in the same order, so exact.
  const expOut = new Float32Array(N * C);
  for (let r = 0; r < N; r++) {
    const id = ids[r];
    const t = r % T;
    for (let c = 0; c < C; c++) {
      const tok = id >= 0 && id < V ? wte[id * C + c] : 0;
      expOut[r * C + c] = Math.fround(Math.fround(tok + wtt[c]) + wpe[t * C + c]);
    }
  }
  ck.close(got.out, expOut, { atol: 0 }, `out (exact) ${tag}`);
  ck.close(got.out, refForward(ids, wte, wpe, wtt, s), { atol: 1e-6 }, `out vs reference ${tag}`);

  const g = refBackward(dout, ids, s);
  ck.close(
    got.dwte.subarray(0, V * C),
    g.dwte.map((v, i) => v + dwte0[i]),
    { atol: 1e-5, rtol: 1e-5 },
    `dwte ${tag}`,
  );
  ck.close(got.dwte.subarray(V * C), dwte0.subarray(V * C), { atol: 0 }, `dwte guard region ${tag}`);
  ck.close(
    got.dwpe.subarray(0, T * C),
    g.dwpe.map((v, i) => v + dwpe0[i]),
    { atol: 1e-5, rtol: 1e-5 },
    `dwpe ${tag}`,
  );
  ck.close(got.dwpe.subarray(T * C), dwpe0.subarray(T * C), { atol: 0 }, `unused wpe rows ${tag}`);
  ck.close(
    got.dwtt.subarray(0, C),
    g.dwtt.map((v, i) => v + dwtt0[i]),
    { atol: 1e-4, rtol: 1e-5 },
    `dwtt ${tag}`,
  );
  ck.close(got.dwtt.subarray(C), dwtt0.subarray(C), { atol: 0 }, `token type 1 untouched ${tag}`);
  return got;
}

const EMBEDDING_CASES: [EmbeddingBackwardShape, IdKind][] = [
  [{ B: 2, T: 37, C: 72, V: 1003 }, 'five'],
  [{ B: 2, T: 37, C: 72, V: 1003, piece: 3 }, 'five'],
  [{ B: 2, T: 37, C: 72, V: 1003 }, 'uniform'],
  [{ B: 2, T: 37, C: 72, V: 1003, piece: 4 }, 'same'],
  [{ B: 2, T: 37, C: 72, V: 1003, piece: 5 }, 'wild'],
  [{ B: 1, T: 1, C: 8, V: 1 }, 'same'],
  // Small enough for the quick set: pieces of 3 rows, out-of-range ids.
  [{ B: 2, T: 13, C: 9, V: 101, piece: 3 }, 'wild'],
  [{ B: 3, T: 100, C: 20, V: 200 }, 'five'],
  [{ B: 4, T: 130, C: 9, V: 70000, piece: 16 }, 'wild'],
  // Full size: B*T = 16K, runs of ~2.5K rows cut into pieces of the default 128.
  [{ B: 32, T: 512, C: 3, V: 32000 }, 'wild'],
];

function embeddingCases(): KernelCase[] {
  return EMBEDDING_CASES.map(([s, kind]) => ({
    id: `embedding ${JSON.stringify(s)} ids ${kind}`,
    family: 'embedding',
    size: Math.max(s.B * s.T * s.C, (s.V + 1) * s.C),
    run: async (k, ck) => void (await checkEmbedding(k, ck, s, makeIds(kind, s.B * s.T, s.V, s.V + s.T), s.B * s.C)),
  }));
}

/** Position hiding composed with the embedding lookup, forward and backward, against the reference. */
async function checkNoPosition(k: Kernels, ck: Checker, B: number, T: number, C: number, V: number): Promise<void> {
  const d = k.device;
  const N = B * T;
  const r = rng(N + C);
  const ids = Int32Array.from({ length: N }, (_, i) => (i % 11 === 7 ? -1 : Math.floor(r() * V)));
  const noPos = Int32Array.from({ length: N }, () => (N === 1 ? 1 : r() < 0.3 ? 1 : 0));
  const wte = randomArray(V * C, 1);
  const wpe = randomArray(T * C, 2);
  const wtt = randomArray(2 * C, 3);
  const wnone = randomArray(C, 4);
  const dout = randomArray(N * C, 5);
  const initPe = randomArray(T * C, 6);
  const s = { B, T, C, V };
  const buf = {
    ids: createStorage(d, ids, 'ids'),
    noPos: createStorage(d, noPos, 'nopos'),
    wte: createStorage(d, wte, 'wte'),
    wpe: createStorage(d, wpe, 'wpe'),
    wtt: createStorage(d, wtt, 'wtt'),
    wnone: createStorage(d, wnone, 'wnone'),
    out: createStorage(d, N * C * 4, 'out'),
    dout: createStorage(d, dout, 'dout'),
    dwte: createStorage(d, V * C * 4, 'dwte'),
    dwpe: createStorage(d, initPe, 'dwpe'),
    dwtt: createStorage(d, C * 4, 'dwtt'),
    dwnone: createStorage(d, new Float32Array(C).fill(0.5), 'dwnone'),
    scratch: createStorage(d, T * C * 4, 'scratch'),
  };
  const scratch = createEmbeddingScratch(d, s, 'emb.scratch');
  runDispatches(d, [
    embeddingForward(k, buf, s),
    noPositionForward(k, buf, s),
    ...embeddingBackward(k, { ...buf, scratch }, s),
    ...noPositionBackward(k, buf, s),
  ]);
  const got = {
    out: await readF32(d, buf.out),
    dwpe: await readF32(d, buf.dwpe),
    dwnone: await readF32(d, buf.dwnone),
    dwtt: await readF32(d, buf.dwtt, C),
  };
  Object.values(buf).forEach((b) => b.destroy());
  Object.values(scratch).forEach((b) => (b as GPUBuffer).destroy());
  const tag = `(B, T, C, V) = (${B}, ${T}, ${C}, ${V})`;
  const tol = { atol: 2e-5, rtol: 1e-5 };
  ck.close(got.out, refForward(ids, wte, wpe, wtt, s, { noPos, wnone }), { atol: 1e-6, rtol: 1e-6 }, `out ${tag}`);
  const g = refBackward(dout, ids, s, noPos);
  // dwpe and dwnone accumulate onto what was there.
  ck.close(
    got.dwpe,
    g.dwpe.map((x, i) => x + initPe[i]),
    tol,
    `dwpe ${tag}`,
  );
  ck.close(
    got.dwnone,
    g.dwnone.map((x) => x + 0.5),
    tol,
    `dwnone ${tag}`,
  );
  ck.close(got.dwtt, g.dwtt, tol, `dwtt ${tag}`);
  if (noPos.some((x) => x) && noPos.some((x) => !x))
    ck.ok(
      g.dwnone.some((x) => x !== 0),
      `dwnone carries a gradient ${tag}`,
    );
}

function noPositionCases(): KernelCase[] {
  return (
    [
      [1, 1, 1, 3],
      [2, 13, 9, 50],
      [3, 37, 72, 101],
      [5, 13, 20, 1003],
    ] as const
  ).map(([B, T, C, V]) => ({
    id: `nopos B=${B} T=${T} C=${C} V=${V}`,
    family: 'nopos',
    size: Math.max(B * T * C, V * C),
    run: (k, ck) => checkNoPosition(k, ck, B, T, C, V),
  }));
}

export function embeddingFamilyCases(): KernelCase[] {
  return [...embeddingCases(), ...noPositionCases()];
}

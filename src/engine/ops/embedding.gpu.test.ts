// The embedding kernels against the float64 reference: forward (exact), backward with heavily repeated ids, runs
// longer than a piece, 1 to 3 radix passes and out-of-range ids (skipped, nothing written out of bounds); the
// sort itself is checked to be a stable argsort; results are bitwise deterministic.
import { describe, expect, it } from 'vitest';
import { createStorage, readF32, readU32 } from '../buffers';
import { runDispatches, type Dispatch } from '../kernels';
import { embeddingBackward as refBackward, embeddingForward as refForward } from '../reference/embedding';
import { expectClose, randomArray, rng, useGpu, type GpuFixture } from '../testing';
import {
  createEmbeddingScratch,
  embeddingBackward,
  embeddingForward,
  sortPasses,
  type EmbeddingBackwardShape,
} from './embedding';

async function run(fx: GpuFixture, build: () => Dispatch[]): Promise<void> {
  fx.device.pushErrorScope('validation');
  runDispatches(fx.device, build());
  const err = await fx.device.popErrorScope();
  if (err) throw new Error(`WebGPU validation error: ${err.message}`);
}

type IdKind = 'five' | 'uniform' | 'same' | 'wild';

/** five: drawn from 5 values; uniform: from [0, V); same: all one id; wild: five values plus out-of-range ids. */
function makeIds(kind: IdKind, N: number, V: number, seed: number): Int32Array {
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

interface Result {
  out: Float32Array;
  dwte: Float32Array;
  dwpe: Float32Array;
  dwtt: Float32Array;
}

async function embed(fx: GpuFixture, s: EmbeddingBackwardShape, ids: Int32Array, seed: number): Promise<Result> {
  const d = fx.device;
  const k = fx.kernels;
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
  await run(fx, () => [embeddingForward(k, b, s), embeddingBackward(k, { ...b, scratch }, s)].flat());
  const got: Result = {
    out: await readF32(d, b.out),
    dwte: await readF32(d, b.dwte),
    dwpe: await readF32(d, b.dwpe),
    dwtt: await readF32(d, b.dwtt),
  };

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
  expectClose(got.out, expOut, { atol: 0 }, 'out (exact)');
  expectClose(got.out, refForward(ids, wte, wpe, wtt, s), { atol: 1e-6 }, 'out vs reference');

  const g = refBackward(dout, ids, s);
  const tag = `(B, T, C, V) = (${B}, ${T}, ${C}, ${V})`;
  const ew = expectClose(
    got.dwte.subarray(0, V * C),
    g.dwte.map((v, i) => v + dwte0[i]),
    { atol: 1e-5, rtol: 1e-5 },
    `dwte ${tag}`,
  );
  expect(Array.from(got.dwte.subarray(V * C)), 'dwte guard region').toEqual(Array.from(dwte0.subarray(V * C)));
  const ep = expectClose(
    got.dwpe.subarray(0, T * C),
    g.dwpe.map((v, i) => v + dwpe0[i]),
    { atol: 1e-5, rtol: 1e-5 },
    `dwpe ${tag}`,
  );
  expect(Array.from(got.dwpe.subarray(T * C)), 'unused wpe rows').toEqual(Array.from(dwpe0.subarray(T * C)));
  const et = expectClose(
    got.dwtt.subarray(0, C),
    g.dwtt.map((v, i) => v + dwtt0[i]),
    { atol: 1e-4, rtol: 1e-5 },
    `dwtt ${tag}`,
  );
  expect(Array.from(got.dwtt.subarray(C)), 'token type 1').toEqual(Array.from(dwtt0.subarray(C)));
  console.log(
    `embedding ${tag}: max abs err dwte ${ew.maxAbs.toExponential(2)}, dwpe ${ep.maxAbs.toExponential(2)}, dwtt ${et.maxAbs.toExponential(2)}`,
  );
  return got;
}

describe('embedding kernels', () => {
  const fx = useGpu();

  it.each<[EmbeddingBackwardShape, IdKind]>([
    [{ B: 2, T: 37, C: 72, V: 1003 }, 'five'],
    [{ B: 2, T: 37, C: 72, V: 1003, piece: 3 }, 'five'],
    [{ B: 2, T: 37, C: 72, V: 1003 }, 'uniform'],
    [{ B: 2, T: 37, C: 72, V: 1003, piece: 4 }, 'same'],
    [{ B: 2, T: 37, C: 72, V: 1003, piece: 5 }, 'wild'],
    [{ B: 1, T: 1, C: 8, V: 1 }, 'same'],
    [{ B: 3, T: 100, C: 20, V: 200 }, 'five'],
    [{ B: 4, T: 130, C: 9, V: 70000, piece: 16 }, 'wild'],
    // Full size: B*T = 16K, runs of ~2.5K rows cut into pieces of the default 128.
    [{ B: 32, T: 512, C: 3, V: 32000 }, 'wild'],
  ])('matches the reference: %o, ids %s', async (s, kind) => {
    await embed(fx, s, makeIds(kind, s.B * s.T, s.V, s.V + s.T), s.B * s.C);
  });

  it('is bitwise deterministic with many repeated ids', async () => {
    const s = { B: 2, T: 37, C: 72, V: 1003, piece: 3 };
    const ids = makeIds('wild', s.B * s.T, s.V, 11);
    const a = await embed(fx, s, ids, 5);
    const b = await embed(fx, s, ids, 5);
    expect(Array.from(b.dwte)).toEqual(Array.from(a.dwte));
    expect(Array.from(b.dwpe)).toEqual(Array.from(a.dwpe));
    expect(Array.from(b.dwtt)).toEqual(Array.from(a.dwtt));
  });

  it.each([
    [300, 1003],
    [600, 40000],
    [257, 100],
    [16384, 32000],
  ])('sorts %i positions stably by id (V = %i)', async (N, V) => {
    const d = fx.device;
    const s = { B: 1, T: N, C: 4, V };
    const ids = makeIds('wild', N, V, N);
    const scratch = createEmbeddingScratch(d, s);
    const zeros = (n: number): GPUBuffer => createStorage(d, n * 4, 'zeros');
    const bufs = {
      ids: createStorage(d, ids, 'ids'),
      dout: zeros(N * 4),
      dwte: zeros(V * 4),
      dwpe: zeros(N * 4),
      dwtt: zeros(4),
    };
    await run(fx, () => embeddingBackward(fx.kernels, { ...bufs, scratch }, s));
    const passes = sortPasses(V);
    const sorted =
      passes % 2 === 1 ? { keys: scratch.keysA, vals: scratch.valsA } : { keys: scratch.keysB, vals: scratch.valsB };
    const keys = await readU32(d, sorted.keys as GPUBuffer);
    const vals = await readU32(d, sorted.vals as GPUBuffer);
    const key = (i: number): number => (ids[i] >= 0 && ids[i] < V ? ids[i] : V);
    const order = Array.from({ length: N }, (_, i) => i).sort((a, b) => key(a) - key(b) || a - b);
    expect(Array.from(vals)).toEqual(order);
    expect(Array.from(keys)).toEqual(order.map(key));
  });

  it('rejects mismatched shapes, naming the tensor', () => {
    const d = fx.device;
    const s = { B: 2, T: 3, C: 4, V: 10 };
    const buf = (n: number): GPUBuffer => createStorage(d, n * 4, 'b');
    const b = { ids: buf(6), wte: buf(40), wpe: buf(11), wtt: buf(4), out: buf(24) };
    expect(() => embeddingForward(fx.kernels, b, s)).toThrow(
      /embeddingForward: wpe \(>= T, C\) = \(3, 4\) needs 12 x 4 = 48 bytes, but its buffer has 44/,
    );
    const scratch = createEmbeddingScratch(d, s);
    const back = { ids: buf(6), dout: buf(24), dwte: buf(40), dwpe: buf(12), dwtt: buf(4), scratch };
    expect(() => embeddingBackward(fx.kernels, back, { ...s, piece: 1 })).toThrow(/scratch\.pieces/);
    expect(() => embeddingBackward(fx.kernels, { ...back, ids: buf(5) }, s)).toThrow(/ids \(B, T\) = \(2, 3\) i32/);
  });
});

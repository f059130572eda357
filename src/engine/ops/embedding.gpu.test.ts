// The embedding kernels against the float64 reference through the shared cases (selftest/embedding.ts: forward
// exact, backward with heavily repeated ids, runs longer than a piece, 1 to 3 radix passes, out-of-range ids); the
// sort itself is checked to be a stable argsort; results are bitwise deterministic; shape errors.
import { describe, expect, it } from 'vitest';
import { createStorage, readU32 } from '../buffers';
import { runDispatches, type Dispatch } from '../kernels';
import { Checker } from '../selftest/case';
import { casesOf } from '../selftest/cases';
import { checkEmbedding, makeIds } from '../selftest/embedding';
import { expectCase, useGpu, type GpuFixture } from '../testing';
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

/** One forward + backward through the shared case's check, failing on any of its comparisons. */
async function embed(fx: GpuFixture, s: EmbeddingBackwardShape, ids: Int32Array, seed: number) {
  const ck = new Checker();
  const got = await checkEmbedding(fx.kernels, ck, s, ids, seed);
  expect(ck.checks.filter((c) => !c.pass).map((c) => c.message)).toEqual([]);
  return got;
}

describe('embedding kernels', () => {
  const fx = useGpu();

  // The shared cases (selftest/embedding.ts): forward exact, backward vs the reference, guard regions untouched.
  it.each(casesOf('embedding').map((c) => [c.id, c] as const))('matches the reference: %s', async (_id, c) => {
    await expectCase(fx, c);
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

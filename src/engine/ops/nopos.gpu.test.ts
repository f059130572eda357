// Position hiding (shaders/nopos.wgsl) composed with the embedding kernels, against the float64 reference: flagged
// rows take the "no position" vector in forward; in backward their gradient leaves dwpe and lands in dwnone.
import { describe, expect, it } from 'vitest';
import { createStorage, readF32 } from '../buffers';
import { runDispatches } from '../kernels';
import { embeddingBackward as refBackward, embeddingForward as refForward } from '../reference/embedding';
import { expectClose, randomArray, rng, useGpu } from '../testing';
import { createEmbeddingScratch, embeddingBackward, embeddingForward } from './embedding';
import { noPositionBackward, noPositionForward } from './nopos';

describe('position hiding', () => {
  const fx = useGpu();

  for (const [B, T, C, V] of [
    [1, 1, 1, 3],
    [3, 37, 72, 101],
    [5, 13, 20, 1003],
  ] as const) {
    it(`forward and backward match the reference at B=${B} T=${T} C=${C} V=${V}`, async () => {
      const d = fx.device;
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
        dwnone: createStorage(
          d,
          Float32Array.from({ length: C }, () => 0.5),
          'dwnone',
        ),
        scratch: createStorage(d, T * C * 4, 'scratch'),
      };
      const scratch = createEmbeddingScratch(d, s, 'emb.scratch');
      runDispatches(d, [
        embeddingForward(fx.kernels, buf, s),
        noPositionForward(fx.kernels, buf, s),
        ...embeddingBackward(fx.kernels, { ...buf, scratch }, s),
        ...noPositionBackward(fx.kernels, buf, s),
      ]);
      const hide = { noPos, wnone };
      expectClose(
        await readF32(d, buf.out),
        refForward(ids, wte, wpe, wtt, s, hide),
        { atol: 1e-6, rtol: 1e-6 },
        'forward',
      );
      const g = refBackward(dout, ids, s, noPos);
      // dwpe and dwnone accumulate onto what was there.
      expectClose(
        await readF32(d, buf.dwpe),
        g.dwpe.map((x, i) => x + initPe[i]),
        { atol: 2e-5, rtol: 1e-5 },
        'dwpe',
      );
      expectClose(
        await readF32(d, buf.dwnone),
        g.dwnone.map((x) => x + 0.5),
        { atol: 2e-5, rtol: 1e-5 },
        'dwnone',
      );
      expectClose(await readF32(d, buf.dwtt, C), g.dwtt, { atol: 2e-5, rtol: 1e-5 }, 'dwtt');
      if (noPos.some((x) => x) && noPos.some((x) => !x)) expect(g.dwnone.some((x) => x !== 0)).toBe(true);
      Object.values(buf).forEach((b) => b.destroy());
      Object.values(scratch).forEach((b) => (b as GPUBuffer).destroy());
    });
  }
});

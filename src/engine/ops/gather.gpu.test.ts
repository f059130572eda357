// Row gather and scatter against the float64 reference through the shared cases (selftest/elementwise.ts: odd
// shapes, -1 and out-of-range indices: gather gives zero rows, scatter = and += skip them and leave unnamed rows
// untouched; the CSR scatter-add with repeated rows); shape errors.
import { describe, expect, it } from 'vitest';
import { createStorage } from '../buffers';
import { casesOf } from '../selftest/cases';
import { expectCase, useGpu } from '../testing';
import { gatherRows, scatterRows } from './gather';

describe('gather/scatter kernels', () => {
  const fx = useGpu();

  // The shared cases (selftest/elementwise.ts): gather, scatter =, scatter +=, and the CSR scatter-add.
  it.each(casesOf('gather').map((c) => [c.id, c] as const))('matches the reference: %s', async (_id, c) => {
    await expectCase(fx, c);
  });

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

// Position hiding (shaders/nopos.wgsl) composed with the embedding kernels, against the float64 reference through
// the shared cases (selftest/embedding.ts): flagged rows take the "no position" vector in forward; in backward their
// gradient leaves dwpe and lands in dwnone.
import { describe, it } from 'vitest';
import { casesOf } from '../selftest/cases';
import { expectCase, useGpu } from '../testing';

describe('position hiding', () => {
  const fx = useGpu();

  it.each(casesOf('nopos').map((c) => [c.id, c] as const))(
    'forward and backward match the reference: %s',
    async (_id, c) => {
      await expectCase(fx, c);
    },
  );
});

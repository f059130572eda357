// The fill kernel against a CPU fill through the shared cases (selftest/elementwise.ts), including sizes that are
// not a multiple of the workgroup size; the elements after n stay untouched.
import { describe, it } from 'vitest';
import { casesOf } from '../selftest/cases';
import { expectCase, useGpu } from '../testing';

describe('fill', () => {
  const fx = useGpu();

  it.each(casesOf('fill').map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    await expectCase(fx, c);
  });
});

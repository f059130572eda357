// The fill kernel against a CPU fill, including a size that is not a multiple of the workgroup size.
import { describe, expect, it } from 'vitest';
import { createStorage, readF32 } from '../buffers';
import { runDispatches } from '../kernels';
import { useGpu } from '../testing';
import { fill } from './fill';

describe('fill', () => {
  const fx = useGpu();

  it.each([1, 255, 257, 1003])('fills the first n of %i elements and leaves the rest', async (n) => {
    const total = n + 5;
    const buf = createStorage(fx.device, new Float32Array(total).fill(-1), 'buf');
    runDispatches(fx.device, [fill(fx.kernels, buf, 2.5, n)]);
    const out = await readF32(fx.device, buf);
    const expected = new Float32Array(total).fill(-1);
    expected.fill(2.5, 0, n);
    expect(Array.from(out)).toEqual(Array.from(expected));
  });
});

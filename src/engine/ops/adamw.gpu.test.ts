// AdamW on the GPU against the float64 PyTorch-order reference through the shared cases (selftest/optim.ts: five
// steps with and without weight decay, the clip scale read from a buffer, tensors at offsets inside flat buffers,
// fed by the GPU grad-norm op with clipping on and off); the packed per-step scalars and offset errors.
import { describe, expect, it } from 'vitest';
import { createStorage } from '../buffers';
import { casesOf } from '../selftest/cases';
import { expectCase, useGpu } from '../testing';
import { ADAMW_DEFAULTS, adamw, adamwHyperData, createAdamWHyper } from './adamw';

describe('optimizer', () => {
  // One Dawn device for the whole file.
  const fx = useGpu();

  it('packs the per-step scalars as documented', () => {
    const h = adamwHyperData({ lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 }, 2);
    const expected = [0.1, 0.999, 0.1, 0.001, 1e-8, 0.999, 0.1 / (1 - 0.81), Math.sqrt(1 - 0.999 ** 2)];
    expect(Array.from(h)).toEqual(expected.map((x) => Math.fround(x)));
    expect(() => adamwHyperData(ADAMW_DEFAULTS, 0)).toThrow(/step/);
  });

  it.each(casesOf('adamw').map((c) => [c.id, c] as const))('matches the reference: %s', async (_id, c) => {
    await expectCase(fx, c);
  });

  it('rejects a tensor offset that is not 256-byte aligned', () => {
    const d = fx.device;
    const param = createStorage(d, 4096, 'params');
    const hyper = createAdamWHyper(d, ADAMW_DEFAULTS);
    const clip = createStorage(d, Float32Array.of(0, 1), 'clip');
    expect(() =>
      adamw(
        fx.kernels,
        { param: { buffer: param, n: 4, offset: 100 }, grad: param, m: param, v: param, hyper, clip },
        { decay: true },
      ),
    ).toThrow(/offset 100/);
  });
});

// Adapter classification: software (CPU) WebGPU implementations get the barrier-free kernel variants.
import { describe, expect, it } from 'vitest';
import { isCpuAdapter, type AdapterSummary } from './gpu';

const base: AdapterSummary = {
  vendor: '',
  architecture: '',
  device: '',
  description: '',
  isFallbackAdapter: false,
  features: [],
  limits: {},
};

describe('isCpuAdapter', () => {
  it('recognises fallback and software adapters, not GPUs', () => {
    expect(
      isCpuAdapter({ ...base, vendor: 'google', architecture: 'swiftshader', device: 'swiftshader-device-subzero' }),
    ).toBe(true);
    expect(isCpuAdapter({ ...base, vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe(true);
    expect(isCpuAdapter({ ...base, vendor: 'unknown', isFallbackAdapter: true })).toBe(true);
    expect(
      isCpuAdapter({ ...base, vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100 80GB HBM3' }),
    ).toBe(false);
    expect(isCpuAdapter({ ...base, vendor: 'apple', architecture: 'metal-3' })).toBe(false);
  });
});

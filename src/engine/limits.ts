// Checks shapes and sizes against the device's limits in TypeScript, before anything reaches the GPU.

export class LimitError extends Error {
  constructor(
    readonly limit: string,
    readonly value: number,
    readonly max: number,
    what: string,
  ) {
    super(`${what} needs ${limit} >= ${value}, but this device allows ${max}`);
    this.name = 'LimitError';
  }
}

export function checkLimit(device: GPUDevice, limit: keyof GPUSupportedLimits, value: number, what: string): void {
  const max = Number(device.limits[limit]);
  if (value > max) throw new LimitError(String(limit), value, max, what);
}

export function checkWorkgroups(device: GPUDevice, wg: readonly [number, number, number], what: string): void {
  for (const n of wg) {
    if (!Number.isInteger(n) || n < 0) throw new Error(`${what}: workgroup count ${n} is not a non-negative integer`);
    checkLimit(device, 'maxComputeWorkgroupsPerDimension', n, what);
  }
}

export function checkStorageBinding(device: GPUDevice, bytes: number, what: string): void {
  checkLimit(device, 'maxStorageBufferBindingSize', bytes, what);
}

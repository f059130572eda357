// GPU buffer helpers: storage/uniform creation with limit checks, uploads and (test/readback) downloads.
import type { GpuMemory } from './gpuMemory';
import { checkLimit, checkStorageBinding } from './limits';

export type TypedData = Float32Array | Int32Array | Uint32Array;

const STORAGE = GPUBufferUsageFlags();

function GPUBufferUsageFlags(): number {
  // GPUBufferUsage exists in browsers and, with Dawn, once its globals are installed; fall back to spec values.
  const u = (globalThis as { GPUBufferUsage?: GPUBufferUsage }).GPUBufferUsage;
  const storage = u?.STORAGE ?? 0x80;
  const copySrc = u?.COPY_SRC ?? 0x04;
  const copyDst = u?.COPY_DST ?? 0x08;
  return storage | copySrc | copyDst;
}

export const USAGE = {
  STORAGE,
  UNIFORM: 0x40 | 0x08,
  MAP_READ: 0x01 | 0x08,
} as const;

/** Rounds a byte size up to a multiple of 4 (WebGPU's copy alignment), at least 4. */
export function align4(bytes: number): number {
  return Math.max(4, Math.ceil(bytes / 4) * 4);
}

/** A storage buffer of `bytes` (or holding `data`), checked against maxBufferSize and the binding limit. */
export function createStorage(device: GPUDevice, sizeOrData: number | TypedData, label: string): GPUBuffer {
  const bytes = align4(typeof sizeOrData === 'number' ? sizeOrData : sizeOrData.byteLength);
  checkLimit(device, 'maxBufferSize', bytes, `buffer "${label}"`);
  checkStorageBinding(device, bytes, `buffer "${label}"`);
  const buf = device.createBuffer({
    size: bytes,
    usage: USAGE.STORAGE,
    label,
    mappedAtCreation: typeof sizeOrData !== 'number',
  });
  if (typeof sizeOrData !== 'number') {
    const ctor = sizeOrData.constructor as { new (b: ArrayBuffer): TypedData };
    new ctor(buf.getMappedRange()).set(sizeOrData);
    buf.unmap();
  }
  return buf;
}

export function createUniform(device: GPUDevice, bytes: number, label: string): GPUBuffer {
  return device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 16) * 16), usage: USAGE.UNIFORM, label });
}

/**
 * Copies a buffer to a staging buffer and reads it back. For tests and one-off reads; the trainer uses a ring.
 * With `memory`, the staging buffer counts there ('staging') while it exists.
 */
export async function readBuffer(
  device: GPUDevice,
  src: GPUBuffer,
  bytes = src.size,
  memory?: GpuMemory,
): Promise<ArrayBuffer> {
  const size = align4(bytes);
  const staging = device.createBuffer({ size, usage: USAGE.MAP_READ, label: 'readback' });
  memory?.register(staging, 'staging');
  try {
    const enc = device.createCommandEncoder({ label: 'readback' });
    enc.copyBufferToBuffer(src, 0, staging, 0, size);
    device.queue.submit([enc.finish()]);
    await staging.mapAsync(0x0001 /* GPUMapMode.READ */);
    const out = staging.getMappedRange().slice(0, bytes);
    staging.unmap();
    return out;
  } finally {
    if (memory) memory.release(staging);
    else staging.destroy();
  }
}

export async function readF32(
  device: GPUDevice,
  src: GPUBuffer,
  count?: number,
  memory?: GpuMemory,
): Promise<Float32Array> {
  return new Float32Array(await readBuffer(device, src, (count ?? src.size / 4) * 4, memory));
}

export async function readI32(
  device: GPUDevice,
  src: GPUBuffer,
  count?: number,
  memory?: GpuMemory,
): Promise<Int32Array> {
  return new Int32Array(await readBuffer(device, src, (count ?? src.size / 4) * 4, memory));
}

export async function readU32(device: GPUDevice, src: GPUBuffer, count?: number): Promise<Uint32Array> {
  return new Uint32Array(await readBuffer(device, src, (count ?? src.size / 4) * 4));
}

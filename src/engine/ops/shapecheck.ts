// Shape validation shared by the op wrappers: dimensions must be positive integers and every buffer (or buffer
// slice) must hold the tensor bound to it; errors name the op, the tensor, its shape and both sizes.

/** A whole buffer or a slice of one (e.g. one layer's weights inside a packed parameter buffer). */
export type Buf = GPUBuffer | GPUBufferBinding;

export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

/** Bytes visible through a binding: its size, or the rest of the buffer after the offset. */
export function bindingBytes(b: Buf): number {
  if ('buffer' in b) return b.size ?? b.buffer.size - (b.offset ?? 0);
  return b.size;
}

/** Throws unless every named dimension is a positive integer (or a non-negative one, listed in `mayBeZero`). */
export function checkDims(op: string, dims: Record<string, number>, mayBeZero: readonly string[] = []): void {
  for (const [name, v] of Object.entries(dims)) {
    const min = mayBeZero.includes(name) ? 0 : 1;
    if (!Number.isInteger(v) || v < min) {
      throw new ShapeError(`${op}: ${name} must be an integer >= ${min}, got ${v}`);
    }
  }
}

/**
 * Throws unless `buf` holds at least `elements` 4-byte values. `shape` is how the message describes the tensor,
 * e.g. "(N, C) = (37, 72)".
 */
export function checkBuffer(op: string, name: string, buf: Buf, elements: number, shape: string): void {
  const need = elements * 4;
  const have = bindingBytes(buf);
  if (have < need) {
    throw new ShapeError(`${op}: ${name} ${shape} needs ${elements} x 4 = ${need} bytes, but its buffer has ${have}`);
  }
}

/** Smallest power of two >= n (n >= 1). */
export function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

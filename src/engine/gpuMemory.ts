// The registry of GPU buffers the engine holds, by category: every buffer a trainer (and its graphs, rings and
// probes) creates is registered with its size when created and removed when destroyed, so the total is what the
// buffers really take, not an estimate. Registries nest: a graph's registry reports into its trainer's.

/** What a buffer holds (the performance panel and the benchmarks' `gpu_bytes_by_category`). */
export const MEMORY_CATEGORIES = [
  'parameters',
  'gradients',
  /** AdamW's first and second moments. */
  'moments',
  /** The NaN guard's copies of weights and moments. */
  'snapshots',
  /** Batch inputs, activations and their gradients, logits, scratch of the training, evaluation and probe graphs. */
  'activations',
  /** Metric history rings and the buffers mapped to read them back. */
  'staging',
  /** Uniform params, metric rows, AdamW's hyper buffer, reduction partials, gradient masks. */
  'other',
] as const;

export type MemoryCategory = (typeof MEMORY_CATEGORIES)[number];

/** Bytes in use, in all and by category, and how many buffers hold them. */
export interface GpuMemoryUsage {
  totalBytes: number;
  byCategory: Record<MemoryCategory, number>;
  buffers: number;
}

export class GpuMemory {
  private readonly live = new Map<GPUBuffer, MemoryCategory>();

  constructor(readonly parent?: GpuMemory) {}

  /** A registry whose buffers also count in this one (and its parents). */
  child(): GpuMemory {
    return new GpuMemory(this);
  }

  /** Records `buffer` (its `size` bytes) under `category`, here and in every parent; returns it. */
  register(buffer: GPUBuffer, category: MemoryCategory): GPUBuffer {
    this.live.set(buffer, category);
    this.parent?.register(buffer, category);
    return buffer;
  }

  /** Destroys `buffer` and removes it here and in every parent. */
  release(buffer: GPUBuffer): void {
    this.forget(buffer);
    buffer.destroy();
  }

  private forget(buffer: GPUBuffer): void {
    this.live.delete(buffer);
    this.parent?.forget(buffer);
  }

  /** Destroys every buffer registered here (a child's included). */
  releaseAll(): void {
    for (const b of [...this.live.keys()]) this.release(b);
  }

  get totalBytes(): number {
    let s = 0;
    for (const b of this.live.keys()) s += b.size;
    return s;
  }

  usage(): GpuMemoryUsage {
    const byCategory = Object.fromEntries(MEMORY_CATEGORIES.map((c) => [c, 0])) as Record<MemoryCategory, number>;
    let totalBytes = 0;
    for (const [b, c] of this.live) {
      byCategory[c] += b.size;
      totalBytes += b.size;
    }
    return { totalBytes, byCategory, buffers: this.live.size };
  }
}

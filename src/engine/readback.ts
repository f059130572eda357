// Metrics readback without stalls: each step copies its metric row into a GPU history ring; whenever a staging
// buffer is free, the rows not yet read are copied into it and mapped asynchronously. The trainer never awaits a
// mapAsync to start the next step, and no step's row is lost unless the reader falls HISTORY steps behind.
import { USAGE } from './buffers';
import { GpuMemory } from './gpuMemory';

export interface MetricRow {
  step: number;
  values: Float32Array;
}

interface Slot {
  buffer: GPUBuffer;
  busy: boolean;
  /** Steps (in order) whose rows this slot holds once mapped. */
  steps: number[];
  /** The ring's generation when filled; rows of an older generation (before a rewind) are dropped. */
  generation: number;
}

export class MetricsRing {
  readonly history: GPUBuffer;
  private readonly slots: Slot[];
  private readonly rowBytes: number;
  /** Next step whose row has not yet been copied to a staging slot. */
  private nextUnread = 0;
  private lastWritten = -1;
  private pendingSlot: Slot | undefined;
  /** Steps whose rows were overwritten in the ring before they could be read. */
  dropped = 0;
  private generation = 0;

  constructor(
    private readonly device: GPUDevice,
    readonly rowFloats: number,
    private readonly onRows: (rows: MetricRow[]) => void,
    readonly capacity = 1024,
    slotCount = 3,
    /** Where the history and staging buffers are registered ('staging'), e.g. the trainer's registry. */
    private readonly memory = new GpuMemory(),
  ) {
    this.rowBytes = rowFloats * 4;
    this.history = memory.register(
      device.createBuffer({ size: this.rowBytes * capacity, usage: USAGE.STORAGE, label: 'metrics.history' }),
      'staging',
    );
    this.slots = Array.from({ length: slotCount }, (_, i) => ({
      buffer: memory.register(
        device.createBuffer({ size: this.rowBytes * capacity, usage: USAGE.MAP_READ, label: `metrics.staging${i}` }),
        'staging',
      ),
      busy: false,
      steps: [],
      generation: 0,
    }));
  }

  /** Records `step`'s metric row (rowFloats floats at `srcOffset` bytes of `src`) into the ring. */
  encodeRow(enc: GPUCommandEncoder, src: GPUBuffer, step: number, srcOffset = 0): void {
    if (step !== this.lastWritten + 1 && this.lastWritten >= 0)
      throw new Error(`metrics row for step ${step} after ${this.lastWritten}`);
    if (this.lastWritten < 0) this.nextUnread = step;
    enc.copyBufferToBuffer(src, srcOffset, this.history, (step % this.capacity) * this.rowBytes, this.rowBytes);
    this.lastWritten = step;
    if (step - this.nextUnread >= this.capacity) {
      this.dropped += step - this.capacity + 1 - this.nextUnread;
      this.nextUnread = step - this.capacity + 1;
    }
  }

  /** If a staging slot is free, encodes the copy of all unread rows into it. Call after encodeRow, before submit. */
  encodeFlush(enc: GPUCommandEncoder): void {
    if (this.pendingSlot || this.nextUnread > this.lastWritten) return;
    const slot = this.slots.find((s) => !s.busy);
    if (!slot) return;
    const first = this.nextUnread;
    const last = this.lastWritten;
    const a = first % this.capacity;
    const n = last - first + 1;
    const firstRun = Math.min(n, this.capacity - a);
    enc.copyBufferToBuffer(this.history, a * this.rowBytes, slot.buffer, 0, firstRun * this.rowBytes);
    if (n > firstRun)
      enc.copyBufferToBuffer(this.history, 0, slot.buffer, firstRun * this.rowBytes, (n - firstRun) * this.rowBytes);
    slot.busy = true;
    slot.generation = this.generation;
    slot.steps = Array.from({ length: n }, (_, i) => first + i);
    this.nextUnread = last + 1;
    this.pendingSlot = slot;
  }

  /** Call right after queue.submit: starts mapping the slot filled by encodeFlush, without waiting for it. */
  afterSubmit(): Promise<void> | undefined {
    const slot = this.pendingSlot;
    if (!slot) return undefined;
    this.pendingSlot = undefined;
    return slot.buffer.mapAsync(0x0001).then(
      () => {
        const data = new Float32Array(slot.buffer.getMappedRange(0, slot.steps.length * this.rowBytes).slice(0));
        slot.buffer.unmap();
        const rows = slot.steps.map((step, i) => ({
          step,
          values: data.subarray(i * this.rowFloats, (i + 1) * this.rowFloats),
        }));
        slot.busy = false;
        if (slot.generation === this.generation) this.onRows(rows);
      },
      () => {
        // The device was lost or destroyed: the slot's rows are gone; the trainer reports the loss itself.
        slot.busy = false;
      },
    );
  }

  /**
   * Forgets every row not yet delivered and continues at `step` (after the trainer rolled its weights back):
   * rows still being mapped are dropped when they arrive.
   */
  rewind(step: number): void {
    this.generation++;
    this.pendingSlot = undefined;
    this.lastWritten = step - 1;
    this.nextUnread = step;
  }

  /** Resolves when every row written so far has been delivered (used at pause/stop and in tests). */
  async drain(submit: (enc: GPUCommandEncoder) => void): Promise<void> {
    while (this.nextUnread <= this.lastWritten || this.slots.some((s) => s.busy)) {
      if (this.nextUnread <= this.lastWritten && this.slots.some((s) => !s.busy)) {
        const enc = this.device.createCommandEncoder({ label: 'metrics.drain' });
        this.encodeFlush(enc);
        submit(enc);
        await this.afterSubmit();
      } else {
        await new Promise((r) => setTimeout(r, 1));
      }
    }
  }

  destroy(): void {
    this.memory.release(this.history);
    for (const s of this.slots) this.memory.release(s.buffer);
  }
}

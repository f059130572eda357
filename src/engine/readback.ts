// Metrics readback without stalls: each step copies its metric row into a GPU history ring; whenever a staging
// buffer is free, the rows not yet read are copied into it and mapped asynchronously. The trainer never awaits a
// mapAsync to start the next step, and no row is ever lost: when the ring is about to overwrite a row not yet
// copied out and every staging buffer is still being mapped, a spare staging buffer takes the unread rows first
// (released once read). So however slow the reader, every row arrives, in order.
import { USAGE } from './buffers';
import { GpuMemory } from './gpuMemory';

export interface MetricRow {
  step: number;
  values: Float32Array;
}

interface Slot {
  buffer: GPUBuffer;
  /** Set while the slot holds rows being mapped; resolves once they are delivered (or lost with the device). */
  reading?: Promise<void>;
  /** Steps (in order) whose rows this slot holds once mapped. */
  steps: number[];
  /** The ring's generation when filled; rows of an older generation (before a rewind) are dropped. */
  generation: number;
  /** A spare taken because every regular slot was busy and the ring was full: released after its read. */
  spare: boolean;
}

export class MetricsRing {
  readonly history: GPUBuffer;
  private readonly slots: Slot[];
  private readonly rowBytes: number;
  /** Next step whose row has not yet been copied to a staging slot. */
  private nextUnread = 0;
  private lastWritten = -1;
  /** Slots filled in the command encoder being built, mapped by afterSubmit. */
  private pending: Slot[] = [];
  /** Spare staging buffers taken so far (a reader that fell a whole ring behind), for tests and diagnostics. */
  sparesTaken = 0;
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
    this.slots = Array.from({ length: slotCount }, (_, i) => this.newSlot(`metrics.staging${i}`, false));
  }

  private newSlot(label: string, spare: boolean): Slot {
    const buffer = this.device.createBuffer({ size: this.rowBytes * this.capacity, usage: USAGE.MAP_READ, label });
    return { buffer: this.memory.register(buffer, 'staging'), steps: [], generation: 0, spare };
  }

  /** Records `step`'s metric row (rowFloats floats at `srcOffset` bytes of `src`) into the ring. */
  encodeRow(enc: GPUCommandEncoder, src: GPUBuffer, step: number, srcOffset = 0): void {
    if (step !== this.lastWritten + 1 && this.lastWritten >= 0)
      throw new Error(`metrics row for step ${step} after ${this.lastWritten}`);
    if (this.lastWritten < 0) this.nextUnread = step;
    // The row's place still holds an unread row: copy the unread rows out first (a spare slot if none is free).
    if (step - this.nextUnread >= this.capacity) this.copyUnread(enc, true);
    enc.copyBufferToBuffer(src, srcOffset, this.history, (step % this.capacity) * this.rowBytes, this.rowBytes);
    this.lastWritten = step;
  }

  /** If a staging slot is free, encodes the copy of all unread rows into it. Call after encodeRow, before submit. */
  encodeFlush(enc: GPUCommandEncoder): void {
    this.copyUnread(enc, false);
  }

  private freeSlot(): Slot | undefined {
    return this.slots.find((s) => !s.reading && !this.pending.includes(s));
  }

  private copyUnread(enc: GPUCommandEncoder, force: boolean): void {
    if (this.nextUnread > this.lastWritten) return;
    let slot = this.freeSlot();
    if (!slot) {
      if (!force) return;
      slot = this.newSlot(`metrics.spare${this.sparesTaken++}`, true);
      this.slots.push(slot);
    }
    const first = this.nextUnread;
    const last = this.lastWritten;
    const a = first % this.capacity;
    const n = last - first + 1;
    const firstRun = Math.min(n, this.capacity - a);
    enc.copyBufferToBuffer(this.history, a * this.rowBytes, slot.buffer, 0, firstRun * this.rowBytes);
    if (n > firstRun)
      enc.copyBufferToBuffer(this.history, 0, slot.buffer, firstRun * this.rowBytes, (n - firstRun) * this.rowBytes);
    slot.generation = this.generation;
    slot.steps = Array.from({ length: n }, (_, i) => first + i);
    this.nextUnread = last + 1;
    this.pending.push(slot);
  }

  /** Call right after queue.submit: starts mapping the slots filled since the last submit, without waiting. */
  afterSubmit(): Promise<void> | undefined {
    if (this.pending.length === 0) return undefined;
    const reads = this.pending.map((slot) => (slot.reading = this.read(slot)));
    this.pending = [];
    return reads.length === 1 ? reads[0] : Promise.all(reads).then(() => undefined);
  }

  private dropSpare(slot: Slot): void {
    this.slots.splice(this.slots.indexOf(slot), 1);
    this.memory.release(slot.buffer);
  }

  private read(slot: Slot): Promise<void> {
    const done = () => {
      slot.reading = undefined;
      if (slot.spare) this.dropSpare(slot);
    };
    return slot.buffer.mapAsync(0x0001).then(
      () => {
        const data = new Float32Array(slot.buffer.getMappedRange(0, slot.steps.length * this.rowBytes).slice(0));
        slot.buffer.unmap();
        const rows = slot.steps.map((step, i) => ({
          step,
          values: data.subarray(i * this.rowFloats, (i + 1) * this.rowFloats),
        }));
        done();
        if (slot.generation === this.generation) this.onRows(rows);
      },
      // The device was lost or destroyed: the slot's rows are gone; the trainer reports the loss itself.
      done,
    );
  }

  /**
   * Forgets every row not yet delivered and continues at `step` (after the trainer rolled its weights back):
   * rows still being mapped are dropped when they arrive.
   */
  rewind(step: number): void {
    this.generation++;
    for (const s of this.pending) if (s.spare) this.dropSpare(s);
    this.pending = [];
    this.lastWritten = step - 1;
    this.nextUnread = step;
  }

  /** Resolves when every row written so far has been delivered (used at pause/stop and in tests). */
  async drain(submit: (enc: GPUCommandEncoder) => void): Promise<void> {
    // Unread rows go out as soon as a slot is free; with none free, some slot is being read: wait for it.
    for (;;) {
      if (this.nextUnread <= this.lastWritten && this.freeSlot()) {
        const enc = this.device.createCommandEncoder({ label: 'metrics.drain' });
        this.copyUnread(enc, false);
        submit(enc);
        void this.afterSubmit();
      }
      const reading = this.slots.flatMap((s) => (s.reading ? [s.reading] : []));
      if (reading.length === 0) return;
      await Promise.race(reading);
    }
  }

  destroy(): void {
    this.memory.release(this.history);
    for (const s of this.slots) this.memory.release(s.buffer);
  }
}

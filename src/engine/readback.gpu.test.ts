// The metrics ring delivers every step's row, in order, without the writer waiting on mapAsync, however slow the
// reader: a writer that never yields gives mapAsync no chance to resolve until the end (the slowest reader there
// is), so the ring must take spare staging buffers rather than overwrite unread rows.
import { describe, expect, it } from 'vitest';
import { createStorage } from './buffers';
import { GpuMemory } from './gpuMemory';
import { MetricsRing, type MetricRow } from './readback';
import { useGpu } from './testing';

describe('MetricsRing', () => {
  const fx = useGpu();

  /** A ring of 8 rows and 2 staging slots; steps [from, to) written with values (step + offset, 2 step). */
  function setup() {
    const rows: MetricRow[] = [];
    const memory = new GpuMemory();
    const ring = new MetricsRing(
      fx.device,
      2,
      (r) => rows.push(...r.map((x) => ({ step: x.step, values: x.values.slice() }))),
      8,
      2,
      memory,
    );
    const src = createStorage(fx.device, 8, 'src');
    const write = async (from: number, to: number, yieldEachStep: boolean, offset = 0) => {
      for (let step = from; step < to; step++) {
        if (yieldEachStep) await new Promise((r) => setTimeout(r, 0));
        fx.device.queue.writeBuffer(src, 0, new Float32Array([step + offset, step * 2]));
        const enc = fx.device.createCommandEncoder();
        ring.encodeRow(enc, src, step);
        ring.encodeFlush(enc);
        fx.device.queue.submit([enc.finish()]);
        void ring.afterSubmit();
      }
    };
    const drain = () => ring.drain((enc) => fx.device.queue.submit([enc.finish()]));
    return { rows, memory, ring, write, drain };
  }

  it('delivers every row in order across wrap-around when the reader cannot read at all until the end', async () => {
    const { rows, memory, ring, write, drain } = setup();
    const buffers = memory.usage().buffers; // the history and its 2 slots
    await write(0, 30, false);
    // 30 rows through 8 places with both slots mapping from step 1 on: the ring had to take spares.
    expect(ring.sparesTaken).toBeGreaterThan(0);
    await drain();
    expect(rows.map((r) => r.step)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    for (const r of rows) expect(Array.from(r.values)).toEqual([r.step, r.step * 2]);
    // Spares are released once read.
    expect(memory.usage().buffers).toBe(buffers);
    ring.destroy();
    expect(memory.usage().buffers).toBe(0);
  });

  it('delivers every row in order when the writer yields between steps (the reader keeps up or not)', async () => {
    const { rows, ring, write, drain } = setup();
    await write(0, 30, true);
    await drain();
    expect(rows.map((r) => r.step)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    for (const r of rows) expect(Array.from(r.values)).toEqual([r.step, r.step * 2]);
    ring.destroy();
  });

  it('after a rewind, drops the abandoned steps still being read and continues at the given step', async () => {
    const { rows, ring, write, drain } = setup();
    await write(0, 10, false);
    ring.rewind(5);
    await write(5, 13, false, 100);
    await drain();
    expect(rows.map((r) => r.step)).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    for (const r of rows) expect(Array.from(r.values)).toEqual([r.step + 100, r.step * 2]);
    ring.destroy();
  });
});

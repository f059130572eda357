// The metrics ring delivers every step's row, in order, without the writer waiting on mapAsync.
import { describe, expect, it } from 'vitest';
import { createStorage } from './buffers';
import { MetricsRing, type MetricRow } from './readback';
import { useGpu } from './testing';

describe('MetricsRing', () => {
  const fx = useGpu();

  async function run(yieldEachStep: boolean) {
    const rows: MetricRow[] = [];
    const ring = new MetricsRing(
      fx.device,
      2,
      (r) => rows.push(...r.map((x) => ({ step: x.step, values: x.values.slice() }))),
      8,
      2,
    );
    const src = createStorage(fx.device, 8, 'src');
    for (let step = 0; step < 30; step++) {
      if (yieldEachStep) await new Promise((r) => setTimeout(r, 0));
      fx.device.queue.writeBuffer(src, 0, new Float32Array([step, step * 2]));
      const enc = fx.device.createCommandEncoder();
      ring.encodeRow(enc, src, step);
      ring.encodeFlush(enc);
      fx.device.queue.submit([enc.finish()]);
      void ring.afterSubmit();
    }
    await ring.drain((enc) => fx.device.queue.submit([enc.finish()]));
    ring.destroy();
    return { rows, dropped: ring.dropped };
  }

  it('delivers every row in order across ring wrap-around when the writer yields between steps', async () => {
    const { rows, dropped } = await run(true);
    expect(dropped).toBe(0);
    expect(rows.map((r) => r.step)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    for (const r of rows) expect(Array.from(r.values)).toEqual([r.step, r.step * 2]);
  });

  it('counts the rows it had to drop when the reader falls a whole ring behind, and keeps the rest in order', async () => {
    const { rows, dropped } = await run(false);
    expect(dropped).toBeGreaterThan(0);
    expect(rows.length + dropped).toBe(30);
    const steps = rows.map((r) => r.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(steps[steps.length - 1]).toBe(29);
    for (const r of rows) expect(Array.from(r.values)).toEqual([r.step, r.step * 2]);
  });
});

// RunStore on fake-indexeddb: put/list/get round trip (NaN kept, thousands of rows), names kept on live saves,
// patch, delete, newest-first order, survival across reopen (a reload), and the derived summary figures.
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { fakeRecord } from '../session/runsTesting';
import { RunStore } from './runStore';
import { summarize } from '../session/records';

describe('RunStore', () => {
  it('round-trips a whole run, thousands of metric rows and NaN included, across a reopen', async () => {
    const factory = new IDBFactory();
    const first = await RunStore.open(factory);
    const rec = fakeRecord('a', 5000);
    rec.metrics[17].loss = NaN;
    const summary = await first.put(rec);
    expect(summary.metricsCount).toBe(5000);
    expect(summary).not.toHaveProperty('metrics');
    first.close();
    const again = await RunStore.open(factory);
    const back = await again.get('a');
    expect(back).toEqual(rec);
    expect(Number.isNaN(back!.metrics[17].loss)).toBe(true);
    expect(Number.isNaN(back!.cases!.replaced.loss)).toBe(true);
    expect(await again.get('nope')).toBeUndefined();
    again.close();
  });

  it('lists newest first, patches, keeps a rename on later live saves, deletes', async () => {
    const store = await RunStore.open(new IDBFactory());
    await store.put(fakeRecord('old', 3, { createdAt: 1000 }));
    await store.put(fakeRecord('new', 3, { createdAt: 2000 }));
    expect((await store.list()).map((s) => s.id)).toEqual(['new', 'old']);

    expect((await store.patch('old', { name: 'renamed' }))?.name).toBe('renamed');
    expect(await store.patch('missing', { name: 'x' })).toBeUndefined();
    // A save of the live run (with its default name) keeps the name given meanwhile...
    const saved = await store.put(fakeRecord('old', 9, { createdAt: 1000, name: 'default name' }), { keepName: true });
    expect(saved.name).toBe('renamed');
    expect(saved.metricsCount).toBe(9);
    // ...a plain put does not.
    expect((await store.put(fakeRecord('new', 3, { createdAt: 2000, name: 'N' }))).name).toBe('N');

    expect((await store.getMany(['old', 'missing', 'new'])).map((r) => r.id)).toEqual(['new', 'old']);
    await store.delete('old', 'missing');
    expect((await store.list()).map((s) => s.id)).toEqual(['new']);
    expect(await store.get('old')).toBeUndefined();
    store.close();
  });

  it('summarizes: last and 10-step mean training loss, the evaluation at the highest step', () => {
    const rec = fakeRecord('s', 20);
    rec.evals = [
      { step: 20, loss: 4, accuracy: 0.3 },
      { step: 10, loss: 5, accuracy: 0.2 },
    ];
    const s = summarize(rec);
    expect(s.finalTrainLoss).toBe(rec.metrics[19].loss);
    const last10 = rec.metrics.slice(10).reduce((a, m) => a + m.loss, 0) / 10;
    expect(s.trainLossLast10).toBeCloseTo(last10, 12);
    expect(s.lastEval).toEqual({ step: 20, loss: 4, accuracy: 0.3 });
    const empty = summarize(fakeRecord('e', 0));
    expect(empty.finalTrainLoss).toBeNaN();
    expect(empty.lastEval).toBeUndefined();
  });

  it('says so when there is no IndexedDB', async () => {
    await expect(RunStore.open(undefined)).rejects.toThrow(/no IndexedDB/);
  });
});

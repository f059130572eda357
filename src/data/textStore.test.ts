// TextStore on fake-indexeddb (a complete in-memory IndexedDB): save, list, load, delete, and survival across reopen.
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TextStore } from './textStore';

describe('TextStore', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('saves, lists newest first, loads and deletes texts', async () => {
    const store = await TextStore.open(new IDBFactory());
    // Saved a second apart by the clock the store reads (only Date is faked; IndexedDB keeps its own timers).
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-01-03T14:05:00Z'));
    const a = await store.save('Poems', 'Roses are red.\n');
    vi.setSystemTime(new Date('2025-01-03T14:05:01Z'));
    const b = await store.save('  ', 'Ünïcode – 🙂');
    vi.useRealTimers();
    expect(a.bytes).toBe(15);
    expect(b.name).toBe('Untitled text');
    expect(b.bytes).toBe(new TextEncoder().encode('Ünïcode – 🙂').length);
    expect((await store.list()).map((m) => m.id)).toEqual([b.id, a.id]);
    expect(await store.load(a.id)).toEqual({ ...a, text: 'Roses are red.\n' });
    await store.delete(a.id);
    expect(await store.load(a.id)).toBeUndefined();
    expect((await store.list()).map((m) => m.name)).toEqual(['Untitled text']);
    await store.delete('no-such-id');
    store.close();
  });

  it('keeps texts when the database is opened again (a reload)', async () => {
    const factory = new IDBFactory();
    const first = await TextStore.open(factory);
    const big = 'lorem ipsum '.repeat(100_000);
    const meta = await first.save('Big', big);
    first.close();
    const again = await TextStore.open(factory);
    expect((await again.list()).map((m) => m.id)).toEqual([meta.id]);
    expect((await again.load(meta.id))?.text).toBe(big);
    again.close();
  });

  it('says so when there is no IndexedDB', async () => {
    await expect(TextStore.open(undefined)).rejects.toThrow(/no IndexedDB/);
  });
});

// The tab channel: messages reach the other channels of the name and never the sender (Node's own
// BroadcastChannel and the in-process one of the tests), malformed data is ignored, and it is a no-op where
// BroadcastChannel does not exist or cannot be made.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { asTabMessage, browserTabSync, createTabSync, type TabMessage, type TabSync } from './tabSync';
import { memoryChannels } from './tabSyncTesting';

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
}

/**
 * Waits until `f` holds; Node's BroadcastChannel delivers on its own schedule (milliseconds, more on a loaded
 * machine). Gives up after 20 s, leaving the assertions that follow to say what did not arrive.
 */
async function until(f: () => boolean): Promise<void> {
  for (let t = 0; t < 2000 && !f(); t++) await new Promise((r) => setTimeout(r, 10));
}

const opened: TabSync[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
  vi.unstubAllGlobals();
});

function collect(sync: TabSync): TabMessage[] {
  const got: TabMessage[] = [];
  sync.subscribe((m) => got.push(m));
  return got;
}

describe('createTabSync', () => {
  it.each([
    ['BroadcastChannel (Node)', undefined],
    ['in-process channels', memoryChannels().factory],
  ])('delivers to the other channels of the name, not to itself nor to other names: %s', async (_what, factory) => {
    const name = `masklab-test-${Math.random()}`;
    const a = createTabSync(name, factory);
    const b = createTabSync(name, factory);
    const c = createTabSync(name, factory);
    const other = createTabSync(`${name}-other`, factory);
    opened.push(a, b, c, other);
    const [gotA, gotB, gotC, gotOther] = [a, b, c, other].map(collect);
    a.post({ kind: 'runs-changed', ids: ['r1', 'r2'] });
    b.post({ kind: 'comparisons-removed', ids: ['c1'] });
    await until(() => gotC.length === 2 && gotA.length === 1 && gotB.length === 1);
    await settle();
    expect(gotA).toEqual([{ kind: 'comparisons-removed', ids: ['c1'] }]);
    expect(gotB).toEqual([{ kind: 'runs-changed', ids: ['r1', 'r2'] }]);
    expect(gotC).toHaveLength(2);
    expect(gotC).toContainEqual({ kind: 'runs-changed', ids: ['r1', 'r2'] });
    expect(gotOther).toEqual([]);
  });

  it('stops calling a handler once unsubscribed, and stops delivering once closed', async () => {
    const { factory } = memoryChannels();
    const a = createTabSync('n', factory);
    const b = createTabSync('n', factory);
    opened.push(a, b);
    const got: TabMessage[] = [];
    const stop = b.subscribe((m) => got.push(m));
    const also = collect(b);
    a.post({ kind: 'runs-removed', ids: ['x'] });
    await settle();
    stop();
    a.post({ kind: 'runs-removed', ids: ['y'] });
    await settle();
    expect(got.map((m) => m.ids)).toEqual([['x']]);
    expect(also.map((m) => m.ids)).toEqual([['x'], ['y']]);
    b.close();
    a.post({ kind: 'runs-removed', ids: ['z'] });
    await settle();
    expect(also).toHaveLength(2);
    a.close();
    expect(() => a.post({ kind: 'runs-removed', ids: ['w'] })).not.toThrow();
  });

  it('ignores data that is not a message (another version of MaskLab, another page on the channel)', async () => {
    expect(asTabMessage({ kind: 'runs-changed', ids: ['a'] })).toEqual({ kind: 'runs-changed', ids: ['a'] });
    for (const bad of [
      null,
      3,
      'runs-changed',
      {},
      { kind: 'runs-renamed', ids: [] },
      { kind: 'runs-changed' },
      { kind: 'runs-changed', ids: [1] },
      { kind: 'runs-changed', ids: 'a' },
    ])
      expect(asTabMessage(bad)).toBeUndefined();
    const name = `masklab-test-${Math.random()}`;
    const raw = new BroadcastChannel(name);
    const b = createTabSync(name);
    opened.push(b);
    const got = collect(b);
    raw.postMessage({ kind: 'nonsense' });
    raw.postMessage({ kind: 'runs-imported', ids: ['i'], extra: true });
    await until(() => got.length > 0);
    await settle();
    raw.close();
    expect(got).toEqual([{ kind: 'runs-imported', ids: ['i'] }]);
  });

  it('is a no-op where BroadcastChannel does not exist or throws; browserTabSync is none outside a page', () => {
    expect(browserTabSync()).toBeUndefined();
    vi.stubGlobal('BroadcastChannel', undefined);
    const s = createTabSync('n');
    expect(() => s.post({ kind: 'runs-changed', ids: ['a'] })).not.toThrow();
    const unsubscribe = s.subscribe(() => undefined);
    expect(() => unsubscribe()).not.toThrow();
    expect(() => s.close()).not.toThrow();
    const throwing = createTabSync('n', () => {
      throw new Error('SecurityError');
    });
    expect(() => throwing.post({ kind: 'comparisons-changed', ids: [] })).not.toThrow();
    throwing.close();
  });
});

// Tells the other open tabs of this origin that saved runs or comparisons changed (they share one IndexedDB), so
// their lists follow without a reload: a small typed wrapper over BroadcastChannel, a no-op where there is none.

/**
 * What one tab tells the others. Ids name the runs (or comparisons) that were written or deleted; 'runs-imported'
 * is a write that may bring back a run deleted before (a deleted run comes back only by an import).
 */
export type TabMessage =
  | { kind: 'runs-changed'; ids: string[] }
  | { kind: 'runs-imported'; ids: string[] }
  | { kind: 'runs-removed'; ids: string[] }
  | { kind: 'comparisons-changed'; ids: string[] }
  | { kind: 'comparisons-removed'; ids: string[] };

export interface TabSync {
  /** Sends to every other channel of this name (never to this one, as BroadcastChannel does). */
  post(msg: TabMessage): void;
  /** Calls `fn` with each well-formed message from another channel; returns a function that stops it. */
  subscribe(fn: (msg: TabMessage) => void): () => void;
  close(): void;
}

/** The part of BroadcastChannel this uses (a real one, or an in-process one in tests). */
export interface ChannelLike {
  postMessage(data: unknown): void;
  addEventListener(type: 'message', fn: (e: MessageEvent) => void): void;
  removeEventListener(type: 'message', fn: (e: MessageEvent) => void): void;
  close(): void;
}

export type ChannelFactory = (name: string) => ChannelLike;

export const STORE_CHANNEL = 'masklab-store';

const KINDS: ReadonlySet<string> = new Set<TabMessage['kind']>([
  'runs-changed',
  'runs-imported',
  'runs-removed',
  'comparisons-changed',
  'comparisons-removed',
]);

/** The message, if `data` is one (another tab may run an older or newer MaskLab). */
export function asTabMessage(data: unknown): TabMessage | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { kind, ids } = data as { kind?: unknown; ids?: unknown };
  if (typeof kind !== 'string' || !KINDS.has(kind)) return undefined;
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) return undefined;
  return { kind: kind as TabMessage['kind'], ids: [...(ids as string[])] };
}

function browserChannel(name: string): ChannelLike | undefined {
  if (typeof BroadcastChannel === 'undefined') return undefined;
  const ch = new BroadcastChannel(name);
  // Node's BroadcastChannel would keep a process (a test, a script) alive while open; a page does not care.
  (ch as unknown as { unref?: () => void }).unref?.();
  return ch;
}

/** A channel named `name` (BroadcastChannel unless `factory` is given); a no-op when none can be made. */
export function createTabSync(name: string = STORE_CHANNEL, factory?: ChannelFactory): TabSync {
  let ch: ChannelLike | undefined;
  try {
    ch = factory ? factory(name) : browserChannel(name);
  } catch {
    ch = undefined; // a browser that forbids it (some sandboxed frames): each tab keeps its own list
  }
  const listeners = new Set<(e: MessageEvent) => void>();
  return {
    post(msg) {
      try {
        ch?.postMessage(msg);
      } catch {
        // a closed channel: nobody is told, as after the tab went away
      }
    },
    subscribe(fn) {
      if (!ch) return () => undefined;
      const on = (e: MessageEvent) => {
        const msg = asTabMessage(e.data);
        if (msg) fn(msg);
      };
      listeners.add(on);
      ch.addEventListener('message', on);
      return () => {
        ch?.removeEventListener('message', on);
        listeners.delete(on);
      };
    },
    close() {
      for (const on of listeners) ch?.removeEventListener('message', on);
      listeners.clear();
      ch?.close();
      ch = undefined;
    },
  };
}

/**
 * The part of the Web Locks API (navigator.locks) the stores use: a page holds a lock named after each run (or
 * comparison) it has live, and the browser releases it when the page ends the run or goes away (closed, reloaded,
 * crashed). A real one, or memoryLocks() (tabSyncTesting.ts) in tests.
 */
export interface LocksLike {
  request(name: string, fn: () => Promise<unknown>): Promise<unknown>;
  query(): Promise<{ held?: { name?: string }[] }>;
}

/** The page's Web Locks, or undefined where there are none (Node, insecure origins). */
export function browserLocks(): LocksLike | undefined {
  return globalThis.navigator?.locks;
}

let shared: TabSync | undefined;

/** The page's one channel for the stores (runs and comparisons), or undefined outside a browser page (tests, Node). */
export function browserTabSync(): TabSync | undefined {
  if (typeof window === 'undefined' || typeof BroadcastChannel === 'undefined') return undefined;
  shared ??= createTabSync(STORE_CHANNEL);
  return shared;
}

/** How long messages from other tabs are gathered before the stores read the database again. */
export const TAB_SYNC_COALESCE_MS = 300;

/**
 * Gathers the ids other tabs name and hands them to `flush` together, TAB_SYNC_COALESCE_MS after the first of a
 * burst: one database read per burst of messages.
 */
export function idBatcher(flush: (ids: Set<string>) => Promise<void>): {
  add(id: string): void;
  drop(id: string): void;
} {
  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    add(id) {
      pending.add(id);
      timer ??= setTimeout(() => {
        timer = undefined;
        const ids = new Set(pending);
        pending.clear();
        void flush(ids);
      }, TAB_SYNC_COALESCE_MS);
    },
    drop(id) {
      pending.delete(id);
    },
  };
}

/** The Web Lock a page holds while a run is live in it. */
export const runLockName = (id: string) => `masklab-run:${id}`;
/** The Web Lock a page holds while it runs a comparison. */
export const comparisonLockName = (id: string) => `masklab-comparison:${id}`;

/** Names of the Web Locks held (for live runs and comparisons) by this page or another tab of the same origin. */
export async function heldLocks(locks: LocksLike | undefined = browserLocks()): Promise<Set<string>> {
  if (!locks) return new Set();
  const q = await locks.query();
  return new Set((q.held ?? []).map((l) => l.name ?? ''));
}

/**
 * Holds the lock `name` until the returned function is called, so that other tabs know the run (or comparison) is
 * live here; the browser lets it go if this page goes away. Nothing where there are no Web Locks.
 */
export function holdLock(locks: LocksLike | undefined, name: string): () => void {
  if (!locks) return () => undefined;
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  locks.request(name, () => held).catch(() => undefined);
  return release;
}

/**
 * Watches locks held by other tabs: `onFree` runs when the browser grants the lock, i.e. when the tab that held it
 * let it go (it ended the run, writing its final state first) or went away (closed, reloaded, crashed). Each name
 * is watched once at a time. No heartbeat: a hidden tab's timers are throttled, its locks are not.
 */
export function lockWatcher(
  locks: LocksLike | undefined,
  onError: (e: unknown) => void,
): { watch(name: string, onFree: () => Promise<void>): void } {
  const watching = new Set<string>();
  return {
    watch(name, onFree) {
      if (!locks || watching.has(name)) return;
      watching.add(name);
      locks
        .request(name, async () => {
          watching.delete(name);
          await onFree();
        })
        .catch((e: unknown) => {
          watching.delete(name);
          onError(e);
        });
    },
  };
}

// In-process channels and Web Locks for the unit tests: channels of one name made by one factory deliver to each
// other (a structured clone, on a later macrotask, never to the sender), like BroadcastChannel between tabs; the
// lock managers of one memoryLocks() share their locks like the tabs of one origin, and a tab that closes loses its own.
import type { ChannelFactory, ChannelLike, LocksLike } from './tabSync';

export interface MemoryChannels {
  factory: ChannelFactory;
  /** Messages posted so far, by channel name. */
  posted: Map<string, unknown[]>;
}

export function memoryChannels(): MemoryChannels {
  const open = new Map<string, Set<MemoryChannel>>();
  const posted = new Map<string, unknown[]>();

  class MemoryChannel implements ChannelLike {
    private readonly listeners = new Set<(e: MessageEvent) => void>();
    private closed = false;
    constructor(private readonly name: string) {
      let peers = open.get(name);
      if (!peers) open.set(name, (peers = new Set()));
      peers.add(this);
    }
    postMessage(data: unknown): void {
      if (this.closed) throw new Error('InvalidStateError: the channel is closed');
      const copy = structuredClone(data);
      posted.set(this.name, [...(posted.get(this.name) ?? []), copy]);
      for (const peer of open.get(this.name) ?? []) if (peer !== this) setImmediate(() => peer.deliver(copy));
    }
    private deliver(data: unknown): void {
      if (this.closed) return;
      const e = new MessageEvent('message', { data: structuredClone(data) });
      for (const fn of [...this.listeners]) fn(e);
    }
    addEventListener(_type: 'message', fn: (e: MessageEvent) => void): void {
      this.listeners.add(fn);
    }
    removeEventListener(_type: 'message', fn: (e: MessageEvent) => void): void {
      this.listeners.delete(fn);
    }
    close(): void {
      this.closed = true;
      open.get(this.name)?.delete(this);
    }
  }

  return { factory: (name) => new MemoryChannel(name), posted };
}

/** One tab's lock manager; close() ends the tab as a close or a crash does: its locks are released, its waits dropped. */
export interface TabLocks extends LocksLike {
  close(): void;
}

/**
 * Exclusive Web Locks shared by the tabs made with tab(): a request waits (first come, first served) until no tab
 * holds the name, is granted on a later macrotask, and is held until its callback's promise settles.
 */
export function memoryLocks(): { tab(): TabLocks } {
  interface Waiter {
    owner: object;
    grant(): void;
  }
  const holders = new Map<string, { owner: object; release(): void }>();
  const queues = new Map<string, Waiter[]>();
  const pump = (name: string) => {
    if (holders.has(name)) return;
    const next = queues.get(name)?.shift();
    if (next) next.grant();
  };
  return {
    tab() {
      const owner = {};
      let closed = false;
      return {
        request(name, fn) {
          if (closed) return Promise.reject(new Error('InvalidStateError: the tab is closed'));
          return new Promise((resolve, reject) => {
            const waiter: Waiter = {
              owner,
              grant: () => {
                let released = false;
                const entry = {
                  owner,
                  release: () => {
                    if (released) return;
                    released = true;
                    if (holders.get(name) === entry) holders.delete(name);
                    pump(name);
                  },
                };
                const release = entry.release;
                holders.set(name, entry);
                setImmediate(() => {
                  if (closed) return;
                  fn().then(
                    (v) => {
                      release();
                      resolve(v);
                    },
                    (e: unknown) => {
                      release();
                      reject(e instanceof Error ? e : new Error(String(e)));
                    },
                  );
                });
              },
            };
            queues.set(name, [...(queues.get(name) ?? []), waiter]);
            pump(name);
          });
        },
        query() {
          return Promise.resolve({ held: [...holders.keys()].map((name) => ({ name })) });
        },
        close() {
          closed = true;
          for (const [name, q] of queues)
            queues.set(
              name,
              q.filter((w) => w.owner !== owner),
            );
          for (const [, h] of [...holders]) if (h.owner === owner) h.release();
        },
      };
    },
  };
}

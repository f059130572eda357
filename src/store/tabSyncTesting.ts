// In-process channels for the unit tests: channels of one name made by one factory deliver to each other (a
// structured clone, on a later macrotask, never to the sender), like BroadcastChannel between tabs.
import type { ChannelFactory, ChannelLike } from './tabSync';

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

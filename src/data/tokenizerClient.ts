// Promise-based client for the tokenizer worker: train, encode and prepare data without blocking the page.
//   const client = new TokenizerClient();   // starts src/data/tokenizer.worker.ts
//   const { tokenizer } = await client.train(text, { kind: 'wordpiece', vocabSize: 4000 }, (p) => show(p));

import type { SequenceSet } from './batching';
import type { DataOptions } from './dataset';
import { importTokenizerJson, type MaskLabTokenizer } from './hfJson';
import type { TextSplit } from './split';
import type { TokenizerRequest, TokenizerResponse } from './tokenizerProtocol';
import type { TokenizerSpec, TrainProgress } from './train';
import type { Encoding } from './types';

/** What the client needs of a Worker (a MessagePort works too). */
export interface WorkerLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
  terminate?(): void;
}

type Pending = {
  resolve: (r: TokenizerResponse) => void;
  reject: (e: Error) => void;
  onProgress?: (p: TrainProgress) => void;
};
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export class TokenizerClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly worker: WorkerLike;

  constructor(worker?: WorkerLike) {
    this.worker =
      worker ?? new Worker(new URL('./tokenizer.worker.ts', import.meta.url), { type: 'module', name: 'tokenizer' });
    this.worker.addEventListener('message', (e: MessageEvent<TokenizerResponse>) => this.receive(e.data));
  }

  private receive(msg: TokenizerResponse): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'progress') {
      p.onProgress?.(msg.progress);
      return;
    }
    this.pending.delete(msg.id);
    if (msg.type === 'error') p.reject(new Error(msg.message));
    else p.resolve(msg);
  }

  private request(
    req: DistributiveOmit<TokenizerRequest, 'id'>,
    onProgress?: (p: TrainProgress) => void,
  ): Promise<TokenizerResponse> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ ...req, id } as TokenizerRequest, []);
    });
  }

  async train(
    text: string,
    spec: TokenizerSpec,
    onProgress?: (p: TrainProgress) => void,
  ): Promise<{ tokenizer: MaskLabTokenizer; tokenizerJson: string; ms: number }> {
    const r = await this.request({ type: 'train', text, spec }, onProgress);
    if (r.type !== 'trained') throw new Error(`unexpected reply ${r.type}`);
    return { tokenizer: importTokenizerJson(r.tokenizerJson).tokenizer, tokenizerJson: r.tokenizerJson, ms: r.ms };
  }

  async encode(tokenizerJson: string, text: string): Promise<Encoding & { ms: number }> {
    const r = await this.request({ type: 'encode', tokenizerJson, text });
    if (r.type !== 'encoded') throw new Error(`unexpected reply ${r.type}`);
    return { ids: r.ids, wordIds: r.wordIds, ms: r.ms };
  }

  async prepare(
    text: string,
    spec: TokenizerSpec,
    options: DataOptions,
    onProgress?: (p: TrainProgress) => void,
  ): Promise<{
    tokenizer: MaskLabTokenizer;
    tokenizerJson: string;
    split: TextSplit;
    train: SequenceSet;
    heldOut: SequenceSet;
    ms: number;
  }> {
    const r = await this.request({ type: 'prepare', text, spec, options }, onProgress);
    if (r.type !== 'prepared') throw new Error(`unexpected reply ${r.type}`);
    const { tokenizerJson, split, train, heldOut, ms } = r;
    return { tokenizer: importTokenizerJson(tokenizerJson).tokenizer, tokenizerJson, split, train, heldOut, ms };
  }

  /** Stops the worker; requests still waiting are rejected. */
  terminate(): void {
    this.worker.terminate?.();
    for (const p of this.pending.values()) p.reject(new Error('tokenizer worker stopped'));
    this.pending.clear();
  }
}

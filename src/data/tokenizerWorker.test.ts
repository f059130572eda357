// The worker protocol end to end over a real MessageChannel (structured clone and transfer, as with a Worker):
// the client on one port, the worker's handler on the other.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareData } from './dataset';
import { exportTokenizerJson } from './hfJson';
import { trainTokenizer } from './train';
import { TokenizerClient, type WorkerLike } from './tokenizerClient';
import { handleTokenizerRequest, type TokenizerRequest, type TokenizerResponse } from './tokenizerProtocol';

const TEXT = Array.from(
  { length: 60 },
  (_, i) => `Tale ${i}: once upon a time a king had ${i % 7} daughters, and the youngest was fair.\n`,
).join('\n');

let ports: MessagePort[] = [];
afterEach(() => {
  for (const p of ports) p.close();
  ports = [];
});

function connect(): TokenizerClient {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  port2.on('message', (req: TokenizerRequest) =>
    handleTokenizerRequest(req, (msg, transfer) => port2.postMessage(msg, (transfer ?? []) as ArrayBuffer[])),
  );
  const side: WorkerLike = {
    postMessage: (m, transfer) => port1.postMessage(m, transfer as ArrayBuffer[]),
    addEventListener: (_type, listener) => port1.on('message', (data: unknown) => listener({ data } as MessageEvent)),
  };
  return new TokenizerClient(side);
}

describe('tokenizer worker protocol', () => {
  it('trains the same tokenizer as a direct call, reporting progress', async () => {
    const client = connect();
    const phases: string[] = [];
    const { tokenizer, tokenizerJson } = await client.train(TEXT, { kind: 'wordpiece', vocabSize: 120 }, (p) =>
      phases.push(p.phase),
    );
    const direct = trainTokenizer(TEXT, { kind: 'wordpiece', vocabSize: 120 });
    expect(tokenizer.vocab.tokens).toEqual(direct.vocab.tokens);
    expect(tokenizerJson).toBe(exportTokenizerJson(direct));
    expect(phases[0]).toBe('count');
    expect(phases.at(-1)).toBe('done');
  });

  it('encodes with a tokenizer.json and returns typed arrays', async () => {
    const client = connect();
    const tok = trainTokenizer(TEXT, { kind: 'char' });
    const r = await client.encode(exportTokenizerJson(tok), 'Once upon a time');
    expect(r.ids).toBeInstanceOf(Int32Array);
    expect(r.ids).toEqual(tok.encode('Once upon a time').ids);
    expect(r.wordIds).toEqual(tok.encode('Once upon a time').wordIds);
  });

  it('prepares the same data as prepareData', async () => {
    const client = connect();
    const spec = { kind: 'word' as const, vocabSize: 60 };
    const options = { T: 16, seed: 3, blockChars: 200 };
    const r = await client.prepare(TEXT, spec, options);
    const direct = prepareData(TEXT, spec, options);
    expect(r.train).toEqual(direct.train);
    expect(r.heldOut).toEqual(direct.heldOut);
    expect(r.split).toEqual(direct.split);
    expect(r.tokenizer.vocab.tokens).toEqual(direct.tokenizer.vocab.tokens);
  });

  it('rejects with the error message, and keeps serving other requests', async () => {
    const client = connect();
    await expect(client.train(TEXT, { kind: 'word', vocabSize: 3 })).rejects.toThrow(/at least 6/);
    await expect(client.prepare('short\n', { kind: 'char' }, { T: 8, seed: 1 })).rejects.toThrow(/too short/);
    expect((await client.train(TEXT, { kind: 'char' })).tokenizer.kind).toBe('char');
  });

  it('transfers the token buffers instead of copying them', () => {
    const tok = trainTokenizer(TEXT, { kind: 'char' });
    const posted: { msg: TokenizerResponse; transfer?: Transferable[] }[] = [];
    handleTokenizerRequest(
      { type: 'encode', id: 9, tokenizerJson: exportTokenizerJson(tok), text: 'abc' },
      (msg, transfer) => posted.push({ msg, transfer }),
    );
    expect(posted).toHaveLength(1);
    const { msg, transfer } = posted[0];
    expect(msg.type).toBe('encoded');
    if (msg.type === 'encoded') expect(transfer).toEqual([msg.ids.buffer, msg.wordIds.buffer]);
  });
});

// The prepared corpus: the tokenizer the worker trains equals prepareData's (same split), preparedDataFor gives
// prepareExperimentData's sequences, saved texts load by id, and preview sentences are real sentences.
import 'fake-indexeddb/auto';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { TokenizerClient, type WorkerLike } from '../data/tokenizerClient';
import { handleTokenizerRequest, type TokenizerRequest } from '../data/tokenizerProtocol';
import { prepareData } from '../data/dataset';
import { defaultExperiment, modelShape } from '../session/config';
import {
  loadCorpusText,
  openTextStore,
  pmiLexiconFor,
  prepareCorpus,
  preparedDataFor,
  previewSentences,
  rarityHardness,
  sentencesOf,
  setTokenizerClient,
} from './data';

const ports: MessagePort[] = [];
afterAll(() => ports.forEach((p) => p.close()));

let requests = 0;
function workerClient(): TokenizerClient {
  const { port1, port2 } = new MessageChannel();
  ports.push(port1, port2);
  port2.on('message', (req: TokenizerRequest) => {
    requests++;
    handleTokenizerRequest(req, (msg, transfer) => port2.postMessage(msg, (transfer ?? []) as ArrayBuffer[]));
  });
  const side: WorkerLike = {
    postMessage: (m, transfer) => port1.postMessage(m, transfer as ArrayBuffer[]),
    addEventListener: (_t, listener) => port1.on('message', (data: unknown) => listener({ data } as MessageEvent)),
  };
  return new TokenizerClient(side);
}
setTokenizerClient(workerClient());

describe('prepared corpus', () => {
  it('trains the same tokenizer and packs the same sequences as the training run would', async () => {
    const e = { ...defaultExperiment(), tokenizer: { kind: 'wordpiece' as const, vocabSize: 600 }, seed: 3 };
    const phases: string[] = [];
    const p = await prepareCorpus(e.corpus, e.tokenizer, e.seed, (s) => phases.push(s.phase));
    expect(phases[0]).toBe('text');
    expect(phases).toContain('tokenizer');
    expect(phases.at(-1)).toBe('encode');
    expect(p.name).toBe("Grimms' Fairy Tales");
    // What session/run.ts's prepareExperimentData does.
    const direct = prepareData(p.text, e.tokenizer, { T: modelShape(e, 100).T, seed: e.seed });
    expect(p.tokenizer.vocab.tokens).toEqual(direct.tokenizer.vocab.tokens);
    const mine = preparedDataFor(p, 64);
    expect(mine.train.count).toBe(direct.train.count);
    expect(mine.train.ids).toEqual(direct.train.ids);
    expect(mine.heldOut.ids).toEqual(direct.heldOut.ids);
    // Unigram counts cover the training part; the vocabulary is the tokenizer's.
    expect(p.vocab.size).toBe(600);
    const counted = Array.from(p.vocab.unigramCounts!).reduce((a, b) => a + b, 0);
    expect(counted).toBe(p.trainEncoding.ids.length);
  });

  it('reuses a preparation and its lexicon; rarity stands in for hardness', async () => {
    const spec = { kind: 'wordpiece' as const, vocabSize: 600 };
    const before = requests;
    const [a, b] = await Promise.all([prepareCorpus('fairy-tales', spec, 3), prepareCorpus('fairy-tales', spec, 3)]);
    expect(a).toBe(b);
    expect(requests).toBe(before);
    const lex = pmiLexiconFor(a, 5, 200);
    expect(pmiLexiconFor(a, 5, 200)).toBe(lex);
    expect(lex.entries.length).toBeGreaterThan(10);
    const h = rarityHardness(a);
    const the = a.tokenizer.tokenToId('the')!;
    const rare = a.vocab.tokens.findIndex((_, id) => id > 4 && (a.vocab.unigramCounts![id] ?? 0) === 1);
    expect(h.score(rare)).toBeGreaterThan(h.score(the));
  });

  it('loads a saved text by id and explains a missing one', async () => {
    const store = await openTextStore();
    const meta = await store.save(
      'My notes',
      'One two three. Four five six seven eight nine ten eleven twelve.\n'.repeat(50),
    );
    const t = await loadCorpusText(`custom:${meta.id}`);
    expect(t.name).toBe('My notes');
    expect(t.text.startsWith('One two three.')).toBe(true);
    await expect(loadCorpusText('custom:not-there')).rejects.toThrow(/not in this browser/);
    await expect(loadCorpusText('nope')).rejects.toThrow(/unknown corpus/);
  });

  it('finds real sentences for the preview', async () => {
    const s = sentencesOf(
      'First Citizen:\nBefore we proceed any further, hear me speak to you all.\n\nAll:\nSpeak, speak.\n\n' +
        'The king had three\ndaughters, and the youngest was the fairest of them all! Short one.',
    );
    expect(s).toEqual([
      'Before we proceed any further, hear me speak to you all.',
      'The king had three daughters, and the youngest was the fairest of them all!',
    ]);
    const p = await prepareCorpus('fairy-tales', { kind: 'wordpiece', vocabSize: 600 }, 3);
    const sentences = previewSentences(p);
    expect(sentences.length).toBeGreaterThan(500);
    for (const x of sentences.slice(0, 50)) expect(x).toMatch(/^['"‘“(]?[A-Z].*[.!?]['"’”)]*$/);
  });
});

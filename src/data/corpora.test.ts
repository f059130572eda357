// The corpus catalogue matches the shipped files, and loadCorpus reads them from disk (Node) and over HTTP (browser path).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPORA, corpusInfo, corpusUrl, loadCorpus } from './corpora';

const publicDir = new URL('../../public/', import.meta.url);

describe('corpus catalogue', () => {
  it.each(CORPORA.map((c) => [c.id, c] as const))('%s: size, line count and sha256 match public/corpora', (_, info) => {
    const bytes = readFileSync(new URL(`corpora/${info.file}`, publicDir));
    expect(bytes.length).toBe(info.bytes);
    expect(bytes.toString('utf8').split('\n').length - 1).toBe(info.lines);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(info.sha256);
    expect(info.title.length).toBeGreaterThan(3);
    expect(info.source.length).toBeGreaterThan(20);
  });

  it('names unknown corpora', () => {
    expect(() => corpusInfo('bible')).toThrow(/unknown corpus "bible"; known: shakespeare, fairy-tales/);
  });

  it('lists each corpus in public/corpora/SOURCES.md', () => {
    const sources = readFileSync(new URL('corpora/SOURCES.md', publicDir), 'utf8');
    for (const c of CORPORA) expect(sources).toContain(`## ${c.file}`);
    expect(sources).not.toContain('kjv-bible');
  });
});

describe('loadCorpus', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      const m = /^\/app\/corpora\/([a-z-]+\.txt)$/.exec(path);
      if (!m) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(readFileSync(new URL(`corpora/${m[1]}`, publicDir)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/app/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads the file from public/corpora in Node', async () => {
    const text = await loadCorpus('fairy-tales');
    expect(text.length).toBe(corpusInfo('fairy-tales').bytes);
    expect(text.startsWith('THE BROTHERS GRIMM FAIRY TALES')).toBe(true);
  });

  it('fetches <base>corpora/<file> when given the page base, as the browser does', async () => {
    expect(corpusUrl('shakespeare', base)).toBe(`${base}corpora/shakespeare.txt`);
    const text = await loadCorpus('shakespeare', { baseUrl: base });
    expect(text.length).toBe(corpusInfo('shakespeare').bytes);
  });

  it('says which corpus failed and why', async () => {
    await expect(loadCorpus('shakespeare', { baseUrl: base.replace('/app/', '/elsewhere/') })).rejects.toThrow(
      /could not load corpus "Tiny Shakespeare" from .*elsewhere\/corpora\/shakespeare.txt: HTTP 404/,
    );
  });
});

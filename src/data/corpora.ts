// The built-in corpora (public/corpora) and loadCorpus(id): fetched on demand in the browser, read from disk in Node.
// Sources and licences are in public/corpora/SOURCES.md.

export type CorpusId = 'shakespeare' | 'fairy-tales';

export interface CorpusInfo {
  id: CorpusId;
  file: string;
  title: string;
  /** One line on where the text comes from and its licence, for the UI. */
  source: string;
  bytes: number;
  lines: number;
  sha256: string;
}

export const CORPORA: readonly CorpusInfo[] = Object.freeze([
  {
    id: 'shakespeare',
    file: 'shakespeare.txt',
    title: 'Tiny Shakespeare',
    source:
      'Excerpts from Shakespeare plays, collected by Andrej Karpathy for char-rnn (karpathy/char-rnn tinyshakespeare); public domain.',
    bytes: 1_115_394,
    lines: 40_000,
    sha256: '86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed',
  },
  {
    id: 'fairy-tales',
    file: 'fairy-tales.txt',
    title: "Grimms' Fairy Tales",
    source:
      'Grimm brothers, tr. Edgar Taylor and Marian Edwardes, Project Gutenberg EBook #2591 (62 tales, header and licence removed); public domain.',
    bytes: 517_646,
    lines: 9_062,
    sha256: 'fcde4307cbaca78c70140b60fa907290cf09459092b5647919c4de9a1524ec03',
  },
]);

export function corpusInfo(id: string): CorpusInfo {
  const info = CORPORA.find((c) => c.id === id);
  if (!info) throw new Error(`unknown corpus "${id}"; known: ${CORPORA.map((c) => c.id).join(', ')}`);
  return info;
}

export interface LoadCorpusOptions {
  /**
   * Where the app is served from, ending in '/'. Default: Vite's BASE_URL resolved against the page. A Web Worker
   * must pass the page's base (its own location is the worker script's, not the page's).
   */
  baseUrl?: string;
  signal?: AbortSignal;
}

const isNode =
  typeof process !== 'undefined' && typeof process.versions?.node === 'string' && typeof document === 'undefined';

/** The URL a corpus is fetched from in the browser. */
export function corpusUrl(id: CorpusId, baseUrl?: string): string {
  const info = corpusInfo(id);
  const base = baseUrl ?? defaultBase();
  return new URL(`corpora/${info.file}`, base).href;
}

function defaultBase(): string {
  const base = import.meta.env?.BASE_URL ?? '/';
  const page = typeof document !== 'undefined' ? document.baseURI : globalThis.location?.href;
  if (!page) throw new Error('no page URL to resolve the corpus against: pass baseUrl');
  return new URL(base, page).href;
}

/** The text of a built-in corpus. Nothing is loaded until this is called. */
export async function loadCorpus(id: CorpusId, options: LoadCorpusOptions = {}): Promise<string> {
  const info = corpusInfo(id);
  if (isNode && options.baseUrl === undefined) return readFromDisk(info.file);
  const url = corpusUrl(id, options.baseUrl);
  const res = await fetch(url, { signal: options.signal });
  if (!res.ok) throw new Error(`could not load corpus "${info.title}" from ${url}: HTTP ${res.status}`);
  return res.text();
}

async function readFromDisk(file: string): Promise<string> {
  // Module names held in variables so the browser bundle never tries to include Node's modules.
  const fsName = 'node:fs/promises';
  const fs = (await import(/* @vite-ignore */ fsName)) as typeof import('node:fs/promises');
  const relative = `../../public/corpora/${file}`;
  return fs.readFile(new URL(relative, import.meta.url), 'utf8');
}

// The prepared corpus for the current corpus + tokenizer + seed: its text, the train/held-out split, and the
// tokenizer trained in the tokenizer worker on the training part exactly as prepareData trains it. Shared by the
// mask preview and the training run (preparedDataFor gives what prepareExperimentData would).
import { useEffect } from 'react';
import { create } from 'zustand';
import { corpusInfo, CORPORA, loadCorpus, type CorpusId } from '../data/corpora';
import { buildDataset, type PreparedData } from '../data/dataset';
import type { MaskLabTokenizer } from '../data/hfJson';
import { blockTexts, splitText, type TextSplit } from '../data/split';
import { TextStore, type StoredTextMeta } from '../data/textStore';
import { isToyCorpus, TOY_TITLE, toyLanguageOf } from '../data/toyLanguage';
import { TokenizerClient } from '../data/tokenizerClient';
import type { TokenizerSpec, TrainProgress } from '../data/train';
import type { Encoding } from '../data/types';
import { buildPmiLexicon, countUnigrams, getObjective, resolveParams, TokenLossEma, vocabInfoOf } from '../masking';
import type { CorpusTable, MaskingConfig, PmiLexicon, VocabInfo } from '../masking/types';
import { useExperimentStore } from './experiment';

export interface CorpusText {
  corpus: string;
  /** Display name: the shipped corpus's title or the saved text's name. */
  name: string;
  text: string;
}

export interface PreparedCorpus extends CorpusText {
  key: string;
  spec: TokenizerSpec;
  seed: number;
  /** splitText(text, { seed }), as prepareData splits it. */
  split: TextSplit;
  /** The training blocks joined: what the tokenizer was trained on. */
  trainText: string;
  tokenizer: MaskLabTokenizer;
  tokenizerJson: string;
  /** trainText tokenized (unigram counts, PMI lexicon). */
  trainEncoding: Encoding;
  /** Masking's view of the vocabulary, with unigram counts over the training part. */
  vocab: VocabInfo;
  /** Time to train the tokenizer, in ms. */
  trainMs: number;
}

export type DataStatus =
  | { state: 'idle' }
  | { state: 'loading'; key: string; phase: 'text' | 'tokenizer' | 'encode'; progress: TrainProgress | null }
  | { state: 'ready'; key: string; data: PreparedCorpus }
  | { state: 'error'; key: string; message: string };

export const CUSTOM_PREFIX = 'custom:';

/** Identifies one preparation: corpus, tokenizer settings and the split seed. */
export function dataKey(corpus: string, spec: TokenizerSpec, seed: number): string {
  return JSON.stringify([
    corpus,
    spec.kind,
    spec.vocabSize ?? null,
    spec.minFrequency ?? null,
    spec.normalizer ?? null,
    seed,
  ]);
}

let textStorePromise: Promise<TextStore> | undefined;

/** The browser's store of the user's own texts (opened once). */
export function openTextStore(): Promise<TextStore> {
  textStorePromise ??= TextStore.open().catch((e: unknown) => {
    textStorePromise = undefined;
    throw e;
  });
  return textStorePromise;
}

const texts = new Map<string, Promise<CorpusText>>();

/** The text of a shipped corpus or of a saved text ('custom:<id>'), loaded once. */
export function loadCorpusText(corpus: string): Promise<CorpusText> {
  let p = texts.get(corpus);
  if (!p) {
    p = (async (): Promise<CorpusText> => {
      if (corpus.startsWith(CUSTOM_PREFIX)) {
        const stored = await (await openTextStore()).load(corpus.slice(CUSTOM_PREFIX.length));
        if (!stored)
          throw new Error(
            'This saved text is not in this browser (it may have been deleted, or the link came from another browser). Choose a corpus or add the text again.',
          );
        return { corpus, name: stored.name, text: stored.text };
      }
      if (isToyCorpus(corpus)) return { corpus, name: TOY_TITLE, text: toyLanguageOf(corpus).text };
      if (!CORPORA.some((c) => c.id === corpus)) throw new Error(`unknown corpus "${corpus}"`);
      return { corpus, name: corpusInfo(corpus).title, text: await loadCorpus(corpus as CorpusId) };
    })();
    texts.set(corpus, p);
    p.catch(() => texts.delete(corpus));
  }
  return p;
}

/** Forgets a cached text (after a saved text is deleted). */
export function forgetCorpusText(corpus: string): void {
  texts.delete(corpus);
  for (const [k] of prepared) if (JSON.parse(k)[0] === corpus) prepared.delete(k);
}

let client: TokenizerClient | undefined;

/** Uses another tokenizer worker (tests pass one over a MessageChannel). */
export function setTokenizerClient(c: TokenizerClient): void {
  client = c;
}

function tokenizerClient(): TokenizerClient {
  client ??= new TokenizerClient();
  return client;
}

const prepared = new Map<string, Promise<PreparedCorpus>>();
const MAX_PREPARED = 4;

export type StatusListener = (s: Extract<DataStatus, { state: 'loading' }>) => void;

const listeners = new Map<string, Set<StatusListener>>();
const lastStatus = new Map<string, Parameters<StatusListener>[0]>();

/**
 * Loads the text and trains the tokenizer off the main thread; cached per (corpus, tokenizer, seed), and one
 * request at a time per key. `onStatus` hears the phases and the tokenizer's training progress (also when the
 * preparation was already under way).
 */
export function prepareCorpus(
  corpus: string,
  spec: TokenizerSpec,
  seed: number,
  onStatus?: StatusListener,
): Promise<PreparedCorpus> {
  const key = dataKey(corpus, spec, seed);
  let p = prepared.get(key);
  if (p) {
    const last = lastStatus.get(key);
    if (onStatus && last) {
      listeners.get(key)?.add(onStatus);
      onStatus(last);
    }
    return p;
  }
  const ears = new Set<StatusListener>(onStatus ? [onStatus] : []);
  listeners.set(key, ears);
  const report: StatusListener = (st) => {
    lastStatus.set(key, st);
    for (const l of ears) l(st);
  };
  p = (async (): Promise<PreparedCorpus> => {
    report({ state: 'loading', key, phase: 'text', progress: null });
    const t = await loadCorpusText(corpus);
    const split = splitText(t.text, { seed });
    const trainText = blockTexts(t.text, split.train).join('');
    report({ state: 'loading', key, phase: 'tokenizer', progress: null });
    const w = tokenizerClient();
    const { tokenizer, tokenizerJson, ms } = await w.train(trainText, spec, (progress) =>
      report({ state: 'loading', key, phase: 'tokenizer', progress }),
    );
    report({ state: 'loading', key, phase: 'encode', progress: null });
    const enc = await w.encode(tokenizerJson, trainText);
    const trainEncoding: Encoding = { ids: enc.ids, wordIds: enc.wordIds };
    const vocab = vocabInfoOf(tokenizer, countUnigrams(enc.ids, null, tokenizer.vocabSize));
    return {
      ...t,
      key,
      spec: { ...spec },
      seed,
      split,
      trainText,
      tokenizer,
      tokenizerJson,
      trainEncoding,
      vocab,
      trainMs: ms,
    };
  })();
  prepared.set(key, p);
  const settle = () => {
    listeners.delete(key);
    lastStatus.delete(key);
  };
  p.then(settle, () => {
    settle();
    prepared.delete(key);
  });
  while (prepared.size > MAX_PREPARED) prepared.delete(prepared.keys().next().value as string);
  return p;
}

/** The packed training and held-out sequences for length T: the same result as prepareExperimentData. */
export function preparedDataFor(p: PreparedCorpus, T: number): PreparedData {
  return { tokenizer: p.tokenizer, ...buildDataset(p.text, p.tokenizer, p.split, T) };
}

const lexicons = new WeakMap<PreparedCorpus, Map<string, PmiLexicon>>();

/** The PMI collocation lexicon of the training part (built on first use, then cached). */
export function pmiLexiconFor(p: PreparedCorpus, minCount: number, size: number): PmiLexicon {
  let m = lexicons.get(p);
  if (!m) lexicons.set(p, (m = new Map()));
  const k = `${minCount}/${size}`;
  let lex = m.get(k);
  if (!lex) m.set(k, (lex = buildPmiLexicon([p.trainEncoding], p.vocab, { minCount, size })));
  return lex;
}

const tables = new WeakMap<PreparedCorpus, Map<string, CorpusTable>>();

/**
 * The table an objective draws from the training part (Objective.fromTrainingSplit: ERNIE-Gram's n-gram vocabulary),
 * built on first use for its settings, then cached; undefined for objectives without one.
 */
export function corpusTableFor(p: PreparedCorpus, masking: MaskingConfig): CorpusTable | undefined {
  const objective = getObjective(masking.objective);
  if (!objective.fromTrainingSplit) return undefined;
  const params = resolveParams(`objective "${objective.id}"`, objective.params, masking.objectiveParams);
  let m = tables.get(p);
  if (!m) tables.set(p, (m = new Map()));
  const k = `${objective.id}/${JSON.stringify(params)}`;
  let table = m.get(k);
  if (!table) m.set(k, (table = objective.fromTrainingSplit([p.trainEncoding], p.vocab, params)));
  return table;
}

const rarity = new WeakMap<PreparedCorpus, TokenLossEma>();

/**
 * Before any training there are no losses to rank tokens by; this stands in with each token's surprisal under the
 * corpus unigram law (rare tokens count as hard), as the masks script does. Every id gets exactly one value, so the
 * average's decay (the strategy's emaDecay) plays no part here; training runs use it (session/runMasks.hardnessFor).
 */
export function rarityHardness(p: PreparedCorpus): TokenLossEma {
  let h = rarity.get(p);
  if (!h) {
    h = new TokenLossEma(p.vocab.size);
    const counts = p.vocab.unigramCounts ?? [];
    let total = 0;
    for (let i = 0; i < counts.length; i++) total += counts[i];
    const ids: number[] = [];
    const losses: number[] = [];
    for (let i = 0; i < counts.length; i++) {
      if (counts[i] > 0) {
        ids.push(i);
        losses.push(-Math.log(counts[i] / total));
      }
    }
    h.update(ids, losses);
    rarity.set(p, h);
  }
  return h;
}

const sentenceCache = new WeakMap<PreparedCorpus, string[]>();

/** Sentences of 8 to 28 words from the training part, in text order (speaker names and headings left out). */
export function sentencesOf(text: string, limit = 5000): string[] {
  const out: string[] = [];
  for (const para of text.split(/\n\s*\n/)) {
    const lines = para.split('\n').map((l) => l.trim());
    const body = lines.filter((l) => l && !(l.endsWith(':') && l.length < 40)).join(' ');
    for (const s of body.split(/(?<=[.!?]['"’”)]*)\s+(?=['"‘“(]?[A-Z])/)) {
      const sentence = s.trim();
      const words = sentence.split(/\s+/).length;
      if (words < 8 || words > 28) continue;
      if (!/^['"‘“(]?[A-Z]/.test(sentence) || !/[.!?]['"’”)]*$/.test(sentence)) continue;
      out.push(sentence);
      if (out.length >= limit) return out;
    }
  }
  return out;
}

export function previewSentences(p: PreparedCorpus): string[] {
  let s = sentenceCache.get(p);
  if (!s) {
    s = sentencesOf(p.trainText);
    if (s.length === 0) {
      // A text without sentence punctuation: take its first non-empty lines.
      s = p.trainText
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.split(/\s+/).length >= 3)
        .slice(0, 200);
    }
    if (s.length === 0) s = [p.trainText.trim().slice(0, 200)];
    sentenceCache.set(p, s);
  }
  return s;
}

interface DataStore {
  /** The preparation the page wants now (corpus, tokenizer and seed of the experiment). */
  status: DataStatus;
  /** Starts (or reuses) the preparation for these settings and reports it in `status`. */
  want(corpus: string, spec: TokenizerSpec, seed: number): void;
  /** Tries the wanted preparation again after an error. */
  retry(): void;
}

let wanted: { key: string; corpus: string; spec: TokenizerSpec; seed: number } | undefined;

export const useDataStore = create<DataStore>((set, get) => ({
  status: { state: 'idle' },
  want(corpus, spec, seed) {
    const key = dataKey(corpus, spec, seed);
    const s = get().status;
    if (wanted?.key === key && s.state !== 'idle') return;
    wanted = { key, corpus, spec, seed };
    const mine = (k: string) => wanted?.key === k;
    set({ status: { state: 'loading', key, phase: 'text', progress: null } });
    prepareCorpus(corpus, spec, seed, (st) => {
      if (mine(st.key)) set({ status: st });
    }).then(
      (data) => {
        if (mine(key)) set({ status: { state: 'ready', key, data } });
      },
      (e: unknown) => {
        if (mine(key)) set({ status: { state: 'error', key, message: e instanceof Error ? e.message : String(e) } });
      },
    );
  },
  retry() {
    if (!wanted) return;
    const { corpus, spec, seed } = wanted;
    wanted = undefined;
    get().want(corpus, spec, seed);
  },
}));

interface SavedTextsStore {
  /** The user's saved texts, newest first. */
  list: StoredTextMeta[];
  error: string | null;
  refresh(): Promise<void>;
  save(name: string, text: string): Promise<StoredTextMeta>;
  remove(id: string): Promise<void>;
}

/** The user's own texts kept in IndexedDB, listed for the corpus picker. */
export const useSavedTexts = create<SavedTextsStore>((set, get) => {
  const fail = (e: unknown) => set({ error: e instanceof Error ? e.message : String(e) });
  return {
    list: [],
    error: null,
    async refresh() {
      try {
        set({ list: await (await openTextStore()).list(), error: null });
      } catch (e) {
        fail(e);
      }
    },
    async save(name, text) {
      const meta = await (await openTextStore()).save(name, text);
      await get().refresh();
      return meta;
    },
    async remove(id) {
      try {
        await (await openTextStore()).delete(id);
        forgetCorpusText(`${CUSTOM_PREFIX}${id}`);
      } catch (e) {
        fail(e);
      }
      await get().refresh();
    },
  };
});

/** The preparation for the experiment's corpus, tokenizer and seed: started when they change, status as it goes. */
export function usePreparedCorpus(): DataStatus {
  const corpus = useExperimentStore((s) => s.config.corpus);
  const tokenizer = useExperimentStore((s) => s.config.tokenizer);
  const seed = useExperimentStore((s) => s.config.seed);
  const want = useDataStore((s) => s.want);
  useEffect(() => {
    // A short pause, so typing a vocabulary size or seed does not train a tokenizer per keystroke.
    const t = setTimeout(() => want(corpus, tokenizer, seed), 250);
    return () => clearTimeout(t);
  }, [want, corpus, tokenizer, seed]);
  const status = useDataStore((s) => s.status);
  return status.state === 'idle' || status.key === dataKey(corpus, tokenizer, seed) ? status : { state: 'idle' };
}

/** The prepared corpus for the current experiment if it is ready (for code outside React). */
export function currentPreparedCorpus(): PreparedCorpus | undefined {
  const s = useDataStore.getState().status;
  return s.state === 'ready' ? s.data : undefined;
}

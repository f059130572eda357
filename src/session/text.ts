// The text an experiment trains on: a shipped corpus (fetched on demand), the generated toy language, or a text the
// user saved in IndexedDB.
import { CORPORA, loadCorpus, type CorpusId } from '../data/corpora';
import { TextStore } from '../data/textStore';
import { isToyCorpus, toyLanguageOf } from '../data/toyLanguage';

export const CUSTOM_PREFIX = 'custom:';

export async function experimentText(corpus: string): Promise<string> {
  if (corpus.startsWith(CUSTOM_PREFIX)) {
    const id = corpus.slice(CUSTOM_PREFIX.length);
    const store = await TextStore.open();
    const t = await store.load(id);
    if (!t) throw new Error('This saved text is no longer in this browser: choose a corpus or add your text again.');
    return t.text;
  }
  if (isToyCorpus(corpus)) return toyLanguageOf(corpus).text;
  if (!CORPORA.some((c) => c.id === corpus)) throw new Error(`Unknown corpus "${corpus}".`);
  return loadCorpus(corpus as CorpusId);
}

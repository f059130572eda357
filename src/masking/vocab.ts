// Builds the VocabInfo masking needs from any tokenizer-shaped object and corpus token ids (no tokenizer import).
import type { SpecialIds } from '../data/types';
import type { VocabInfo } from './types';

/** The little masking reads from a tokenizer (src/data's Tokenizer satisfies it). */
export interface TokenizerLike {
  readonly vocabSize: number;
  readonly specialIds: Readonly<SpecialIds>;
  idToToken(id: number): string | undefined;
  /** 'wordpiece' tokenizers mark continuation pieces with `prefix` (default "##"). */
  readonly kind?: string;
  readonly prefix?: string;
}

/** Corpus count per id over the real tokens (valid = 1, or all when valid is null). */
export function countUnigrams(ids: ArrayLike<number>, valid: ArrayLike<number> | null, V: number): Float64Array {
  const counts = new Float64Array(V);
  for (let i = 0; i < ids.length; i++) {
    if (valid && !valid[i]) continue;
    const id = ids[i];
    if (id >= 0 && id < V) counts[id]++;
  }
  return counts;
}

export function vocabInfoOf(tokenizer: TokenizerLike, unigramCounts?: ArrayLike<number>): VocabInfo {
  const V = tokenizer.vocabSize;
  const tokens = Array.from({ length: V }, (_, id) => tokenizer.idToToken(id) ?? `[${id}]`);
  if (unigramCounts && unigramCounts.length !== V)
    throw new Error(`unigram counts have ${unigramCounts.length} entries, vocabulary ${V}`);
  return {
    size: V,
    specialIds: { ...tokenizer.specialIds },
    tokens,
    continuationPrefix: tokenizer.kind === 'wordpiece' ? (tokenizer.prefix ?? '##') : '',
    unigramCounts,
  };
}

// The whole data pipeline in one call: split the text (seeded, by blocks), train the tokenizer on the training part
// only, tokenize each block, pack sequences of length T. The result feeds BatchOrder and heldOutBatches.

import { packSequences, type SequenceSet } from './batching';
import type { MaskLabTokenizer } from './hfJson';
import type { SeedKey } from './rng';
import { blockTexts, splitText, type TextSplit } from './split';
import { NUM_SPECIAL, type Tokenizer } from './tokenizer';
import { trainTokenizer, type TokenizerSpec, type TrainProgress } from './train';

export interface DataOptions {
  /** Sequence length including [CLS] and [SEP]. */
  T: number;
  /** The data seed: decides the split (and, through BatchOrder, the batch order). */
  seed: SeedKey;
  heldOutFraction?: number;
  blockChars?: number;
}

export interface Dataset {
  split: TextSplit;
  train: SequenceSet;
  heldOut: SequenceSet;
}

/** Tokenizes and packs an already split text with a given tokenizer. */
export function buildDataset(text: string, tokenizer: Tokenizer, split: TextSplit, T: number): Dataset {
  const encode = (blocks: TextSplit['train']) => blockTexts(text, blocks).map((b) => tokenizer.encode(b));
  const train = packSequences(encode(split.train), T);
  const heldOut = packSequences(encode(split.heldOut), T);
  if (heldOut.count === 0) throw new Error('the held-out part of this text has no tokens: add more text');
  return { split, train, heldOut };
}

export interface PreparedData extends Dataset {
  tokenizer: MaskLabTokenizer;
}

/** Split, train the tokenizer on the training blocks only (held-out text stays unseen), tokenize and pack. */
export function prepareData(
  text: string,
  spec: TokenizerSpec,
  options: DataOptions,
  onProgress?: (p: TrainProgress) => void,
): PreparedData {
  const split = splitText(text, options);
  const tokenizer = trainTokenizer(blockTexts(text, split.train).join(''), spec, onProgress);
  return { tokenizer, ...buildDataset(text, tokenizer, split, options.T) };
}

/** How often each token id occurs in a sequence set (specials and padding excluded): the corpus unigram distribution. */
export function unigramCounts(set: SequenceSet, vocabSize: number): Float64Array {
  const counts = new Float64Array(vocabSize);
  for (let i = 0; i < set.ids.length; i++) {
    const id = set.ids[i];
    if (set.valid[i] && id >= NUM_SPECIAL && id < vocabSize) counts[id]++;
  }
  return counts;
}

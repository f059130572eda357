// Shared data types: what a tokenizer produces and what masking strategies and the engine consume.

/** The five special tokens every MaskLab vocabulary has, with these ids in this order. */
export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;
export type SpecialToken = (typeof SPECIAL_TOKENS)[number];

export interface SpecialIds {
  pad: number;
  unk: number;
  cls: number;
  sep: number;
  mask: number;
}

/** Ids of the special tokens in every MaskLab vocabulary: [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4. */
export const SPECIAL_IDS: Readonly<SpecialIds> = Object.freeze({ pad: 0, unk: 1, cls: 2, sep: 3, mask: 4 });

/**
 * One tokenized sequence. `wordIds[i]` is the index (within the sequence) of the word piece i belongs to, or -1
 * for special tokens and padding: whole-word, span, n-gram and PMI masking group pieces by it.
 */
export interface Encoding {
  ids: Int32Array;
  wordIds: Int32Array;
}

/** A batch of B sequences of length T, flattened row-major (B*T). */
export interface Batch {
  B: number;
  T: number;
  ids: Int32Array;
  wordIds: Int32Array;
  /** 1 for a real token (including [CLS]/[SEP]), 0 for padding. */
  valid: Int32Array;
}

// Test fixtures for masking: a small WordPiece-like vocabulary and seeded random batches of words made of pieces.
import { Rng } from '../data/rng';
import { SPECIAL_IDS, SPECIAL_TOKENS, type Batch, type Encoding } from '../data/types';
import type { VocabInfo } from './types';

const WORDS = [
  'the',
  'of',
  'and',
  'a',
  'to',
  'in',
  'he',
  'she',
  'king',
  'queen',
  'golden',
  'bird',
  'tree',
  'garden',
  'apple',
  'night',
  'gardener',
  'son',
  'watch',
  'feather',
  'new',
  'york',
  'once',
  'upon',
  'time',
  'fox',
  'wolf',
  'castle',
  'river',
  'forest',
  'old',
  'young',
  'said',
  'went',
  'came',
  'over',
  'under',
  'zebra',
  'xylophone',
  'quiet',
];
const PIECES = ['##s', '##ing', '##ed', '##ly', '##er', '##est'];
const OTHER = [',', '.', '!', '?', '1', '2', '1812', 'é'];

/** A vocabulary of specials, whole words, continuation pieces, punctuation and digits (V = 59). */
export function testVocab(withCounts = true): VocabInfo {
  const tokens = [...SPECIAL_TOKENS, ...WORDS, ...PIECES, ...OTHER];
  const vocab: VocabInfo = { size: tokens.length, specialIds: SPECIAL_IDS, tokens, continuationPrefix: '##' };
  if (withCounts) {
    const counts = new Float64Array(tokens.length);
    const rng = Rng.from(12345, 'counts');
    for (let i = 0; i < 400; i++) {
      const enc = randomEncoding(rng, 60);
      for (const id of enc.ids) counts[id]++;
    }
    vocab.unigramCounts = counts;
  }
  return vocab;
}

const FIRST_WORD = SPECIAL_TOKENS.length;
const FIRST_PIECE = FIRST_WORD + WORDS.length;
const FIRST_OTHER = FIRST_PIECE + PIECES.length;

/** A word start: Zipf-like over the words (frequent function words first), sometimes punctuation or a digit. */
function drawWordStart(rng: Rng): number {
  if (rng.float() < 0.1) return FIRST_OTHER + rng.int(OTHER.length);
  const u = rng.float();
  return FIRST_WORD + Math.min(WORDS.length - 1, Math.floor(WORDS.length * u * u * u));
}

/** A sequence of `nPieces` pieces (without [CLS]/[SEP]); words have 1-3 pieces. */
export function randomEncoding(rng: Rng, nPieces: number): Encoding {
  const ids: number[] = [];
  const wordIds: number[] = [];
  let w = 0;
  while (ids.length < nPieces) {
    const start = drawWordStart(rng);
    ids.push(start);
    wordIds.push(w);
    if (start < FIRST_OTHER) {
      const extra = rng.float() < 0.25 ? 1 + rng.int(2) : 0;
      for (let j = 0; j < extra && ids.length < nPieces; j++) {
        ids.push(FIRST_PIECE + rng.int(PIECES.length));
        wordIds.push(w);
      }
    }
    w++;
  }
  return { ids: Int32Array.from(ids), wordIds: Int32Array.from(wordIds) };
}

/** B rows of length T: [CLS] pieces [SEP] [PAD]...; each row's length is drawn from [minLen, T]. */
export function randomBatch(rng: Rng, B: number, T: number, minLen = Math.min(T, 3)): Batch {
  const ids = new Int32Array(B * T).fill(SPECIAL_IDS.pad);
  const wordIds = new Int32Array(B * T).fill(-1);
  const valid = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    const len = minLen + rng.int(T - minLen + 1);
    const lo = b * T;
    if (len >= 1) {
      ids[lo] = SPECIAL_IDS.cls;
      valid[lo] = 1;
    }
    if (len >= 2) {
      const enc = randomEncoding(rng, len - 2);
      ids.set(enc.ids.subarray(0, len - 2), lo + 1);
      wordIds.set(enc.wordIds.subarray(0, len - 2), lo + 1);
      ids[lo + len - 1] = SPECIAL_IDS.sep;
      valid.fill(1, lo, lo + len);
    }
  }
  return { B, T, ids, wordIds, valid };
}

/** Token ids by string (throws on unknown tokens). */
export function idsOf(vocab: VocabInfo, text: string): number[] {
  return text.split(' ').map((tok) => {
    const id = vocab.tokens.indexOf(tok);
    if (id < 0) throw new Error(`unknown test token ${tok}`);
    return id;
  });
}

/** An encoding from space-separated tokens; "##" pieces join the previous word. */
export function encodingOf(vocab: VocabInfo, text: string): Encoding {
  const ids = idsOf(vocab, text);
  const wordIds: number[] = [];
  let w = -1;
  for (const id of ids) {
    if (!vocab.tokens[id].startsWith('##')) w++;
    wordIds.push(Math.max(0, w));
  }
  return { ids: Int32Array.from(ids), wordIds: Int32Array.from(wordIds) };
}

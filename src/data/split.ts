// A fixed, seeded train/held-out split made on blocks of lines BEFORE tokenization, so no text is in both sides:
// blocks with identical text are kept together, on one side.

import { Rng, type SeedKey } from './rng';

/** A block of whole lines: text.slice(start, end). */
export interface Block {
  start: number;
  end: number;
}

export interface SplitOptions {
  seed: SeedKey;
  /** Share of the text (in characters) held out; default 0.1. */
  heldOutFraction?: number;
  /** Target block size in characters; default adapts to the text (about 1/64 of it, within 256..4096). */
  blockChars?: number;
}

export interface TextSplit {
  /** Blocks in text order. */
  train: Block[];
  heldOut: Block[];
  blockChars: number;
}

export const DEFAULT_HELD_OUT_FRACTION = 0.1;

export function defaultBlockChars(textLength: number): number {
  return Math.min(4096, Math.max(256, Math.round(textLength / 64)));
}

/**
 * Cuts a text into blocks of whole lines of about `target` characters, preferring to end a block at a blank line
 * (a paragraph or speech boundary) once it is at least half the target. Blank-only stretches belong to no block.
 */
export function textBlocks(text: string, target: number): Block[] {
  const blocks: Block[] = [];
  let start = -1;
  let pos = 0;
  const close = (end: number): void => {
    if (start >= 0 && text.slice(start, end).trim().length > 0) blocks.push({ start, end });
    start = -1;
  };
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length - 1;
    const lineEnd = nl + 1;
    const blank = text.slice(pos, lineEnd).trim().length === 0;
    if (blank) {
      if (start >= 0 && pos - start >= target / 2) close(pos);
    } else if (start < 0) {
      start = pos;
    }
    if (start >= 0 && lineEnd - start >= target) close(lineEnd);
    pos = lineEnd;
  }
  close(text.length);
  return blocks;
}

/** Blocks with identical text form one group, so a passage repeated in the text cannot be on both sides. */
function blockGroups(text: string, blocks: readonly Block[]): Block[][] {
  const groups = new Map<string, Block[]>();
  for (const b of blocks) {
    const key = text.slice(b.start, b.end).trim();
    const g = groups.get(key);
    if (g) g.push(b);
    else groups.set(key, [b]);
  }
  return [...groups.values()];
}

/**
 * Why splitText cannot keep a held-out part of this text apart from its training part (null: it can), with how much
 * text is needed. The rule is splitText's own: at least two different blocks at the default block size (it does not
 * depend on the seed). Used to refuse a text before it is stored.
 */
export function heldOutProblem(
  text: string,
  name = 'This text',
  blockChars = defaultBlockChars(text.length),
): string | null {
  const blocks = textBlocks(text, blockChars);
  if (blockGroups(text, blocks).length >= 2) return null;
  if (blocks.length >= 2)
    return `${name} repeats one passage, so no held-out text can be kept apart from the training text. Add varied text.`;
  const half = Math.ceil(blockChars / 2);
  const chars = text.trim().length.toLocaleString('en-US');
  const oneLine = text.trim().includes('\n') ? '' : ', all on one line';
  return (
    `${name} is too short to keep a held-out part apart from the training part. The split cuts a text at line ends ` +
    `into passages of about ${blockChars} characters (a passage also ends at a blank line once it has ${half}) and ` +
    `needs two different passages; it has ${chars} characters${oneLine}, which make ${blocks.length ? 'one' : 'none'}. ` +
    `Add more text: at least ${blockChars} characters of lines followed by more lines, or two paragraphs of at least ` +
    `${half} characters with a blank line between them.`
  );
}

/** Splits a text into train and held-out blocks; the same text and seed always give the same split. */
export function splitText(text: string, options: SplitOptions): TextSplit {
  const fraction = options.heldOutFraction ?? DEFAULT_HELD_OUT_FRACTION;
  if (!(fraction > 0 && fraction < 1)) throw new Error(`held-out fraction must be between 0 and 1, got ${fraction}`);
  const blockChars = options.blockChars ?? defaultBlockChars(text.length);
  const blocks = textBlocks(text, blockChars);
  const list = blockGroups(text, blocks);
  const problem = list.length < 2 ? heldOutProblem(text, 'This text', blockChars) : null;
  if (problem) throw new Error(problem);
  const size = (g: Block[]): number => g.reduce((n, b) => n + b.end - b.start, 0);
  const total = list.reduce((n, g) => n + size(g), 0);
  const order = Rng.from(options.seed, 'data-split').permutation(list.length);
  const held = new Set<number>();
  let heldChars = 0;
  for (const gi of order) {
    if (heldChars >= fraction * total || held.size === list.length - 1) break;
    held.add(gi);
    heldChars += size(list[gi]);
  }
  const train: Block[] = [];
  const heldOut: Block[] = [];
  list.forEach((g, gi) => (held.has(gi) ? heldOut : train).push(...g));
  const byStart = (a: Block, b: Block): number => a.start - b.start;
  return { train: train.sort(byStart), heldOut: heldOut.sort(byStart), blockChars };
}

export function blockTexts(text: string, blocks: readonly Block[]): string[] {
  return blocks.map((b) => text.slice(b.start, b.end));
}

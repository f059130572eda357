// Checks on a user's own text (pasted or dropped .txt files) with messages a person can act on: empty, not text
// (binary or invalid UTF-8), over the size limit, too short for a held-out part, or too few tokens for the chosen
// sequence length.

import { heldOutProblem } from './split';
import type { Tokenizer } from './tokenizer';

export const MAX_TEXT_BYTES = 50 * 1024 * 1024;
/** Above this share of control characters (other than tab, newline, carriage return, form feed) a text is binary. */
export const MAX_CONTROL_SHARE = 0.01;

export type TextProblem = 'empty' | 'too-large' | 'binary' | 'invalid-utf8' | 'too-short' | 'too-few-tokens';

export type TextCheck =
  { ok: true; text: string; bytes: number } | { ok: false; problem: TextProblem; message: string };

const MB = 1024 * 1024;
const fmtMB = (n: number): string => `${(n / MB).toFixed(n < 10 * MB ? 1 : 0)} MB`;
const fail = (problem: TextProblem, message: string): TextCheck => ({ ok: false, problem, message });

function tooLarge(name: string, bytes: number, maxBytes: number): TextCheck {
  return fail('too-large', `${name} is ${fmtMB(bytes)}; the limit is ${fmtMB(maxBytes)}. Use a shorter excerpt.`);
}

/** Checks raw bytes (a dropped file). UTF-8, with or without BOM; UTF-16 with a BOM is accepted too. */
export function checkTextBytes(bytes: Uint8Array, name = 'This file', maxBytes = MAX_TEXT_BYTES): TextCheck {
  if (bytes.length > maxBytes) return tooLarge(name, bytes.length, maxBytes);
  if (bytes.length === 0) return fail('empty', `${name} is empty.`);
  let text: string;
  const bom16 =
    bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
  if (bom16) {
    try {
      text = new TextDecoder(bytes[0] === 0xff ? 'utf-16le' : 'utf-16be', { fatal: true }).decode(bytes);
    } catch {
      return fail('invalid-utf8', `${name} starts like UTF-16 text but is not valid UTF-16. Save it as UTF-8 text.`);
    }
  } else {
    const nul = bytes.indexOf(0);
    if (nul >= 0) {
      return fail(
        'binary',
        `${name} is not a text file: it contains NUL bytes (the first at byte ${nul}). Is it an image, a PDF or a Word document? Save it as plain text (.txt).`,
      );
    }
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      const lossy = new TextDecoder('utf-8').decode(bytes);
      const at = lossy.indexOf('\uFFFD');
      const line = lossy.slice(0, at).split('\n').length;
      return fail(
        'invalid-utf8',
        `${name} is not valid UTF-8 text (the first bad byte is on line ${line}). Save it as UTF-8 text.`,
      );
    }
  }
  return checkDecoded(text, name, bytes.length);
}

/**
 * Only the size of a text, against the same limit as a file's (UTF-8 bytes), in one pass and no other work: a paste
 * is checked with it before it reaches the text box, so a huge paste is refused at once.
 */
export function checkTextSize(text: string, name = 'This text', maxBytes = MAX_TEXT_BYTES): TextCheck {
  if (text.length > maxBytes) return tooLarge(name, text.length, maxBytes); // at least one byte per code unit
  const bytes = utf8Length(text);
  return bytes > maxBytes ? tooLarge(name, bytes, maxBytes) : { ok: true, text, bytes };
}

/** Checks pasted text. */
export function checkTextString(text: string, name = 'This text', maxBytes = MAX_TEXT_BYTES): TextCheck {
  const size = checkTextSize(text, name, maxBytes);
  if (!size.ok) return size;
  const { bytes } = size;
  if (/\p{Cs}/u.test(text))
    return fail('invalid-utf8', `${name} contains broken characters (unpaired UTF-16 surrogates).`);
  if (text.includes('\u0000')) return fail('binary', `${name} contains NUL characters, so it does not look like text.`);
  return checkDecoded(text, name, bytes);
}

/** Checks a dropped File (or any Blob): the size is checked before anything is read. */
export async function checkTextFile(file: Blob & { name?: string }, maxBytes = MAX_TEXT_BYTES): Promise<TextCheck> {
  const name = file.name ? `"${file.name}"` : 'This file';
  if (file.size > maxBytes) return tooLarge(name, file.size, maxBytes);
  return checkTextBytes(new Uint8Array(await file.arrayBuffer()), name, maxBytes);
}

/**
 * A text to keep as a corpus: the checks above, then whether the data split can keep a held-out part of it apart
 * (the rule splitText applies when the text is prepared), so a text that could never train is refused before it is
 * stored.
 */
export function checkCorpusText(check: TextCheck, name: string): TextCheck {
  if (!check.ok) return check;
  const problem = heldOutProblem(check.text, name);
  return problem ? fail('too-short', problem) : check;
}

function checkDecoded(raw: string, name: string, bytes: number): TextCheck {
  let text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  const controls = countControls(text);
  if (controls > MAX_CONTROL_SHARE * text.length) {
    const pct = ((100 * controls) / text.length).toFixed(1);
    return fail('binary', `${name} does not look like text: ${pct}% of its characters are control characters.`);
  }
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');
  if (text.trim().length === 0)
    return fail('empty', text.length ? `${name} has no text, only whitespace.` : `${name} is empty.`);
  return { ok: true, text, bytes };
}

function countControls(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) || (c >= 0x7f && c <= 0x9f)) n++;
  }
  return n;
}

export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

export interface TokenCheck {
  ok: boolean;
  tokens: number;
  needed: number;
  message: string;
}

/**
 * Whether a text gives enough tokens for sequences of length T: at least one batch of B training sequences plus
 * one held-out sequence, each holding T - 2 tokens besides [CLS] and [SEP].
 */
export function enoughTokens(tokenizer: Tokenizer, text: string, T: number, B = 1): TokenCheck {
  if (!Number.isInteger(T) || T < 3) throw new Error(`sequence length must be at least 3 ([CLS] x [SEP]), got ${T}`);
  const tokens = tokenizer.encode(text).ids.length;
  const needed = (B + 1) * (T - 2);
  if (tokens >= needed) return { ok: true, tokens, needed, message: `${tokens.toLocaleString('en-US')} tokens.` };
  const batch = B === 1 ? 'one training sequence' : `one batch of ${B} training sequences`;
  return {
    ok: false,
    tokens,
    needed,
    message:
      `This text gives ${tokens.toLocaleString('en-US')} tokens with the ${tokenizer.kind} tokenizer, but sequence length ${T} ` +
      `needs at least ${needed.toLocaleString('en-US')} (${batch} and one held-out sequence of ${T - 2} tokens each). ` +
      `Add more text or choose a shorter sequence length.`,
  };
}

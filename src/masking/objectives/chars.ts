// Character-class objectives (Yamaguchi et al.): predict a masked token's first character class (29 classes), or
// its first/last n characters (as many classes as the vocabulary has distinct n-character prefixes/suffixes).
import { corruptWithSplit, gatherSelected, type Objective } from '../objective';
import { num, str } from '../params';
import { specialMask } from '../sampling';
import { REFS } from '../papers';
import type { VocabInfo } from '../types';

declare module '../types' {
  interface ObjectiveIds {
    'first-char': true;
    'char-n': true;
  }
}

const ALWAYS_MASK = { mask: 1, random: 0, keep: 0 };

export const FIRST_CHAR_CLASSES: readonly string[] = [
  ...'abcdefghijklmnopqrstuvwxyz'.split(''),
  'punctuation',
  'digit',
  'other',
];

/** Class of a character: a-z -> 0..25, punctuation or symbol -> 26, digit -> 27, anything else -> 28. */
export function firstCharClass(ch: string): number {
  const c = ch.toLowerCase();
  if (c.length === 1 && c >= 'a' && c <= 'z') return c.charCodeAt(0) - 97;
  if (/^[\p{P}\p{S}]$/u.test(ch)) return 26;
  if (/^\p{N}$/u.test(ch)) return 27;
  return 28;
}

function stripPrefix(vocab: VocabInfo, tok: string): string {
  const prefix = vocab.continuationPrefix ?? '';
  return prefix && tok.startsWith(prefix) ? tok.slice(prefix.length) : tok;
}

export const firstCharObjective: Objective = {
  id: 'first-char',
  name: 'First-character prediction',
  explanation:
    'Tokens are hidden behind [MASK] (always: no random or kept tokens, unlike BERT), and instead of naming the ' +
    'hidden token the model only guesses its first character (a-z, or punctuation, digit, other: 29 choices), as ' +
    "in Yamaguchi et al.'s code, which takes each token's own first character; the word's is an option. The " +
    'question is much easier and the head much smaller than a full-vocabulary guess, yet it can only be answered ' +
    'from context. Yamaguchi et al. (2021) pretrained it at BERT-base size among five simple objectives they report ' +
    'comparable to or better than MLM on GLUE and SQuAD; their 2023 follow-up sums up that first-character ' +
    'prediction has shown results comparable to MLM, while no masked objective of that kind outperformed MLM ' +
    'downstream. It gives "run" and "runs" the same class: it cannot practise agreement.',
  references: [REFS.yamaguchi2021],
  params: [
    {
      key: 'of',
      label: 'First character of',
      kind: 'choice',
      default: 'token',
      options: [
        { value: 'token', label: "the token itself (Yamaguchi et al.'s code)" },
        { value: 'word', label: 'the whole word' },
      ],
      help: "For a word cut into pieces (\"play ##ing\"), use each piece's own first character (the paper's code), or the word's first letter for every piece.",
    },
  ],
  core: true,
  defaultStrategy: 'random',
  causal: false,
  head: 'k-class',
  evaluation: 'classes',
  heads: () => [
    {
      name: 'first-char',
      kind: 'k-class',
      classes: 29,
      classNames: FIRST_CHAR_CLASSES,
      targets: 'gathered',
      lossWeight: 1,
    },
  ],
  corruptRow(row, sel, env) {
    corruptWithSplit(row, sel, env, ALWAYS_MASK, 'token', env.replacement);
  },
  targets(mb, env) {
    const { batch, vocab } = env;
    const ofWord = str(env.params, 'of') === 'word';
    mb.gathered = gatherSelected(mb, env.capacity, 29, (i) => {
      let s = i;
      if (ofWord) {
        const rowStart = i - (i % mb.T);
        const w = batch.wordIds[i];
        while (w >= 0 && s > rowStart && batch.wordIds[s - 1] === w && batch.valid[s - 1]) s--;
      }
      const text = stripPrefix(vocab, vocab.tokens[mb.originalIds[s]] ?? '');
      return text.length ? firstCharClass(String.fromCodePoint(text.codePointAt(0) as number)) : 28;
    });
  },
};

export interface CharClasses {
  /** Class label per class index: the n-character prefix or suffix. */
  names: string[];
  /** Class index per vocabulary id (-1 for special tokens). */
  classOf: Int32Array;
}

const classCache = new WeakMap<VocabInfo, Map<string, CharClasses>>();

/** Distinct first (or last) n characters of the non-special tokens (continuation prefix removed), sorted. */
export function charClasses(vocab: VocabInfo, n: number, side: 'first' | 'last'): CharClasses {
  let perVocab = classCache.get(vocab);
  if (!perVocab) classCache.set(vocab, (perVocab = new Map()));
  const key = `${side}/${n}`;
  const hit = perVocab.get(key);
  if (hit) return hit;
  const special = specialMask(vocab);
  const keys = new Array<string | null>(vocab.size).fill(null);
  for (let id = 0; id < vocab.size; id++) {
    if (special[id]) continue;
    const chars = Array.from(stripPrefix(vocab, vocab.tokens[id] ?? ''));
    keys[id] = (side === 'first' ? chars.slice(0, n) : chars.slice(Math.max(0, chars.length - n))).join('');
  }
  const names = [...new Set(keys.filter((k): k is string => k !== null))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(names.map((k, i) => [k, i]));
  const classOf = Int32Array.from(keys, (k) => (k === null ? -1 : (index.get(k) as number)));
  const out = { names, classOf };
  perVocab.set(key, out);
  return out;
}

export const charNObjective: Objective = {
  id: 'char-n',
  name: 'First or last n characters',
  explanation:
    'A dial between first-character prediction and full masked language modeling: the model predicts the first ' +
    '(or last) n characters of each masked token (always [MASK]). With n = 1 there are a few dozen classes; with ' +
    'larger n almost every token has its own class. The number of classes is the task\'s "complexity": Yamaguchi ' +
    'et al. (2023, BERT-base size, GLUE/SQuAD/UD) found that more complex objectives tend to do better downstream ' +
    "and that at least half of MLM's complexity is needed to perform comparably to MLM. A toy run can show the " +
    'trend in the probe figures at best; its differences are often inside noise.',
  references: [REFS.yamaguchi2023],
  params: [
    {
      key: 'n',
      label: 'Characters (n)',
      kind: 'integer',
      default: 2,
      min: 1,
      max: 5,
      help: 'How many characters to predict.',
    },
    {
      key: 'side',
      label: 'Which end',
      kind: 'choice',
      default: 'first',
      options: [
        { value: 'first', label: 'first n characters' },
        { value: 'last', label: 'last n characters' },
      ],
      help: "Predict the token's beginning or its ending.",
    },
  ],
  core: true,
  defaultStrategy: 'random',
  causal: false,
  head: 'k-class',
  evaluation: 'classes',
  heads(vocab, _T, params) {
    const cc = charClasses(vocab, num(params, 'n'), str(params, 'side') === 'last' ? 'last' : 'first');
    return [
      {
        name: 'char-n',
        kind: 'k-class',
        classes: cc.names.length,
        classNames: cc.names,
        targets: 'gathered',
        lossWeight: 1,
      },
    ];
  },
  corruptRow(row, sel, env) {
    corruptWithSplit(row, sel, env, ALWAYS_MASK, 'token', env.replacement);
  },
  targets(mb, env) {
    const cc = charClasses(env.vocab, num(env.params, 'n'), str(env.params, 'side') === 'last' ? 'last' : 'first');
    mb.gathered = gatherSelected(mb, env.capacity, cc.names.length, (i) => cc.classOf[mb.originalIds[i]]);
  },
};

// A seeded English-like toy language built for watching learning happen: about 100 words, number agreement between
// subject and verb (across attractors and relative clauses), and held-out minimal pairs that test it.
import { Rng, type SeedKey } from './rng';

type Num = 'sg' | 'pl';

/** Nouns that agree (singular, plural). */
const NOUNS: readonly (readonly [string, string])[] = [
  ['dog', 'dogs'],
  ['cat', 'cats'],
  ['bird', 'birds'],
  ['king', 'kings'],
  ['queen', 'queens'],
  ['girl', 'girls'],
  ['boy', 'boys'],
  ['fox', 'foxes'],
  ['wolf', 'wolves'],
  ['farmer', 'farmers'],
  ['child', 'children'],
  ['horse', 'horses'],
  ['mouse', 'mice'],
  ['baker', 'bakers'],
  ['frog', 'frogs'],
  ['goose', 'geese'],
];
/** Verbs without an object (singular, plural). */
const INTRANSITIVE: readonly (readonly [string, string])[] = [
  ['runs', 'run'],
  ['sleeps', 'sleep'],
  ['sings', 'sing'],
  ['laughs', 'laugh'],
  ['waits', 'wait'],
  ['dances', 'dance'],
  ['cries', 'cry'],
  ['smiles', 'smile'],
];
/** Verbs with an object (singular, plural). */
const TRANSITIVE: readonly (readonly [string, string])[] = [
  ['sees', 'see'],
  ['likes', 'like'],
  ['chases', 'chase'],
  ['helps', 'help'],
  ['finds', 'find'],
  ['follows', 'follow'],
  ['calls', 'call'],
  ['feeds', 'feed'],
];
const DETERMINERS: Readonly<Record<Num | 'both', readonly string[]>> = {
  sg: ['a', 'this', 'every'],
  pl: ['these', 'some', 'many'],
  both: ['the', 'my'],
};
const ADJECTIVES = [
  'big',
  'small',
  'old',
  'young',
  'happy',
  'sad',
  'red',
  'brown',
  'quiet',
  'brave',
  'tired',
  'clever',
];
/** Prepositions that attach a second noun phrase to the subject (the "attractor"). */
const ATTRACTOR_PREPOSITIONS = ['near', 'behind', 'with', 'beside'];
/** Place phrases: preposition and place ("in the forest"). */
const PLACES: readonly (readonly [string, string])[] = [
  ['in', 'forest'],
  ['in', 'garden'],
  ['in', 'village'],
  ['at', 'castle'],
  ['at', 'mill'],
  ['by', 'river'],
  ['on', 'hill'],
  ['on', 'meadow'],
];

/** Every word of the language (the period included). */
export const TOY_WORDS: readonly string[] = Object.freeze([
  ...new Set([
    ...DETERMINERS.sg,
    ...DETERMINERS.pl,
    ...DETERMINERS.both,
    ...ADJECTIVES,
    ...NOUNS.flat(),
    ...INTRANSITIVE.flat(),
    ...TRANSITIVE.flat(),
    ...ATTRACTOR_PREPOSITIONS,
    'that',
    ...PLACES.flat(),
    '.',
  ]),
]);

/** The rules in plain language, for the page and the README. */
export const TOY_RULES = [
  'A sentence is a subject, a verb, sometimes an object, sometimes a place, and a period: "the old dogs chase a cat in the forest ."',
  'Nouns are singular or plural (dog / dogs, mouse / mice). A determiner can show the number: "a", "this", "every" go with singular ' +
    'nouns, "these", "some", "many" with plural ones, "the" and "my" with both. An adjective may come before the noun.',
  'The verb agrees with the number of its subject: "the dog runs", "the dogs run". Some verbs take an object ("the cats chase a bird"), ' +
    'others do not ("the king sleeps").',
  'The subject can carry a phrase with a second noun: "the dogs near the cat run". The verb still agrees with "dogs", not with the ' +
    'nearer "cat": that second noun is the attractor.',
  'The subject can carry a relative clause with its own verb, which agrees with the subject too: "the girl that likes the horses sings".',
  'A place phrase may end the sentence: "in the forest", "at the castle", "by the river".',
] as const;

export interface MinimalPair {
  /** The grammatical sentence, word by word (ends with "."). */
  words: string[];
  /** Index of the main verb in `words`. */
  verbIndex: number;
  /** The verb form that agrees with the subject (words[verbIndex]) and the one that does not. */
  good: string;
  bad: string;
  /** A noun of the other number stands between the subject and its verb (a prepositional phrase or relative clause). */
  attractor: boolean;
}

export interface ToyOptions {
  /** Training sentences (default 20,000). */
  sentences?: number;
  seed?: SeedKey;
  /** Held-out minimal pairs of each kind, with and without attractor (default 200 each). */
  pairsPerKind?: number;
}

export const TOY_DEFAULTS = { sentences: 20_000, seed: 1, pairsPerKind: 200 } as const;
export const TOY_MAX_SENTENCES = 500_000;

export interface ToyLanguage {
  /** Training sentences, one per line (the corpus text; MaskLab's usual split then holds some lines out). */
  text: string;
  sentences: number;
  /** Minimal pairs whose sentences never occur in `text`. */
  pairs: MinimalPair[];
}

interface Built {
  words: string[];
  verbIndex: number;
  num: Num;
  attractor: boolean;
  /** What kind of subject: bare, with a prepositional phrase, with a relative clause. */
  kind: 'bare' | 'pp' | 'rc';
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];
const idx = (n: Num): 0 | 1 => (n === 'sg' ? 0 : 1);
const otherNum = (n: Num): Num => (n === 'sg' ? 'pl' : 'sg');

function nounPhrase(rng: Rng, num: Num, adjectiveP = 0.3): string[] {
  const det = rng.bernoulli(0.5) ? pick(rng, DETERMINERS.both) : pick(rng, DETERMINERS[num]);
  const out = [det];
  if (rng.bernoulli(adjectiveP)) out.push(pick(rng, ADJECTIVES));
  out.push(pick(rng, NOUNS)[idx(num)]);
  return out;
}

function verbPhrase(rng: Rng, num: Num): { words: string[]; verb: readonly [string, string] } {
  if (rng.bernoulli(0.5)) {
    const v = pick(rng, INTRANSITIVE);
    return { words: [v[idx(num)]], verb: v };
  }
  const v = pick(rng, TRANSITIVE);
  return { words: [v[idx(num)], ...nounPhrase(rng, rng.bernoulli(0.5) ? 'sg' : 'pl')], verb: v };
}

/** One sentence; `kind` forces the subject's shape (held-out pairs), otherwise it is drawn. */
function sentence(rng: Rng, kind?: Built['kind'], attractor?: boolean): Built {
  const num: Num = rng.bernoulli(0.5) ? 'sg' : 'pl';
  const k = kind ?? (rng.bernoulli(0.5) ? 'bare' : rng.bernoulli(0.5) ? 'pp' : 'rc');
  const words = nounPhrase(rng, num);
  let interveningNum: Num | undefined;
  if (k === 'pp') {
    const n2: Num = attractor === undefined ? (rng.bernoulli(0.5) ? 'sg' : 'pl') : attractor ? otherNum(num) : num;
    words.push(pick(rng, ATTRACTOR_PREPOSITIONS), ...nounPhrase(rng, n2, 0.2));
    interveningNum = n2;
  } else if (k === 'rc') {
    words.push('that');
    if (attractor === undefined ? rng.bernoulli(0.5) : attractor || rng.bernoulli(0.5)) {
      const v = pick(rng, TRANSITIVE);
      const n2: Num = attractor === undefined ? (rng.bernoulli(0.5) ? 'sg' : 'pl') : attractor ? otherNum(num) : num;
      words.push(v[idx(num)], ...nounPhrase(rng, n2, 0.2));
      interveningNum = n2;
    } else {
      words.push(pick(rng, INTRANSITIVE)[idx(num)]);
    }
  }
  const verbIndex = words.length;
  words.push(...verbPhrase(rng, num).words);
  if (rng.bernoulli(0.4)) {
    const [prep, place] = pick(rng, PLACES);
    words.push(prep, 'the', place);
  }
  words.push('.');
  return { words, verbIndex, num, attractor: interveningNum !== undefined && interveningNum !== num, kind: k };
}

function pairOf(b: Built): MinimalPair {
  const verb = [...INTRANSITIVE, ...TRANSITIVE].find((v) => v[idx(b.num)] === b.words[b.verbIndex]);
  if (!verb) throw new Error(`toy language: no verb at ${b.verbIndex} in "${b.words.join(' ')}"`);
  return {
    words: b.words,
    verbIndex: b.verbIndex,
    good: verb[idx(b.num)],
    bad: verb[idx(otherNum(b.num))],
    attractor: b.attractor,
  };
}

/** Replaces the main verb of a pair by its other form (the ungrammatical sentence). */
export function badSentence(p: MinimalPair): string[] {
  return p.words.map((w, i) => (i === p.verbIndex ? p.bad : w));
}

/**
 * Generates the language: training sentences, then held-out minimal pairs (half with an attractor: a noun of the other
 * number inside the subject, in a prepositional phrase or in a relative clause; half with a bare subject) whose
 * sentences are not among the training ones. Deterministic given the options.
 */
export function generateToyLanguage(options: ToyOptions = {}): ToyLanguage {
  const n = options.sentences ?? TOY_DEFAULTS.sentences;
  const seed = options.seed ?? TOY_DEFAULTS.seed;
  const perKind = options.pairsPerKind ?? TOY_DEFAULTS.pairsPerKind;
  if (!Number.isInteger(n) || n < 100 || n > TOY_MAX_SENTENCES) {
    throw new Error(
      `toy language: the number of sentences must be a whole number from 100 to ${TOY_MAX_SENTENCES.toLocaleString('en-US')}, got ${n}`,
    );
  }
  if (!Number.isInteger(perKind) || perKind < 1)
    throw new Error(`toy language: pairs per kind must be a positive whole number, got ${perKind}`);
  const rng = Rng.from(seed, 'toy-language');
  const lines: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const s = sentence(rng).words.join(' ');
    lines.push(s);
    seen.add(s);
  }
  const heldRng = Rng.from(seed, 'toy-language', 'pairs');
  const pairs: MinimalPair[] = [];
  const used = new Set<string>();
  const want: [Built['kind'] | undefined, boolean, number][] = [
    ['bare', false, perKind],
    [undefined, true, perKind],
  ];
  for (const [kind, attractor, count] of want) {
    let made = 0;
    for (let tries = 0; made < count && tries < count * 200; tries++) {
      const k = kind ?? (heldRng.bernoulli(0.5) ? 'pp' : 'rc');
      const b = sentence(heldRng, k, attractor);
      const s = b.words.join(' ');
      if (b.attractor !== attractor || seen.has(s) || used.has(s)) continue;
      used.add(s);
      pairs.push(pairOf(b));
      made++;
    }
    if (made < count)
      throw new Error(
        `toy language: found only ${made} of ${count} unseen held-out sentences; use fewer training sentences`,
      );
  }
  return { text: lines.join('\n') + '\n', sentences: n, pairs };
}

/** The corpus id of the toy language: 'toy' (default size and seed) or 'toy:<sentences>:<seed>'. */
export const TOY_CORPUS = 'toy';
export const TOY_TITLE = 'Toy language';

export function isToyCorpus(corpus: string): boolean {
  return corpus === TOY_CORPUS || corpus.startsWith(`${TOY_CORPUS}:`);
}

/** The toy language's size and seed from its corpus id; a clear message for a malformed one. */
export function parseToyCorpus(corpus: string): { sentences: number; seed: number } {
  if (corpus === TOY_CORPUS) return { sentences: TOY_DEFAULTS.sentences, seed: TOY_DEFAULTS.seed };
  const m = /^toy:(\d+):(\d+)$/.exec(corpus);
  if (!m) throw new Error(`toy language: expected "toy" or "toy:<sentences>:<seed>", got "${corpus}"`);
  const sentences = Number(m[1]);
  const seed = Number(m[2]);
  if (sentences < 100 || sentences > TOY_MAX_SENTENCES) {
    throw new Error(
      `toy language: the number of sentences must be from 100 to ${TOY_MAX_SENTENCES.toLocaleString('en-US')}, got ${sentences}`,
    );
  }
  return { sentences, seed };
}

export function toyCorpusId(sentences: number, seed: number): string {
  return sentences === TOY_DEFAULTS.sentences && seed === TOY_DEFAULTS.seed
    ? TOY_CORPUS
    : `${TOY_CORPUS}:${sentences}:${seed}`;
}

const toyCache = new Map<string, ToyLanguage>();

/** The toy language a corpus id names (generated once per id and kept). */
export function toyLanguageOf(corpus: string): ToyLanguage {
  const key = corpus;
  let t = toyCache.get(key);
  if (!t) {
    t = generateToyLanguage(parseToyCorpus(corpus));
    toyCache.clear();
    toyCache.set(key, t);
  }
  return t;
}

// A seeded English-like toy language built for watching learning happen: about 100 words, number agreement between
// subject and verb (across attractors and relative clauses), held-out minimal pairs that test it, and every
// sentence's gold dependency arcs, known from the grammar that made it.
import { Rng, type SeedKey } from './rng';

type Num = 'sg' | 'pl';

/** Nouns that agree (singular, plural). */
export const NOUNS: readonly (readonly [string, string])[] = [
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
export const INTRANSITIVE: readonly (readonly [string, string])[] = [
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
export const TRANSITIVE: readonly (readonly [string, string])[] = [
  ['sees', 'see'],
  ['likes', 'like'],
  ['chases', 'chase'],
  ['helps', 'help'],
  ['finds', 'find'],
  ['follows', 'follow'],
  ['calls', 'call'],
  ['feeds', 'feed'],
];
export const DETERMINERS: Readonly<Record<Num | 'both', readonly string[]>> = {
  sg: ['a', 'this', 'every'],
  pl: ['these', 'some', 'many'],
  both: ['the', 'my'],
};
export const ADJECTIVES = [
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
export const ATTRACTOR_PREPOSITIONS = ['near', 'behind', 'with', 'beside'];
/** Place phrases: preposition and place ("in the forest"). */
export const PLACES: readonly (readonly [string, string])[] = [
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
  'The subject can carry a relative clause with its own verb. In a subject relative clause that verb agrees with the subject too: ' +
    '"the girl that likes the horses sings". In an object relative clause the clause has its own subject, and its verb agrees with ' +
    'that noun: "the girl that the horses like sings" (the horses like the girl; the girl sings).',
  'A place phrase may end the sentence: "in the forest", "at the castle", "by the river".',
] as const;

/** A word's part of speech; 'rel' is the relative pronoun "that", 'punct' the period. */
export type ToyTag = 'det' | 'adj' | 'noun' | 'verb' | 'prep' | 'rel' | 'punct';

/**
 * The relations a sentence's arcs carry (Universal Dependencies' names where they fit): a determiner or adjective and
 * its noun, a subject noun and its verb (main or relative-clause verb), a verb and its object, a preposition and its
 * noun, the relative pronoun and its clause's verb.
 */
export type ToyRelation = 'det' | 'amod' | 'nsubj' | 'obj' | 'case' | 'rel';

/**
 * One dependency arc over word positions: `dep` depends on `head` (the determiner on its noun, the subject and the
 * object on their verb, the preposition on its noun, "that" on its clause's verb). In an object relative clause the
 * clause verb's object is the noun the clause modifies ("the girl that the horses like": like -> girl).
 */
export interface ToyArc {
  rel: ToyRelation;
  dep: number;
  head: number;
}

/** A sentence with its gold structure: words, their tags and the dependency arcs between them. */
export interface ToySentence {
  words: string[];
  tags: ToyTag[];
  arcs: ToyArc[];
}

/** What stands between the subject and its verb in a minimal pair: nothing, a prepositional phrase, a subject or an object relative clause. */
export type PairKind = 'bare' | 'pp' | 'src' | 'orc';

export const PAIR_KINDS: readonly PairKind[] = ['bare', 'pp', 'src', 'orc'];

export const PAIR_KIND_LABELS: Readonly<Record<PairKind, string>> = {
  bare: 'no attractor',
  pp: 'attractor in a prepositional phrase',
  src: 'attractor in a subject relative clause',
  orc: 'object relative clause',
};

export interface MinimalPair extends ToySentence {
  /** The grammatical sentence, word by word (ends with "."). */
  words: string[];
  /** Index of the main verb in `words`. */
  verbIndex: number;
  /** The verb form that agrees with the subject (words[verbIndex]) and the one that does not. */
  good: string;
  bad: string;
  /** A noun of the other number stands between the subject and its verb (a prepositional phrase or relative clause). */
  attractor: boolean;
  /** The subject's construction. */
  kind: PairKind;
}

export interface ToyOptions {
  /** Training sentences (default 20,000). */
  sentences?: number;
  seed?: SeedKey;
  /** Held-out minimal pairs of each group (default 200 each): without attractor, with one, object relative clauses. */
  pairsPerKind?: number;
  /** Keep every training sentence with its arcs in `parsed` (tests; the page needs only the text). */
  keepParsed?: boolean;
}

export const TOY_DEFAULTS = { sentences: 20_000, seed: 1, pairsPerKind: 200 } as const;
export const TOY_MAX_SENTENCES = 500_000;

export interface ToyLanguage {
  /** Training sentences, one per line (the corpus text; MaskLab's usual split then holds some lines out). */
  text: string;
  sentences: number;
  /**
   * Minimal pairs whose sentences never occur in `text`: `pairsPerKind` without an attractor, as many with one (in a
   * prepositional phrase or a subject relative clause), as many object relative clauses with an attractor.
   */
  pairs: MinimalPair[];
  /** The training sentences with their arcs, when asked for (keepParsed). */
  parsed?: ToySentence[];
}

interface Built extends ToySentence {
  verbIndex: number;
  num: Num;
  attractor: boolean;
  kind: PairKind;
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];
const idx = (n: Num): 0 | 1 => (n === 'sg' ? 0 : 1);
const otherNum = (n: Num): Num => (n === 'sg' ? 'pl' : 'sg');

/** A sentence under construction: words with their tags, and arcs as they are made. */
class SentenceBuilder implements ToySentence {
  words: string[] = [];
  tags: ToyTag[] = [];
  arcs: ToyArc[] = [];

  push(word: string, tag: ToyTag): number {
    this.words.push(word);
    this.tags.push(tag);
    return this.words.length - 1;
  }

  arc(rel: ToyRelation, dep: number, head: number): void {
    this.arcs.push({ rel, dep, head });
  }

  /** Determiner, maybe an adjective, noun; returns the noun's position. */
  nounPhrase(rng: Rng, num: Num, adjectiveP = 0.3): number {
    const det = this.push(rng.bernoulli(0.5) ? pick(rng, DETERMINERS.both) : pick(rng, DETERMINERS[num]), 'det');
    const adj = rng.bernoulli(adjectiveP) ? this.push(pick(rng, ADJECTIVES), 'adj') : -1;
    const noun = this.push(pick(rng, NOUNS)[idx(num)], 'noun');
    this.arc('det', det, noun);
    if (adj >= 0) this.arc('amod', adj, noun);
    return noun;
  }

  /** A verb of `num` whose subject is at `subject`, with an object when transitive; returns the verb's position. */
  verbPhrase(rng: Rng, num: Num, subject: number): number {
    const transitive = !rng.bernoulli(0.5);
    const v = this.push(pick(rng, transitive ? TRANSITIVE : INTRANSITIVE)[idx(num)], 'verb');
    this.arc('nsubj', subject, v);
    if (transitive) this.arc('obj', this.nounPhrase(rng, rng.bernoulli(0.5) ? 'sg' : 'pl'), v);
    return v;
  }
}

/** The attractor's number: drawn, or forced to differ from (attractor) or match the subject's. */
function secondNum(rng: Rng, num: Num, attractor: boolean | undefined): Num {
  return attractor === undefined ? (rng.bernoulli(0.5) ? 'sg' : 'pl') : attractor ? otherNum(num) : num;
}

/** The subject's modifier of kind `k` after the subject noun at `subject`; returns the intervening noun's number. */
function modifier(b: SentenceBuilder, rng: Rng, k: PairKind, num: Num, subject: number, attractor?: boolean) {
  if (k === 'pp') {
    const prep = b.push(pick(rng, ATTRACTOR_PREPOSITIONS), 'prep');
    const n2 = secondNum(rng, num, attractor);
    b.arc('case', prep, b.nounPhrase(rng, n2, 0.2));
    return n2;
  }
  if (k === 'bare') return undefined;
  const that = b.push('that', 'rel');
  if (k === 'orc') {
    // "the girl that the horses like": the clause's subject is the second noun, its object the girl.
    const n2 = secondNum(rng, num, attractor);
    const noun = b.nounPhrase(rng, n2, 0.2);
    const v = b.push(pick(rng, TRANSITIVE)[idx(n2)], 'verb');
    b.arc('nsubj', noun, v);
    b.arc('obj', subject, v);
    b.arc('rel', that, v);
    return n2;
  }
  // Subject relative clause: its verb agrees with the subject; a transitive one brings a second noun.
  if (attractor === undefined ? rng.bernoulli(0.5) : attractor || rng.bernoulli(0.5)) {
    const v = b.push(pick(rng, TRANSITIVE)[idx(num)], 'verb');
    b.arc('nsubj', subject, v);
    b.arc('rel', that, v);
    const n2 = secondNum(rng, num, attractor);
    b.arc('obj', b.nounPhrase(rng, n2, 0.2), v);
    return n2;
  }
  const v = b.push(pick(rng, INTRANSITIVE)[idx(num)], 'verb');
  b.arc('nsubj', subject, v);
  b.arc('rel', that, v);
  return undefined;
}

/** One sentence; `kind` forces the subject's shape (held-out pairs), otherwise it is drawn. */
function sentence(rng: Rng, kind?: PairKind, attractor?: boolean): Built {
  const num: Num = rng.bernoulli(0.5) ? 'sg' : 'pl';
  const k: PairKind =
    kind ?? (rng.bernoulli(0.5) ? 'bare' : rng.bernoulli(0.5) ? 'pp' : rng.bernoulli(0.5) ? 'src' : 'orc');
  const b = new SentenceBuilder();
  const subject = b.nounPhrase(rng, num);
  const interveningNum = modifier(b, rng, k, num, subject, attractor);
  const verbIndex = b.verbPhrase(rng, num, subject);
  if (rng.bernoulli(0.4)) {
    const [prep, place] = pick(rng, PLACES);
    const p = b.push(prep, 'prep');
    const det = b.push('the', 'det');
    const noun = b.push(place, 'noun');
    b.arc('case', p, noun);
    b.arc('det', det, noun);
  }
  b.push('.', 'punct');
  return {
    words: b.words,
    tags: b.tags,
    arcs: b.arcs,
    verbIndex,
    num,
    attractor: interveningNum !== undefined && interveningNum !== num,
    kind: k,
  };
}

function pairOf(b: Built): MinimalPair {
  const verb = [...INTRANSITIVE, ...TRANSITIVE].find((v) => v[idx(b.num)] === b.words[b.verbIndex]);
  if (!verb) throw new Error(`toy language: no verb at ${b.verbIndex} in "${b.words.join(' ')}"`);
  return {
    words: b.words,
    tags: b.tags,
    arcs: b.arcs,
    verbIndex: b.verbIndex,
    good: verb[idx(b.num)],
    bad: verb[idx(otherNum(b.num))],
    attractor: b.attractor,
    kind: b.kind,
  };
}

/** Replaces the main verb of a pair by its other form (the ungrammatical sentence). */
export function badSentence(p: MinimalPair): string[] {
  return p.words.map((w, i) => (i === p.verbIndex ? p.bad : w));
}

/**
 * Generates the language: training sentences, then held-out minimal pairs whose sentences are not among the training
 * ones: without an attractor (a bare subject), with one (a noun of the other number in a prepositional phrase or a
 * subject relative clause), and object relative clauses whose own subject is of the other number. Deterministic
 * given the options.
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
  const parsed: ToySentence[] | undefined = options.keepParsed ? [] : undefined;
  for (let i = 0; i < n; i++) {
    const b = sentence(rng);
    const s = b.words.join(' ');
    lines.push(s);
    seen.add(s);
    parsed?.push({ words: b.words, tags: b.tags, arcs: b.arcs });
  }
  const heldRng = Rng.from(seed, 'toy-language', 'pairs');
  const pairs: MinimalPair[] = [];
  const used = new Set<string>();
  const want: [PairKind | undefined, boolean, number][] = [
    ['bare', false, perKind],
    [undefined, true, perKind],
    ['orc', true, perKind],
  ];
  for (const [kind, attractor, count] of want) {
    let made = 0;
    for (let tries = 0; made < count && tries < count * 200; tries++) {
      const k = kind ?? (heldRng.bernoulli(0.5) ? 'pp' : 'src');
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
  return { text: lines.join('\n') + '\n', sentences: n, pairs, ...(parsed ? { parsed } : {}) };
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

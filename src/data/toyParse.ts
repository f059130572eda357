// Reading the toy language back: a parser that gives a typed sentence (the probe sentence, where [MASK] may stand for
// any word) the same gold arcs the generator gives its own, and the position of each word's first token.
import {
  ADJECTIVES,
  ATTRACTOR_PREPOSITIONS,
  DETERMINERS,
  INTRANSITIVE,
  NOUNS,
  PLACES,
  TRANSITIVE,
  type ToyArc,
  type ToyRelation,
  type ToySentence,
  type ToyTag,
} from './toyLanguage';

/** The literal a probe sentence uses for a hidden word: it may stand for any word of the grammar. */
export const MASK_WORD = '[MASK]';

type Cat = 'det' | 'adj' | 'noun' | 'vi' | 'vt' | 'aprep' | 'pprep' | 'that' | 'the' | 'place' | 'period';

const LEXICON: Readonly<Record<Cat, ReadonlySet<string>>> = {
  det: new Set([...DETERMINERS.sg, ...DETERMINERS.pl, ...DETERMINERS.both]),
  adj: new Set(ADJECTIVES),
  noun: new Set(NOUNS.flat()),
  vi: new Set(INTRANSITIVE.flat()),
  vt: new Set(TRANSITIVE.flat()),
  aprep: new Set(ATTRACTOR_PREPOSITIONS),
  pprep: new Set(PLACES.map((p) => p[0])),
  that: new Set(['that']),
  the: new Set(['the']),
  place: new Set(PLACES.map((p) => p[1])),
  period: new Set(['.']),
};

const TAG_OF: Readonly<Record<Cat, ToyTag>> = {
  det: 'det',
  adj: 'adj',
  noun: 'noun',
  vi: 'verb',
  vt: 'verb',
  aprep: 'prep',
  pprep: 'prep',
  that: 'rel',
  the: 'det',
  place: 'noun',
  period: 'punct',
};

/** A partial parse: the next word to read, the tags so far, the arcs so far, and the position of the phrase's head. */
interface Partial {
  i: number;
  tags: ToyTag[];
  arcs: ToyArc[];
  head: number;
}

/** Every way of reading one word of category `cat` at the partial parse's position. */
function word(words: readonly string[], p: Partial, cat: Cat): Partial[] {
  const w = words[p.i];
  if (w === undefined || (w !== MASK_WORD && !LEXICON[cat].has(w))) return [];
  return [{ i: p.i + 1, tags: [...p.tags, TAG_OF[cat]], arcs: p.arcs, head: p.i }];
}

const withArc = (p: Partial, rel: ToyRelation, dep: number, head: number): Partial => ({
  ...p,
  arcs: [...p.arcs, { rel, dep, head }],
});

/** Words of categories `cats` in a row (each may be a [MASK]); `head` is the last one's position. */
function seq(words: readonly string[], p: Partial, cats: readonly Cat[]): Partial[] {
  let states = [p];
  for (const c of cats) states = states.flatMap((s) => word(words, s, c));
  return states;
}

/** determiner (adjective) noun, with their arcs; head = the noun. */
function nounPhrase(words: readonly string[], p: Partial): Partial[] {
  const plain = seq(words, p, ['det', 'noun']).map((s) => withArc(s, 'det', p.i, s.head));
  const withAdj = seq(words, p, ['det', 'adj', 'noun']).map((s) =>
    withArc(withArc(s, 'det', p.i, s.head), 'amod', p.i + 1, s.head),
  );
  return [...plain, ...withAdj];
}

/** What may follow the subject noun at `subject`: nothing, a prepositional phrase, or a relative clause. */
function modifier(words: readonly string[], p: Partial, subject: number): Partial[] {
  const out: Partial[] = [{ ...p, head: subject }];
  for (const prep of word(words, p, 'aprep'))
    for (const np of nounPhrase(words, prep)) out.push({ ...withArc(np, 'case', p.i, np.head), head: subject });
  for (const that of word(words, p, 'that')) {
    for (const vi of word(words, that, 'vi'))
      out.push({ ...withArc(withArc(vi, 'nsubj', subject, vi.head), 'rel', p.i, vi.head), head: subject });
    for (const vt of word(words, that, 'vt'))
      for (const np of nounPhrase(words, vt)) {
        const arcs = withArc(
          withArc(withArc(np, 'nsubj', subject, vt.head), 'rel', p.i, vt.head),
          'obj',
          np.head,
          vt.head,
        );
        out.push({ ...arcs, head: subject });
      }
    for (const np of nounPhrase(words, that))
      for (const vt of word(words, np, 'vt')) {
        const arcs = withArc(
          withArc(withArc(vt, 'nsubj', np.head, vt.head), 'obj', subject, vt.head),
          'rel',
          p.i,
          vt.head,
        );
        out.push({ ...arcs, head: subject });
      }
  }
  return out;
}

/** The main verb (with its object when transitive) of the subject at `subject`. */
function verbPhrase(words: readonly string[], p: Partial, subject: number): Partial[] {
  const out = word(words, p, 'vi').map((v) => withArc(v, 'nsubj', subject, v.head));
  for (const v of word(words, p, 'vt'))
    for (const np of nounPhrase(words, v))
      out.push({ ...withArc(withArc(np, 'nsubj', subject, v.head), 'obj', np.head, v.head), head: v.head });
  return out;
}

/** An optional place phrase ("in the forest"), then an optional period. */
function ending(words: readonly string[], p: Partial): Partial[] {
  const places = seq(words, p, ['pprep', 'the', 'place']).map((s) =>
    withArc(withArc(s, 'case', p.i, s.head), 'det', p.i + 1, s.head),
  );
  return [p, ...places].flatMap((s) => [s, ...word(words, s, 'period')]);
}

/**
 * The gold structure of a toy-language sentence given word by word (a [MASK] may stand for any word), or undefined
 * when the grammar cannot produce it. Agreement is not checked: "the dogs runs" gets the arcs of "the dogs run".
 * Where [MASK]s leave several readings, the first in the grammar's order is taken.
 */
export function parseToySentence(words: readonly string[]): ToySentence | undefined {
  const start: Partial = { i: 0, tags: [], arcs: [], head: -1 };
  for (const subj of nounPhrase(words, start))
    for (const mod of modifier(words, subj, subj.head))
      for (const vp of verbPhrase(words, mod, subj.head))
        for (const end of ending(words, vp)) {
          if (end.i !== words.length) continue;
          const arcs = [...end.arcs].sort((a, b) => a.dep - b.dep || a.head - b.head);
          return { words: [...words], tags: end.tags, arcs };
        }
  return undefined;
}

/**
 * The position of each word's first token in the encoding of the words joined by spaces (a word-level tokenizer:
 * one token per word; WordPiece: the word's first piece; characters: its first character). Undefined when a word
 * gives no token or the encoding of a prefix is not a prefix of the whole (the positions would not be the same).
 */
export function wordStarts(
  words: readonly string[],
  tokenizer: { encode(text: string): { ids: ArrayLike<number> } },
): number[] | undefined {
  const whole = Array.from(tokenizer.encode(words.join(' ')).ids);
  const starts: number[] = [];
  for (let w = 0; w < words.length; w++) {
    const prefix = Array.from(tokenizer.encode(words.slice(0, w + 1).join(' ')).ids);
    const start = w === 0 ? 0 : Array.from(tokenizer.encode(words.slice(0, w).join(' ') + ' ').ids).length;
    if (prefix.length <= start || prefix.some((id, i) => whole[i] !== id)) return undefined;
    starts.push(start);
  }
  return starts;
}

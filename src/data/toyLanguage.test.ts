// The toy language: deterministic given its seed, minimal pairs that differ in the verb form alone, held-out
// sentences never in training, object relative clauses, sizes out of range refused.
import { describe, expect, it } from 'vitest';
import { badSentence, generateToyLanguage, TOY_WORDS } from './toyLanguage';

describe('toy language', () => {
  const a = generateToyLanguage({ sentences: 3000, seed: 7, pairsPerKind: 100 });

  it('is deterministic given the seed, and another seed gives another text', () => {
    const b = generateToyLanguage({ sentences: 3000, seed: 7, pairsPerKind: 100 });
    expect(b.text).toBe(a.text);
    expect(b.pairs).toEqual(a.pairs);
    const c = generateToyLanguage({ sentences: 3000, seed: 8, pairsPerKind: 100 });
    expect(c.text).not.toBe(a.text);
  });

  it('has about 100 words, every one used, and nothing else', () => {
    expect(TOY_WORDS.length).toBeGreaterThanOrEqual(90);
    expect(TOY_WORDS.length).toBeLessThanOrEqual(110);
    const used = new Set(a.text.split(/\s+/).filter(Boolean));
    expect([...used].filter((w) => !TOY_WORDS.includes(w))).toEqual([]);
    expect(TOY_WORDS.filter((w) => !used.has(w))).toEqual([]);
    expect(a.text.trim().split('\n')).toHaveLength(3000);
  });

  it('every minimal pair differs in exactly the verb form, and the two forms are the two numbers of one verb', () => {
    expect(a.pairs).toHaveLength(300);
    for (const p of a.pairs) {
      const bad = badSentence(p);
      expect(bad).toHaveLength(p.words.length);
      const diff = p.words.flatMap((w, i) => (w !== bad[i] ? [i] : []));
      expect(diff).toEqual([p.verbIndex]);
      expect(p.words[p.verbIndex]).toBe(p.good);
      expect(p.good).not.toBe(p.bad);
      // singular = plural + s / es / ies (runs/run, chases/chase, cries/cry)
      const [sg, pl] = p.good.endsWith('s') ? [p.good, p.bad] : [p.bad, p.good];
      expect([pl + 's', pl + 'es', pl.slice(0, -1) + 'ies']).toContain(sg);
    }
  });

  it('splits the pairs into without an attractor, with one, and object relative clauses', () => {
    const withA = a.pairs.filter((p) => p.attractor && p.kind !== 'orc');
    const without = a.pairs.filter((p) => !p.attractor);
    const orc = a.pairs.filter((p) => p.kind === 'orc');
    expect(withA).toHaveLength(100);
    expect(without).toHaveLength(100);
    expect(orc).toHaveLength(100);
    expect(without.every((p) => p.kind === 'bare')).toBe(true);
    expect(new Set(withA.map((p) => p.kind))).toEqual(new Set(['pp', 'src']));
    expect(orc.every((p) => p.attractor)).toBe(true);
    const plural = new Set([
      'dogs',
      'cats',
      'birds',
      'kings',
      'queens',
      'girls',
      'boys',
      'foxes',
      'wolves',
      'farmers',
      'children',
      'horses',
      'mice',
      'bakers',
      'frogs',
      'geese',
    ]);
    const singular = new Set([
      'dog',
      'cat',
      'bird',
      'king',
      'queen',
      'girl',
      'boy',
      'fox',
      'wolf',
      'farmer',
      'child',
      'horse',
      'mouse',
      'baker',
      'frog',
      'goose',
    ]);
    for (const p of a.pairs) {
      const nouns = p.words.slice(0, p.verbIndex).filter((w) => plural.has(w) || singular.has(w));
      const subjectPlural = plural.has(nouns[0]);
      if (!p.attractor) expect(nouns).toHaveLength(1);
      else expect(nouns.slice(1).some((n) => plural.has(n) !== subjectPlural)).toBe(true);
      // The good form agrees with the subject: singular verbs end in s.
      expect(p.good.endsWith('s')).toBe(!subjectPlural);
    }
  });

  it('in an object relative clause the clause verb agrees with the attractor, the main verb with the subject', () => {
    for (const p of a.pairs.filter((q) => q.kind === 'orc')) {
      const that = p.words.indexOf('that');
      const clauseVerb = p.verbIndex - 1;
      expect(p.tags.slice(that + 1, clauseVerb)).toContain('noun');
      const attractor = p.words[clauseVerb - 1];
      const subject = p.words[that - 1];
      // Singular verbs end in s; the two nouns differ in number, so the two verbs do too.
      expect(p.words[clauseVerb].endsWith('s')).not.toBe(p.good.endsWith('s'));
      expect(p.arcs).toContainEqual({ rel: 'nsubj', dep: clauseVerb - 1, head: clauseVerb });
      expect(p.arcs).toContainEqual({ rel: 'obj', dep: that - 1, head: clauseVerb });
      expect(p.arcs).toContainEqual({ rel: 'nsubj', dep: that - 1, head: p.verbIndex });
      expect(attractor).not.toBe(subject);
    }
  });

  describe('gold arcs', () => {
    const parsed = generateToyLanguage({ sentences: 3000, seed: 7, pairsPerKind: 20, keepParsed: true }).parsed!;
    const sorted = (arcs: readonly { rel: string; dep: number; head: number }[]) =>
      [...arcs].sort((x, y) => x.dep - y.dep || x.head - y.head);
    // Each construction as a tag pattern and its arcs, written by hand: [relation, dependent, head].
    const CASES: [string, string, [string, number, number][]][] = [
      [
        'bare subject, intransitive verb',
        'det noun verb punct',
        [
          ['det', 0, 1],
          ['nsubj', 1, 2],
        ],
      ],
      [
        'adjective, transitive verb and its object',
        'det adj noun verb det noun punct',
        [
          ['det', 0, 2],
          ['amod', 1, 2],
          ['nsubj', 2, 3],
          ['det', 4, 5],
          ['obj', 5, 3],
        ],
      ],
      [
        'attractor in a prepositional phrase',
        'det noun prep det noun verb punct',
        [
          ['det', 0, 1],
          ['nsubj', 1, 5],
          ['case', 2, 4],
          ['det', 3, 4],
        ],
      ],
      [
        'subject relative clause, intransitive',
        'det noun rel verb verb punct',
        [
          ['det', 0, 1],
          ['nsubj', 1, 3],
          ['nsubj', 1, 4],
          ['rel', 2, 3],
        ],
      ],
      [
        'subject relative clause with an object',
        'det noun rel verb det noun verb punct',
        [
          ['det', 0, 1],
          ['nsubj', 1, 3],
          ['nsubj', 1, 6],
          ['rel', 2, 3],
          ['det', 4, 5],
          ['obj', 5, 3],
        ],
      ],
      [
        'object relative clause',
        'det noun rel det noun verb verb punct',
        [
          ['det', 0, 1],
          ['obj', 1, 5],
          ['nsubj', 1, 6],
          ['rel', 2, 5],
          ['det', 3, 4],
          ['nsubj', 4, 5],
        ],
      ],
      [
        'place phrase',
        'det noun verb prep det noun punct',
        [
          ['det', 0, 1],
          ['nsubj', 1, 2],
          ['case', 3, 5],
          ['det', 4, 5],
        ],
      ],
    ];
    for (const [name, pattern, arcs] of CASES) {
      it(name, () => {
        const s = parsed.find((x) => x.tags.join(' ') === pattern);
        expect(s, `a generated sentence tagged "${pattern}"`).toBeDefined();
        expect(sorted(s!.arcs)).toEqual(sorted(arcs.map(([rel, dep, head]) => ({ rel, dep, head }))));
      });
    }

    it('every determiner, adjective, preposition and "that" depends on one word; no arc touches the period', () => {
      for (const s of parsed.slice(0, 500)) {
        expect(s.tags).toHaveLength(s.words.length);
        for (const arc of s.arcs) {
          expect(arc.dep).not.toBe(arc.head);
          expect(Math.max(arc.dep, arc.head)).toBeLessThan(s.words.length - 1);
        }
        // Every determiner, adjective, preposition and "that" depends on exactly one word.
        s.tags.forEach((t, i) => {
          if (t === 'det' || t === 'adj' || t === 'prep' || t === 'rel')
            expect(s.arcs.filter((x) => x.dep === i)).toHaveLength(1);
        });
      }
    });

    it('minimal pairs keep their arcs, and their main verb has its subject', () => {
      for (const p of a.pairs) {
        const subj = p.arcs.find((x) => x.rel === 'nsubj' && x.head === p.verbIndex);
        expect(subj).toBeDefined();
        expect(p.tags[subj!.dep]).toBe('noun');
      }
    });
  });

  it('no held-out sentence (grammatical or not) appears in training', () => {
    const train = new Set(a.text.trim().split('\n'));
    for (const p of a.pairs) {
      expect(train.has(p.words.join(' '))).toBe(false);
      expect(train.has(badSentence(p).join(' '))).toBe(false);
    }
    expect(new Set(a.pairs.map((p) => p.words.join(' '))).size).toBe(a.pairs.length);
  });

  it('refuses sizes out of range with a message', () => {
    expect(() => generateToyLanguage({ sentences: 5 })).toThrow(/from 100 to/);
    expect(() => generateToyLanguage({ sentences: 1.5e6 })).toThrow(/from 100 to/);
  });
});

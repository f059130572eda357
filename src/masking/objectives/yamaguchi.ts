// Yamaguchi et al. 2021's k-class objectives on our existing class head: shuffle+random (3 ways, every real
// token) and token type (4 ways, masked tokens only).
import { corruptWithSplit, gatherSelected, gatherWhere, type Objective } from '../objective';
import { num } from '../params';
import { specialMask } from '../sampling';
import { REFS } from '../papers';
import { Tag, type VocabInfo } from '../types';
import { shuffleSelected } from './detection';

declare module '../types' {
  interface ObjectiveIds {
    'shuffle-random': true;
    'token-type': true;
  }
}

export const SHUFFLE_RANDOM_CLASSES: readonly string[] = ['original', 'shuffled', 'random'];

export const shuffleRandomObjective: Objective = {
  id: 'shuffle-random',
  name: 'Shuffled or random token detection (3-way)',
  explanation:
    'Two corruptions at once: about 15% of the tokens are taken from other places of the same sentence (shuffled), ' +
    'and of the rest about 15% are swapped for random words. For every token the model answers one of three: ' +
    'original, shuffled or random. It is one of the five simple objectives Yamaguchi et al. (2021) pretrained in ' +
    'place of MLM; at BERT-base size they report the five comparable to or better than MLM on GLUE and SQuAD, and ' +
    'a BERT-medium (41% of the parameters) with their best objective about 1% lower on GLUE (their tables give each ' +
    "objective's scores). A toy run cannot stand in for pretraining at that scale.",
  references: [REFS.yamaguchi2021],
  params: [
    {
      key: 'randomRate',
      label: 'Random share of the rest',
      kind: 'number',
      default: 0.15,
      min: 0,
      max: 1,
      step: 0.01,
      help: 'Of the tokens the strategy did not pick for shuffling, the share replaced by a random token (15% in the paper).',
    },
  ],
  core: false,
  defaultStrategy: 'random',
  causal: false,
  head: 'k-class',
  evaluation: 'classes',
  heads: () => [
    {
      name: 'shuffle-random',
      kind: 'k-class',
      classes: 3,
      classNames: SHUFFLE_RANDOM_CLASSES,
      targets: 'gathered',
      lossWeight: 1,
    },
  ],
  // Every real token is a target.
  capacity: (T) => T,
  extendSelection(row, sel, env) {
    // Each maskable token the strategy did not pick, with probability p; marked 2 until corruptRow sorts them out.
    const p = num(env.params, 'randomRate');
    for (const t of row.candidates) if (!sel.selected[t] && env.rng.float() < p) sel.selected[t] = 2;
  },
  corruptRow(row, sel, env) {
    // Positions the strategy picked carry 1, those extendSelection added carry 2; both end up selected = 1.
    const random: number[] = [];
    for (let t = 0; t < row.T; t++) {
      if (sel.selected[t] === 2) {
        random.push(t);
        sel.selected[t] = 0;
      }
    }
    shuffleSelected(row, sel, env);
    for (let t = 0; t < row.T; t++) if (sel.selected[t]) env.kinds[t] = 1;
    for (const t of random) {
      sel.selected[t] = 1;
      env.kinds[t] = 2;
      env.inputIds[t] = env.uniform.draw(env.rng, row.ids[t]);
      env.tags[t] = env.inputIds[t] === row.ids[t] ? Tag.KEPT : Tag.REPLACED;
    }
  },
  targets(mb, env) {
    // Every real, non-special token (units >= 0 exactly there): 0 original, 1 shuffled, 2 random.
    mb.gathered = gatherWhere(
      mb,
      env.capacity,
      3,
      (i) => mb.units[i] >= 0,
      (i) => env.kinds[i],
    );
  },
};

export const TOKEN_TYPE_CLASSES: readonly string[] = ['content word', 'stop word', 'number', 'punctuation'];

/** English stop words (NLTK's list, the kind Yamaguchi et al.'s collator uses). */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself ' +
    'it its itself they them their theirs themselves what which who whom this that these those am is are was were be ' +
    'been being have has had having do does did doing a an the and but if or because as until while of at by for ' +
    'with about against between into through during before after above below to from up down in out on off over ' +
    'under again further then once here there when where why how all any both each few more most other some such no ' +
    'nor not only own same so than too very s t can will just don should now d ll m o re ve y ain aren couldn didn ' +
    'doesn hadn hasn haven isn ma mightn mustn needn shan shouldn wasn weren won wouldn thee thou thy thine ye hath doth'
  ).split(' '),
);

/** Class of a token's text: 0 content word, 1 stop word, 2 number, 3 punctuation (or symbol). */
export function tokenTypeOf(text: string): number {
  if (text.length > 0 && /^[\p{P}\p{S}]+$/u.test(text)) return 3;
  if (/^[\p{N}.,]+$/u.test(text) && /\p{N}/u.test(text)) return 2;
  if (STOP_WORDS.has(text.toLowerCase())) return 1;
  return 0;
}

const typeCache = new WeakMap<VocabInfo, Int32Array>();

/** Token type per vocabulary id (-1 for special tokens); continuation pieces are judged by their own text. */
export function tokenTypes(vocab: VocabInfo): Int32Array {
  const hit = typeCache.get(vocab);
  if (hit) return hit;
  const special = specialMask(vocab);
  const prefix = vocab.continuationPrefix ?? '';
  const out = Int32Array.from({ length: vocab.size }, (_, id) => {
    if (special[id]) return -1;
    const tok = vocab.tokens[id] ?? '';
    return tokenTypeOf(prefix && tok.startsWith(prefix) ? tok.slice(prefix.length) : tok);
  });
  typeCache.set(vocab, out);
  return out;
}

export const tokenTypeObjective: Objective = {
  id: 'token-type',
  name: 'Token type (4-way)',
  explanation:
    'Tokens are hidden behind [MASK] (always: no random or kept tokens) and the model only says what kind of token ' +
    'was there: a content word, a stop word ("the", "of"), a number or punctuation. Four choices: a far simpler ' +
    'question than naming the word, still answerable only from context. It is one of the five simple objectives ' +
    'Yamaguchi et al. (2021) pretrained at BERT-base size, which they report comparable to or better than MLM on ' +
    "GLUE and SQuAD as a group (their tables give each objective's scores).",
  references: [REFS.yamaguchi2021],
  params: [],
  core: false,
  defaultStrategy: 'random',
  causal: false,
  head: 'k-class',
  evaluation: 'classes',
  heads: () => [
    {
      name: 'token-type',
      kind: 'k-class',
      classes: 4,
      classNames: TOKEN_TYPE_CLASSES,
      targets: 'gathered',
      lossWeight: 1,
    },
  ],
  corruptRow(row, sel, env) {
    corruptWithSplit(row, sel, env, { mask: 1, random: 0, keep: 0 }, 'token', env.replacement);
  },
  targets(mb, env) {
    const types = tokenTypes(env.vocab);
    mb.gathered = gatherSelected(mb, env.capacity, 4, (i) => types[mb.originalIds[i]]);
  },
};

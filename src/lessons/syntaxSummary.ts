// Lesson 2's after-run answers to its two syntax questions, from the run's own evaluations: does a head (or a path of
// heads) find the verb's subject past an attractor before or after the loss drops, and is it one head or two in a row.
import {
  beatsBaselines,
  headLabel,
  ONSET_RELATION,
  pathLabel,
  syntaxOnsetStep,
  type RelationScore,
  type SyntaxScores,
} from '../session/syntax';
import { int, pct } from './summaries';

/** Agreement past an attractor counts as risen from the first evaluation at or above this share. */
export const ATTRACTOR_RISE = 0.75;

/** The two questions lesson 2 asks about syntax; the after-run text answers them in this order. */
export const SYNTAX_QUESTIONS = [
  'Does something find the subject before or after the loss drops?',
  'One head, or two in a row?',
] as const;

export interface SyntaxRunNumbers {
  evals: readonly { step: number; syntax?: SyntaxScores; agreement?: { attractor: number } }[];
  /** The first evaluation above the frequency guess by the plateau margin (null: never; undefined: not known). */
  plateauExitStep?: number | null;
}

const CHEN =
  'Chen et al. (2024) saw syntactic attention structure appear in BERT-base (12 layers of 12 heads, about 110 million ' +
  'parameters, trained on English books and Wikipedia, its attention scored against parsed English) in a brief ' +
  'window together with the steep drop in the loss, and grammatical abilities improve after it.';

const pts = (m: number) => `${Math.round(m * 100)} points`;
const SYNTAX_MARGIN_OF = (evals: SyntaxRunNumbers['evals']) => evals.find((e) => e.syntax)?.syntax?.margin ?? 0.1;

const offsetText = (r: RelationScore) =>
  `always the word ${Math.abs(r.offset.offset)} ${r.offset.offset < 0 ? 'before' : 'after'}: ${pct(r.offset.score)}`;

function baselines(r: RelationScore): string {
  return `the baselines (${offsetText(r)}; the nearest noun on the left: ${pct(r.nearestNoun ?? 0)})`;
}

/** "N steps after" / "before" / "at the same evaluation as". */
function order(a: number, b: number): string {
  if (a === b) return 'at the same evaluation as';
  return `${int(Math.abs(a - b))} steps ${a > b ? 'after' : 'before'}`;
}

function beforeOrAfter(n: SyntaxRunNumbers, evals: SyntaxRunNumbers['evals'], last: RelationScore): string {
  const onset = syntaxOnsetStep(evals);
  const exit = n.plateauExitStep;
  const q = `${SYNTAX_QUESTIONS[0]} `;
  const spacing = evals.length > 1 ? evals[1].step - evals[0].step : undefined;
  const grain = spacing
    ? ` (evaluations every ${int(spacing)} steps: what happens between two of them is not resolved)`
    : '';
  const rise = evals.find((e) => (e.agreement?.attractor ?? 0) >= ATTRACTOR_RISE);
  const lastAgreement = [...evals].reverse().find((e) => e.agreement)?.agreement;
  const agreement = rise
    ? ` Agreement past an attractor first reached ${pct(ATTRACTOR_RISE)} at step ${int(rise.step)}` +
      (onset !== null ? `, ${order(rise.step, onset)} the syntax onset.` : '.')
    : lastAgreement
      ? ` Agreement past an attractor stayed below ${pct(ATTRACTOR_RISE)} (${pct(lastAgreement.attractor)} at the end).`
      : '';
  if (onset === null) {
    const path = last.path ? `, the best path (${pathLabel(last.path.hops)}) ${pct(last.path.score)}` : '';
    return (
      q +
      `In this run, nothing did: by step ${int(evals[evals.length - 1].step)} the best single head (${headLabel(last.head)}) ` +
      `sent ${pct(last.head.score)} of the verbs past an attractor to their subject${path}, not ` +
      `${pts(SYNTAX_MARGIN_OF(evals))} above ${baselines(last)}.` +
      (exit != null ? ` The model left the frequency plateau at step ${int(exit)}.` : '') +
      agreement
    );
  }
  const at = evals.find((e) => e.step === onset)!.syntax!.relations.find((r) => r.id === ONSET_RELATION)!;
  const margin = SYNTAX_MARGIN_OF(evals);
  const byPath = at.path !== undefined && beatsBaselines(at.path.score, at, margin) && at.path.score >= at.head.score;
  const who = byPath
    ? `the path ${pathLabel(at.path!.hops)} (${pct(at.path!.score)})`
    : `head ${headLabel(at.head)} (${pct(at.head.score)})`;
  const rel =
    exit === undefined
      ? ''
      : exit === null
        ? ' The model never left the frequency plateau by the margin in this run.'
        : ` That is ${order(onset, exit)} the loss dropped: the model left the frequency plateau at step ${int(exit)}${grain}.`;
  return (
    q +
    `Step ${int(onset)} is the first evaluation where something found the verb's subject past an attractor: ${who}, ` +
    `at least ${pts(margin)} above ${baselines(at)}.${rel}${agreement}`
  );
}

function oneOrTwo(last: RelationScore, step: number, margin: number, layers: number): string {
  const q = `${SYNTAX_QUESTIONS[1]} `;
  const headOk = beatsBaselines(last.head.score, last, margin);
  const pathOk = last.path !== undefined && beatsBaselines(last.path.score, last, margin);
  const head = `head ${headLabel(last.head)}, the best single head, sent ${pct(last.head.score)} of them there`;
  if (layers < 2) return q + `This model has one layer, so there are no paths; at step ${int(step)} ${head}.`;
  if (pathOk && last.path!.score > last.head.score) {
    const hops = last.path!.hops;
    const [low, high] = [hops[0], hops[hops.length - 1]];
    return (
      q +
      `${hops.length === 2 ? 'Two' : int(hops.length)} in a row. At step ${int(step)} the path ${pathLabel(hops)} led ` +
      `${pct(last.path!.score)} of the verbs past an attractor to their subject: head ${headLabel(high)} (layer ` +
      `${high.layer + 1}) takes the verb to another word, and that word's most-attended token under head ` +
      `${headLabel(low)} (layer ${low.layer + 1}) is the subject. ` +
      (headOk
        ? `A single head does it too, less often: ${head}.`
        : `No single head does: ${head}. The subject reaches the verb in ${hops.length === 2 ? 'two' : int(hops.length)} hops, which a view of one head at a time would miss.`)
    );
  }
  if (headOk)
    return (
      q +
      `One. At step ${int(step)} ${head}, straight from the verb past the attractor` +
      (last.path ? `; the best path, ${pathLabel(last.path.hops)}, does no better (${pct(last.path.score)}).` : '.')
    );
  return (
    q +
    `Neither yet. At step ${int(step)} ${head}` +
    (last.path ? `, and the best path, ${pathLabel(last.path.hops)}, ${pct(last.path.score)}` : '') +
    `, not ${pts(margin)} above ${baselines(last)}.`
  );
}

/** The answers to SYNTAX_QUESTIONS from the run's evaluations (none when it has no syntax scores). */
export function syntaxSummary(n: SyntaxRunNumbers, layers: number): string[] {
  const evals = [...n.evals].filter((e) => e.syntax).sort((a, b) => a.step - b.step);
  const lastEval = evals[evals.length - 1];
  const last = lastEval?.syntax?.relations.find((r) => r.id === ONSET_RELATION);
  if (!lastEval || !last) return [];
  return [
    beforeOrAfter(n, evals, last),
    oneOrTwo(last, lastEval.step, lastEval.syntax!.margin, layers),
    `${CHEN} This run is a ${layers}-layer model on a generated language, scored the same way against the grammar's ` +
      'own arcs: it can show when and how its few heads find the subject, not what happens in a large model on English.',
  ];
}

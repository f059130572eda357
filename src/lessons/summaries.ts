// After-run texts computed from a run's own numbers (pure functions): the fill-in probe before and after training,
// the frequency plateau and agreement, the mask survey, and a comparison's paired verdicts. No canned results.
import { PLATEAU_MARGIN } from '../session/baseline';
import type { PairedDifference } from '../session/stats';
import type { Verdict } from './types';

export const int = (n: number) => Math.round(n).toLocaleString('en-US');
export const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
/** A probability as a percentage with two significant digits when small (1/2048 = 0.049%). */
export const prob = (p: number) => (p >= 0.01 || p === 0 ? pct(p) : `${Number((p * 100).toPrecision(2))}%`);
const points = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}`;

export interface EvalNumbers {
  step: number;
  loss: number;
  accuracy: number;
}

const byStep = (evals: readonly EvalNumbers[]) => [...evals].sort((a, b) => a.step - b.step);

/** First and last evaluation, and the loss of a uniform guess. */
function progressLine(evals: readonly EvalNumbers[], V: number): string | undefined {
  const e = byStep(evals);
  if (e.length === 0) return undefined;
  const a = e[0];
  const b = e[e.length - 1];
  if (a === b)
    return `At step ${int(a.step)} the held-out accuracy was ${pct(a.accuracy)} and the loss ${a.loss.toFixed(2)} (a uniform guess scores ln V = ${Math.log(V).toFixed(2)}).`;
  return (
    `Held-out accuracy went from ${pct(a.accuracy)} at step ${int(a.step)} to ${pct(b.accuracy)} at step ${int(b.step)}, ` +
    `the loss from ${a.loss.toFixed(2)} to ${b.loss.toFixed(2)} (a uniform guess scores ln V = ${Math.log(V).toFixed(2)}).`
  );
}

// ----------------------------------------------------------------------------------------------------- lesson 1

export interface ProbeGuesses {
  step: number;
  /** Top guesses at the first [MASK] of the probe sentence, most likely first. */
  top: { token: string; p: number }[];
}

export interface ProbeRunNumbers {
  V: number;
  evals: EvalNumbers[];
  before?: ProbeGuesses;
  after?: ProbeGuesses;
}

const quoted = (top: ProbeGuesses['top'], k = 3) =>
  top
    .slice(0, k)
    .map((t) => `"${t.token}" (${prob(t.p)})`)
    .join(', ');

export function probeSummary(n: ProbeRunNumbers): string[] {
  const out: string[] = [];
  const uniform = 1 / n.V;
  if (n.before && n.before.top.length > 0) {
    const p = n.before.top[0].p;
    const ratio = p / uniform;
    out.push(
      `At step ${int(n.before.step)} the top guess at the first [MASK] was "${n.before.top[0].token}" with probability ${prob(p)}, ` +
        `${ratio < 3 ? 'close to' : `${ratio.toFixed(0)} times`} 1/V = ${prob(uniform)} for V = ${int(n.V)}: ` +
        (ratio < 3 ? 'a near-uniform guess, as random weights give.' : 'already more than a uniform guess.'),
    );
  }
  if (n.after && n.after.top.length > 0 && n.after.step > (n.before?.step ?? -1)) {
    const p = n.after.top[0].p;
    out.push(
      `After ${int(n.after.step)} steps its top guesses were ${quoted(n.after.top)}` +
        (p > 5 * uniform
          ? `: the top one is ${(p / uniform).toFixed(0)} times more likely than a uniform guess. ` +
            'Compare them with the most common tokens of the text: a model this young guesses by frequency.'
          : ': still close to uniform.'),
    );
  }
  const line = progressLine(n.evals, n.V);
  if (line) out.push(line);
  return out;
}

// ----------------------------------------------------------------------------------------------------- lesson 2

export interface LearningNumbers {
  V: number;
  steps: number;
  evals: EvalNumbers[];
  /** The frequency guess on the same held-out targets, when the page has it. */
  baseline?: { loss: number; accuracy: number };
  /** The step the run left the plateau (null: never left; undefined: not known). */
  plateauExitStep?: number | null;
  /** The stated threshold: points of accuracy above the baseline that count as leaving it. */
  margin?: number;
  agreement?: { step: number; withoutAttractor: number; withAttractor?: number; objectRelative?: number };
}

// The same margin the Train panel and the CLI use (src/session/baseline.ts).
export { PLATEAU_MARGIN };

/** The first evaluation at least `margin` above the frequency guess, or null when there is none. */
export function plateauExit(
  evals: readonly EvalNumbers[],
  baselineAccuracy: number,
  margin = PLATEAU_MARGIN,
): number | null {
  return byStep(evals).find((e) => e.accuracy >= baselineAccuracy + margin)?.step ?? null;
}

export function learningSummary(n: LearningNumbers): string[] {
  const out: string[] = [];
  const e = byStep(n.evals);
  const last = e[e.length - 1];
  const line = progressLine(e, n.V);
  if (line) out.push(line);
  if (!n.baseline || !last) {
    out.push('This page has no frequency baseline for this run, so where the plateau ends cannot be told from it.');
  } else {
    const margin = n.margin ?? PLATEAU_MARGIN;
    const exit = n.plateauExitStep !== undefined ? n.plateauExitStep : plateauExit(e, n.baseline.accuracy, margin);
    const over = last.accuracy - n.baseline.accuracy;
    if (exit === null) {
      const where =
        last.accuracy < n.baseline.accuracy
          ? `is ${Math.abs(over * 100).toFixed(1)} points below the frequency guess (${pct(n.baseline.accuracy)})`
          : `is within ${(margin * 100).toFixed(0)} points of the frequency guess (${pct(n.baseline.accuracy)})`;
      out.push(
        `Your model stayed on the frequency plateau for all ${int(n.steps)} steps: its accuracy of ${pct(last.accuracy)} ` +
          `${where}. It has learned at most which tokens are common, not yet how the context decides. A longer run ` +
          'would be needed to see the drop.',
      );
    } else {
      out.push(
        `Your model left the frequency plateau at step ${int(exit)} (more than ${(margin * 100).toFixed(0)} points above ` +
          `the frequency guess of ${pct(n.baseline.accuracy)}) and ended ${points(over)} points over it, at ${pct(last.accuracy)}.`,
      );
    }
    const dl = n.baseline.loss - last.loss;
    out.push(
      `Its held-out loss of ${last.loss.toFixed(2)} is ${Math.abs(dl).toFixed(2)} ${dl >= 0 ? 'below' : 'above'} the ` +
        `frequency guess's ${n.baseline.loss.toFixed(2)}.`,
    );
  }
  const ag = n.agreement;
  if (ag) {
    let s = `Agreement without an attractor reached ${pct(ag.withoutAttractor)} at step ${int(ag.step)} (chance 50%)`;
    if (ag.withAttractor !== undefined) {
      const w = ag.withAttractor;
      s +=
        `; with an attractor ${pct(w)}` +
        (w < 0.4
          ? ': below chance, so the model mostly agrees with the nearest noun, a shortcut rather than the rule.'
          : w > 0.6
            ? ': above chance, so it finds the subject past the attractor.'
            : ': about chance.');
    } else s += '.';
    if (ag.objectRelative !== undefined)
      s +=
        ` In object relative clauses ("the girl that the horses like sings"), where the clause's own verb agrees with ` +
        `the attractor, ${pct(ag.objectRelative)}` +
        (ag.objectRelative < 0.4
          ? ': the model follows the nearest noun or copies the nearest verb.'
          : ag.objectRelative > 0.6
            ? ': copying the nearest verb would have failed here, so it finds the subject.'
            : ': about chance.');
    out.push(s);
  }
  return out;
}

// ----------------------------------------------------------------------------------------------------- lesson 3

export interface MaskSurveyRow {
  label: string;
  sequences: number;
  /** Words with at least one corrupted piece. */
  wordsTouched: number;
  /** Of those, words of two or more pieces, and how many of them kept some pieces uncorrupted. */
  multiTouched: number;
  multiSplit: number;
  rate: number;
}

export function maskSurveySummary(rows: readonly MaskSurveyRow[]): string[] {
  return rows.map((r) => {
    const share = r.multiTouched > 0 ? r.multiSplit / r.multiTouched : 0;
    return (
      `${r.label}: ${pct(r.rate)} of the tokens of ${int(r.sequences)} sequences, ${int(r.wordsTouched)} words touched; ` +
      `${int(r.multiSplit)} of the ${int(r.multiTouched)} touched words with several pieces (${pct(share)}) kept some pieces visible.`
    );
  });
}

/** Which answer of lesson 3's question the random-masking row bears out. */
export function splitShareAnswer(row: MaskSurveyRow): 'rarely' | 'half' | 'mostly' {
  const share = row.multiTouched > 0 ? row.multiSplit / row.multiTouched : 0;
  return share < 0.35 ? 'rarely' : share <= 0.65 ? 'half' : 'mostly';
}

// ------------------------------------------------------------------------------------------------ lessons 4-6

/** A paired difference (session/stats); with one seed and no test-noise estimate, the mean alone. */
export type PairedDiff = Pick<PairedDifference, 'mean' | 'n'> &
  Partial<Pick<PairedDifference, 'lo' | 'hi' | 'verdict'>>;

export interface ComparisonRow {
  label: string;
  diff?: PairedDiff;
  /** The scheme the others are measured against (no line of its own). */
  isReference?: boolean;
}

export interface ComparisonNumbers {
  /** The figure the differences are of, e.g. "held-out accuracy through the shared probe". */
  metric: string;
  reference: string;
  rows: ComparisonRow[];
  /** How the budget was made equal, and the steps each scheme got. */
  budget: { kind: 'steps' | 'tokens' | 'FLOPs'; steps: number[]; flops?: (number | undefined)[] };
  /** Whether every run was scored the same way, or vocabulary heads scored themselves and the others a probe. */
  scoring: 'same evaluation' | 'own head for vocabulary heads';
  /** The reference's accuracy and the frequency guess on the same targets, when known. */
  frequency?: { reference: number; baseline: number };
}

function diffLine(row: ComparisonRow, reference: string): string {
  const d = row.diff;
  if (!d) return `${row.label}: no finished pair of runs yet.`;
  const base = `${row.label} against ${reference}: ${points(d.mean)} points`;
  if (d.n < 2 || d.lo === undefined || d.hi === undefined || !d.verdict)
    return `${base} from one seed: this compares two trained models, not two schemes; add seeds for a verdict.`;
  return `${base}, 95% interval [${points(d.lo)}, ${points(d.hi)}] over ${d.n} paired seeds: ${d.verdict}.`;
}

/** What each lesson's verdict means next to its papers. */
const READINGS: Record<number, Record<Verdict, string>> = {
  4: {
    better:
      '40% won here: the direction Wettig et al. found for BERT-large, though their argument predicts a model this small prefers 15%. With three seeds of a short run, treat it as one observation.',
    worse:
      "40% lost here, as Wettig et al.'s argument predicts for small models; it says nothing against their BERT-large result.",
    'inside noise':
      'This run cannot tell 40% from 15%. The differences the papers report, about a GLUE point at BERT scale, are far below what this toy comparison resolves.',
  },
  5: {
    better: "ELECTRA's encoder won at this budget, the direction Clark et al. found.",
    worse:
      "ELECTRA lost here. Clark et al.'s gains came over long training; this early a tiny generator makes poor replacements, and a probe that predicts masked tokens asks for what MLM practised.",
    'inside noise': "ELECTRA and MLM are inside each other's noise at this budget: the run cannot separate them.",
  },
  6: {
    worse: 'First-char fell behind MLM, in line with the trend Yamaguchi et al. (2023) found at BERT-base.',
    'inside noise':
      'First-char is inside the noise of MLM here, as simple objectives were reported comparable in some settings (Yamaguchi et al. 2021); the 2023 trend needs more training and finer measures.',
    better:
      "First-char beat MLM here, against Yamaguchi et al.'s trend; early in training an easier task can be learnt faster, and the probe's budget is small.",
  },
};

/** 6.68e11: FLOPs in a few characters. */
function sci(x: number): string {
  return x.toExponential(2).replace('e+', 'e');
}

export function comparisonSummary(lesson: number, n: ComparisonNumbers, pair?: number, predicted?: Verdict): string[] {
  const out: string[] = [];
  const steps = [...new Set(n.budget.steps)];
  out.push(
    `Each scheme trained ${steps.length === 1 ? `${int(steps[0])} steps` : `${steps.map(int).join(' / ')} steps`} ` +
      `(equal ${n.budget.kind}); the figure is ${n.metric}.`,
  );
  for (const r of n.rows) if (!r.isReference) out.push(diffLine(r, n.reference));
  const d = pair !== undefined ? n.rows[pair]?.diff : undefined;
  if (d?.verdict) {
    out.push(READINGS[lesson]?.[d.verdict] ?? '');
    if (predicted)
      out.push(
        predicted === d.verdict
          ? `You predicted "${predicted}": that is what happened.`
          : `You predicted "${predicted}"; the run says "${d.verdict}".`,
      );
  }
  if (lesson === 5 && n.budget.kind === 'FLOPs') {
    const parts = n.rows.map((r, i) => {
      const f = n.budget.flops?.[i];
      return `${r.label} ${int(n.budget.steps[i])} steps${f !== undefined ? ` for ${sci(f)} FLOPs` : ''}`;
    });
    out.push(
      `At equal FLOPs each scheme got the steps its own cost per step affords: ${parts.join(', ')}. ` +
        "ELECTRA's generator runs on every step, so its steps are fewer; the matrix products are counted, not wall time.",
    );
  }
  if (lesson === 5 && n.budget.kind !== 'FLOPs') {
    out.push(
      "The budgets were equal in steps, not FLOPs: ELECTRA's generator ran on top of each step, which favours ELECTRA; the curves against FLOPs show it at equal compute.",
    );
  }
  if (n.frequency && n.frequency.reference < n.frequency.baseline + PLATEAU_MARGIN) {
    const where =
      n.frequency.reference < n.frequency.baseline
        ? `below the frequency guess (${pct(n.frequency.baseline)})`
        : `within ${(PLATEAU_MARGIN * 100).toFixed(0)} points of the frequency guess (${pct(n.frequency.baseline)})`;
    out.push(
      `The reference ended at ${pct(n.frequency.reference)}, ${where}: its runs had not left the frequency plateau, where every scheme at best guesses common tokens. ` +
        'Train longer before reading the verdicts.',
    );
  }
  if (n.scoring !== 'same evaluation') {
    out.push(
      'Vocabulary-head runs were scored through their own trained head and the others through a briefly trained probe: this favours MLM.',
    );
  }
  return out.filter((s) => s !== '');
}

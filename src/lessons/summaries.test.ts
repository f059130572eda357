// The after-run texts are computed from the run's numbers: plateau and no-plateau runs, agreement with and without
// attractors, the fill-in probe before and after, the mask survey, and comparisons won, lost and inside noise.
import { describe, expect, it } from 'vitest';
import { pairedDifference } from '../session/stats';
import {
  comparisonSummary,
  learningSummary,
  maskSurveySummary,
  plateauExit,
  probeSummary,
  splitShareAnswer,
  type ComparisonNumbers,
  type EvalNumbers,
} from './summaries';

const evals = (acc: number[], every = 250, loss0 = 7.6): EvalNumbers[] =>
  acc.map((a, i) => ({ step: i * every, accuracy: a, loss: loss0 - i * 0.3 }));

describe('learning summary (lesson 2)', () => {
  it('names the step a run left the plateau and how far above the frequency guess it ended', () => {
    const e = evals([0.001, 0.058, 0.06, 0.061, 0.11, 0.21]);
    expect(plateauExit(e, 0.058)).toBe(1000);
    const text = learningSummary({ V: 2048, steps: 1240, evals: e, baseline: { loss: 6.5, accuracy: 0.058 } }).join(
      ' ',
    );
    expect(text).toContain('left the frequency plateau at step 1,000');
    expect(text).toContain('+15.2 points over it, at 21.0%');
    expect(text).toContain('from 0.1% at step 0 to 21.0% at step 1,250');
    expect(text).toContain("6.10 is 0.40 below the frequency guess's 6.50");
    expect(text).toContain('ln V = 7.62');
  });

  it('uses the plateau exit step the run reports when there is one', () => {
    const text = learningSummary({
      V: 100,
      steps: 2000,
      evals: evals([0.1, 0.3]),
      baseline: { loss: 3, accuracy: 0.12 },
      plateauExitStep: 1240,
    }).join(' ');
    expect(text).toContain('left the frequency plateau at step 1,240');
  });

  it('says when a run stayed on the plateau, with its numbers', () => {
    const e = evals([0.001, 0.066, 0.066, 0.067], 100);
    const text = learningSummary({
      V: 2048,
      steps: 300,
      evals: e,
      baseline: { loss: 6.6, accuracy: 0.066 },
      plateauExitStep: null,
    }).join(' ');
    expect(text).toContain('stayed on the frequency plateau for all 300 steps');
    expect(text).toContain('accuracy of 6.7% is within 2 points of the frequency guess (6.6%)');
    expect(text).not.toContain('left the frequency plateau');
    expect(plateauExit(e, 0.066)).toBeNull();
  });

  it('reports agreement with and without an attractor against chance', () => {
    const base = { V: 120, steps: 2000, evals: evals([0.1, 0.3]), baseline: { loss: 3, accuracy: 0.12 } };
    const nearest = learningSummary({
      ...base,
      agreement: { step: 2000, withoutAttractor: 0.91, withAttractor: 0.05 },
    }).join(' ');
    expect(nearest).toContain('Agreement without an attractor reached 91.0% at step 2,000');
    expect(nearest).toContain('with an attractor 5.0%: below chance');
    const past = learningSummary({
      ...base,
      agreement: { step: 500, withoutAttractor: 0.97, withAttractor: 0.8 },
    }).join(' ');
    expect(past).toContain('above chance');
  });

  it('does not pretend to know the plateau without a baseline', () => {
    const text = learningSummary({ V: 2048, steps: 30, evals: evals([0.001, 0.05]) }).join(' ');
    expect(text).toContain('no frequency baseline');
    expect(text).not.toContain('plateau at step');
  });
});

describe('probe summary (lesson 1)', () => {
  it('compares the untrained guess with 1/V and names the trained guesses', () => {
    const text = probeSummary({
      V: 2048,
      evals: [
        { step: 0, loss: 7.63, accuracy: 0 },
        { step: 30, loss: 6.4, accuracy: 0.059 },
      ],
      before: { step: 0, top: [{ token: 'wolf', p: 0.0006 }] },
      after: {
        step: 30,
        top: [
          { token: 'the', p: 0.081 },
          { token: ',', p: 0.05 },
          { token: '.', p: 0.04 },
        ],
      },
    }).join(' ');
    expect(text).toContain('"wolf" with probability 0.06%, close to 1/V = 0.049% for V = 2,048');
    expect(text).toContain('"the" (8.1%), "," (5.0%), "." (4.0%)');
    expect(text).toContain('166 times more likely than a uniform guess');
    expect(text).toContain('from 0.0% at step 0 to 5.9% at step 30');
  });

  it('says so when the untrained guess is already far from uniform', () => {
    const text = probeSummary({ V: 100, evals: [], before: { step: 0, top: [{ token: 'a', p: 0.5 }] } }).join(' ');
    expect(text).toContain('50 times 1/V');
    expect(text).toContain('already more than a uniform guess');
  });
});

describe('mask survey summary (lesson 3)', () => {
  it('states the counts and which answer they bear out', () => {
    const random = {
      label: 'random tokens',
      sequences: 400,
      wordsTouched: 1500,
      multiTouched: 400,
      multiSplit: 340,
      rate: 0.1502,
    };
    const whole = {
      label: 'whole words',
      sequences: 400,
      wordsTouched: 1200,
      multiTouched: 380,
      multiSplit: 0,
      rate: 0.149,
    };
    const lines = maskSurveySummary([random, whole]);
    expect(lines[0]).toContain(
      '15.0% of the tokens of 400 sequences, 1,500 words touched; 340 of the 400 touched words with several pieces (85.0%)',
    );
    expect(lines[1]).toContain('0 of the 380');
    expect(splitShareAnswer(random)).toBe('mostly');
    expect(splitShareAnswer(whole)).toBe('rarely');
    expect(splitShareAnswer({ ...random, multiSplit: 200 })).toBe('half');
  });
});

describe('comparison summary (lessons 4-6)', () => {
  const seeds = (xs: number[]) => new Map(xs.map((x, i) => [i + 1, { value: x }]));
  const numbers = (diffs: ComparisonNumbers['rows']): ComparisonNumbers => ({
    metric: 'held-out accuracy through the shared probe',
    reference: '15%',
    rows: diffs,
    budget: { kind: 'steps', steps: [300, 300, 300] },
    scoring: 'same evaluation',
  });

  it('a win: the interval above zero, the verdict and the reading next to the paper', () => {
    const d = pairedDifference(seeds([0.1, 0.12, 0.11]), seeds([0.13, 0.15, 0.14]), true)!;
    expect(d.verdict).toBe('better');
    const text = comparisonSummary(
      4,
      numbers([
        { label: '15%', isReference: true },
        { label: '40%', diff: d },
      ]),
      1,
      'better',
    ).join(' ');
    expect(text).not.toContain('15%: no finished');
    expect(text).toContain('40% against 15%: +3.0 points, 95% interval [+3.0, +3.0] over 3 paired seeds: better.');
    expect(text).toContain('40% won here');
    expect(text).toContain('You predicted "better": that is what happened.');
    expect(text).toContain('Each scheme trained 300 steps (equal steps)');
  });

  it('a loss: the interval below zero', () => {
    const d = pairedDifference(seeds([0.2, 0.22, 0.21]), seeds([0.15, 0.16, 0.16]), true)!;
    expect(d.verdict).toBe('worse');
    expect(d.lo).toBeLessThan(d.hi!);
    const text = comparisonSummary(6, numbers([{ label: 'first-char', diff: d }]), 0, 'inside noise').join(' ');
    expect(text).toMatch(
      /first-char against 15%: −5\.3 points, 95% interval \[−6\.8, −3\.9\] over 3 paired seeds: worse\./,
    );
    expect(text).toContain('First-char fell behind MLM');
    expect(text).toContain('You predicted "inside noise"; the run says "worse".');
  });

  it('inside noise: the interval spans zero', () => {
    const d = pairedDifference(seeds([0.1, 0.12]), seeds([0.11, 0.11]), true)!;
    expect(d.verdict).toBe('inside noise');
    expect(d.mean).toBeCloseTo(0, 12);
    const text = comparisonSummary(5, numbers([{ label: 'electra', diff: d }]), 0).join(' ');
    expect(text).toContain('inside noise.');
    expect(text).toContain("ELECTRA and MLM are inside each other's noise");
    expect(text).toContain('equal in steps, not FLOPs');
  });

  it('lesson 5 at equal FLOPs: the FLOPs each scheme got and the steps that bought them, from the run', () => {
    const d = pairedDifference(seeds([0.1, 0.12, 0.11]), seeds([0.08, 0.09, 0.085]), true)!;
    const text = comparisonSummary(
      5,
      {
        ...numbers([
          { label: 'random/mlm', isReference: true },
          { label: 'random/rts', diff: d },
          { label: 'random/electra', diff: d },
        ]),
        budget: { kind: 'FLOPs', steps: [300, 342, 214], flops: [1.002e12, 1.0e12, 0.9996e12] },
      },
      2,
    ).join(' ');
    expect(text).toContain('Each scheme trained 300 / 342 / 214 steps (equal FLOPs)');
    expect(text).toContain(
      'At equal FLOPs each scheme got the steps its own cost per step affords: random/mlm 300 steps for 1.00e12 FLOPs, random/rts 342 steps for 1.00e12 FLOPs, random/electra 214 steps for 1.00e12 FLOPs.',
    );
    expect(text).toContain('ELECTRA lost here');
    expect(text).not.toContain('equal in steps, not FLOPs');
  });

  it('says when the reference never left the frequency plateau', () => {
    const d = pairedDifference(seeds([0.066, 0.066, 0.067]), seeds([0.066, 0.067, 0.066]), true)!;
    const on = comparisonSummary(4, {
      ...numbers([{ label: '40%', diff: d }]),
      frequency: { reference: 0.0663, baseline: 0.066 },
    }).join(' ');
    expect(on).toContain('The reference ended at 6.6%, within 2 points of the frequency guess (6.6%)');
    const off = comparisonSummary(4, {
      ...numbers([{ label: '40%', diff: d }]),
      frequency: { reference: 0.21, baseline: 0.066 },
    }).join(' ');
    expect(off).not.toContain('frequency guess');
  });

  it('one seed gives a difference but no verdict, and says why; mixed scoring is flagged', () => {
    const d = { mean: 0.02, n: 1, lo: 0.01, hi: 0.03, verdict: null };
    const n = {
      ...numbers([{ label: 'rts', diff: d }, { label: 'electra' }]),
      scoring: 'own head for vocabulary heads' as const,
    };
    const text = comparisonSummary(5, n, 0).join(' ');
    expect(text).toContain(
      'rts against 15%: +2.0 points from one seed: this compares two trained models, not two schemes; add seeds for a verdict.',
    );
    expect(text).toContain('electra: no finished pair of runs yet.');
    expect(text).toContain('this favours MLM');
  });
});

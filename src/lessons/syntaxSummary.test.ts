// Lesson 2's syntax answers come from the run's own evaluations: the onset step against the plateau exit and the
// rise of agreement, and one head or a path of two, by the scores the run recorded.
import { describe, expect, it } from 'vitest';
import type { HeadRef, RelationScore, SyntaxScores } from '../session/syntax';
import { learningSummary } from './summaries';
import { syntaxSummary, SYNTAX_QUESTIONS } from './syntaxSummary';

const h = (layer: number, head: number): HeadRef => ({ layer, head });

/** Scores with only verb → subject past an attractor: best head, best path, offset baseline 0.64, nearest noun 0. */
function scores(head: number, path: number, hops = [h(0, 1), h(1, 0)]): SyntaxScores {
  const r: RelationScore = {
    id: 'verb_subject_attractor',
    units: 256,
    offset: { offset: -5, score: 0.64 },
    nearestNoun: 0,
    head: { ...h(1, 1), score: head },
    path: { hops, score: path },
  };
  return { sentences: 384, margin: 0.1, relations: [r], heads: [] };
}

describe('lesson 2: syntax answers', () => {
  it('two in a row, after the plateau exit, before agreement rises', () => {
    const evals = [
      { step: 0, syntax: scores(0.3, 0.35), agreement: { attractor: 0.4 } },
      { step: 250, syntax: scores(0.3, 0.5), agreement: { attractor: 0.45 } },
      { step: 500, syntax: scores(0.35, 0.82), agreement: { attractor: 0.5 } },
      { step: 750, syntax: scores(0.4, 0.95), agreement: { attractor: 0.8 } },
    ];
    const [q1, q2, chen] = syntaxSummary({ evals, plateauExitStep: 250 }, 2);
    expect(q1).toContain(SYNTAX_QUESTIONS[0]);
    expect(q1).toContain('Step 500 is the first evaluation');
    expect(q1).toContain('the path 1·2 → 2·1 (82.0%)');
    expect(q1).toContain('250 steps after the loss dropped: the model left the frequency plateau at step 250');
    expect(q1).toContain('first reached 75.0% at step 750, 250 steps after the syntax onset');
    expect(q1).toContain('evaluations every 250 steps');
    expect(q2).toContain(SYNTAX_QUESTIONS[1]);
    expect(q2).toContain('Two in a row. At step 750 the path 1·2 → 2·1 led 95.0%');
    expect(q2).toContain('No single head does: head 2·2, the best single head, sent 40.0%');
    expect(chen).toContain('Chen et al. (2024)');
    expect(chen).toContain('12 layers of 12 heads');
    expect(chen).toContain('2-layer model');
  });

  it('one head, at the same evaluation as the plateau exit', () => {
    const evals = [
      { step: 0, syntax: scores(0.3, 0.2) },
      { step: 100, syntax: scores(0.9, 0.6) },
    ];
    const [q1, q2] = syntaxSummary({ evals, plateauExitStep: 100 }, 2);
    expect(q1).toContain('head 2·2 (90.0%)');
    expect(q1).toContain('at the same evaluation as the loss dropped');
    expect(q2).toContain('One. At step 100 head 2·2, the best single head, sent 90.0%');
    expect(q2).toContain('does no better (60.0%)');
  });

  it('nothing found: says so with the best head, path and baselines', () => {
    const evals = [
      { step: 0, syntax: scores(0.3, 0.2) },
      { step: 2000, syntax: scores(0.5, 0.7) },
    ];
    const [q1, q2] = syntaxSummary({ evals, plateauExitStep: null }, 2);
    expect(q1).toContain('nothing did: by step 2,000 the best single head (2·2) sent 50.0%');
    expect(q1).toContain('always the word 5 before: 64.0%');
    expect(q2).toContain('Neither yet');
  });

  it('is empty for a run without syntax scores (not the toy language)', () => {
    expect(syntaxSummary({ evals: [{ step: 0 }, { step: 10 }], plateauExitStep: 10 }, 2)).toEqual([]);
  });

  it('the agreement line reports object relative clauses apart', () => {
    const text = learningSummary({
      V: 107,
      steps: 2000,
      evals: [{ step: 2000, loss: 2, accuracy: 0.3 }],
      agreement: { step: 2000, withoutAttractor: 0.99, withAttractor: 0.95, objectRelative: 0.3 },
    }).join(' ');
    expect(text).toContain('In object relative clauses');
    expect(text).toContain('30.0%: the model follows the nearest noun or copies the nearest verb.');
  });
});

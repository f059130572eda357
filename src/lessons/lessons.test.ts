// The lessons as data: six in order, each with papers, a question whose answer or predicted outcomes exist, panels to
// watch, a setup the experiment decoder accepts, limits stated; and the lesson route, progress and budget.
import { describe, expect, it } from 'vitest';
import { prepareData } from '../data/dataset';
import { Rng } from '../data/rng';
import { countUnigrams, vocabInfoOf } from '../masking';
import { decodeExperiment, encodeExperiment } from '../session/experimentUrl';
import { resolveBudget } from '../session/computeBudget';
import { configStepFlops, planSteps, TIME_CHOICES } from './budget';
import { BERT_15 } from './content/experiments';
import { LESSONS, getLesson } from './index';
import { surveyMasks } from './maskSurvey';
import { LESSON_REFS, shortCite } from './papers';
import { emptyProgress, finishedLessons, parseProgress, PROGRESS_KEY } from './progress';
import { experimentPart, hasLessonKey, joinHash, lessonFromHash } from './route';

describe('the lessons', () => {
  it('are six, numbered in order, with unique slugs', () => {
    expect(LESSONS.map((l) => l.n)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new Set(LESSONS.map((l) => l.slug)).size).toBe(6);
    expect(getLesson(4)?.title).toBe('How much to mask');
    expect(getLesson(7)).toBeUndefined();
  });

  it.each(LESSONS.map((l) => [l.n, l] as const))(
    'lesson %i cites papers, asks a question it can settle and states its limits',
    (_, l) => {
      expect(l.references.length).toBeGreaterThan(0);
      for (const r of l.references) expect(r.arxiv).toMatch(/^\d{4}\.\d{4,5}$/);
      // Every paper named in the text by "Name et al. YEAR" is in the lesson's references.
      const text = l.paragraphs.join(' ');
      for (const m of text.matchAll(/([A-Z][a-z]+(?: [A-Z][a-z]+)?) et al\. \(?(\d{4})/g)) {
        expect(l.references.some((r) => r.year === Number(m[2]) && r.authors.includes(m[1].split(' ').pop()!))).toBe(
          true,
        );
      }
      const q = l.question;
      expect(q.options.length).toBeGreaterThanOrEqual(3);
      if (q.answer !== undefined) expect(q.options.map((o) => o.id)).toContain(q.answer);
      else {
        expect(l.setup.kind).toBe('compare');
        expect(new Set(q.options.map((o) => o.outcome))).toEqual(new Set(['better', 'worse', 'inside noise']));
        if (l.setup.kind === 'compare') expect(l.setup.schemes[q.pair!]).toBeDefined();
      }
      expect(l.watch.length).toBeGreaterThan(0);
      expect(l.limits.length).toBeGreaterThan(80);
      const config = l.setup.config();
      const round = decodeExperiment(encodeExperiment(config));
      expect(round.ignored).toEqual([]);
      expect(round.config).toEqual(config);
    },
  );

  it('comparison lessons pit different schemes with a reference among them and at least three seeds', () => {
    for (const l of LESSONS) {
      if (l.setup.kind !== 'compare') continue;
      const keys = l.setup.schemes.map((s) => JSON.stringify(s));
      expect(new Set(keys).size).toBe(keys.length);
      expect(l.setup.schemes[l.setup.reference]).toBeDefined();
      expect(l.setup.seeds).toBeGreaterThanOrEqual(3);
    }
  });

  it('lesson 5 compares at equal FLOPs: ELECTRA gets fewer steps than MLM, by the engine formula', () => {
    const l = getLesson(5)!;
    if (l.setup.kind !== 'compare') throw new Error('lesson 5 sets up a comparison');
    expect(l.setup.compute).toEqual({ kind: 'equal-flops' });
    const base = l.setup.config();
    const [mlm, rts, electra] = resolveBudget(base, l.setup.schemes, l.setup.compute!, l.setup.reference);
    expect(mlm.steps).toBe(base.train.steps);
    expect(electra.steps).toBeLessThan(mlm.steps);
    expect(rts.steps).toBeGreaterThanOrEqual(mlm.steps);
    expect(l.paragraphs.join(' ')).toContain('equal pre-training FLOPs');
    expect(l.references.some((r) => r.authors.includes('Clark'))).toBe(true);
    expect(l.references.some((r) => r.authors.includes('Yamaguchi'))).toBe(true);
  });

  it('short citations', () => {
    expect(shortCite(LESSON_REFS.chen2024)).toBe('Chen et al. 2024');
    expect(shortCite(LESSON_REFS.goldberg2019)).toBe('Goldberg 2019');
  });
});

describe('lesson route in the hash', () => {
  it('reads the lesson and leaves the experiment part to the experiment decoder', () => {
    expect(lessonFromHash('#lesson=2')).toBe(2);
    expect(lessonFromHash('#lesson=3&corpus=fairy-tales&seed=4')).toBe(3);
    expect(lessonFromHash('#corpus=fairy-tales&lesson=5')).toBe(5);
    expect(lessonFromHash('#lesson=9')).toBeUndefined();
    expect(lessonFromHash('#lesson=x')).toBeUndefined();
    expect(hasLessonKey('#lesson=9')).toBe(true);
    expect(lessonFromHash('#corpus=fairy-tales')).toBeUndefined();
    expect(experimentPart('#lesson=3&corpus=fairy-tales&seed=4')).toBe('corpus=fairy-tales&seed=4');
    expect(experimentPart('lesson=3')).toBe('');
  });

  it('joins a lesson with an experiment, and an old share link stays as it was', () => {
    expect(joinHash('corpus=fairy-tales&seed=4', 2)).toBe('lesson=2&corpus=fairy-tales&seed=4');
    expect(joinHash('lesson=1&corpus=x', 4)).toBe('lesson=4&corpus=x');
    expect(joinHash('', 1)).toBe('lesson=1');
    expect(joinHash('corpus=fairy-tales&seed=4')).toBe('corpus=fairy-tales&seed=4');
    const link = encodeExperiment(getLesson(2)!.setup.config());
    expect(decodeExperiment(experimentPart(joinHash(link, 2))).ignored).toEqual([]);
  });
});

describe('progress kept in the browser', () => {
  it('round-trips and drops what is malformed, field by field', () => {
    const p = emptyProgress();
    p.mode = 'lessons';
    p.current = 3;
    p.lessons[1] = { answer: 'uniform', summary: ['At step 0 ...'], runId: 'run-1', steps: 30 };
    p.lessons[2] = { answer: 'frequent' };
    p.speed = { msPerStep: 400, flopsPerStep: 8e8, adapter: 'SwiftShader' };
    expect(parseProgress(JSON.stringify(p))).toEqual(p);
    expect(finishedLessons(p)).toEqual([1]);
    const bad = parseProgress(
      JSON.stringify({
        mode: 'x',
        current: 12,
        seconds: 7,
        lessons: { 1: { answer: 3, summary: 'no' }, 99: {}, 2: { answer: 'a' } },
      }),
    );
    expect(bad.mode).toBeUndefined();
    expect(bad.current).toBe(1);
    expect(bad.seconds).toBe(TIME_CHOICES[1].seconds);
    expect(bad.lessons).toEqual({ 1: {}, 2: { answer: 'a' } });
    expect(parseProgress('{not json')).toEqual(emptyProgress());
    expect(PROGRESS_KEY).toBe('masklab.lessons');
  });
});

describe('step budget from the measured speed', () => {
  const lesson2 = getLesson(2)!;
  const config = lesson2.setup.config();
  const budget = lesson2.setup.kind === 'train' ? lesson2.setup.budget : { minSteps: 1, maxSteps: 1 };

  it('scales a measured speed by FLOPs and says where it came from', () => {
    const flops = configStepFlops(config);
    const p = planSteps(budget, config, 120, { msPerStep: 400, flopsPerStep: flops, adapter: 'SwiftShader' });
    expect(p.steps).toBe(300);
    expect(p.measured).toBe(true);
    expect(p.note).toContain('measured on SwiftShader at 400 ms per step');
    expect(p.note).toContain('2 minutes buys 300 steps per run');
    // Half the FLOPs measured at the same ms: this model costs twice as much per step.
    expect(planSteps(budget, config, 120, { msPerStep: 400, flopsPerStep: flops / 2, adapter: 'x' }).steps).toBe(150);
  });

  it('keeps within the lesson bounds, shares time between runs, and says when nothing was measured', () => {
    const flops = configStepFlops(config);
    const fast = planSteps(budget, config, 900, { msPerStep: 1, flopsPerStep: flops, adapter: 'GPU' });
    expect(fast.steps).toBe(budget.maxSteps);
    expect(fast.note).toContain("capped at the lesson's 2,000");
    const slow = planSteps(budget, config, 30, { msPerStep: 5000, flopsPerStep: flops, adapter: 'slow' });
    expect(slow.steps).toBe(budget.minSteps);
    const shared = planSteps(
      { minSteps: 1, maxSteps: 1e6 },
      config,
      120,
      { msPerStep: 100, flopsPerStep: flops, adapter: 'x' },
      6,
    );
    expect(shared.steps).toBe(200);
    expect(shared.note).toContain('shared by 6 runs');
    const guess = planSteps(budget, config, 120);
    expect(guess.measured).toBe(false);
    expect(guess.note).toContain('Not measured on this device yet');
    expect(planSteps({ fixedSteps: 30, minSteps: 30, maxSteps: 30 }, config, 900).steps).toBe(30);
  });
});

describe('mask survey (lesson 3) on real text', () => {
  const words = [
    'the',
    'king',
    'queen',
    'wander',
    'wandered',
    'wandering',
    'forest',
    'castle',
    'golden',
    'dragon',
    'slept',
    'happily',
  ];
  const rng = Rng.from(5, 'survey-text');
  const text = Array.from(
    { length: 800 },
    () => Array.from({ length: 6 }, () => words[rng.int(words.length)]).join(' ') + ' .',
  ).join('\n');
  const data = prepareData(text, { kind: 'wordpiece', vocabSize: 40 }, { T: 24, seed: 1 });
  const vocab = vocabInfoOf(data.tokenizer, countUnigrams(data.train.ids, data.train.valid, data.tokenizer.vocabSize));

  it('random masking splits multi-piece words; whole-word masking never does', () => {
    const random = surveyMasks({ set: data.train, vocab, masking: BERT_15, label: 'random', sequences: 200, seed: 3 });
    const whole = surveyMasks({
      set: data.train,
      vocab,
      masking: { strategy: 'whole-word', objective: 'mlm' },
      label: 'whole',
      sequences: 200,
      seed: 3,
    });
    expect(random.sequences).toBe(Math.min(200, data.train.count));
    expect(random.multiTouched).toBeGreaterThan(20);
    expect(random.multiSplit / random.multiTouched).toBeGreaterThan(0.5);
    expect(whole.multiTouched).toBeGreaterThan(0);
    expect(whole.multiSplit).toBe(0);
    expect(Math.abs(random.rate - 0.15)).toBeLessThan(0.03);
    // Deterministic given the seed.
    expect(surveyMasks({ set: data.train, vocab, masking: BERT_15, label: 'random', sequences: 200, seed: 3 })).toEqual(
      random,
    );
  });
});

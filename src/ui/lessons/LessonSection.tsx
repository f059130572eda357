// One lesson as a page section: its paragraphs and papers, the question answered before running, the one click
// that sets up its experiment (steps from the measured speed, and the sentence saying so), what to look at while
// it trains, what happened in the run's own numbers, and what a toy run can and cannot show.
import { useState } from 'react';
import { useStore } from 'zustand';
import { TIME_CHOICES } from '../../lessons/budget';
import { LESSONS } from '../../lessons';
import type { Lesson } from '../../lessons/types';
import type { LessonRecord } from '../../lessons/progress';
import { useGpuStore } from '../../store/gpu';
import { useLessonsStore } from '../../store/lessons';
import { useTrainingStore } from '../../store/training';
import { comparisonStore } from '../compare/comparisonApp';
import { blockedReason, lessonPlan, runMaskSurvey, setUpAndRun, showPanel, showScheme } from './lessonActions';

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The lesson's paragraphs and the papers it cites. */
function LessonIntro({ lesson }: { lesson: Lesson }) {
  return (
    <>
      <h2 id={`lesson-${lesson.n}-title`}>{lesson.title}</h2>
      {lesson.paragraphs.map((p, i) => (
        <p key={i}>{p}</p>
      ))}
      <ul className="refs" aria-label="Papers">
        {lesson.references.map((r) => (
          <li key={r.arxiv}>
            {r.authors.split(',')[0]}
            {r.authors.includes(',') ? ' et al.' : ''} ({r.year}).{' '}
            <a href={`https://arxiv.org/abs/${r.arxiv}`} target="_blank" rel="noreferrer">
              {r.title}
            </a>
          </li>
        ))}
      </ul>
    </>
  );
}

/** "Before you run it": the question, answered once (the answer is kept), then the feedback. */
function LessonQuestion({ lesson, answer }: { lesson: Lesson; answer: string | undefined }) {
  const n = lesson.n;
  const [choice, setChoice] = useState<string | undefined>(answer);
  const q = lesson.question;
  return (
    <>
      <h3>Before you run it</h3>
      <fieldset className="options" data-testid="lesson-question" disabled={answer !== undefined}>
        <legend>{q.prompt}</legend>
        {q.options.map((o) => (
          <label key={o.id} data-option={o.id}>
            <input
              type="radio"
              name={`lesson-${n}-question`}
              value={o.id}
              checked={(answer ?? choice) === o.id}
              onChange={() => setChoice(o.id)}
            />{' '}
            {o.text}
          </label>
        ))}
      </fieldset>
      {answer === undefined && (
        <button
          type="button"
          data-testid="lesson-answer"
          disabled={!choice}
          onClick={() => choice && useLessonsStore.getState().answer(n, choice)}
        >
          Answer
        </button>
      )}
      {answer !== undefined && <Feedback lesson={lesson} chosen={answer} />}
      {lesson.runQuestions && (
        <div data-testid="lesson-run-questions">
          <p>
            {lesson.runQuestions.length === 1 ? 'A question' : 'Questions'} the run will answer (under &quot;What
            happened&quot;, from its own steps and heads):
          </p>
          <ul>
            {lesson.runQuestions.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}

/** "Set it up": the mask schemes to show, or the time for the training and the one click that runs the lesson. */
function LessonSetup({ lesson, answered }: { lesson: Lesson; answered: boolean }) {
  const seconds = useLessonsStore((s) => s.progress.seconds);
  useLessonsStore((s) => s.progress.speed); // re-plan when a new speed is measured
  const gpu = useGpuStore((s) => s.status);
  const live = useTrainingStore((s) => s.run);
  const activeId = useStore(comparisonStore, (s) => s.activeId);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const plan = lessonPlan(lesson);
  const blocked = blockedReason(gpu.state === 'ready', !!activeId, live);

  const run = async () => {
    setError(undefined);
    setBusy(true);
    try {
      await setUpAndRun(lesson);
      const first = lesson.watch[0];
      if (first) window.setTimeout(() => showPanel(first.panel), 300);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h3>Set it up</h3>
      {lesson.setup.kind === 'masks' ? (
        <MaskSchemes lesson={lesson} />
      ) : (
        <>
          {lesson.setup.budget.fixedSteps === undefined && (
            <label className="field">
              Time for the training{' '}
              <select
                data-testid="lesson-time"
                value={seconds}
                onChange={(e) => useLessonsStore.getState().setSeconds(Number(e.target.value))}
              >
                {TIME_CHOICES.map((t) => (
                  <option key={t.seconds} value={t.seconds}>
                    {t.label}
                  </option>
                ))}
              </select>
            </label>
          )}
          {plan && (
            <p className="muted" data-testid="lesson-budget" data-steps={plan.steps}>
              {plan.note}
            </p>
          )}
          <button
            type="button"
            data-testid="lesson-run"
            disabled={!answered || busy || !!blocked}
            onClick={() => void run()}
          >
            {lesson.setup.kind === 'compare' ? 'Set up and run the comparison' : 'Set up and run'}
          </button>
          {!answered && <span className="muted"> Answer the question first.</span>}
          {answered && blocked && <span className="muted"> {blocked}</span>}
        </>
      )}
      {error && (
        <p className="error" data-testid="lesson-error">
          {error}
        </p>
      )}
    </>
  );
}

/** "While it trains, look at": each thing to watch, with a button that shows its panel. */
function WatchList({ lesson }: { lesson: Lesson }) {
  return (
    <>
      <h3>While it trains, look at</h3>
      <ul className="watch">
        {lesson.watch.map((w, i) => (
          <li key={i}>
            {w.text}{' '}
            <button
              type="button"
              className="secondary small"
              data-testid={`lesson-show-${w.panel}`}
              onClick={() => showPanel(w.panel)}
            >
              Show
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}

/** "What happened": the text computed from the lesson's run, or how far its run or comparison has got. */
function WhatHappened({ lesson, rec }: { lesson: Lesson; rec: LessonRecord | undefined }) {
  const live = useTrainingStore((s) => s.run);
  const list = useStore(comparisonStore, (s) => s.list);
  const mine = live && rec?.runId === live.id ? live : undefined;
  const comparison = rec?.comparisonId ? list.find((c) => c.id === rec.comparisonId) : undefined;
  return (
    <>
      <h3>What happened</h3>
      {rec?.summary?.length ? (
        <div className="summary" data-testid="lesson-summary">
          {rec.steps !== undefined && lesson.setup.kind !== 'masks' && <p className="muted">{rec.budgetNote}</p>}
          {rec.summary.map((s, i) => (
            <p key={i}>{s}</p>
          ))}
        </div>
      ) : (
        <p className="muted" data-testid="lesson-pending">
          {mine
            ? `Training: step ${mine.step.toLocaleString('en-US')} of ${mine.totalSteps.toLocaleString('en-US')}. The text appears when the run is done.`
            : comparison
              ? `Comparison: ${comparison.entries.filter((e) => e.state === 'done').length} of ${comparison.entries.length} runs done (${comparison.state}).`
              : 'Nothing yet: run the lesson, and the text computed from your run appears here.'}
        </p>
      )}
    </>
  );
}

/** Links to the previous and next lessons. */
function LessonPager({ n }: { n: number }) {
  const { open } = useLessonsStore.getState();
  return (
    <div className="lesson-pager">
      {n > 1 ? (
        <a
          href={`#lesson=${n - 1}`}
          onClick={(e) => {
            e.preventDefault();
            open(n - 1);
          }}
        >
          ← Lesson {n - 1}
        </a>
      ) : (
        <span />
      )}
      {n < LESSONS.length && (
        <a
          href={`#lesson=${n + 1}`}
          data-testid="lesson-next"
          onClick={(e) => {
            e.preventDefault();
            open(n + 1);
          }}
        >
          Lesson {n + 1} →
        </a>
      )}
    </div>
  );
}

export function LessonSection({ lesson }: { lesson: Lesson }) {
  const n = lesson.n;
  const rec = useLessonsStore((s) => s.progress.lessons[n]);
  return (
    <section className="panel lesson" data-testid="lesson" data-lesson={n} aria-labelledby={`lesson-${n}-title`}>
      <p className="muted">
        Lesson {n} of {LESSONS.length}
      </p>
      <LessonIntro lesson={lesson} />
      <LessonQuestion lesson={lesson} answer={rec?.answer} />
      <LessonSetup lesson={lesson} answered={rec?.answer !== undefined} />
      <WatchList lesson={lesson} />
      <WhatHappened lesson={lesson} rec={rec} />
      <h3>What a toy run can and cannot show</h3>
      <p className="limits">{lesson.limits}</p>
      <LessonPager n={n} />
    </section>
  );
}

function Feedback({ lesson, chosen }: { lesson: Lesson; chosen: string }) {
  const q = lesson.question;
  const right = q.answer === undefined ? undefined : chosen === q.answer;
  const correct = q.options.find((o) => o.id === q.answer);
  return (
    <p className={`feedback${right === false ? ' wrong' : ''}`} data-testid="lesson-feedback">
      {right === true && 'Right. '}
      {right === false && `Not quite: the answer is "${correct?.text}". `}
      {right === undefined && 'Your prediction is kept; the run will settle it. '}
      {q.explanation}
    </p>
  );
}

function MaskSchemes({ lesson }: { lesson: Lesson }) {
  const [note, setNote] = useState<string>();
  const count = async () => {
    setNote('Preparing the text and counting…');
    try {
      await runMaskSurvey(lesson);
      setNote(undefined);
    } catch (e) {
      setNote(errorText(e));
    }
  };
  if (lesson.setup.kind !== 'masks') return null;
  return (
    <>
      <p>Show each scheme on the same sentence in the mask preview:</p>
      <div className="buttons">
        {lesson.setup.schemes.map((s, i) => (
          <button
            key={s.label}
            type="button"
            className="secondary small"
            data-testid={`lesson-scheme-${i}`}
            onClick={() => showScheme(lesson, i)}
          >
            {s.label}
          </button>
        ))}
      </div>
      <p>
        <button type="button" data-testid="lesson-survey" onClick={() => void count()}>
          Count split words over {lesson.setup.sequences} sequences
        </button>
      </p>
      {note && <p className="muted">{note}</p>}
    </>
  );
}

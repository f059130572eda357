// One lesson as a page section: its paragraphs and papers, the question answered before running, the one click
// that sets up its experiment (steps from the measured speed, and the sentence saying so), what to look at while
// it trains, what happened in the run's own numbers, and what a toy run can and cannot show.
import { useState } from 'react';
import { useStore } from 'zustand';
import { TIME_CHOICES } from '../../lessons/budget';
import { LESSONS } from '../../lessons';
import type { Lesson } from '../../lessons/types';
import { useGpuStore } from '../../store/gpu';
import { useLessonsStore } from '../../store/lessons';
import { useTrainingStore } from '../../store/training';
import { comparisonStore } from '../compare/comparisonApp';
import { blockedReason, lessonPlan, runMaskSurvey, setUpAndRun, showPanel, showScheme } from './lessonActions';

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function LessonSection({ lesson }: { lesson: Lesson }) {
  const n = lesson.n;
  const rec = useLessonsStore((s) => s.progress.lessons[n]);
  const seconds = useLessonsStore((s) => s.progress.seconds);
  useLessonsStore((s) => s.progress.speed); // re-plan when a new speed is measured
  const { answer, open, setSeconds } = useLessonsStore.getState();
  const gpu = useGpuStore((s) => s.status);
  const live = useTrainingStore((s) => s.run);
  const list = useStore(comparisonStore, (s) => s.list);
  const activeId = useStore(comparisonStore, (s) => s.activeId);
  const [choice, setChoice] = useState<string | undefined>(rec?.answer);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const q = lesson.question;
  const answered = rec?.answer !== undefined;
  const plan = lessonPlan(lesson);
  const blocked = blockedReason(gpu.state === 'ready', !!activeId, live);
  const mine = live && rec?.runId === live.id ? live : undefined;
  const comparison = rec?.comparisonId ? list.find((c) => c.id === rec.comparisonId) : undefined;

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
    <section className="panel lesson" data-testid="lesson" data-lesson={n} aria-labelledby={`lesson-${n}-title`}>
      <p className="muted">
        Lesson {n} of {LESSONS.length}
      </p>
      <h2 id={`lesson-${n}-title`}>{lesson.title}</h2>
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

      <h3>Before you run it</h3>
      <fieldset className="options" data-testid="lesson-question" disabled={answered}>
        <legend>{q.prompt}</legend>
        {q.options.map((o) => (
          <label key={o.id} data-option={o.id}>
            <input
              type="radio"
              name={`lesson-${n}-question`}
              value={o.id}
              checked={(rec?.answer ?? choice) === o.id}
              onChange={() => setChoice(o.id)}
            />{' '}
            {o.text}
          </label>
        ))}
      </fieldset>
      {!answered && (
        <button
          type="button"
          data-testid="lesson-answer"
          disabled={!choice}
          onClick={() => choice && answer(n, choice)}
        >
          Answer
        </button>
      )}
      {answered && <Feedback lesson={lesson} chosen={rec.answer!} />}

      <h3>Set it up</h3>
      {lesson.setup.kind === 'masks' ? (
        <MaskSchemes lesson={lesson} />
      ) : (
        <>
          {lesson.setup.budget.fixedSteps === undefined && (
            <label className="field">
              Time for the training{' '}
              <select data-testid="lesson-time" value={seconds} onChange={(e) => setSeconds(Number(e.target.value))}>
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

      <h3>What a toy run can and cannot show</h3>
      <p className="limits">{lesson.limits}</p>

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

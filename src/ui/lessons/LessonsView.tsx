// Lessons mode: the list of lessons with progress, the open lesson beside the live lab (its main column), and
// the lab's settings folded away below the lesson.
import { useEffect } from 'react';
import { getLesson, LESSONS } from '../../lessons';
import { useLessonsStore, watchLessonRuns } from '../../store/lessons';
import { useTrainingStore } from '../../store/training';
import { comparisonStore } from '../compare/comparisonApp';
import { MainPanels, SetupPanels } from '../LabColumns';
import { LessonSection } from './LessonSection';
import './lessons.css';

export function LessonsView() {
  const n = useLessonsStore((s) => s.lesson);
  const lesson = getLesson(n) ?? LESSONS[0];
  useEffect(() => watchLessonRuns({ training: useTrainingStore, comparisons: comparisonStore }), []);
  return (
    <div className="lab lessons-mode">
      <aside className="lesson-column" aria-label="Lesson">
        <LessonNav current={lesson.n} />
        <LessonSection key={lesson.n} lesson={lesson} />
        <details className="panel lab-settings" data-testid="lab-settings">
          <summary>All the lab&apos;s settings</summary>
          <p className="muted">The lesson set these up; change any of them and train again.</p>
          <SetupPanels />
        </details>
      </aside>
      <main className="main-column">
        <MainPanels />
      </main>
    </div>
  );
}

function LessonNav({ current }: { current: number }) {
  const lessons = useLessonsStore((s) => s.progress.lessons);
  const open = useLessonsStore((s) => s.open);
  return (
    <nav className="panel lesson-nav" aria-label="Lessons">
      <ol>
        {LESSONS.map((l) => {
          const r = lessons[l.n];
          const state = r?.summary?.length ? 'done' : r?.answer ? 'answered' : 'new';
          return (
            <li key={l.n} data-lesson-nav={l.n} data-state={state} className={l.n === current ? 'current' : undefined}>
              <a
                href={`#lesson=${l.n}`}
                aria-current={l.n === current ? 'page' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  open(l.n);
                }}
              >
                {l.title}
              </a>
              <span
                className="lesson-state"
                aria-label={state === 'done' ? 'done' : state === 'answered' ? 'answered' : 'not started'}
              >
                {state === 'done' ? ' ✓' : state === 'answered' ? ' ·' : ''}
              </span>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

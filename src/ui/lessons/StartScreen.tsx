// The page's first screen (lessons or the lab; the choice is remembered) and the header's switch between the two.
import { LESSONS } from '../../lessons';
import { useLessonsStore } from '../../store/lessons';
import './lessons.css';

export function StartScreen() {
  const choose = useLessonsStore((s) => s.choose);
  return (
    <section className="start-screen" aria-labelledby="start-title" data-testid="start-screen">
      <h2 id="start-title">Learn how masked language models are trained, by training one</h2>
      <p className="muted">
        MaskLab trains a small BERT in this page, on your GPU (or your CPU, more slowly). Take the guided path, or go
        straight to the lab with every strategy, objective and setting. The page remembers your choice; you can switch
        at any time at the top.
      </p>
      <div className="start-choices">
        <div className="panel start-choice">
          <h3>Lessons</h3>
          <p>
            {LESSONS.length} short lessons, each with a question, one click that sets up its experiment, and what
            happened, in numbers from your run.
          </p>
          <ol className="start-list">
            {LESSONS.map((l) => (
              <li key={l.n}>{l.title}</li>
            ))}
          </ol>
          <button type="button" data-testid="choose-lessons" onClick={() => choose('lessons')}>
            Start the lessons
          </button>
        </div>
        <div className="panel start-choice">
          <h3>The lab</h3>
          <p>
            Every masking strategy and objective with its paper, the mask preview, live training, saved runs and
            comparisons of schemes.
          </p>
          <button type="button" data-testid="choose-lab" onClick={() => choose('lab')}>
            Open the lab
          </button>
        </div>
      </div>
    </section>
  );
}

export function ModeSwitch() {
  const mode = useLessonsStore((s) => s.mode);
  const choose = useLessonsStore((s) => s.choose);
  return (
    <div className="mode-switch" role="group" aria-label="Lessons or lab">
      <button
        type="button"
        className={mode === 'lessons' ? 'small' : 'secondary small'}
        aria-pressed={mode === 'lessons'}
        data-testid="mode-lessons"
        onClick={() => choose('lessons')}
      >
        Lessons
      </button>
      <button
        type="button"
        className={mode === 'lab' ? 'small' : 'secondary small'}
        aria-pressed={mode === 'lab'}
        data-testid="mode-lab"
        onClick={() => choose('lab')}
      >
        Lab
      </button>
    </div>
  );
}

// Class presets: one click sets up an experiment that leaves the frequency plateau in class time (a link can name
// one too: #preset=toy-language). The settings come from a recorded sweep (README, "Class presets").
import { CLASS_PRESETS } from '../../session/presets';
import { useExperimentStore } from '../../store/experiment';

export function ClassPresets() {
  const replace = useExperimentStore((s) => s.replace);
  return (
    <section className="panel class-presets" data-testid="class-presets" aria-labelledby="class-presets-title">
      <h2 id="class-presets-title">Class presets</h2>
      <ul>
        {CLASS_PRESETS.map((p) => {
          const e = p.config();
          return (
            <li key={p.id}>
              <button type="button" onClick={() => replace(p.config())} data-preset={p.id}>
                {p.title}
              </button>
              <span className="muted">
                {' '}
                {e.train.steps.toLocaleString('en-US')} steps of {e.train.B} sequences, lr {e.train.lr}
              </span>
              <p className="field-help">{p.summary}</p>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

// The experiment's problems beside Start (session/validate.ts): each names its setting, says why and what is
// allowed, and links to the field (opening its panel); Start stays disabled while any stands.
import type { Problem } from '../../session/validate';
import { TRAIN_FIELDS } from '../../session/validate';

/** The data-testid of the control that edits a setting (share-link name). */
export function fieldTestId(setting: string): string {
  const train = TRAIN_FIELDS.find((f) => f.url === setting);
  if (train) return `train-${train.key}`;
  if (setting.startsWith('m.')) return `model-${setting.slice(2)}`;
  if (setting === 'tok') return 'vocab-size';
  if (setting === 'strategy' || setting === 'objective') return `${setting}-choices`;
  if (setting === 'memory') return 'model-panel';
  return setting.replace('.', '-');
}

function goTo(setting: string): void {
  const el = document.querySelector<HTMLElement>(`[data-testid="${fieldTestId(setting)}"]`);
  if (!el) return;
  for (let d = el.closest('details'); d; d = d.parentElement?.closest('details') ?? null) d.open = true;
  el.scrollIntoView({ block: 'center' });
  el.focus();
}

export function ProblemList({ problems }: { problems: readonly Problem[] }) {
  if (problems.length === 0) return null;
  return (
    <div className="problems" role="alert" data-testid="problems">
      <p>
        <strong>
          {problems.length === 1 ? 'One setting stops' : `${problems.length} settings stop`} this experiment from
          running:
        </strong>
      </p>
      <ul>
        {problems.map((p) => (
          <li key={`${p.setting}:${p.reason}`} data-setting={p.setting}>
            <a
              href={`#${fieldTestId(p.setting)}`}
              onClick={(e) => {
                e.preventDefault();
                goTo(p.setting);
              }}
            >
              {p.setting}
            </a>{' '}
            = {p.value}: {p.reason}. Allowed: {p.allowed}.
          </li>
        ))}
      </ul>
    </div>
  );
}

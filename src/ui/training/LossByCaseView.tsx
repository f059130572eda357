// Training loss split by case over the last steps: masked vs replaced vs kept targets (what the 80/10/10 split
// asks of the model) and frequent vs rare target tokens.
import type { CaseStat, LossByCase } from '../../session/lossCases';

const ROWS: { key: keyof Omit<LossByCase, 'steps'>; label: string; help: string; color: string }[] = [
  { key: 'masked', label: 'masked', help: 'the input showed [MASK]', color: 'var(--masked)' },
  { key: 'replaced', label: 'replaced', help: 'the input showed a random token', color: 'var(--replaced)' },
  { key: 'kept', label: 'kept', help: 'the input showed the right token', color: 'var(--kept)' },
  {
    key: 'frequent',
    label: 'frequent tokens',
    help: 'target among the ids covering half the corpus',
    color: '#56b4e9',
  },
  { key: 'rare', label: 'rare tokens', help: 'all other targets', color: '#0072b2' },
];

export function LossByCaseView({ cases }: { cases: LossByCase }) {
  const shown = ROWS.filter((r) => cases[r.key].count > 0);
  const max = Math.max(...shown.map((r) => cases[r.key].loss), 1e-9);
  return (
    <div className="cases" data-testid="loss-by-case">
      <p className="muted">Mean training loss per target over the last {cases.steps} steps.</p>
      <table>
        <tbody>
          {shown.map((r) => {
            const s: CaseStat = cases[r.key];
            return (
              <tr key={r.key} data-case={r.key} title={r.help}>
                <th scope="row">{r.label}</th>
                <td className="bar-cell">
                  <span className="case-bar" style={{ width: `${(100 * s.loss) / max}%`, background: r.color }} />
                </td>
                <td className="num">{s.loss.toFixed(3)}</td>
                <td className="num muted">{s.count.toLocaleString('en-US')} targets</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

// The saved comparisons: name (click to show its results), schemes × seeds, runs done, state, and per comparison
// Continue (interrupted or stopped), CSV, JSON and Delete (confirmed: the comparison only, or with its runs).
import { useState } from 'react';
import type { ComparisonRecord } from '../../session/comparisonRecord';
import { downloadText } from '../runs/download';
import { comparisonStore } from './comparisonApp';

const fileBase = (name: string) =>
  `masklab-comparison-${
    name
      .replace(/[^a-z0-9]+/gi, '-')
      .replace(/^-|-$/g, '')
      .toLowerCase() || 'export'
  }`;

/** Runs an action of the panel: clears its note, and shows the error there if the action fails. */
export type PanelAction = (f: () => Promise<unknown>) => Promise<void>;

function DeleteButtons({
  c,
  activeId,
  confirming,
  onConfirm,
  act,
}: {
  c: ComparisonRecord;
  activeId: string | undefined;
  confirming: boolean;
  onConfirm(on: boolean): void;
  act: PanelAction;
}) {
  if (!confirming)
    return (
      <button
        type="button"
        className="small secondary"
        disabled={c.id === activeId || c.state === 'running'}
        title={c.state === 'running' ? 'Running (in this tab or another): stop it first' : undefined}
        onClick={() => onConfirm(true)}
        data-testid="comparison-delete"
      >
        Delete
      </button>
    );
  const remove = (withRuns: boolean) =>
    void act(() => comparisonStore.getState().remove(c.id, withRuns)).then(() => onConfirm(false));
  return (
    <>
      <span className="confirm">Delete?</span>
      <button type="button" className="small danger" onClick={() => remove(false)} autoFocus>
        Comparison only
      </button>
      <button type="button" className="small danger" onClick={() => remove(true)}>
        With its runs
      </button>
      <button type="button" className="small secondary" onClick={() => onConfirm(false)}>
        Cancel
      </button>
    </>
  );
}

function ComparisonActions({
  c,
  blocked,
  ...del
}: {
  c: ComparisonRecord;
  blocked: boolean;
  activeId: string | undefined;
  confirming: boolean;
  onConfirm(on: boolean): void;
  act: PanelAction;
}) {
  const { act } = del;
  return (
    <span className="actions">
      {(c.state === 'interrupted' || c.state === 'stopped') && (
        <button
          type="button"
          className="small"
          disabled={blocked}
          onClick={() => void act(() => comparisonStore.getState().resume(c.id))}
          data-testid="comparison-continue"
        >
          Continue
        </button>
      )}
      <button
        type="button"
        className="small secondary"
        onClick={() =>
          downloadText(`${fileBase(c.name)}.csv`, comparisonStore.getState().exportCsv(c.id), 'text/csv;charset=utf-8')
        }
        data-testid="comparison-export-csv"
      >
        CSV
      </button>
      <button
        type="button"
        className="small secondary"
        onClick={() =>
          void act(async () =>
            downloadText(
              `${fileBase(c.name)}.json`,
              await comparisonStore.getState().exportJson(c.id),
              'application/json',
            ),
          )
        }
        data-testid="comparison-export-json"
      >
        JSON
      </button>
      <DeleteButtons c={c} {...del} />
    </span>
  );
}

export function ComparisonsTable({
  list,
  selectedId,
  activeId,
  blocked,
  act,
}: {
  list: ComparisonRecord[];
  selectedId: string | undefined;
  activeId: string | undefined;
  /** Continue is off while something else runs or there is no GPU. */
  blocked: boolean;
  act: PanelAction;
}) {
  // The comparison whose Delete asks for confirmation (one at a time).
  const [confirm, setConfirm] = useState<string>();
  return (
    <div className="runs-table-wrap">
      <table className="runs-table" data-testid="comparisons-table">
        <thead>
          <tr>
            <th>Name</th>
            <th>Schemes × seeds</th>
            <th>Runs done</th>
            <th>State</th>
            <th>
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.map((c) => (
            <tr
              key={c.id}
              className={c.id === selectedId ? 'selected' : undefined}
              data-testid="comparison-row"
              data-state={c.state}
            >
              <td className="name-cell">
                <button
                  type="button"
                  className="run-name"
                  onClick={() => void comparisonStore.getState().select(c.id === selectedId ? undefined : c.id)}
                  data-testid="comparison-name"
                >
                  {c.name}
                </button>
              </td>
              <td className="num">
                {c.schemes.length} × {c.seeds.length}
              </td>
              <td className="num">
                {c.entries.filter((e) => e.state === 'done').length} / {c.entries.length}
              </td>
              <td className={c.state === 'interrupted' ? 'run-state-interrupted' : undefined}>{c.state}</td>
              <td>
                <ComparisonActions
                  c={c}
                  blocked={blocked}
                  activeId={activeId}
                  confirming={confirm === c.id}
                  onConfirm={(on) => setConfirm(on ? c.id : undefined)}
                  act={act}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

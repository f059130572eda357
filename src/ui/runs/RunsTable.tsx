// The table of saved runs: a tick box per run (and one for all) to pick what to export, and a RunRow per run with
// its actions (show, rename, load settings, download weights, delete).
import type { Dispatch, SetStateAction } from 'react';
import type { RunSummary } from '../../session/records';
import { useExperimentStore } from '../../store/experiment';
import { runsStore } from '../../store/runs';
import { useTrainingStore } from '../../store/training';
import { downloadText } from './download';
import { errorText, type Note } from './PanelNote';
import { RunRow } from './RunRow';

const quietly = (p: Promise<unknown>) => void p.catch(() => undefined); // the store keeps the error and shows it

async function downloadWeights(id: string): Promise<void> {
  const files = await runsStore.getState().weightFiles(id);
  if (!files) throw new Error('no weights are kept for this run');
  for (const f of files)
    downloadText(f.name, f.bytes, f.name.endsWith('.json') ? 'application/json' : 'application/octet-stream');
}

export function RunsTable({
  runs,
  selectedId,
  checked,
  onChecked,
  onNote,
}: {
  runs: RunSummary[];
  selectedId: string | undefined;
  checked: ReadonlySet<string>;
  onChecked: Dispatch<SetStateAction<ReadonlySet<string>>>;
  onNote(note: Note | undefined): void;
}) {
  const liveId = useTrainingStore((s) => s.run?.id);
  const liveState = useTrainingStore((s) => s.run?.state);
  const replaceConfig = useExperimentStore((s) => s.replace);
  const ids = runs.map((r) => r.id);
  const allChecked = ids.every((id) => checked.has(id));
  const setCheck = (id: string, on: boolean) =>
    onChecked((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  return (
    <div className="runs-table-wrap">
      <table className="runs-table" data-testid="runs-table">
        <thead>
          <tr>
            <th>
              <input
                type="checkbox"
                aria-label="Select all runs for export"
                checked={allChecked}
                onChange={(e) => onChecked(e.target.checked ? new Set(ids) : new Set())}
              />
            </th>
            <th>Name</th>
            <th>Scheme</th>
            <th>Steps</th>
            <th title="held-out masked loss at the last evaluation">Held‑out loss</th>
            <th>Accuracy</th>
            <th title="mean training loss over the last 10 steps">Train loss</th>
            <th>State</th>
            <th>
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <RunRow
              key={r.id}
              run={r}
              liveState={r.id === liveId ? liveState : undefined}
              selected={r.id === selectedId}
              checked={checked.has(r.id)}
              onCheck={(on) => setCheck(r.id, on)}
              onSelect={() => quietly(runsStore.getState().select(r.id === selectedId ? undefined : r.id))}
              onRename={(name) => quietly(runsStore.getState().rename(r.id, name))}
              onLoadSettings={() => {
                replaceConfig(r.config);
                onNote({ text: `Loaded the settings of “${r.name}” into the setup: press Start to train it again.` });
              }}
              onDownloadWeights={() => {
                onNote(undefined);
                downloadWeights(r.id).catch((e: unknown) =>
                  onNote({ text: `Download failed: ${errorText(e)}`, error: true }),
                );
              }}
              onDelete={() => {
                setCheck(r.id, false);
                quietly(runsStore.getState().remove(r.id));
              }}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

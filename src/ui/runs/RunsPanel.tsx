// The Runs panel (training column, below the current run): every run saved in this browser, with rename, delete,
// "Load settings", export (JSON full records, CSV one row per run) of all or the ticked runs, and JSON import.
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { persistLiveRuns, runsStore, useRunsStore } from '../../store/runs';
import { useTrainingStore } from '../../store/training';
import { keepFinishedWeights, keepWeightsStore } from '../../store/keepWeights';
import { onWorkerMessage, sendToWorker } from '../../store/workerBus';
import { PanelNote, type Note } from './PanelNote';
import { RunDetail } from './RunDetail';
import { RunsTable } from './RunsTable';
import { RunsToolbar } from './RunsToolbar';
import './runs.css';

// The list is read once per page (StrictMode mounts effects twice in development).
let loadStarted = false;

/** While the panel is shown: save the live run as it trains, keep finished runs' weights when asked, and read the
 *  saved runs once (after a reload, the most recent one's charts are shown). */
function useSavedRuns(): void {
  useEffect(() => persistLiveRuns(useTrainingStore, runsStore), []);
  useEffect(
    () =>
      keepFinishedWeights({
        training: useTrainingStore,
        runs: runsStore,
        setting: keepWeightsStore,
        send: sendToWorker,
        onMessage: onWorkerMessage,
      }),
    [],
  );
  useEffect(() => {
    if (loadStarted) return;
    loadStarted = true;
    runsStore
      .getState()
      .load(useTrainingStore.getState().run?.id)
      .then(
        () => {
          const s = runsStore.getState();
          if (s.selectedId === undefined && !useTrainingStore.getState().run && s.runs.length > 0)
            void s.select(s.runs[0].id).catch(() => undefined);
        },
        () => undefined, // the store keeps the error and the panel shows it
      );
  }, []);
}

export function RunsPanel() {
  useSavedRuns();
  const runs = useRunsStore((s) => s.runs);
  const loaded = useRunsStore((s) => s.loaded);
  const error = useRunsStore((s) => s.error);
  const selectedId = useRunsStore((s) => s.selectedId);
  const selected = useRunsStore((s) => s.selected);
  const liveId = useTrainingStore((s) => s.run?.id);
  const keepError = useStore(keepWeightsStore, (s) => s.error);
  const [checked, setChecked] = useState<ReadonlySet<string>>(new Set());
  const [note, setNote] = useState<Note>();
  const picked = runs.map((r) => r.id).filter((id) => checked.has(id));

  return (
    <section className="panel runs" aria-labelledby="runs-title" data-testid="runs-panel">
      <h2 id="runs-title">Runs</h2>
      <p className="muted">
        Every run is saved in this browser as it trains (settings, metrics and evaluations; not the weights). Tick runs
        to export only those.
      </p>
      <RunsToolbar runCount={runs.length} scope={picked.length > 0 ? picked : undefined} onNote={setNote} />
      {keepError && (
        <p className="error" role="alert" data-testid="keep-weights-error">
          {keepError}
        </p>
      )}
      <PanelNote note={note} testId="runs-note" />
      {error && (
        <p className="error" role="alert" data-testid="runs-error">
          {error}
        </p>
      )}
      {loaded && runs.length === 0 && <p className="muted">No saved runs yet: a run appears here when it starts.</p>}
      {runs.length > 0 && (
        <RunsTable runs={runs} selectedId={selectedId} checked={checked} onChecked={setChecked} onNote={setNote} />
      )}
      {selectedId !== undefined && selectedId === liveId && (
        <p className="muted run-detail" data-testid="run-detail-live">
          This is the current run: its charts are shown above, live.
        </p>
      )}
      {selected && selected.id === selectedId && selectedId !== liveId && <RunDetail run={selected} />}
    </section>
  );
}

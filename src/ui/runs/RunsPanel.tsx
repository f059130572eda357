// The Runs panel (training column, below the current run): every run saved in this browser, with rename, delete,
// "Load settings", export (JSON full records, CSV one row per run) of all or the ticked runs, and JSON import.
import { useEffect, useState } from 'react';
import { useExperimentStore } from '../../store/experiment';
import { persistLiveRuns, runsStore, useRunsStore } from '../../store/runs';
import { RunImportError } from '../../session/runsExport';
import { useTrainingStore } from '../../store/training';
import { downloadText, exportBaseName } from './download';
import { ImportJsonButton } from './ImportJsonButton';
import { useStore } from 'zustand';
import { keepFinishedWeights, keepWeightsStore } from '../../store/keepWeights';
import { onWorkerMessage, sendToWorker } from '../../store/workerBus';
import { RunDetail } from './RunDetail';
import { RunRow } from './RunRow';
import './runs.css';

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

// The list is read once per page (StrictMode mounts effects twice in development).
let loadStarted = false;

export function RunsPanel() {
  const runs = useRunsStore((s) => s.runs);
  const loaded = useRunsStore((s) => s.loaded);
  const error = useRunsStore((s) => s.error);
  const selectedId = useRunsStore((s) => s.selectedId);
  const selected = useRunsStore((s) => s.selected);
  const liveId = useTrainingStore((s) => s.run?.id);
  const liveState = useTrainingStore((s) => s.run?.state);
  const replaceConfig = useExperimentStore((s) => s.replace);
  const [checked, setChecked] = useState<ReadonlySet<string>>(new Set());
  const [note, setNote] = useState<{ text: string; error?: boolean }>();

  // Save the live run as it trains, for as long as the page shows the training column.
  useEffect(() => persistLiveRuns(useTrainingStore, runsStore), []);
  // Keep the final weights of finished runs when the user asked for it.
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
  const keepWeights = useStore(keepWeightsStore, (s) => s.keep);
  const keepError = useStore(keepWeightsStore, (s) => s.error);
  // Read the saved runs once; after a reload, show the most recent one's charts.
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

  const ids = runs.map((r) => r.id);
  const picked = ids.filter((id) => checked.has(id));
  const scope = picked.length > 0 ? picked : undefined;
  const scopeText = picked.length > 0 ? `${picked.length} selected` : 'all';

  const downloadWeights = async (id: string) => {
    setNote(undefined);
    try {
      const files = await runsStore.getState().weightFiles(id);
      if (!files) throw new Error('no weights are kept for this run');
      for (const f of files)
        downloadText(f.name, f.bytes, f.name.endsWith('.json') ? 'application/json' : 'application/octet-stream');
    } catch (e) {
      setNote({ text: `Download failed: ${errorText(e)}`, error: true });
    }
  };

  const doExport = async (kind: 'json' | 'csv') => {
    setNote(undefined);
    try {
      const st = runsStore.getState();
      const text = kind === 'json' ? await st.exportJson(scope) : await st.exportCsv(scope);
      downloadText(
        `${exportBaseName()}.${kind}`,
        text,
        kind === 'json' ? 'application/json' : 'text/csv;charset=utf-8',
      );
    } catch (e) {
      setNote({ text: `Export failed: ${errorText(e)}`, error: true });
    }
  };
  const doImport = async (file: File) => {
    setNote(undefined);
    try {
      const r = await runsStore.getState().importJson(await file.text());
      const skipped = r.skipped > 0 ? `; skipped ${r.skipped} already here (same id)` : '';
      setNote({ text: `Imported ${r.imported} run${r.imported === 1 ? '' : 's'} from ${file.name}${skipped}.` });
    } catch (e) {
      setNote({ text: e instanceof RunImportError ? e.message : `Import failed: ${errorText(e)}`, error: true });
    }
  };
  const setCheck = (id: string, on: boolean) =>
    setChecked((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  return (
    <section className="panel runs" aria-labelledby="runs-title" data-testid="runs-panel">
      <h2 id="runs-title">Runs</h2>
      <p className="muted">
        Every run is saved in this browser as it trains (settings, metrics and evaluations; not the weights). Tick runs
        to export only those.
      </p>
      <div className="runs-toolbar">
        <button
          type="button"
          className="small secondary"
          data-testid="runs-export-json"
          disabled={runs.length === 0}
          onClick={() => void doExport('json')}
        >
          Export {scopeText} as JSON
        </button>
        <button
          type="button"
          className="small secondary"
          data-testid="runs-export-csv"
          disabled={runs.length === 0}
          onClick={() => void doExport('csv')}
        >
          Export {scopeText} as CSV
        </button>
        <ImportJsonButton label="Import JSON…" testId="runs-import-file" onFile={(f) => void doImport(f)} />
        <label
          className="keep-weights"
          title="When a run finishes, its final weights are saved in this browser next to it (a Hugging Face BertForMaskedLM for vocabulary heads, ElectraForPreTraining for replaced-token heads, a MaskLab checkpoint otherwise), to download after a reload"
        >
          <input
            type="checkbox"
            data-testid="keep-weights"
            checked={keepWeights}
            onChange={(e) => keepWeightsStore.getState().setKeep(e.target.checked)}
          />{' '}
          Keep final weights
        </label>
      </div>
      {keepError && (
        <p className="error" role="alert" data-testid="keep-weights-error">
          {keepError}
        </p>
      )}
      {note && (
        <p className={note.error ? 'error' : 'muted'} role={note.error ? 'alert' : 'status'} data-testid="runs-note">
          {note.text}
        </p>
      )}
      {error && (
        <p className="error" role="alert" data-testid="runs-error">
          {error}
        </p>
      )}
      {loaded && runs.length === 0 && <p className="muted">No saved runs yet: a run appears here when it starts.</p>}
      {runs.length > 0 && (
        <div className="runs-table-wrap">
          <table className="runs-table" data-testid="runs-table">
            <thead>
              <tr>
                <th>
                  <input
                    type="checkbox"
                    aria-label="Select all runs for export"
                    checked={picked.length === ids.length}
                    onChange={(e) => setChecked(e.target.checked ? new Set(ids) : new Set())}
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
                  onSelect={() =>
                    void runsStore
                      .getState()
                      .select(r.id === selectedId ? undefined : r.id)
                      .catch(() => undefined)
                  }
                  onRename={(name) =>
                    void runsStore
                      .getState()
                      .rename(r.id, name)
                      .catch(() => undefined)
                  }
                  onLoadSettings={() => {
                    replaceConfig(r.config);
                    setNote({
                      text: `Loaded the settings of “${r.name}” into the setup: press Start to train it again.`,
                    });
                  }}
                  onDownloadWeights={() => void downloadWeights(r.id)}
                  onDelete={() => {
                    setCheck(r.id, false);
                    void runsStore
                      .getState()
                      .remove(r.id)
                      .catch(() => undefined);
                  }}
                />
              ))}
            </tbody>
          </table>
        </div>
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

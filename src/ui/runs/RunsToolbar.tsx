// The Runs panel's toolbar: export all or the ticked runs (JSON full records, CSV one row per run), import a JSON
// export, and the "Keep final weights" setting.
import { useStore } from 'zustand';
import { runsStore } from '../../store/runs';
import { RunImportError } from '../../session/runsExport';
import { keepWeightsStore } from '../../store/keepWeights';
import { downloadText, exportBaseName } from './download';
import { ImportJsonButton } from './ImportJsonButton';
import { errorText, type Note } from './PanelNote';

export function RunsToolbar({
  runCount,
  scope,
  onNote,
}: {
  runCount: number;
  /** The ticked runs' ids, or undefined for all. */
  scope: string[] | undefined;
  onNote(note: Note | undefined): void;
}) {
  const keepWeights = useStore(keepWeightsStore, (s) => s.keep);
  const scopeText = scope ? `${scope.length} selected` : 'all';

  const doExport = async (kind: 'json' | 'csv') => {
    onNote(undefined);
    try {
      const st = runsStore.getState();
      const text = kind === 'json' ? await st.exportJson(scope) : await st.exportCsv(scope);
      downloadText(
        `${exportBaseName()}.${kind}`,
        text,
        kind === 'json' ? 'application/json' : 'text/csv;charset=utf-8',
      );
    } catch (e) {
      onNote({ text: `Export failed: ${errorText(e)}`, error: true });
    }
  };
  const doImport = async (file: File) => {
    onNote(undefined);
    try {
      const r = await runsStore.getState().importJson(await file.text());
      const skipped = r.skipped > 0 ? `; skipped ${r.skipped} already here (same id)` : '';
      onNote({ text: `Imported ${r.imported} run${r.imported === 1 ? '' : 's'} from ${file.name}${skipped}.` });
    } catch (e) {
      onNote({ text: e instanceof RunImportError ? e.message : `Import failed: ${errorText(e)}`, error: true });
    }
  };

  return (
    <div className="runs-toolbar">
      <button
        type="button"
        className="small secondary"
        data-testid="runs-export-json"
        disabled={runCount === 0}
        onClick={() => void doExport('json')}
      >
        Export {scopeText} as JSON
      </button>
      <button
        type="button"
        className="small secondary"
        data-testid="runs-export-csv"
        disabled={runCount === 0}
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
  );
}

// The Compare panel: set up a comparison of masking schemes (or a literature preset), watch it train run after run,
// and read its results; saved comparisons are listed with Continue, export (CSV, JSON), import and delete.
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { useExperimentStore } from '../../store/experiment';
import { useGpuStore } from '../../store/gpu';
import { useTrainingStore } from '../../store/training';
import { RunImportError } from '../../session/runsExport';
import { seedList } from '../../session/comparisonRecord';
import { ImportJsonButton } from '../runs/ImportJsonButton';
import { errorText, PanelNote, type Note } from '../runs/PanelNote';
import { comparisonStore } from './comparisonApp';
import { CompareSetup, initialSetup, type SetupValue } from './CompareSetup';
import { ComparisonsTable, type PanelAction } from './ComparisonsTable';
import { ComparisonView } from './ComparisonView';
import './compare.css';

let loadStarted = false;

/** Reads the saved comparisons once per page and shows the most recent one. */
function useSavedComparisons(): void {
  useEffect(() => {
    if (loadStarted) return;
    loadStarted = true;
    void comparisonStore
      .getState()
      .load()
      .then(() => {
        const s = comparisonStore.getState();
        if (s.selectedId === undefined && s.list.length > 0) void s.select(s.list[0].id);
      });
  }, []);
}

/** Why a comparison cannot start (or continue) now, or undefined when it can. */
function useStartBlocker(): string | undefined {
  const gpu = useGpuStore((s) => s.status);
  const live = useTrainingStore((s) => s.run);
  const activeId = useStore(comparisonStore, (s) => s.activeId);
  const liveBusy = !!live && ['preparing', 'training', 'paused'].includes(live.state) && !activeId;
  if (gpu.state !== 'ready') return 'Needs a GPU.';
  if (activeId) return 'A comparison is running.';
  if (liveBusy) return 'A run is training in the Train panel: let it finish or reset it first.';
  return undefined;
}

/** What an import brought: the comparison (or that it was here already) and how many of its runs. */
function importNote(name: string, r: { comparison: string; runs: { imported: number; skipped: number } }): string {
  const runs = `${r.runs.imported} run${r.runs.imported === 1 ? '' : 's'} imported${r.runs.skipped ? `, ${r.runs.skipped} already here` : ''}`;
  return r.comparison === 'imported'
    ? `Imported the comparison from ${name} (${runs}).`
    : `This comparison is already here (${runs}).`;
}

export function ComparePanel() {
  useSavedComparisons();
  const config = useExperimentStore((s) => s.config);
  const live = useTrainingStore((s) => s.run);
  const probeText = useTrainingStore((s) => s.probeText);
  const list = useStore(comparisonStore, (s) => s.list);
  const loaded = useStore(comparisonStore, (s) => s.loaded);
  const error = useStore(comparisonStore, (s) => s.error);
  const activeId = useStore(comparisonStore, (s) => s.activeId);
  const selectedId = useStore(comparisonStore, (s) => s.selectedId);
  const series = useStore(comparisonStore, (s) => s.series);
  const progress = useStore(comparisonStore, (s) => s.progress);
  const [setup, setSetup] = useState<SetupValue>(() => initialSetup(config));
  const [note, setNote] = useState<Note>();
  const blocked = useStartBlocker();
  const selected = list.find((c) => c.id === selectedId);

  const act: PanelAction = async (f) => {
    setNote(undefined);
    try {
      await f();
    } catch (e) {
      setNote({ text: e instanceof RunImportError ? e.message : errorText(e), error: true });
    }
  };
  const start = () =>
    act(() =>
      comparisonStore.getState().start({
        name: setup.name,
        base: structuredClone(config),
        schemes: setup.schemes,
        seeds: seedList(config.seed, setup.seedCount),
        budget: setup.budget,
        probeText,
        preset: setup.preset,
        compute: setup.compute,
        reference: 0,
      }),
    );
  const doImport = (file: File) =>
    act(async () => {
      const r = await comparisonStore.getState().importJson(await file.text());
      setNote({ text: importNote(file.name, r) });
    });

  return (
    <section className="panel compare" aria-labelledby="compare-title" data-testid="compare-panel">
      <h2 id="compare-title">Compare schemes</h2>
      <p className="muted">
        Train several masking schemes on equal terms (same tokenizer, model, initial weights, data order and budget) and
        score them all the same way: a shared probe with its own output layer on each frozen encoder (fixed held-out
        masks, pseudo-perplexity; a causal run gets next-token figures instead) and three downstream tasks on frozen
        features, with 95% intervals over held-out passages and, from two seeds, paired verdicts.
      </p>
      <details className="subpanel" open={!activeId}>
        <summary>Set up a comparison</summary>
        <CompareSetup
          config={config}
          value={setup}
          onChange={setSetup}
          canStart={!blocked}
          blocked={blocked}
          onStart={() => void start()}
        />
      </details>
      {activeId && (
        <div className="runs-toolbar">
          <button
            type="button"
            className="secondary"
            onClick={() => comparisonStore.getState().stop()}
            data-testid="compare-stop"
          >
            Stop the comparison
          </button>
          <span className="muted">The current run is also shown, live, in the Train panel.</span>
        </div>
      )}
      <PanelNote note={note} testId="compare-note" />
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <h3>Saved comparisons</h3>
      <div className="runs-toolbar">
        <ImportJsonButton
          label="Import comparison JSON…"
          testId="compare-import-file"
          onFile={(f) => void doImport(f)}
        />
      </div>
      {loaded && list.length === 0 && <p className="muted">No comparisons yet.</p>}
      {list.length > 0 && (
        <ComparisonsTable list={list} selectedId={selectedId} activeId={activeId} blocked={!!blocked} act={act} />
      )}
      {selected && (
        <ComparisonView
          c={selected}
          series={series}
          live={live && selected.entries.some((e) => e.runId === live.id) ? live : undefined}
          progress={progress}
          onRename={(name) => void act(() => comparisonStore.getState().rename(selected.id, name))}
        />
      )}
    </section>
  );
}

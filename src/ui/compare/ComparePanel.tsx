// The Compare panel: set up a comparison of masking schemes (or a literature preset), watch it train run after run,
// and read its results; saved comparisons are listed with Continue, export (CSV, JSON), import and delete.
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { useExperimentStore } from '../../store/experiment';
import { useGpuStore } from '../../store/gpu';
import { useTrainingStore } from '../../store/training';
import { RunImportError } from '../../session/runsExport';
import { seedList } from '../../session/comparisonRecord';
import { downloadText } from '../runs/download';
import { ImportJsonButton } from '../runs/ImportJsonButton';
import { comparisonStore } from './comparisonApp';
import { CompareSetup, initialSetup, type SetupValue } from './CompareSetup';
import { ComparisonView } from './ComparisonView';
import './compare.css';

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));
const fileBase = (name: string) =>
  `masklab-comparison-${
    name
      .replace(/[^a-z0-9]+/gi, '-')
      .replace(/^-|-$/g, '')
      .toLowerCase() || 'export'
  }`;

let loadStarted = false;

export function ComparePanel() {
  const config = useExperimentStore((s) => s.config);
  const gpu = useGpuStore((s) => s.status);
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
  const [note, setNote] = useState<{ text: string; error?: boolean }>();
  const [confirm, setConfirm] = useState<string>();

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

  const selected = list.find((c) => c.id === selectedId);
  const liveBusy = !!live && ['preparing', 'training', 'paused'].includes(live.state) && !activeId;
  const blocked =
    gpu.state !== 'ready'
      ? 'Needs a GPU.'
      : activeId
        ? 'A comparison is running.'
        : liveBusy
          ? 'A run is training in the Train panel: let it finish or reset it first.'
          : undefined;

  const act = async (f: () => Promise<unknown>) => {
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
      const runs = `${r.runs.imported} run${r.runs.imported === 1 ? '' : 's'} imported${r.runs.skipped ? `, ${r.runs.skipped} already here` : ''}`;
      setNote({
        text:
          r.comparison === 'imported'
            ? `Imported the comparison from ${file.name} (${runs}).`
            : `This comparison is already here (${runs}).`,
      });
    });

  return (
    <section className="panel compare" aria-labelledby="compare-title" data-testid="compare-panel">
      <h2 id="compare-title">Compare schemes</h2>
      <p className="muted">
        Train several masking schemes on equal terms (same tokenizer, model, initial weights, data order and token
        budget) and score them all with one evaluation: fixed held-out masks, pseudo-perplexity, an MLM probe for
        objectives without a vocabulary head, and a downstream word-order probe.
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
      {note && (
        <p className={note.error ? 'error' : 'muted'} role={note.error ? 'alert' : 'status'} data-testid="compare-note">
          {note.text}
        </p>
      )}
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
                    <span className="actions">
                      {(c.state === 'interrupted' || c.state === 'stopped') && (
                        <button
                          type="button"
                          className="small"
                          disabled={!!blocked}
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
                          downloadText(
                            `${fileBase(c.name)}.csv`,
                            comparisonStore.getState().exportCsv(c.id),
                            'text/csv;charset=utf-8',
                          )
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
                      {confirm === c.id ? (
                        <>
                          <span className="confirm">Delete?</span>
                          <button
                            type="button"
                            className="small danger"
                            onClick={() =>
                              void act(() => comparisonStore.getState().remove(c.id, false)).then(() =>
                                setConfirm(undefined),
                              )
                            }
                            autoFocus
                          >
                            Comparison only
                          </button>
                          <button
                            type="button"
                            className="small danger"
                            onClick={() =>
                              void act(() => comparisonStore.getState().remove(c.id, true)).then(() =>
                                setConfirm(undefined),
                              )
                            }
                          >
                            With its runs
                          </button>
                          <button type="button" className="small secondary" onClick={() => setConfirm(undefined)}>
                            Cancel
                          </button>
                        </>
                      ) : (
                        <button
                          type="button"
                          className="small secondary"
                          disabled={c.id === activeId || c.state === 'running'}
                          title={c.state === 'running' ? 'Running (in this tab or another): stop it first' : undefined}
                          onClick={() => setConfirm(c.id)}
                          data-testid="comparison-delete"
                        >
                          Delete
                        </button>
                      )}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
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

// One saved run in the Runs table: name (click to show its charts; inline rename with Enter/Escape), scheme,
// steps, final held-out loss and accuracy, training loss, state, and Rename / Load settings / Delete (confirmed).
import { useEffect, useRef, useState, type RefObject } from 'react';
import type { RunState, RunSummary } from '../../session/records';
import { fmtPct } from '../training/format';

export interface RunRowProps {
  run: RunSummary;
  /** The state of this run when it is the live run of this page. */
  liveState?: RunState;
  selected: boolean;
  checked: boolean;
  onCheck(on: boolean): void;
  onSelect(): void;
  onRename(name: string): void;
  onLoadSettings(): void;
  onDelete(): void;
  /** Downloads the run's kept final weights (shown when it has some). */
  onDownloadWeights?: () => void;
}

export function stateLabel(run: RunSummary, liveState?: RunState): string {
  if (liveState) return liveState;
  return run.interrupted ? 'interrupted' : run.state;
}

const num = (x: number | undefined, digits = 3) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits));

/** Inline rename: the draft name while editing, and focus back on the Rename button once Enter, Escape or a click
 *  elsewhere ends the edit. */
function useRename(run: RunSummary, onRename: (name: string) => void, button: RefObject<HTMLButtonElement | null>) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(run.name);
  const refocus = useRef(false);
  // Set when Enter or Escape ended the edit, so the blur that follows does not save again (or save a cancel).
  const ended = useRef(false);
  useEffect(() => {
    if (!editing && refocus.current) {
      refocus.current = false;
      button.current?.focus();
    }
  }, [editing, button]);
  return {
    editing,
    draft,
    setDraft,
    start() {
      setDraft(run.name);
      ended.current = false;
      setEditing(true);
    },
    finish(save: boolean) {
      if (ended.current) return;
      ended.current = true;
      if (save && draft.trim() && draft.trim() !== run.name) onRename(draft.trim());
      refocus.current = true;
      setEditing(false);
    },
  };
}
type Rename = ReturnType<typeof useRename>;

/** The run's name (click to show its charts), or the name being edited; "trained outside the page" for imports. */
function NameCell({
  run,
  selected,
  rename,
  onSelect,
}: {
  run: RunSummary;
  selected: boolean;
  rename: Rename;
  onSelect(): void;
}) {
  return (
    <td className="name-cell">
      {rename.editing ? (
        <input
          className="run-name-input"
          data-testid="run-name-input"
          aria-label="Run name (Enter saves, Escape cancels)"
          value={rename.draft}
          autoFocus
          maxLength={300}
          onChange={(e) => rename.setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key !== 'Enter' && e.key !== 'Escape') return;
            // Focus goes back to the Rename button; without this, the Enter's keypress would click it again.
            e.preventDefault();
            rename.finish(e.key === 'Enter');
          }}
          onBlur={() => rename.finish(true)}
        />
      ) : (
        <button
          type="button"
          className="run-name"
          data-testid="run-name"
          onClick={onSelect}
          aria-pressed={selected}
          title="Show this run's charts"
        >
          {run.name}
        </button>
      )}
      {run.external && (
        <span
          className="muted small"
          data-testid="run-external"
          title={`Imported: trained with ${run.external.tool} on ${run.external.device} x${run.external.processes}, mixed precision ${run.external.mixedPrecision}`}
        >
          {' '}
          trained outside the page
        </span>
      )}
    </td>
  );
}

/** Rename, Weights (when kept), Load settings and Delete, which asks to confirm in place. */
function RunActions({
  run,
  rename,
  onLoadSettings,
  onDelete,
  onDownloadWeights,
  renameButton,
}: Pick<RunRowProps, 'run' | 'onLoadSettings' | 'onDelete' | 'onDownloadWeights'> & {
  rename: Rename;
  renameButton: RefObject<HTMLButtonElement | null>;
}) {
  const [confirming, setConfirming] = useState(false);
  const confirmButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirmButton.current?.focus();
  }, [confirming]);
  if (confirming)
    return (
      <span className="actions" role="group" aria-label={`Confirm deleting ${run.name}`}>
        <span className="confirm">Delete this run?</span>
        <button
          type="button"
          className="small danger"
          ref={confirmButton}
          data-testid="run-delete-confirm"
          onClick={onDelete}
        >
          Delete
        </button>
        <button type="button" className="small secondary" onClick={() => setConfirming(false)}>
          Cancel
        </button>
      </span>
    );
  return (
    <span className="actions">
      <button
        type="button"
        className="small secondary"
        ref={renameButton}
        data-testid="run-rename"
        aria-label={`Rename ${run.name}`}
        onClick={rename.start}
      >
        Rename
      </button>
      {run.weights && onDownloadWeights && (
        <button
          type="button"
          className="small secondary"
          data-testid="run-download-weights"
          onClick={onDownloadWeights}
          title={`The final weights kept in this browser: ${run.weights.format === 'huggingface' ? 'a Hugging Face model (config.json, model.safetensors, tokenizer.json, tokenizer_config.json, special_tokens_map.json)' : 'a MaskLab checkpoint'} at step ${run.weights.step}`}
        >
          Weights ({(run.weights.bytes / 1e6).toFixed(1)} MB)
        </button>
      )}
      <button
        type="button"
        className="small secondary"
        data-testid="run-load-settings"
        onClick={onLoadSettings}
        title="Put this run's settings back into the setup, to train it again"
      >
        Load settings
      </button>
      <button
        type="button"
        className="small secondary"
        data-testid="run-delete"
        aria-label={`Delete ${run.name}`}
        onClick={() => setConfirming(true)}
      >
        Delete
      </button>
    </span>
  );
}

export function RunRow({
  run,
  liveState,
  selected,
  checked,
  onCheck,
  onSelect,
  onRename,
  onLoadSettings,
  onDelete,
  onDownloadWeights,
}: RunRowProps) {
  const renameButton = useRef<HTMLButtonElement>(null);
  const rename = useRename(run, onRename, renameButton);
  const state = stateLabel(run, liveState);
  const stateClass = run.interrupted && !liveState ? 'interrupted' : (liveState ?? run.state);
  const m = run.config.masking;

  return (
    <tr
      className={selected ? 'selected' : undefined}
      data-testid="run-row"
      data-run-id={run.id}
      data-state={stateClass}
      aria-selected={selected}
    >
      <td>
        <input
          type="checkbox"
          checked={checked}
          onChange={(e) => onCheck(e.target.checked)}
          aria-label={`Select ${run.name} for export`}
        />
      </td>
      <NameCell run={run} selected={selected} rename={rename} onSelect={onSelect} />
      <td>
        {m.strategy}/{m.objective}
      </td>
      <td className="num" data-testid="run-steps">
        {run.step} / {run.totalSteps}
      </td>
      <td
        className="num"
        data-testid="run-heldout-loss"
        title={run.lastEval ? `held-out masked loss at step ${run.lastEval.step}` : 'no evaluation yet'}
      >
        {num(run.lastEval?.loss)}
      </td>
      <td className="num" data-testid="run-heldout-accuracy">
        {run.lastEval ? fmtPct(run.lastEval.accuracy) : '–'}
      </td>
      <td className="num" data-testid="run-train-loss" title="mean training loss over the last 10 steps">
        {num(run.trainLossLast10)}
      </td>
      <td className={`run-state-${stateClass}`}>{state}</td>
      <td>
        <RunActions
          run={run}
          rename={rename}
          renameButton={renameButton}
          onLoadSettings={onLoadSettings}
          onDelete={onDelete}
          onDownloadWeights={onDownloadWeights}
        />
      </td>
    </tr>
  );
}

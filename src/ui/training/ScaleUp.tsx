// "Scale up in Python": the current experiment as a Transformers + Accelerate project in a .zip (src/session/scaleup),
// with the list of what it holds; objectives transformers has no head for are refused with the reason. A MaskLab
// checkpoint (Download checkpoint) given here goes along under trained/ with its AdamW moments: train.py --init
// trained continues that run exactly (its own experiment is exported).
import { useState } from 'react';
import { prepareExperimentData } from '../../session/run';
import { modelShape } from '../../session/config';
import { encodeExperiment } from '../../session/experimentUrl';
import type { BundleFile, TrainedState } from '../../session/scaleup/bundle';
import { checkpointExperiment, trainedFromCheckpoint } from '../../session/scaleup/fromCheckpoint';
import { notExportable } from '../../session/scaleup/maskingSpec';
import { experimentText } from '../../session/text';
import { currentPreparedCorpus, dataKey, preparedDataFor } from '../../store/data';
import { useExperimentStore } from '../../store/experiment';
import { runsStore } from '../../store/runs';
import type { ExperimentConfig } from '../../session/config';
import { downloadText } from '../runs/download';

const FOLDER = 'masklab-scaleup';

/** The kept Hugging Face weights of the newest saved run of exactly this experiment, if any (for trained/). */
async function keptWeightsOf(e: ExperimentConfig): Promise<{ step: number; files: BundleFile[] } | undefined> {
  const same = JSON.stringify(e);
  const run = runsStore
    .getState()
    .runs.filter((r) => r.weights?.format === 'huggingface' && JSON.stringify(r.config) === same)
    .sort((a, b) => b.createdAt - a.createdAt)[0];
  if (!run?.weights) return undefined;
  const files = await runsStore.getState().weightFiles(run.id);
  return files ? { step: run.weights.step, files } : undefined;
}

export function ScaleUp() {
  const config = useExperimentStore((s) => s.config);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [files, setFiles] = useState<BundleFile[]>();
  const [checkpoint, setCheckpoint] = useState<{
    name: string;
    bytes: Uint8Array;
    config: ExperimentConfig;
    step: number;
  }>();
  const refused = notExportable((checkpoint?.config ?? config).masking.objective);

  const pick = async (file: File | undefined) => {
    setError(undefined);
    setCheckpoint(undefined);
    if (!file) return;
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const c = checkpointExperiment(bytes);
      if (!c.config) throw new Error('this checkpoint does not record its experiment.');
      setCheckpoint({ name: file.name, bytes, config: c.config, step: c.step });
    } catch (err) {
      setError(`${file.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const build = async () => {
    setBusy(true);
    setError(undefined);
    setFiles(undefined);
    try {
      const e = structuredClone(checkpoint?.config ?? config);
      // The page's prepared corpus when it is this experiment's, else the same preparation from the text.
      const p = currentPreparedCorpus();
      const T = modelShape(e, 100).T;
      const data =
        p && p.key === dataKey(e.corpus, e.tokenizer, e.seed)
          ? preparedDataFor(p, T)
          : prepareExperimentData(await experimentText(e.corpus), e);
      await new Promise((r) => setTimeout(r, 0)); // let "Writing…" paint before the golden batches are computed
      const link = `${location.origin}${location.pathname}#${encodeExperiment(e)}`;
      const trained: TrainedState | undefined = checkpoint && trainedFromCheckpoint(checkpoint.bytes, e, data);
      // The bundle's writer (its templates, golden batches, the zip) is a chunk of its own, loaded on the first click.
      const [{ scaleUpBundle }, { bundleZip }] = await Promise.all([
        import('../../session/scaleup/bundle'),
        import('../../session/scaleup/zip'),
      ]);
      const out = scaleUpBundle(e, data, { link, trained, trainedFiles: trained ? undefined : await keptWeightsOf(e) });
      downloadText(`${FOLDER}.zip`, bundleZip(out, FOLDER) as Uint8Array<ArrayBuffer>, 'application/zip');
      setFiles(out);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="scale-up" data-testid="scale-up">
      <p className="muted">
        The experiment as a Python project for Hugging Face Transformers and Accelerate: the same model, data, batch
        order and masks (a port of MaskLab's seeded masking, checked against golden batches by its test_masking.py), the
        same optimizer and schedule, on one GPU or many. A saved run of this very experiment with kept weights goes
        along under trained/ (weights only); a MaskLab checkpoint chosen below goes along with its optimizer state, and{' '}
        <code>train.py --init trained</code> continues that run exactly. train.py has not been run on a GPU yet.
      </p>
      <label className="muted">
        Continue from a MaskLab checkpoint (optional):{' '}
        <input
          type="file"
          accept=".safetensors"
          onChange={(ev) => void pick(ev.target.files?.[0])}
          data-testid="scale-up-checkpoint"
        />
      </label>
      {checkpoint && (
        <p className="muted" data-testid="scale-up-checkpoint-info">
          {checkpoint.name}: step {checkpoint.step} of {checkpoint.config.train.steps},{' '}
          {checkpoint.config.masking.strategy} / {checkpoint.config.masking.objective} on {checkpoint.config.corpus}
          {JSON.stringify(checkpoint.config) !== JSON.stringify(config) &&
            ' (its own experiment, not the one set up here)'}
        </p>
      )}
      <button
        type="button"
        className="secondary"
        disabled={busy || !!refused}
        onClick={() => void build()}
        data-testid="scale-up-button"
      >
        Scale up in Python
      </button>
      {busy && <span className="muted"> Writing the project…</span>}
      {refused && (
        <p className="muted" data-testid="scale-up-refused">
          {refused}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {files && (
        <>
          <p className="muted">
            Saved {FOLDER}.zip: unzip it, run <code>python3 test_masking.py</code>, then <code>python train.py</code>{' '}
            (README.md has the multi-GPU commands).
          </p>
          <ul className="scale-up-files" data-testid="scale-up-files">
            {files.map((f) => (
              <li key={f.name}>
                {FOLDER}/{f.name} <span className="muted">({(f.bytes.byteLength / 1024).toFixed(0)} KiB)</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

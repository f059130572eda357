// "Scale up in Python": the current experiment as a Transformers + Accelerate project in a .zip (src/session/scaleup),
// with the list of what it holds; objectives transformers has no head for are refused with the reason.
import { useState } from 'react';
import { prepareExperimentData } from '../../session/run';
import { modelShape } from '../../session/config';
import { encodeExperiment } from '../../session/experimentUrl';
import { scaleUpBundle, type BundleFile } from '../../session/scaleup/bundle';
import { notExportable } from '../../session/scaleup/maskingSpec';
import { bundleZip } from '../../session/scaleup/zip';
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
  const refused = notExportable(config.masking.objective);

  const build = async () => {
    setBusy(true);
    setError(undefined);
    setFiles(undefined);
    try {
      const e = structuredClone(config);
      // The page's prepared corpus when it is this experiment's, else the same preparation from the text.
      const p = currentPreparedCorpus();
      const T = modelShape(e, 100).T;
      const data =
        p && p.key === dataKey(e.corpus, e.tokenizer, e.seed)
          ? preparedDataFor(p, T)
          : prepareExperimentData(await experimentText(e.corpus), e);
      await new Promise((r) => setTimeout(r, 0)); // let "Writing…" paint before the golden batches are computed
      const link = `${location.origin}${location.pathname}#${encodeExperiment(e)}`;
      const out = scaleUpBundle(e, data, { link, trainedFiles: await keptWeightsOf(e) });
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
        along under trained/. The GPU run of its train.py is not verified yet.
      </p>
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

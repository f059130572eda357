// Download the trained model: for Hugging Face (config.json, model.safetensors, tokenizer.json and its configs, loadable with
// transformers' from_pretrained; an ELECTRA run's generator too, on its own) or as a MaskLab checkpoint (weights,
// AdamW moments and step).
import { useEffect, useRef } from 'react';
import type { ExportedFiles, ExportFormat } from '../../session/records';
import { downloadText } from '../runs/download';

export function ModelExport({
  exported,
  exporting,
  onExport,
  generator = false,
}: {
  exported?: ExportedFiles;
  exporting: boolean;
  onExport(f: ExportFormat): void;
  /** The run is ELECTRA: offer its generator (ElectraForMaskedLM) next to the discriminator. */
  generator?: boolean;
}) {
  const saved = useRef<ExportedFiles | undefined>(undefined);
  useEffect(() => {
    if (!exported || saved.current === exported || exported.error) return;
    saved.current = exported;
    for (const f of exported.files)
      downloadText(f.name, f.bytes, f.name.endsWith('.json') ? 'application/json' : 'application/octet-stream');
  }, [exported]);
  return (
    <div className="model-export" data-testid="model-export">
      <div className="buttons">
        <button
          type="button"
          className="secondary"
          disabled={exporting}
          onClick={() => onExport('huggingface')}
          data-testid="export-hf"
        >
          {generator ? 'Discriminator for Hugging Face' : 'Download for Hugging Face'}
        </button>
        {generator && (
          <button
            type="button"
            className="secondary"
            disabled={exporting}
            onClick={() => onExport('huggingface-generator')}
            data-testid="export-hf-generator"
            title="ElectraForMaskedLM: the generator's encoder with the shared embeddings and its MLM head. transformers applies the exact GELU in that head where MaskLab uses the tanh form: outputs differ slightly."
          >
            Generator for Hugging Face
          </button>
        )}
        <button
          type="button"
          className="secondary"
          disabled={exporting}
          onClick={() => onExport('checkpoint')}
          data-testid="export-checkpoint"
        >
          Download checkpoint
        </button>
        {exporting && <span className="muted">Reading the weights back…</span>}
      </div>
      {exported?.error && (
        <p className="error" role="alert">
          {exported.error}
        </p>
      )}
      {exported && !exported.error && (
        <p className="muted" data-testid="export-done">
          Saved {exported.files.map((f) => `${f.name} (${(f.bytes.byteLength / 1024).toFixed(0)} KiB)`).join(', ')} from
          step {exported.step}.
          {exported.format !== 'checkpoint' &&
            ` Load with ${architectureOf(exported.files)}.from_pretrained(folder) and BertTokenizerFast / AutoTokenizer.`}
        </p>
      )}
    </div>
  );
}

/** The transformers class named in an export's config.json (BertForMaskedLM, ElectraForPreTraining). */
function architectureOf(files: readonly { name: string; bytes: Uint8Array }[]): string {
  const config = files.find((f) => f.name === 'config.json');
  try {
    const arch = config
      ? (JSON.parse(new TextDecoder().decode(config.bytes)) as { architectures?: string[] }).architectures?.[0]
      : undefined;
    return arch ?? 'AutoModel';
  } catch {
    return 'AutoModel'; // not expected: the worker writes the config
  }
}

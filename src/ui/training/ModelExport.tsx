// Download the trained model: as a Hugging Face BertForMaskedLM (config.json, model.safetensors, tokenizer.json,
// loadable with transformers' from_pretrained) or as a MaskLab checkpoint (weights, AdamW moments and step).
import { useEffect, useRef } from 'react';
import type { ExportedFiles } from '../../worker/protocol';
import { downloadText } from '../runs/download';

export function ModelExport({ exported, exporting, onExport }: { exported?: ExportedFiles; exporting: boolean; onExport(f: 'huggingface' | 'checkpoint'): void }) {
  const saved = useRef<ExportedFiles | undefined>(undefined);
  useEffect(() => {
    if (!exported || saved.current === exported || exported.error) return;
    saved.current = exported;
    for (const f of exported.files) downloadText(f.name, f.bytes, f.name.endsWith('.json') ? 'application/json' : 'application/octet-stream');
  }, [exported]);
  return (
    <div className="model-export" data-testid="model-export">
      <div className="buttons">
        <button type="button" className="secondary" disabled={exporting} onClick={() => onExport('huggingface')} data-testid="export-hf">
          Download for Hugging Face
        </button>
        <button type="button" className="secondary" disabled={exporting} onClick={() => onExport('checkpoint')} data-testid="export-checkpoint">
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
          Saved {exported.files.map((f) => `${f.name} (${(f.bytes.byteLength / 1024).toFixed(0)} KiB)`).join(', ')} from step {exported.step}.
          {exported.format === 'huggingface' && ` Load with ${architectureOf(exported.files)}.from_pretrained(folder) and BertTokenizerFast / AutoTokenizer.`}
        </p>
      )}
    </div>
  );
}

/** The transformers class named in an export's config.json (BertForMaskedLM, ElectraForPreTraining). */
function architectureOf(files: readonly { name: string; bytes: Uint8Array }[]): string {
  const config = files.find((f) => f.name === 'config.json');
  try {
    const arch = config ? (JSON.parse(new TextDecoder().decode(config.bytes)) as { architectures?: string[] }).architectures?.[0] : undefined;
    return arch ?? 'AutoModel';
  } catch {
    return 'AutoModel'; // not expected: the worker writes the config
  }
}

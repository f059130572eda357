// A run's weights as files: a Hugging Face model folder (config.json, model.safetensors, the tokenizer files) or a
// MaskLab checkpoint. Plain functions returning plain data, shared by the worker (downloads, kept weights) and the CLI.
import { exportTokenizerJson } from '../data/hfJson';
import { tokenizerConfigFiles } from '../data/hfTokenizerConfig';
import { saveCheckpoint } from '../engine/checkpoint/checkpoint';
import { exportHf, hfModelFor, type HfModel } from '../engine/checkpoint/hf';
import { headModule, type HeadConfig } from '../engine/model/heads';
import type { ExperimentConfig } from './config';
import type { ExportedFile, ExportedFiles, ExportFormat } from './records';
import type { TrainingRun } from './run';

/** The transformers model a format exports for a head, or why there is none. */
export function hfModelOf(
  head: HeadConfig,
  format: Exclude<ExportFormat, 'checkpoint'>,
): { model: HfModel } | { error: string } {
  if (format === 'huggingface-generator')
    return generatorOf(head) ? { model: 'electra-generator' } : { error: 'Only an ELECTRA run has a generator.' };
  const model = hfModelFor(head);
  return model
    ? { model }
    : { error: `transformers has no model for this run's ${head.kind} head (save a checkpoint instead).` };
}

/** The generator a head exports beside its model (ELECTRA's), as its module says. */
export function generatorOf(head: HeadConfig): { C: number; NH: number; F: number } | undefined {
  return headModule(head).hf?.generator?.(head);
}

/** The formats a run's final weights are kept or exported in: Hugging Face when transformers has a model, else a checkpoint. */
export function keptFormat(head: HeadConfig): 'huggingface' | 'checkpoint' {
  return hfModelFor(head) ? 'huggingface' : 'checkpoint';
}

/** The Hugging Face folders of a run: the model itself, and ELECTRA's generator in generator/. */
export function hfFolders(head: HeadConfig): { format: Exclude<ExportFormat, 'checkpoint'>; dir: string }[] {
  return [
    { format: 'huggingface', dir: '' },
    ...(generatorOf(head) ? [{ format: 'huggingface-generator' as const, dir: 'generator' }] : []),
  ];
}

/** The run's current weights as files in `format` (read between steps, so they belong to one step). */
export async function exportRunFiles(
  run: TrainingRun,
  config: ExperimentConfig,
  format: ExportFormat,
): Promise<ExportedFiles> {
  const t = run.trainer;
  const base = { step: t.step, format };
  if (format === 'checkpoint') {
    const bytes = (await saveCheckpoint(t, { config })) as Uint8Array<ArrayBuffer>;
    return { ...base, files: [{ name: 'masklab-checkpoint.safetensors', bytes }] };
  }
  const head = t.head;
  const which = hfModelOf(head, format);
  if ('error' in which) return { ...base, files: [], error: which.error };
  await t.flush();
  const gen = generatorOf(head);
  const { config: json, safetensors } = exportHf(t.cfg, t.layout, await t.state.read('params'), which.model, gen);
  const enc = new TextEncoder();
  const files: ExportedFile[] = [
    { name: 'config.json', bytes: enc.encode(json) as Uint8Array<ArrayBuffer> },
    { name: 'model.safetensors', bytes: safetensors as Uint8Array<ArrayBuffer> },
    { name: 'tokenizer.json', bytes: enc.encode(exportTokenizerJson(run.data.tokenizer)) as Uint8Array<ArrayBuffer> },
    ...tokenizerConfigFiles(run.data.tokenizer, t.cfg.T).map((f) => ({
      name: f.name,
      bytes: enc.encode(f.text) as Uint8Array<ArrayBuffer>,
    })),
  ];
  return { ...base, files };
}

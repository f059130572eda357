// Training checkpoints: every parameter tensor with its AdamW moments, in safetensors layout, plus a JSON header
// (model config, head, step, and the run's RNG state: MaskLab's randomness is a pure function of seed and step).
import type { ModelConfig } from '../config';
import { upgradeHeadConfig } from '../model/heads';
import { bertTensors, type HeadConfig, type ParamLayout } from '../model/params';
import type { Trainer } from '../trainer';
import { readSafetensors, writeSafetensors, type NamedTensor } from './safetensors';

export interface CheckpointMeta {
  format: 'masklab-checkpoint';
  version: 1;
  model: ModelConfig;
  head: HeadConfig;
  /** Optimizer steps taken: the next step to run. */
  step: number;
  /** Whatever the caller needs to resume the run exactly (experiment config, seed): stored as JSON. */
  run?: unknown;
}

const GROUPS = [
  ['params', ''],
  ['m', 'adam_m.'],
  ['v', 'adam_v.'],
] as const;

function tensorsOf(layout: ParamLayout, flat: Float32Array, prefix: string): NamedTensor[] {
  return layout.tensors.map((t) => ({
    name: prefix + t.name,
    dtype: 'F32',
    shape: t.shape,
    data: flat.slice(t.offset, t.offset + t.size),
  }));
}

/** Reads the trainer's weights and moments back from the GPU and serialises them with the step. */
export async function saveCheckpoint(trainer: Trainer, run?: unknown): Promise<Uint8Array> {
  await trainer.flush();
  const tensors: NamedTensor[] = [];
  for (const [which, prefix] of GROUPS)
    tensors.push(...tensorsOf(trainer.layout, await trainer.state.read(which), prefix));
  const meta: CheckpointMeta = {
    format: 'masklab-checkpoint',
    version: 1,
    model: trainer.cfg,
    head: trainer.head,
    step: trainer.step,
    run,
  };
  return writeSafetensors(tensors, { masklab: JSON.stringify(meta) });
}

/** Parses a checkpoint; throws a clear error for anything else (e.g. a Hugging Face model file). */
export function readCheckpoint(bytes: Uint8Array): { meta: CheckpointMeta; tensors: Map<string, NamedTensor> } {
  const f = readSafetensors(bytes);
  const raw = f.metadata.masklab;
  if (!raw) throw new Error('this safetensors file is not a MaskLab checkpoint (no "masklab" metadata)');
  const meta = JSON.parse(raw) as CheckpointMeta;
  if (meta.format !== 'masklab-checkpoint' || meta.version !== 1)
    throw new Error(`unsupported checkpoint format ${meta.format} v${meta.version}`);
  // Checkpoints written before the head kinds were one vocabulary store { kind: 'vocab' | 'classes', ... }.
  meta.head = upgradeHeadConfig(meta.head);
  return { meta, tensors: f.tensors };
}

/** A checkpoint's weights and AdamW moments as flat arrays of `layout` (the model and head it was saved for). */
export interface CheckpointState {
  meta: CheckpointMeta;
  params: Float32Array;
  m: Float32Array;
  v: Float32Array;
}

/**
 * Reads a checkpoint for a model and head: throws a clear error when its shape, head or tensors do not fit them.
 */
export function checkpointState(
  bytes: Uint8Array,
  model: ModelConfig,
  head: HeadConfig,
  layout: ParamLayout,
): CheckpointState {
  const { meta, tensors } = readCheckpoint(bytes);
  for (const k of ['L', 'C', 'NH', 'F', 'T', 'V'] as const) {
    if (meta.model[k] !== model[k])
      throw new Error(`checkpoint has ${k}=${meta.model[k]}, this model has ${k}=${model[k]}`);
  }
  // The same head, or one with the same tensors (a MEAP checkpoint from before next-token was a kind of its own).
  const tensorsOfHead = (h: HeadConfig) => JSON.stringify(bertTensors(model, h));
  if (JSON.stringify(meta.head) !== JSON.stringify(head) && tensorsOfHead(meta.head) !== tensorsOfHead(head))
    throw new Error(`checkpoint head ${JSON.stringify(meta.head)} differs from ${JSON.stringify(head)}`);
  const flat = (prefix: string) => {
    const out = new Float32Array(layout.totalFloats);
    for (const t of layout.tensors) {
      const src = tensors.get(prefix + t.name);
      if (!src || src.data.length !== t.size)
        throw new Error(`checkpoint lacks tensor ${prefix + t.name} of ${t.size} values`);
      out.set(src.data as Float32Array, t.offset);
    }
    return out;
  };
  const [params, m, v] = GROUPS.map(([, prefix]) => flat(prefix));
  return { meta, params, m, v };
}

/** Writes a checkpoint's weights, moments and step into a trainer built for the same model and head. */
export function loadCheckpoint(trainer: Trainer, bytes: Uint8Array): CheckpointMeta {
  const s = checkpointState(bytes, trainer.cfg, trainer.head, trainer.layout);
  trainer.state.write('params', s.params);
  trainer.state.write('m', s.m);
  trainer.state.write('v', s.v);
  trainer.restoreStep(s.meta.step);
  return s.meta;
}

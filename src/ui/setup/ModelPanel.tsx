// Model: the presets (tiny / mini / small) with their shapes and parameter counts, or a custom L/C/NH/F/T shape
// checked by validateModelConfig with the message shown at the setting it names.
import { useId } from 'react';
import { DEFAULT_VOCAB_SIZE } from '../../data/train';
import {
  ConfigError,
  MODEL_PRESETS,
  validateModelConfig,
  type ModelConfig,
  type ModelPreset,
} from '../../engine/config';
import { bertTensors } from '../../engine/model/params';
import { modelShape } from '../../session/config';
import { usePreparedCorpus } from '../../store/data';
import { useExperimentStore } from '../../store/experiment';
import { MODEL_RULES } from '../../session/settingRules';
import { estimateMemory, formatBytes, type MemoryEstimate } from '../../session/memory';
import { useGpuStore } from '../../store/gpu';
import { Choice, formatCount, NumberField, Panel } from './controls';

type Field = 'L' | 'C' | 'NH' | 'F' | 'T';
const FIELDS: readonly { key: Field; label: string; help: string }[] = [
  { key: 'L', label: 'Layers (L)', help: 'Transformer blocks stacked on each other.' },
  { key: 'C', label: 'Width (C)', help: "Size of every token's vector; must be divisible by the heads." },
  { key: 'NH', label: 'Attention heads (NH)', help: 'Each head attends with C / NH channels.' },
  { key: 'F', label: 'Feed-forward width (F)', help: "Inner size of each block's MLP (BERT: 4C)." },
  { key: 'T', label: 'Sequence length (T)', help: 'Tokens per training sequence, [CLS] and [SEP] included.' },
];

/** Parameters of BertForMaskedLM with this shape (the engine's own tensor list). */
export function parameterCount(c: ModelConfig): number {
  return bertTensors(c).reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1), 0);
}

function shapeText(s: Pick<ModelConfig, Field>): string {
  return `L=${s.L} · C=${s.C} · NH=${s.NH} · F=${s.F} · T=${s.T}`;
}

export function ModelPanel() {
  const config = useExperimentStore((s) => s.config);
  const setModel = useExperimentStore((s) => s.setModel);
  const status = usePreparedCorpus();
  const group = useId();
  const V =
    status.state === 'ready'
      ? status.data.vocab.size
      : (config.tokenizer.vocabSize ?? DEFAULT_VOCAB_SIZE[config.tokenizer.kind] ?? 100);
  const shape = modelShape(config, V);
  let problem: ConfigError | Error | null = null;
  try {
    validateModelConfig(shape);
  } catch (e) {
    problem = e instanceof Error ? e : new Error(String(e));
  }
  const settingOf = (e: Error | null) => (e instanceof ConfigError ? e.setting : null);
  const preset = config.model.preset;
  const params = problem ? null : parameterCount(shape);
  const gpu = useGpuStore((s) => s.status);
  const perBuffer =
    gpu.state === 'ready'
      ? Math.min(gpu.summary.limits.maxBufferSize, gpu.summary.limits.maxStorageBufferBindingSize)
      : undefined;
  let memory: MemoryEstimate | null = null;
  try {
    memory = problem ? null : estimateMemory(config, V);
  } catch {
    // Masking settings the validation lists beside Start; no estimate until they are fixed.
  }

  const choose = (p: ModelPreset | 'custom') => {
    if (p === 'custom') {
      const { L, C, NH, F, T } = shape;
      setModel({ preset: 'custom', overrides: { L, C, NH, F, T } });
    } else setModel({ preset: p });
  };

  return (
    <Panel
      title="Model"
      testId="model-panel"
      summary={params ? `${preset}, ${formatCount(params)} parameters` : preset}
    >
      <fieldset className="choices">
        <legend>Encoder size (BERT, vocabulary V = {V.toLocaleString('en-US')})</legend>
        {(Object.keys(MODEL_PRESETS) as ModelPreset[]).map((p) => {
          const s = MODEL_PRESETS[p];
          const n = parameterCount({ ...s, V, lnEps: 1e-12, initStd: 0.02 });
          return (
            <Choice
              key={p}
              name={group}
              title={p}
              checked={preset === p}
              onChange={() => choose(p)}
              data={{ 'data-model': p }}
              extra={<span className="muted"> {formatCount(n)} parameters</span>}
              note={shapeText(s)}
            />
          );
        })}
        <Choice
          name={group}
          title="custom"
          checked={preset === 'custom'}
          onChange={() => choose('custom')}
          data={{ 'data-model': 'custom' }}
          extra={
            preset === 'custom' && (
              <span className="muted"> {params ? `${formatCount(params)} parameters` : 'not a valid shape yet'}</span>
            )
          }
          note="Your own L, C, NH, F and T."
        />
      </fieldset>
      {preset === 'custom' && (
        <div className="field-grid" data-testid="custom-model">
          {FIELDS.map((f) => (
            <NumberField
              key={f.key}
              label={f.label}
              value={shape[f.key]}
              rule={MODEL_RULES[f.key]}
              help={f.help}
              testId={`model-${f.key}`}
              error={settingOf(problem) === f.key ? problem!.message : null}
              onChange={(v) =>
                v !== undefined && setModel({ preset: 'custom', overrides: { ...config.model.overrides, [f.key]: v } })
              }
            />
          ))}
        </div>
      )}
      {problem && !FIELDS.some((f) => f.key === settingOf(problem)) && (
        <p className="field-error" role="alert">
          {problem.message}
        </p>
      )}
      {params !== null && (
        <p className="field-help" data-testid="model-summary">
          {shapeText(shape)}, head size {shape.C / shape.NH}: {params.toLocaleString('en-US')} parameters (
          {formatCount(shape.V * shape.C)} of them in the token embedding, shared with the output layer).
        </p>
      )}
      {memory && (
        <p className="field-help" data-testid="memory-estimate">
          Needs about {formatBytes(memory.totalBytes)} of GPU memory at batch size {config.train.B}; its largest buffer
          is {formatBytes(memory.largest.bytes)} ({memory.largest.what})
          {perBuffer !== undefined && <>; this GPU allows {formatBytes(perBuffer)} per buffer</>}.
        </p>
      )}
    </Panel>
  );
}

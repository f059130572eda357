// Encoder configuration: presets, defaults and validation against the device's limits, with messages that name
// the setting and the limit.

export interface ModelConfig {
  /** Transformer layers. */
  L: number;
  /** Width (hidden size). */
  C: number;
  /** Attention heads; C must be divisible by NH. */
  NH: number;
  /** FFN inner width (BERT: 4C). */
  F: number;
  /** Max sequence length (positions). */
  T: number;
  /** Vocabulary size. */
  V: number;
  /** LayerNorm epsilon (BERT: 1e-12). */
  lnEps: number;
  /** Std of the normal initialisation (BERT: 0.02). */
  initStd: number;
}

export const MODEL_PRESETS = {
  tiny: { L: 2, C: 64, NH: 2, F: 256, T: 64 },
  mini: { L: 4, C: 256, NH: 4, F: 1024, T: 128 },
  small: { L: 6, C: 512, NH: 8, F: 2048, T: 128 },
} as const satisfies Record<string, Partial<ModelConfig>>;

export type ModelPreset = keyof typeof MODEL_PRESETS;

export function modelConfig(preset: ModelPreset, V: number, overrides: Partial<ModelConfig> = {}): ModelConfig {
  return { ...MODEL_PRESETS[preset], V, lnEps: 1e-12, initStd: 0.02, ...overrides };
}

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

function positiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new ConfigError(name, `${name} must be a positive integer (got ${v})`);
}

/** Checks the config on its own (no device): integer sizes, width divisible by heads. */
export function validateModelConfig(c: ModelConfig): void {
  for (const k of ['L', 'C', 'NH', 'F', 'T', 'V'] as const) positiveInt(k, c[k]);
  if (c.C % c.NH !== 0) throw new ConfigError('NH', `width C=${c.C} is not divisible by heads NH=${c.NH}`);
  if (c.V < 6) throw new ConfigError('V', `vocabulary V=${c.V} is too small: 5 special tokens plus at least one word`);
  if (!(c.lnEps > 0)) throw new ConfigError('lnEps', `lnEps must be > 0 (got ${c.lnEps})`);
  if (!(c.initStd > 0)) throw new ConfigError('initStd', `initStd must be > 0 (got ${c.initStd})`);
}

/**
 * Checks that the largest buffers of a training step for batch B fit the device's limits. `limits` is a
 * GPUSupportedLimits (or a plain record with the same names).
 */
export function validateForDevice(
  c: ModelConfig,
  B: number,
  maxTargets: number,
  limits: { maxStorageBufferBindingSize: number; maxBufferSize: number },
): void {
  validateModelConfig(c);
  positiveInt('B', B);
  const maxBinding = Math.min(Number(limits.maxStorageBufferBindingSize), Number(limits.maxBufferSize));
  const checks: [string, number, string][] = [
    ['V', c.V * c.C * 4, `token embedding (V=${c.V} x C=${c.C})`],
    ['B', maxTargets * c.V * 4, `MLM logits (${maxTargets} target rows x V=${c.V})`],
    ['B', B * c.NH * c.T * c.T * 4, `attention probabilities (B=${B} x NH=${c.NH} x T=${c.T} x T)`],
    ['B', B * c.T * c.F * 4, `FFN activations (B=${B} x T=${c.T} x F=${c.F})`],
    ['B', B * c.T * 3 * c.C * 4, `QKV activations (B=${B} x T=${c.T} x 3C=${3 * c.C})`],
  ];
  for (const [setting, bytes, what] of checks) {
    if (bytes > maxBinding)
      throw new ConfigError(
        setting,
        `${what} needs ${bytes} bytes, over this device's maxStorageBufferBindingSize of ${maxBinding}: lower ${setting}`,
      );
  }
}

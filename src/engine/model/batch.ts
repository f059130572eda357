// What a graph reads each step: one batch as plain arrays (EngineBatch, filled by session/run.ts from masking's
// MaskedBatch) and the GPU buffers the encoder writes them into (GraphInputs). Depends on nothing of the model, so
// the head contract (heads/types.ts) and the encoder (bert.ts) can both import it.

/** SpanBERT's per-slot inputs, aligned with the gathered slots (MaskedBatch.sbo; the span-boundary head reads them). */
export interface SboBatch {
  left: Int32Array;
  right: Int32Array;
  rel: Int32Array;
  /** 1/(usable slots) on slots with both boundaries, else 0 (the head's weight is applied by the graph). */
  weights: Float32Array;
}

/** One batch as the engine consumes it, as plain arrays (see src/masking/types.ts for how masking fills it). */
export interface EngineBatch {
  /** (B*T) corrupted token ids. */
  ids: Int32Array;
  /** (B*T) 1 = real token, 0 = padding. */
  valid: Int32Array;
  /** (M) target row in B*T, -1 = unused slot. */
  positions: Int32Array;
  /** (M) target id or class, -1 = none. */
  targets: Int32Array;
  /** (M) loss weight per target. */
  weights: Float32Array;
  /** Binary head only: (B*T) labels in {0, 1} and per-token loss weights. */
  labels?: Float32Array;
  tokenWeights?: Float32Array;
  /** The "sbo" objective: per-slot boundary rows, offsets and weights, aligned with positions / targets. */
  sbo?: SboBatch;
  /** ELECTRA: (B*T) the uncorrupted ids, into which the generator's samples are written for the discriminator. */
  originalIds?: Int32Array;
  /** The "position" objective: (B*T) 1 where the token's position embedding is replaced by wpe_none (0s if absent). */
  noPosition?: Int32Array;
  /** Arrays of a head's own, by name (a new head's objective writes them and its module reads them). */
  headInputs?: Readonly<Record<string, Int32Array | Float32Array>>;
}

/** The GPU buffers the CPU writes before each step. */
export interface GraphInputs {
  /** (B*T) i32 corrupted token ids. */
  ids: GPUBuffer;
  /** (B*T) i32 1 = real token, 0 = padding. */
  valid: GPUBuffer;
  /** (M) i32 target row in B*T, -1 = unused. */
  positions: GPUBuffer;
  /** (M) i32 target id, -1 = none. */
  targets: GPUBuffer;
  /** (M) f32 loss weight per target (1 / number of targets). */
  weights: GPUBuffer;
  /** Binary head: (B*T) f32 labels in {0, 1} (1 = replaced) and (B*T) f32 per-token loss weights. */
  labels: GPUBuffer;
  tokenWeights: GPUBuffer;
}

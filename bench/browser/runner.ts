// The shape both benchmarked trainers take in the page: queue a step without waiting, wait for the device, read losses.
import type { ModelConfig } from '../../src/engine/config';
import type { LrSchedule } from '../../src/engine/schedule';
import type { TfBatch } from '../tfjs/model';

export interface RunnerSetup {
  model: ModelConfig;
  B: number;
  /** Target capacity (rows of the MLM head). */
  M: number;
  /** Initial parameters in the flat layout of src/engine/model/params.ts. */
  init: Float32Array;
  batches: TfBatch[];
  schedule: LrSchedule;
}

export interface Runner {
  /** Queues the next training step (batch step mod batches) and returns without waiting for the GPU. */
  step(): void;
  /** Resolves when every queued step has finished on the device. */
  sync(): Promise<void>;
  /** The loss of every step so far, in order (call after sync). */
  losses(): Promise<number[]>;
  info: Record<string, string | number | boolean>;
  dispose(): void;
}

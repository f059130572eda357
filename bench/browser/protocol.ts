// What the Node driver (run.ts) asks the benchmark page (main.ts) for, and what the page answers: plain JSON.

export type SideName = 'ours' | 'tfjs';

export interface BenchRequest {
  /** A name from BENCH_CONFIGS (tiny, mini). */
  config: string;
  /** Timed steps per repeat. */
  steps: number;
  /** Untimed steps before the first repeat (pipeline compilation, first uploads). */
  warmup: number;
  /** Timed repeats per side, alternating sides; the median is reported. */
  repeats: number;
  /** Compare each side's first-step loss with the float64 CPU reference (slow for mini). */
  verify: boolean;
  sides: SideName[];
  seed: string;
  /** Distinct batches cycled through (step i uses batch i mod batches). */
  batches: number;
  /** Peak learning rate (constant schedule, no warmup) for both sides. */
  lr: number;
}

export interface SideResult {
  ms_per_step: number;
  tokens_per_s: number;
  /** ms/step of each timed repeat, in order. */
  repeats_ms: number[];
  /** Loss of the very first step (the initial weights on batch 0). */
  first_loss: number;
  /** Loss at every step taken (warmup + repeats). */
  losses: number[];
  /** Time to build the model/trainer and run the warmup steps. */
  setup_ms: number;
  info: Record<string, string | number | boolean>;
}

export interface BenchResult {
  adapter: string;
  adapter_info: Record<string, string | boolean>;
  config: string;
  model: { L: number; C: number; NH: number; F: number; T: number; V: number };
  B: number;
  M: number;
  tokens_per_step: number;
  steps: number;
  warmup: number;
  repeats: number;
  ours?: SideResult;
  tfjs?: SideResult;
  /** ours.tokens_per_s / tfjs.tokens_per_s. */
  ratio?: number;
  check: {
    reference_first_loss?: number;
    ours_first_loss_error?: number;
    tfjs_first_loss_error?: number;
    /** Largest |loss_ours - loss_tfjs| over every step both took: the two train the same model the same way. */
    max_loss_curve_diff?: number;
  };
  user_agent: string;
  date: string;
}

// Typed messages between the page and the training worker, and nothing else: the page sends commands; the worker
// answers with plain data (no GPU objects cross the boundary). What the messages carry is in session/records.ts.
import type { ExperimentConfig } from '../session/config';
import type { LossByCase } from '../session/lossCases';
import type { ProbeBudget, ProbeResults } from '../session/probes';
import type { GpuMemoryUsage } from '../engine/gpuMemory';
import type { CaseResult } from '../engine/selftest/case';
import type { SelfTestOptions, SelfTestReport } from '../engine/selftest/run';
import type { TuneResult } from '../engine/autotune/tune';
import type {
  EvalPoint,
  ExportedFiles,
  ExportFormat,
  GpuStatus,
  KernelProfile,
  ProbeView,
  RunInfo,
  RunState,
  StepRow,
} from '../session/records';

export type ToWorker =
  | { type: 'init' }
  | { type: 'lose-device' }
  /** Prepare data and model for `config` on `text`, then train until paused or done. */
  | { type: 'start'; runId: string; config: ExperimentConfig; text: string }
  | { type: 'pause' }
  /** Resume a paused run, or one halted by a non-finite loss (optionally with a lower learning rate). */
  | { type: 'resume'; lr?: number }
  | { type: 'stop' }
  /** The probe sentence: [MASK] marks where predictions are shown. Re-run on the current weights now and then. */
  | { type: 'probe'; text: string }
  /** Time every kernel of one training step with timestamp queries (the optimizer update is left out). */
  | { type: 'profile' }
  /**
   * The current weights as files: a Hugging Face model (BertForMaskedLM for vocabulary heads, ElectraForPreTraining
   * for binary heads and ELECTRA's discriminator; 'huggingface-generator': ELECTRA's generator as an
   * ElectraForMaskedLM), or a MaskLab checkpoint (weights + AdamW state).
   */
  | { type: 'export'; format: ExportFormat }
  /**
   * A finished run's final weights, to keep with the saved run: a Hugging Face model when transformers has one
   * for the head (see hfModelFor), a MaskLab checkpoint otherwise. Answered by 'exported' with keep: true (an error if runId is gone).
   */
  | { type: 'keep-weights'; runId: string }
  /** The comparison's probes on the finished run `runId` (MLM probe without a vocabulary head, downstream probe). */
  | { type: 'probes'; runId: string; budget: ProbeBudget }
  /** The kernel self-test on this device (not while a run trains): answered by selftest-progress, then selftest. */
  | { type: 'selftest'; options: Pick<SelfTestOptions, 'filter' | 'maxSize' | 'variants'> }
  /** Train the next runs on this kernel variant (cpu: the CPU-adapter kernels), e.g. after a failed self-test. */
  | { type: 'kernel-variant'; cpu: boolean }
  /** Stop the kernel tuning under way: the roles it has not reached keep their defaults for this run. */
  | { type: 'autotune-skip' }
  /** Tune the current run's shape again (not while it trains): the new choice serves the next runs. */
  | { type: 'autotune-again' };

export interface ProbeMessage extends ProbeView {
  type: 'probe';
  runId: string;
}

export interface KernelProfileMessage extends KernelProfile {
  type: 'profile';
  runId: string;
}

export interface ExportedMessage extends ExportedFiles {
  type: 'exported';
  runId: string;
  /** Asked for by 'keep-weights' (stored with the run, not offered as downloads). */
  keep?: boolean;
}

/** The answer to a 'probes' command: the results, or why there are none. */
export interface ProbesMessage {
  type: 'probes';
  runId: string;
  results?: ProbeResults;
  error?: string;
}

/** Progress of the probes (MLM-probe steps, downstream feature rows). */
export interface ProbesProgress {
  type: 'probes-progress';
  runId: string;
  phase: 'mlm' | 'downstream';
  done: number;
  total: number;
}

export type FromWorker =
  | { type: 'gpu'; status: GpuStatus }
  | { type: 'error'; message: string }
  /** resumable: halted after a non-finite loss or a divergence, rolled back; Resume (with a lower rate) continues. */
  | {
      type: 'run';
      runId: string;
      state: RunState;
      step: number;
      totalSteps: number;
      message?: string;
      resumable?: boolean;
    }
  | { type: 'prepared'; runId: string; info: RunInfo }
  /** gpuMemory: the bytes the run's GPU buffers take now (the trainer's registry), by category. */
  | {
      type: 'metrics';
      runId: string;
      rows: StepRow[];
      tokensPerS: number;
      msPerStep: number;
      cases?: LossByCase;
      gpuMemory?: GpuMemoryUsage;
    }
  /** ms: the evaluation's wall time (the time left counts it). */
  | ({ type: 'eval'; runId: string; ms?: number } & EvalPoint)
  | ProbeMessage
  | KernelProfileMessage
  | ExportedMessage
  | ProbesMessage
  | ProbesProgress
  | { type: 'selftest-progress'; done: number; total: number; result: CaseResult }
  | { type: 'selftest'; report?: SelfTestReport; error?: string }
  /** The kernel variant the next runs train on. */
  | { type: 'kernel-variant'; cpu: boolean }
  /** The kernel tuning under way (one line), and when it ends (line undefined). */
  | { type: 'autotune-progress'; line?: string }
  /** The kernel variants a run trains with: the kept choice for its shape on this adapter, or a new tuning. */
  | { type: 'autotune'; result?: TuneResult; cached?: boolean; error?: string };

// Typed messages between the page and the training worker. The page sends commands; the worker answers with
// plain data (no GPU objects ever cross the boundary).
import type { AdapterSummary, GpuErrorKind } from '../engine/gpu';
import type { ElectraParts, StepMetrics } from '../engine/trainer';
import type { ExperimentConfig } from '../session/config';
import type { LossByCase } from '../session/lossCases';
import type { TimeGroup } from '../engine/profile';
import type { ProbeBudget, ProbeResults } from '../session/probes';
import type { HeadConfig } from '../engine/model/params';

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
  | { type: 'probes'; runId: string; budget: ProbeBudget };

export type GpuStatus =
  | { state: 'ready'; summary: AdapterSummary }
  | { state: 'unavailable'; kind: GpuErrorKind; message: string }
  | { state: 'lost'; reason: string; message: string };

export type RunState = 'preparing' | 'training' | 'paused' | 'done' | 'stopped' | 'failed';

export interface RunInfo {
  V: number;
  trainSequences: number;
  heldOutSequences: number;
  params: number;
  dispatchesPerStep: number;
  model: { L: number; C: number; NH: number; F: number; T: number };
  /** Masked targets per evaluation (fixed held-out masks). */
  evalTargets: number;
  adapter: string;
}

export interface ProbePrediction {
  /** Position in the probe sequence (0 = [CLS]). */
  position: number;
  top: { token: string; p: number }[];
}

export interface ProbeMessage {
  type: 'probe';
  runId: string;
  step: number;
  /** Tokens of the probe sequence, [CLS] ... [SEP], without padding. */
  tokens: string[];
  L: number;
  NH: number;
  /** L * NH * n * n attention probabilities, n = tokens.length (row = query, column = key). */
  attention: Float32Array;
  predictions: ProbePrediction[];
  /** Which network made the predictions when it is not the trained encoder's own head (ELECTRA's generator). */
  predictor?: string;
}

/** One step's metrics plus the masking rate the step used. */
export type StepRow = StepMetrics & { maskRate?: number };

export interface KernelProfile {
  type: 'profile';
  runId: string;
  step: number;
  /** Why nothing was measured (no timestamp-query on this adapter, no run), when that is the case. */
  unavailable?: string;
  totalMs: number;
  byKernel: TimeGroup[];
  byRole: TimeGroup[];
  /** Dispatches profiled and the ones left out (AdamW: timing it would apply an extra update). */
  dispatches: number;
  skipped: string[];
  /** The kernel variants in use (KernelTuning): 'cpu' on a software adapter (SwiftShader, llvmpipe, WARP). */
  variants: 'cpu' | 'gpu';
}

export type ExportFormat = 'huggingface' | 'huggingface-generator' | 'checkpoint';

export interface ExportedFiles {
  type: 'exported';
  runId: string;
  step: number;
  format: ExportFormat;
  /** File name -> contents. */
  files: { name: string; bytes: Uint8Array<ArrayBuffer> }[];
  /** Why nothing was exported, when that is the case. */
  error?: string;
  /** Asked for by 'keep-weights' (stored with the run, not offered as downloads). */
  keep?: boolean;
}

/** The answer to a 'probes' command: the results, or why there are none. */
export interface ProbesMessage {
  type: 'probes';
  runId: string;
  /** The run's own head: 'vocab' runs were evaluated on the shared held-out masks directly. */
  head?: HeadConfig['kind'];
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
  | { type: 'run'; runId: string; state: RunState; step: number; totalSteps: number; message?: string }
  | { type: 'prepared'; runId: string; info: RunInfo }
  | { type: 'metrics'; runId: string; rows: StepRow[]; tokensPerS: number; msPerStep: number; cases?: LossByCase }
  | { type: 'eval'; runId: string; step: number; loss: number; accuracy: number; pseudoPerplexity?: number; electra?: ElectraParts }
  | ProbeMessage
  | KernelProfile
  | ExportedFiles
  | ProbesMessage
  | ProbesProgress;

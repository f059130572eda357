// What a run is and reports, as plain data: the records the page keeps, saves and exports (and summarize, the one
// derivation they share). The worker's messages (worker/protocol.ts) carry these; saved runs and exports depend
// on this file, not on the wire format.
import type { AdapterSummary, GpuErrorKind } from '../engine/gpu';
import type { GpuMemoryUsage } from '../engine/gpuMemory';
import type { TimeGroup } from '../engine/profile';
import type { ElectraParts, StepMetrics } from '../engine/trainer';
import type { AgreementFigures } from './agreement';
import type { ExperimentConfig } from './config';
import type { LossByCase } from './lossCases';
import type { OwnEvalKind } from './runMasking';
import type { SyntaxScores } from './syntax';

export type { ElectraParts } from '../engine/trainer';

export type GpuStatus =
  | { state: 'ready'; summary: AdapterSummary }
  | { state: 'unavailable'; kind: GpuErrorKind; message: string }
  | { state: 'lost'; reason: string; message: string };

/**
 * 'diverged': the divergence rule (or a non-finite loss) stopped the run and rolled its weights back; it can resume at
 * a lower rate, and its weights are never kept.
 */
export type RunState = 'preparing' | 'training' | 'paused' | 'done' | 'stopped' | 'failed' | 'diverged';

export interface RunInfo {
  V: number;
  trainSequences: number;
  heldOutSequences: number;
  params: number;
  dispatchesPerStep: number;
  model: { L: number; C: number; NH: number; F: number; T: number };
  /** What the run's own held-out figures are (runMasking.ts ownEvalKind); absent in runs saved before it was kept. */
  evalKind?: OwnEvalKind;
  /** Masked targets per evaluation (fixed held-out masks). */
  evalTargets: number;
  adapter: string;
  /** The frequency guess (training-split unigram counts) on the fixed held-out targets; shared MLM evaluation only. */
  baseline?: { loss: number; accuracy: number };
  /** Toy language: the held-out minimal pairs scored at every evaluation (object relative clauses counted apart). */
  agreementPairs?: { plain: number; attractor: number; objectRelative?: number };
  /** A software adapter (SwiftShader, llvmpipe, WARP): the CPU-adapter kernel variants run. */
  cpuAdapter?: boolean;
}

/** One step's metrics plus the masking rate the step used. */
export type StepRow = StepMetrics & { maskRate?: number };

/** One evaluation on the fixed held-out masks. */
export interface EvalPoint {
  step: number;
  loss: number;
  accuracy: number;
  /** Measured at the end of a run (vocabulary-head objectives). */
  pseudoPerplexity?: number;
  /** ELECTRA: the generator's and the discriminator's parts of the loss. */
  electra?: ElectraParts;
  /** Toy language: agreement accuracy on the minimal pairs without and with an attractor, and per kind of pair. */
  agreement?: AgreementFigures;
  /** Toy language: attention heads and paths scored against the held-out sentences' gold arcs (a few KB). */
  syntax?: SyntaxScores;
}

/** The probe sentence's attention maps kept at one evaluation (a few KB: L x NH x n x n floats). */
export interface AttentionSnapshot {
  step: number;
  tokens: string[];
  L: number;
  NH: number;
  attention: Float32Array;
}

export interface ProbePrediction {
  /** Position in the probe sequence (0 = [CLS]). */
  position: number;
  top: { token: string; p: number }[];
}

/** The probe sentence through the current weights: its attention maps and the predictions at its [MASK]s. */
export interface ProbeView {
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
  /** Taken right after an evaluation: the page keeps these maps for the step scrubber. */
  atEval?: boolean;
}

/** Per-kernel timing of one training step. */
export interface KernelProfile {
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

export interface ExportedFile {
  name: string;
  bytes: Uint8Array<ArrayBuffer>;
}

/** A run's weights as files, or why there are none. */
export interface ExportedFiles {
  step: number;
  format: ExportFormat;
  /** File name -> contents. */
  files: ExportedFile[];
  /** Why nothing was exported, when that is the case. */
  error?: string;
}

/** The run the page is training now, as the training store holds it. */
export interface LiveRun {
  id: string;
  config: ExperimentConfig;
  state: RunState;
  message?: string;
  /** Failed by a non-finite loss or a divergence and rolled back: Resume continues (at a lower rate). */
  resumable?: boolean;
  step: number;
  totalSteps: number;
  info?: RunInfo;
  metrics: StepRow[];
  cases?: LossByCase;
  evals: EvalPoint[];
  tokensPerS: number;
  msPerStep: number;
  /** The bytes the run's GPU buffers take (the trainer's registry, as of the last metrics message). */
  gpuMemory?: GpuMemoryUsage;
  startedAt: number;
  /** Probe attention maps kept at each evaluation, by step (the attention scrubber). */
  attention?: AttentionSnapshot[];
  /** Wall time of each evaluation so far (ms), for the time left. */
  evalMs?: number[];
}

export interface RunEval {
  step: number;
  loss: number;
  accuracy: number;
  /** Toy language: agreement accuracy on the minimal pairs without and with an attractor, and per kind of pair. */
  agreement?: AgreementFigures;
  /** Toy language: the syntax scores of the heads at this evaluation. */
  syntax?: SyntaxScores;
}

/** Everything kept about one run: what it was (config, shape), how far it got, and every metric it reported. */
export interface RunRecord {
  id: string;
  name: string;
  /** Milliseconds since 1970, when the run started. */
  createdAt: number;
  /** Milliseconds since 1970, when the record was last written. */
  updatedAt: number;
  config: ExperimentConfig;
  /** The run's state when last saved (a reload leaves 'training' or 'paused' here, with `interrupted` set). */
  state: RunState;
  message?: string;
  /** The page was reloaded or closed while the run was live: its weights (GPU memory) are gone. */
  interrupted?: boolean;
  step: number;
  totalSteps: number;
  info?: RunInfo;
  metrics: StepRow[];
  evals: RunEval[];
  cases?: LossByCase;
  tokensPerS: number;
  msPerStep: number;
  /** The comparison (store/comparison.ts) this run was trained for, if any. */
  comparisonId?: string;
  /** Its final weights are kept in this browser (RunStore.putWeights): what and how big. */
  weights?: KeptWeightsInfo;
  /** Trained outside the page (the scale-up bundle's train.py) and imported from its masklab-runs.json. */
  external?: ExternalRun;
}

/** Where an imported run was trained when it was not in this page: the tool, device and precision it reports. */
export interface ExternalRun {
  tool: string;
  device: string;
  processes: number;
  mixedPrecision: string;
  /** The experiment's share link the bundle came from. */
  link?: string;
}

/** Final weights kept with a run: a Hugging Face BertForMaskedLM (vocabulary heads) or a MaskLab checkpoint. */
export interface KeptWeightsInfo {
  format: 'huggingface' | 'checkpoint';
  step: number;
  bytes: number;
}

export type KeptFile = ExportedFile;

/** What the list shows and the CSV needs: the record without its series, plus figures derived from them. */
export interface RunSummary extends Omit<RunRecord, 'metrics' | 'cases'> {
  metricsCount: number;
  /** Training loss of the last step (NaN when no step finished). */
  finalTrainLoss: number;
  /** Mean training loss over the last (up to) 10 steps: less noisy than one batch. */
  trainLossLast10: number;
  /** The held-out evaluation at the highest step, if any. */
  lastEval?: RunEval;
}

/** The final figures of a run's series. */
export function summarize(r: RunRecord): RunSummary {
  const { metrics, cases: _cases, ...rest } = r;
  const tail = metrics.slice(-10);
  const lastEval = r.evals.reduce<RunEval | undefined>(
    (best, e) => (!best || e.step > best.step ? e : best),
    undefined,
  );
  return {
    ...rest,
    metricsCount: metrics.length,
    finalTrainLoss: metrics.length ? metrics[metrics.length - 1].loss : NaN,
    trainLossLast10: tail.length ? tail.reduce((s, m) => s + m.loss, 0) / tail.length : NaN,
    lastEval: lastEval ? { ...lastEval } : undefined,
  };
}

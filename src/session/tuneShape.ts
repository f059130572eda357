// The shapes a run trains at, for the kernel autotuner (engine/autotune): the encoder, the batch and the rows of the
// fused cross-entropy (sequences times target slots), computed from the experiment and its data before the run.
import type { PreparedData } from '../data/dataset';
import type { TuneShape } from '../engine/autotune/workloads';
import { targetCapacity } from '../masking/apply';
import { vocabInfoOf } from '../masking/vocab';
import { modelShape, type ExperimentConfig } from './config';

export function runTuneShape(config: ExperimentConfig, data: PreparedData): TuneShape {
  const model = modelShape(config, data.tokenizer.vocabSize);
  const B = config.train.B;
  return { model, B, M: B * targetCapacity(config.masking, vocabInfoOf(data.tokenizer), model.T) };
}

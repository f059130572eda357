// A MaskLab checkpoint (weights, AdamW moments, step, and the experiment it was saved with) as the scale-up bundle's
// trained/ run: what `train.py --init trained` continues exactly. Used by the page's Scale up and the export CLI.
import type { PreparedData } from '../../data/dataset';
import { checkpointState, readCheckpoint } from '../../engine/checkpoint/checkpoint';
import { bertTensors, placeTensors } from '../../engine/model/params';
import { planMasking, vocabInfoOf } from '../../masking';
import { modelShape, type ExperimentConfig } from '../config';
import { headFor } from '../run';
import type { TrainedState } from './bundle';

/** The experiment a checkpoint was saved with (TrainingRun's checkpoints record it as run.config), if any. */
export function checkpointExperiment(bytes: Uint8Array): { config?: ExperimentConfig; step: number } {
  const { meta } = readCheckpoint(bytes);
  const config = (meta.run as { config?: ExperimentConfig } | undefined)?.config;
  return { config, step: meta.step };
}

/**
 * The checkpoint's weights, moments and step for experiment `e` on `data`: throws a plain message when it was saved
 * for another model shape or head.
 */
export function trainedFromCheckpoint(bytes: Uint8Array, e: ExperimentConfig, data: PreparedData): TrainedState {
  const model = modelShape(e, data.tokenizer.vocabSize);
  const head = headFor(planMasking(e.masking, vocabInfoOf(data.tokenizer), model.T), model);
  const s = checkpointState(bytes, model, head, placeTensors(bertTensors(model, head)));
  return { params: s.params, m: s.m, v: s.v, step: s.meta.step };
}

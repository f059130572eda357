// Training FLOPs per step of a run, counted analytically from the model shape and its head (matrix products only,
// as profile.ts's trainStepFlops): the encoder and head, plus ELECTRA's generator. Probes are counted apart.
import type { ModelConfig } from '../engine/config';
import { generatorConfig, type HeadConfig } from '../engine/model/params';
import { trainStepFlops } from '../engine/profile';

/** FLOPs of one training step at batch B with M gathered target rows, for the run's head. */
export function trainingFlopsPerStep(model: ModelConfig, head: HeadConfig, B: number, M: number): number {
  const N = B * model.T;
  if (head.kind === 'vocab') return trainStepFlops(model, B, M).total;
  // A k-class head is the vocabulary head with K outputs; the binary head sees every token, with one output.
  if (head.kind === 'classes') return trainStepFlops({ ...model, V: head.K }, B, M).total;
  if (head.kind === 'binary') return trainStepFlops({ ...model, V: 1 }, B, N).total;
  const disc = trainStepFlops({ ...model, V: 1 }, B, N).total;
  const gen = generatorConfig(model, head.gen);
  return disc + trainStepFlops(gen, B, M).total;
}

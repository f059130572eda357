// CPU reference of one ELECTRA step (float64): the generator's MLM loss (prefixed tensors, projection from the
// shared embeddings), the given samples written into the original ids, the discriminator's weighted binary loss,
// and the sum of both gradients (the samples carry no gradient).
import type { ModelConfig } from '../config';
import { GEN_PREFIX, generatorConfig, VOCAB_HEAD, type ElectraHead, type ParamLayout } from '../model/params';
import { mlmReference, type MlmInputs, type MlmResult } from './model';
import { replaceTokensRef } from './sample';

export interface ElectraInputs extends MlmInputs {
  /** (B*T) uncorrupted ids. */
  originalIds: ArrayLike<number>;
  /** (B*T) the discriminator's per-token weights before discWeight (1/count on real tokens). */
  tokenWeights: ArrayLike<number>;
}

export interface ElectraResult {
  /** generator loss + discWeight x discriminator loss. */
  loss: number;
  gen: MlmResult;
  /** The discriminator's result; its loss includes discWeight. */
  disc: MlmResult;
  /** The discriminator's input and labels after the samples were written. */
  discIds: Int32Array;
  labels: Float32Array;
  grads?: Float64Array;
}

export function electraReference(
  c: ModelConfig,
  head: ElectraHead,
  layout: ParamLayout,
  params: ArrayLike<number>,
  inp: ElectraInputs,
  /** (M) the generator's samples, -1 for empty slots. */
  sampled: ArrayLike<number>,
  backward = true,
): ElectraResult {
  const gc = generatorConfig(c, head.gen);
  const gen = mlmReference(gc, layout, params, { ...inp, labels: undefined }, backward, VOCAB_HEAD, {
    prefix: GEN_PREFIX,
    embedWidth: c.C,
  });
  const { ids: discIds, labels } = replaceTokensRef(inp.originalIds, inp.positions, inp.targets, sampled);
  const tokenWeights = Array.from(inp.tokenWeights, (w) => w * head.discWeight);
  const disc = mlmReference(c, layout, params, { ...inp, ids: discIds, labels, tokenWeights }, backward, {
    kind: 'binary',
  });
  const r: ElectraResult = { loss: gen.loss + disc.loss, gen, disc, discIds, labels };
  if (backward) r.grads = gen.grads!.map((g, i) => g + disc.grads![i]);
  return r;
}

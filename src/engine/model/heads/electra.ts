// ELECTRA's heads (Clark et al. 2020): the discriminator's binary head on the main encoder plus a generator, a
// narrower encoder with a vocabulary head (tensors prefixed GEN_PREFIX). The graph that composes the two encoders
// is ../electra.ts; this module lists their tensors and Hugging Face names.
import type { ModelConfig } from '../../config';
import { bias, layerTensors, weight } from '../tensors';
import { binaryHfTensors, binaryTensors } from './binary';
import { headOfKind, type HfEntry, type HeadModule } from './types';
import { vocabHeadTensors } from './vocab';

/**
 * ELECTRA: a generator encoder of width gen.C (same depth) shares the token, position and type embeddings and
 * their LayerNorm with the discriminator; a linear projection (C -> gen.C, HF's embeddings_project) feeds its
 * layers, and its MLM head maps back to width C (dense gen.C -> C, GELU, LayerNorm) before the decoder tied to
 * wte. Its tensors carry the prefix GEN_PREFIX. Loss = generator MLM loss + discWeight x discriminator loss.
 */
export interface ElectraHead {
  kind: 'electra';
  gen: GeneratorShape;
  discWeight: number;
}

export interface GeneratorShape {
  C: number;
  NH: number;
  F: number;
}

export const GEN_PREFIX = 'gen.';

/**
 * The generator's shape for a width fraction (ELECTRA's get_generator_config): hidden round(C x width) (at least
 * 1), heads max(1, hidden / 64) lowered until they divide the hidden size, FFN width scaled like the hidden size.
 */
export function generatorShape(c: ModelConfig, width: number): GeneratorShape {
  if (!(width > 0 && width <= 1)) throw new Error(`generator width must be in (0, 1], got ${width}`);
  const C = Math.max(1, Math.round(c.C * width));
  let NH = Math.max(1, Math.floor(C / 64));
  while (C % NH !== 0) NH--;
  const F = Math.max(1, Math.round((c.F * C) / c.C));
  return { C, NH, F };
}

/** The generator's encoder as a ModelConfig (same depth, length, vocabulary and init as the discriminator). */
export function generatorConfig(c: ModelConfig, g: GeneratorShape): ModelConfig {
  return { ...c, C: g.C, NH: g.NH, F: g.F };
}

/** The generator's own head names in ElectraForMaskedLM (its encoder is mapped like any encoder's). */
export function generatorHfTensors(): HfEntry[] {
  const P = GEN_PREFIX;
  return [
    [P + 'head_w', null, 'generator_predictions.dense.weight'],
    [P + 'head_b', null, 'generator_predictions.dense.bias'],
    [P + 'head_ln_g', null, 'generator_predictions.LayerNorm.weight'],
    [P + 'head_ln_b', null, 'generator_predictions.LayerNorm.bias'],
    [P + 'decoder_b', null, 'generator_lm_head.bias'],
  ];
}

export const electraHead: HeadModule<ElectraHead> = {
  name: 'electra',
  configure: (req) => ({
    kind: 'electra',
    gen: generatorShape(req.model, Number(req.params.generatorWidth)),
    discWeight: headOfKind(req, 'binary').lossWeight,
  }),
  rows: 'tokens',
  // The discriminator's head, then the generator's projection, layers and vocabulary head.
  tensors(c, head) {
    const g = head.gen;
    const P = GEN_PREFIX;
    const t = binaryTensors(c.C);
    if (g.C !== c.C) t.push(weight(P + 'embed_proj_w', [g.C, c.C]), bias(P + 'embed_proj_b', g.C));
    t.push(...layerTensors(P, c.L, g.C, g.F), ...vocabHeadTensors(P, c.C, g.C, c.V));
    return t;
  },
  outputs: () => 1,
  notOnOneEncoder: 'an ELECTRA head is two graphs: build it with ElectraGraph',
  build() {
    throw new Error('an ELECTRA head is two graphs: build it with ElectraGraph');
  },
  evalHead: (head) => head,
  encoderHead: () => ({ kind: 'binary' }),
  hf: { model: 'electra-discriminator', tensors: binaryHfTensors },
};

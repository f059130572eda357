// ELECTRA's heads (Clark et al. 2020): the discriminator's binary head on the main encoder plus a generator, a
// narrower encoder with a vocabulary head (tensors prefixed GEN_PREFIX). The graph that composes the two encoders
// is ../electra.ts and its float64 reference ../../reference/electra.ts; this module lists their tensors, Hugging
// Face names, FLOPs and memory.
import type { ModelConfig } from '../../config';
import { bias, layerTensors, weight } from '../tensors';
import { BINARY_HEAD, binaryFlops, binaryHfTensors, binaryMemory, binaryTensors } from './binary';
import { headOfKind, type HfEntry, type HeadModule } from './types';
import { tokenLabel, VOCAB_HEAD, vocabHeadTensors } from './vocab';

declare module './types' {
  interface HeadConfigs {
    /** ELECTRA: a generator (vocabulary head) and the discriminator (binary head) on two encoders. */
    electra: ElectraHead;
  }
}

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

/** Who gives the probe sentence's predictions of an ELECTRA run. */
export const ELECTRA_PREDICTOR =
  "ELECTRA's generator (the discriminator, whose attention is shown, only tells replaced tokens from originals)";

const TWO_ENCODERS = 'an ELECTRA head is two graphs: build it with ElectraGraph';

export const electraHead: HeadModule<ElectraHead> = {
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
  notOnOneEncoder: TWO_ENCODERS,
  build() {
    throw new Error(TWO_ENCODERS);
  },
  evalHead: (head) => head,
  encoderHead: () => BINARY_HEAD,
  predictor: (c, head) => ({
    cfg: generatorConfig(c, head.gen),
    head: VOCAB_HEAD,
    prefix: GEN_PREFIX,
    about: ELECTRA_PREDICTOR,
  }),
  hf: {
    model: 'electra-discriminator',
    tensors: binaryHfTensors,
    generator: (head) => head.gen,
    lossKind: 'electra-generator-mlm',
  },
  // The discriminator's binary head, and the whole generator step (its encoder, projections and vocabulary head).
  flops(f, head) {
    const gen = f.step({ ...f.c, C: head.gen.C, NH: head.gen.NH, F: head.gen.F }, VOCAB_HEAD, f.c.C);
    const sum = (k: 'forward' | 'backward' | 'total') => Object.values(gen.byRole).reduce((s, r) => s + r[k], 0);
    return { ...binaryFlops(f), generator: { forward: sum('forward'), backward: sum('backward'), total: gen.total } };
  },
  // The discriminator's head, the generator's whole graph, and the sampled sequence with its labels: ids, labels,
  // the discriminator's input copy and their gradients in training (4 x (N, C) at most; 2 without backward).
  memory: (m, head) =>
    binaryMemory(m) +
    m.graph({ ...m.c, C: head.gen.C, NH: head.gen.NH, F: head.gen.F }, VOCAB_HEAD, m.c.C) +
    (m.train ? 4 : 2) * m.N * m.c.C,
  reference() {
    throw new Error(
      'an ELECTRA head is two encoders: its float64 reference is electraReference (reference/electra.ts)',
    );
  },
  preview: {
    note: () =>
      'The generator predicts the masked tokens; during training its guesses are written in and the discriminator labels every token original or replaced.',
    label: tokenLabel,
  },
};

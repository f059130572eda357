// ERNIE-Gram's n-gram head (Xiao et al. 2021, objective "ernie-gram"): the vocabulary head's transform (dense, GELU,
// LayerNorm) on the gathered target rows and an untied output layer over tokens and n-grams together, ngram_w
// (V + G, C) and ngram_b, as the paper's n-gram classifier over <V_F, V_N>: class id < V is a token (a masked token
// predicted alone), V + g the g-th n-gram of the vocabulary the objective drew from the training split.
import { bias, gain, weight } from '../tensors';
import { singleHead, type HeadModule } from './types';
import { gatheredFlops, gatheredHead, gatheredHeadRef, gatheredMemory, type GatheredOutput } from './vocab';

declare module './types' {
  interface HeadConfigs {
    /** ERNIE-Gram: one softmax over the V tokens and G n-grams (ernie-gram). */
    'ernie-gram': ErnieGramHeadConfig;
  }
}

/** G: the n-gram classes beyond the V tokens (the objective's n-gram vocabulary size). */
export type ErnieGramHeadConfig = { kind: 'ernie-gram'; G: number };

/** The output layer over the V tokens and G n-grams. */
const NGRAM_OUTPUT = (O: number): GatheredOutput => ({ weight: 'ngram_w', bias: 'ngram_b', O });

export const ernieGramHead: HeadModule<ErnieGramHeadConfig> = {
  configure(req) {
    const G = singleHead(req, 'ernie-gram').classes - req.model.V;
    if (!(G >= 1)) throw new Error(`objective "${req.objective}" asks for ${G} n-gram classes; it needs at least 1`);
    return { kind: 'ernie-gram', G };
  },
  // A target is a class of what stands at its (shortened) position: the token, or the n-gram it begins.
  rows: 'classes',
  tensors: (c, head) => [
    weight('head_w', [c.C, c.C]),
    bias('head_b', c.C),
    gain('head_ln_g', c.C),
    bias('head_ln_b', c.C),
    weight('ngram_w', [c.V + head.G, c.C]),
    bias('ngram_b', c.V + head.G),
  ],
  outputs: (c, head) => c.V + head.G,
  build: (ctx, head) => gatheredHead(ctx, NGRAM_OUTPUT(ctx.V + head.G)),
  // Its own loss on the held-out text at fixed masks (the shared probe compares it with other objectives).
  evalHead: (head) => head,
  encoderHead: (head) => head,
  // No hf: transformers has no n-gram classifier, so its weights are kept as a checkpoint.
  flops: (f, head) => gatheredFlops(f, f.c.C, f.c.V + head.G),
  memory: (m, head) => gatheredMemory(m, m.c.C, m.c.V + head.G),
  reference: (r, head) => gatheredHeadRef(r, NGRAM_OUTPUT(r.V + head.G)),
  preview: {
    note: () =>
      'A masked n-gram of the n-gram vocabulary became one [MASK] (the row moved up) and is predicted whole (→); other masked tokens are predicted one by one.',
    label: (id, n) => (id < n.V ? n.token(id) : (n.className(id) ?? `n-gram ${id - n.V}`)),
  },
};

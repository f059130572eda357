// The causal next-token head (objective "meap"): the vocabulary head's graph on a causal (decoder) encoder; the
// objective's targets make row i predict the token at i+1. Only the attention mask differs from the MLM head.
import { singleHead, type HeadModule } from './types';
import { VOCAB_HEAD, vocabHead, vocabHfTensors } from './vocab';

declare module './types' {
  interface HeadConfigs {
    /** The vocabulary head on a causal encoder (meap). */
    'next-token': { kind: 'next-token' };
  }
}

export type NextTokenHeadConfig = { kind: 'next-token' };

export const nextTokenHead: HeadModule<NextTokenHeadConfig> = {
  configure(req) {
    singleHead(req, 'next-token');
    return { kind: 'next-token' };
  },
  rows: 'vocab',
  tensors: (c) => vocabHead.tensors(c, VOCAB_HEAD),
  outputs: (c) => c.V,
  embedWidth: true,
  causal: true,
  build: (ctx) => vocabHead.build(ctx, VOCAB_HEAD),
  // The evaluation and the probe read the same weights through the same head (the graph is causal either way).
  evalHead: (head) => head,
  encoderHead: (head) => head,
  hf: { model: 'masked-lm', tensors: vocabHfTensors, lossKind: 'masked-cross-entropy' },
  flops: (f) => vocabHead.flops(f, VOCAB_HEAD),
  memory: (m) => vocabHead.memory(m, VOCAB_HEAD),
  reference: (r) => vocabHead.reference(r, VOCAB_HEAD),
  preview: {
    note: () => 'Every position predicts the next token (→), with causal attention.',
    label: vocabHead.preview.label,
  },
};

// The causal next-token head (objective "meap"): the vocabulary head's graph on a causal (decoder) encoder; the
// objective's targets make row i predict the token at i+1. Only the attention mask differs from the MLM head.
import type { HeadModule } from './types';
import { vocabHead, type VocabHeadConfig } from './vocab';

export const nextTokenHead: HeadModule<VocabHeadConfig> = {
  ...vocabHead,
  name: 'next-token',
  causal: true,
};

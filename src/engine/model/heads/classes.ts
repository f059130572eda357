// The k-class head (first-char, char-n): the vocabulary head's transform (dense, GELU, LayerNorm) on the gathered
// target rows with an untied (K, C) output layer cls_w and bias cls_b; softmax cross-entropy over K classes.
import { bias, gain, weight, type TensorSpec } from '../tensors';
import type { HeadConfig } from './index';
import { singleHead, type HeadModule } from './types';
import { gatheredHead } from './vocab';

export type ClassesHeadConfig = Extract<HeadConfig, { kind: 'classes' }>;

/** The transform (as the vocabulary head's, at width C) and the (K, C) output layer. */
export function classesTensors(C: number, K: number): TensorSpec[] {
  return [
    weight('head_w', [C, C]),
    bias('head_b', C),
    gain('head_ln_g', C),
    bias('head_ln_b', C),
    weight('cls_w', [K, C]),
    bias('cls_b', K),
  ];
}

export const classesHead: HeadModule<ClassesHeadConfig> = {
  name: 'k-class',
  configure: (req) => ({ kind: 'classes', K: singleHead(req, 'classes').classes }),
  rows: 'classes',
  tensors: (c, head) => classesTensors(c.C, head.K),
  outputs: (_c, head) => head.K,
  build: (ctx, head) => gatheredHead(ctx, { weight: 'cls_w', bias: 'cls_b', O: head.K }),
  evalHead: (head) => head,
  encoderHead: (head) => head,
};

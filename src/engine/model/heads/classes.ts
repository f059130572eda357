// The k-class head (first-char, char-n, token-type, ...): the vocabulary head's transform (dense, GELU, LayerNorm)
// on the gathered target rows with an untied (K, C) output layer cls_w and bias cls_b; softmax cross-entropy over K
// classes. The position head (position.ts) is the same head with K = T.
import { bias, gain, weight, type TensorSpec } from '../tensors';
import { singleHead, type HeadModule, type HeadPreview } from './types';
import { gatheredFlops, gatheredHead, gatheredHeadRef, gatheredMemory, type GatheredOutput } from './vocab';

declare module './types' {
  interface HeadConfigs {
    /** K classes of the token at each chosen position (first-char, char-n, token-type, shuffle-random). */
    'k-class': { kind: 'k-class'; K: number };
  }
}

export type ClassesHeadConfig = { kind: 'k-class'; K: number };

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

/** The untied (K, C) output layer. */
export const CLASS_OUTPUT = (K: number): GatheredOutput => ({ weight: 'cls_w', bias: 'cls_b', O: K });

/** Class ids read as the objective's class names. */
export const classLabel: HeadPreview['label'] = (id, n) => n.className(id) ?? '?';

export const classesHead: HeadModule<ClassesHeadConfig> = {
  configure: (req) => ({ kind: 'k-class', K: singleHead(req, 'k-class').classes }),
  rows: 'classes',
  tensors: (c, head) => classesTensors(c.C, head.K),
  outputs: (_c, head) => head.K,
  build: (ctx, head) => gatheredHead(ctx, CLASS_OUTPUT(head.K)),
  evalHead: (head) => head,
  encoderHead: (head) => head,
  flops: (f, head) => gatheredFlops(f, f.c.C, head.K),
  memory: (m, head) => gatheredMemory(m, m.c.C, head.K),
  reference: (r, head) => gatheredHeadRef(r, CLASS_OUTPUT(head.K)),
  preview: {
    note: ({ classes }) => `The target is a class (→), one of ${classes}, not the token itself.`,
    label: classLabel,
  },
};

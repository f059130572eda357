// The prediction heads, one module per kind (tensors, graph, metrics, evaluation, Hugging Face names; see types.ts),
// and the head configuration a run stores (HeadConfig). A new head: a module file here, a case in headModule.
import type { ModelConfig } from '../../config';
import { binaryHead } from './binary';
import { classesHead } from './classes';
import { electraHead, type ElectraHead } from './electra';
import { nextTokenHead } from './nextToken';
import { positionHead } from './position';
import { spanBoundaryHead, type SboHead } from './spanBoundary';
import type { HeadModule } from './types';
import { vocabHead } from './vocab';

/**
 * The prediction head on top of the encoder. vocab: BERT's MLM head (dense, GELU, LayerNorm, decoder tied to wte
 * plus a bias) on gathered rows; classes: the same transform with an untied (K, C) output layer (first-char,
 * char-n); binary: ELECTRA's discriminator head (dense, GELU, dense to one logit) on every token (rts, shuffle);
 * electra: the binary head on this encoder (the discriminator) plus a generator (see ElectraHead).
 */
export type HeadConfig =
  /** sbo: SpanBERT's span boundary head next to the MLM head (objective "sbo"). */
  | { kind: 'vocab'; sbo?: SboHead }
  /** hidePositions: the "position" objective (flagged tokens get the learned wpe_none instead of wpe[t]). */
  | { kind: 'classes'; K: number; hidePositions?: boolean }
  | { kind: 'binary' }
  | ElectraHead;

/** The head modules by the name an objective gives its head (Objective.head). */
export const HEADS = {
  vocabulary: vocabHead,
  'k-class': classesHead,
  binary: binaryHead,
  'span-boundary': spanBoundaryHead,
  position: positionHead,
  'next-token': nextTokenHead,
  electra: electraHead,
} as const satisfies Record<string, Pick<HeadModule, 'name' | 'configure' | 'rows'>>;

export type HeadId = keyof typeof HEADS;

/** The module that builds a head configuration. */
export function headModule(head: HeadConfig): HeadModule {
  const m = ((): unknown => {
    switch (head.kind) {
      case 'vocab':
        return head.sbo ? spanBoundaryHead : vocabHead;
      case 'classes':
        return head.hidePositions ? positionHead : classesHead;
      case 'binary':
        return binaryHead;
      case 'electra':
        return electraHead;
    }
  })();
  // Each module is typed for its own configuration, which the switch above has matched.
  return m as HeadModule;
}

/** Output width of a head's last layer (V for the tied decoder; the discriminator's one logit for electra). */
export function headOutputs(c: ModelConfig, head: HeadConfig): number {
  return headModule(head).outputs(c, head);
}

export { VOCAB_HEAD } from './vocab';
export { GEN_PREFIX, generatorConfig, generatorShape, type ElectraHead, type GeneratorShape } from './electra';
export type { SboHead, SboBatch } from './spanBoundary';
export {
  METRIC,
  type ElectraParts,
  type EvalResult,
  type HeadContext,
  type HeadGraph,
  type HeadModule,
  type HeadRequest,
  type HfEntry,
  type HfModel,
  type SboParts,
} from './types';

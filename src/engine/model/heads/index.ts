// The prediction heads, one module per kind (its tensors, graph, metrics, evaluation, Hugging Face names, FLOPs,
// memory, float64 reference and preview labels; the contract is types.ts), and the registry by kind. A new head: a
// module file here that declares its kind in HeadConfigs, and its entry in HEADS below.
import { binaryHead } from './binary';
import { classesHead } from './classes';
import { electraHead } from './electra';
import { ernieGramHead } from './ernieGram';
import { nextTokenHead } from './nextToken';
import { positionHead } from './position';
import { spanBoundaryHead } from './spanBoundary';
import type { HeadConfig, HeadConfigs, HeadKind, HeadModule } from './types';
import { vocabHead } from './vocab';

/** Every head module by its kind: the name an objective gives its head (Objective.head) and a HeadConfig's kind. */
export const HEADS: { readonly [K in HeadKind]: HeadModule<HeadConfigs[K]> } = {
  vocabulary: vocabHead,
  'k-class': classesHead,
  binary: binaryHead,
  'span-boundary': spanBoundaryHead,
  position: positionHead,
  'next-token': nextTokenHead,
  electra: electraHead,
  'ernie-gram': ernieGramHead,
};

/** The kinds of the registry, in its order. */
export const HEAD_KINDS = Object.keys(HEADS) as HeadKind[];

/** The module of a head configuration. */
export function headModule(head: HeadConfig): HeadModule {
  const m = HEADS[head.kind] as HeadModule | undefined;
  if (!m) throw new Error(`unknown head kind "${String(head.kind)}" (known: ${HEAD_KINDS.join(', ')})`);
  // Each module is typed for its own configuration, which its registry key (head.kind) guarantees.
  return m;
}

/** Output width of a head's last layer (V for the tied decoder; the discriminator's one logit for electra). */
export function headOutputs(c: Parameters<HeadModule['outputs']>[0], head: HeadConfig): number {
  return headModule(head).outputs(c, head);
}

/**
 * A head configuration as stored before the kinds were one vocabulary (checkpoints written until then):
 * { kind: 'vocab' } (with `sbo` for SpanBERT), { kind: 'classes', K } (with `hidePositions` for the position head).
 * Current configurations pass through; anything else is refused with a message.
 */
export function upgradeHeadConfig(raw: unknown): HeadConfig {
  const h = raw as { kind?: unknown; K?: number; hidePositions?: boolean; sbo?: { maxRel: number; weight: number } };
  if (h?.kind === 'vocab') return h.sbo ? { kind: 'span-boundary', ...h.sbo } : { kind: 'vocabulary' };
  if (h?.kind === 'classes') return { kind: h.hidePositions ? 'position' : 'k-class', K: Number(h.K) };
  if (typeof h?.kind === 'string' && h.kind in HEADS) return h as HeadConfig;
  throw new Error(`unknown head configuration ${JSON.stringify(raw)} (known kinds: ${HEAD_KINDS.join(', ')})`);
}

export { BINARY_HEAD } from './binary';
export { VOCAB_HEAD } from './vocab';
export {
  ELECTRA_PREDICTOR,
  GEN_PREFIX,
  generatorConfig,
  generatorShape,
  type ElectraHead,
  type GeneratorShape,
} from './electra';
export type { SboHead } from './spanBoundary';
export type { SboBatch } from '../batch';
export {
  METRIC,
  type ElectraParts,
  type EvalResult,
  type FlopContext,
  type HeadConfig,
  type HeadContext,
  type HeadGraph,
  type HeadKind,
  type HeadModule,
  type HeadRequest,
  type HfEntry,
  type HfModel,
  type MemoryContext,
  type ModelShape,
  type RefHeadContext,
  type RefHeadInputs,
  type RoleFlops,
  type SboParts,
} from './types';

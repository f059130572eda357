// The position head (objective "position", after MP3 / DropPos): flagged tokens get a learned "no position" vector
// wpe_none instead of their position embedding (a kernel after the embedding lookup; its backward moves their
// gradient from wpe to wpe_none), and a T-way k-class head predicts each flagged token's position.
import { noPositionBackward, noPositionForward } from '../../ops/nopos';
import { weight } from '../tensors';
import { CLASS_OUTPUT, classesTensors, classLabel } from './classes';
import { singleHead, type EmbeddingContext, type EmbeddingHook, type HeadModule } from './types';
import { gatheredFlops, gatheredHead, gatheredHeadRef, gatheredMemory } from './vocab';

declare module './types' {
  interface HeadConfigs {
    /** T classes: where a token whose position embedding was hidden sits (position). */
    position: { kind: 'position'; K: number };
  }
}

export type PositionHeadConfig = { kind: 'position'; K: number };

/** noPositionForward after the lookup, its backward after the lookup's, and the batch's flags as input. */
function hidePositions(e: EmbeddingContext): EmbeddingHook {
  const { k, B, T, E, V, buf } = e;
  const N = B * T;
  const noPos = buf(N, 'no_pos');
  const zeros = new Int32Array(N);
  return {
    forward: [
      noPositionForward(
        k,
        { ids: e.ids, noPos, wte: e.P('wte'), wtt: e.P('wtt'), wnone: e.P('wpe_none'), out: e.emb },
        { B, T, C: E, V },
      ),
    ],
    backward: (dEmb) =>
      noPositionBackward(
        k,
        { dout: dEmb, noPos, dwpe: e.G('wpe'), dwnone: e.G('wpe_none'), scratch: buf(T * E, 'd.nopos_scratch') },
        { B, T, C: E, V },
      ),
    writeInputs(b) {
      if (b.noPosition && b.noPosition.length !== N)
        throw new Error(`batch noPosition has ${b.noPosition.length} entries, the graph expects ${N}`);
      k.device.queue.writeBuffer(noPos, 0, b.noPosition ?? zeros);
    },
  };
}

export const positionHead: HeadModule<PositionHeadConfig> = {
  configure: (req) => ({ kind: 'position', K: singleHead(req, 'position').classes }),
  rows: 'classes',
  // wpe_none last, so that the encoder's tensors draw the same initial values as every other objective's.
  tensors: (c, head) => [...classesTensors(c.C, head.K), weight('wpe_none', [c.C])],
  outputs: (_c, head) => head.K,
  build: (ctx, head) => gatheredHead(ctx, CLASS_OUTPUT(head.K)),
  embedding: (e) => hidePositions(e),
  evalHead: (head) => head,
  encoderHead: (head) => head,
  flops: (f, head) => gatheredFlops(f, f.c.C, head.K),
  // The head's buffers, and the flags (N) with the backward's (T, C) scratch.
  memory: (m, head) => gatheredMemory(m, m.c.C, head.K) + m.N + (m.train ? m.c.T * m.c.C : 0),
  reference: (r, head) => gatheredHeadRef(r, CLASS_OUTPUT(head.K)),
  referenceHiddenPositions: (inp, N) => inp.noPosition ?? new Array<number>(N).fill(0),
  preview: {
    note: ({ classes }) =>
      `These tokens lose their position embedding; the target is the position (one of ${classes}).`,
    label: classLabel,
  },
};

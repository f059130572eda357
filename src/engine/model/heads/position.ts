// The position head (objective "position", after MP3 / DropPos): flagged tokens get a learned "no position" vector
// wpe_none instead of their position embedding (a kernel after the embedding lookup; its backward moves their
// gradient from wpe to wpe_none), and a T-way k-class head predicts each flagged token's position.
import { noPositionBackward, noPositionForward } from '../../ops/nopos';
import { weight } from '../tensors';
import { classesHead, classesTensors, type ClassesHeadConfig } from './classes';
import { singleHead, type HeadModule } from './types';

export const positionHead: HeadModule<ClassesHeadConfig> = {
  ...classesHead,
  name: 'position',
  configure: (req) => ({ kind: 'classes', K: singleHead(req, 'classes').classes, hidePositions: true }),
  // wpe_none last, so that the encoder's tensors draw the same initial values as every other objective's.
  tensors: (c, head) => [...classesTensors(c.C, head.K), weight('wpe_none', [c.C])],
  embedding(e) {
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
  },
};

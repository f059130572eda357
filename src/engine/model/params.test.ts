// Parameter layout: alignment and groups, seeded initialisation, and copying a trained encoder under another head.
import { describe, expect, it } from 'vitest';
import { modelConfig } from '../config';
import {
  ALIGN_FLOATS,
  bertTensors,
  copyTensors,
  generatorShape,
  initParams,
  isSharedTensor,
  placeTensors,
  type HeadConfig,
} from './params';

const cfg = modelConfig('tiny', 50, { L: 1, C: 8, NH: 2, F: 16, T: 6 });

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('parameter layout', () => {
  it('aligns every tensor and puts decayed tensors first', () => {
    const l = placeTensors(bertTensors(cfg));
    for (const t of l.tensors) {
      expect(t.offset % ALIGN_FLOATS).toBe(0);
      expect(t.offset < l.decayFloats).toBe(t.decay);
    }
  });

  it('copies the shared encoder under a fresh head and nothing else', () => {
    const bin = placeTensors(bertTensors(cfg, { kind: 'binary' }));
    const voc = placeTensors(bertTensors(cfg));
    const src = initParams(bin, 0.02, seeded(1));
    const dst = initParams(voc, 0.02, seeded(2));
    const fresh = dst.slice();
    const names = copyTensors(bin, src, voc, dst);
    expect(names).toContain('wte');
    expect(names).toContain('h0.qkv_w');
    expect(names).not.toContain('head_w');
    expect(names).not.toContain('disc_w');
    for (const t of voc.tensors) {
      const got = dst.subarray(t.offset, t.offset + t.size);
      const s = bin.byName.get(t.name);
      const want = s ? src.subarray(s.offset, s.offset + s.size) : fresh.subarray(t.offset, t.offset + t.size);
      expect(Array.from(got), t.name).toEqual(Array.from(want));
    }
  });

  it('skips tensors whose shapes differ', () => {
    const a = placeTensors(bertTensors(cfg));
    const b = placeTensors(bertTensors({ ...cfg, V: 60 }));
    const names = copyTensors(a, initParams(a, 0.02, seeded(3)), b, new Float32Array(b.totalFloats));
    expect(names).not.toContain('wte');
    expect(names).not.toContain('decoder_b');
    expect(names).toContain('wpe');
  });

  it('gives the encoder bit-identical initial weights under every head (same seed, any objective)', () => {
    const heads: HeadConfig[] = [
      { kind: 'k-class', K: 7 },
      { kind: 'position', K: 6 },
      { kind: 'binary' },
      { kind: 'electra', gen: generatorShape(cfg, 0.25), discWeight: 50 },
      { kind: 'span-boundary', maxRel: 4, weight: 1 },
    ];
    const ref = placeTensors(bertTensors(cfg));
    const refInit = initParams(ref, 0.02, seeded(9));
    const encoder = ref.tensors.filter((t) => isSharedTensor(t.name) || /^h\d+\./.test(t.name));
    expect(encoder.length).toBe(5 + 12 * cfg.L);
    for (const head of heads) {
      const l = placeTensors(bertTensors(cfg, head));
      const init = initParams(l, 0.02, seeded(9));
      for (const t of encoder) {
        const o = l.byName.get(t.name)!;
        expect(Array.from(init.subarray(o.offset, o.offset + o.size)), `${head.kind} ${t.name}`).toEqual(
          Array.from(refInit.subarray(t.offset, t.offset + t.size)),
        );
      }
    }
  });
});

// The probes' CPU plumbing: which tensors a probe keeps from a trained run (the encoder, never its head, even when
// names match) and feature reads in padded chunks (downstream.test.ts runs the tasks with stand-in encoders).
import { describe, expect, it } from 'vitest';
import type { SequenceSet } from '../data/batching';
import { Rng } from '../data/rng';
import { MODEL_PRESETS, type ModelConfig } from '../engine/config';
import { bertTensors, initParams, placeTensors } from '../engine/model/params';
import { featuresOf, isEncoderTensor, PROBE_INIT_SEED, probeInit, type FeatureSource } from './probes';
import { uniformOf } from './run';

describe('probeInit', () => {
  it('copies the encoder of a k-class run under a fresh head with its own (V, C) output layer, seeded the same for every run', () => {
    const model: ModelConfig = {
      ...MODEL_PRESETS.tiny,
      T: 16,
      L: 1,
      C: 8,
      NH: 2,
      F: 16,
      V: 40,
      lnEps: 1e-12,
      initStd: 0.02,
    };
    const srcLayout = placeTensors(bertTensors(model, { kind: 'k-class', K: 29 }));
    const src = Float32Array.from({ length: srcLayout.totalFloats }, (_, i) => 1 + i);
    const { layout, init, copied } = probeInit({ model }, srcLayout, src);
    expect(copied.sort()).toEqual(
      srcLayout.tensors
        .map((t) => t.name)
        .filter(isEncoderTensor)
        .sort(),
    );
    expect(copied).not.toContain('head_w');
    for (const name of ['wte', 'h0.qkv_w', 'emb_ln_g']) {
      const s = srcLayout.byName.get(name)!;
      const d = layout.byName.get(name)!;
      expect(init.subarray(d.offset, d.offset + d.size)).toEqual(src.subarray(s.offset, s.offset + s.size));
    }
    // The head keeps its fresh initialisation, from one seed for every run; its output layer is (V, C), not wte.
    const fresh = initParams(layout, model.initStd, uniformOf(Rng.from(PROBE_INIT_SEED)));
    expect(layout.byName.get('cls_w')!.size).toBe(model.V * model.C);
    expect(layout.byName.has('decoder_b')).toBe(false);
    for (const name of ['head_w', 'head_ln_g', 'cls_w', 'cls_b']) {
      const t = layout.byName.get(name)!;
      expect(init.subarray(t.offset, t.offset + t.size), name).toEqual(fresh.subarray(t.offset, t.offset + t.size));
    }
    expect(['wte', 'wpe', 'wtt', 'emb_ln_b', 'h3.ln2_g'].every(isEncoderTensor)).toBe(true);
    expect(['head_w', 'decoder_b', 'disc_w', 'cls_w', 'gen.h0.qkv_w', 'gen.wte'].some(isEncoderTensor)).toBe(false);
  });
});

/** count sequences of T=10: [CLS] + 6 words in ascending id order + [SEP] + padding. */
function sortedSet(count: number, seed: number): SequenceSet {
  const T = 10;
  const rng = Rng.from(seed);
  const set: SequenceSet = {
    T,
    count,
    ids: new Int32Array(count * T),
    wordIds: new Int32Array(count * T).fill(-1),
    valid: new Int32Array(count * T),
    tokens: count * 6,
  };
  for (let s = 0; s < count; s++) {
    const words = Array.from({ length: 6 }, () => 5 + rng.int(60)).sort((a, b) => a - b);
    const row = [2, ...words, 3];
    row.forEach((id, t) => {
      set.ids[s * T + t] = id;
      set.valid[s * T + t] = 1;
      if (t > 0 && t < 7) set.wordIds[s * T + t] = t - 1;
    });
  }
  return set;
}

/** A stand-in encoder: C features per row computed on the CPU from the ids alone. */
function fakeSource(
  C: number,
  f: (ids: Int32Array, valid: Int32Array) => number[],
): FeatureSource & { calls: number[] } {
  const calls: number[] = [];
  return {
    cfg: { T: 10, C },
    calls,
    features(ids, valid, B) {
      calls.push(B);
      const out = new Float32Array(B * C);
      for (let b = 0; b < B; b++)
        out.set(f(ids.subarray(b * 10, (b + 1) * 10), valid.subarray(b * 10, (b + 1) * 10)), b * C);
      return Promise.resolve(out);
    },
  };
}

describe('featuresOf', () => {
  it('reads rows in chunks of 16, pads the last chunk, and returns exactly the rows asked for, in order', async () => {
    const set = sortedSet(21, 1);
    const src = fakeSource(2, (ids) => [ids[1], ids[2]]);
    const X = await featuresOf(src, set.ids, set.valid, 21);
    expect(src.calls).toEqual([16, 16]);
    expect(X.length).toBe(42);
    for (let r = 0; r < 21; r++) expect([X[2 * r], X[2 * r + 1]]).toEqual([set.ids[r * 10 + 1], set.ids[r * 10 + 2]]);
  });
});

// The whole-model CPU reference: its gradients agree with finite differences of its own loss, for every tensor.
import { describe, expect, it } from 'vitest';
import { modelConfig } from '../config';
import {
  bertTensors,
  generatorShape,
  initParams,
  placeTensors,
  type ElectraHead,
  type HeadConfig,
} from '../model/params';
import { electraReference, type ElectraInputs } from './electra';
import { rng } from '../testing';
import { gradCheck } from './gradcheck';
import { mlmReference, type MlmInputs } from './model';

describe('mlmReference', () => {
  const c = modelConfig('tiny', 23, { L: 2, C: 8, NH: 2, F: 12, T: 6 });
  const layout = placeTensors(bertTensors(c));
  // Larger init than BERT's 0.02 so that every path carries a gradient well above finite-difference noise.
  const params = Float64Array.from(initParams(layout, 0.3, rng(11)));
  const inp: MlmInputs = {
    B: 2,
    ids: [2, 7, 4, 9, 3, 0, 2, 4, 11, 12, 13, 3],
    valid: [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1],
    positions: [2, 7, -1, 9],
    targets: [8, 10, -1, 5],
    weights: [1 / 3, 1 / 3, 0, 1 / 3],
  };

  it('returns a finite loss near ln(V) at init', () => {
    const r = mlmReference(c, layout, Float64Array.from(initParams(layout, 0.02, rng(1))), inp, false);
    expect(r.loss).toBeGreaterThan(Math.log(23) - 0.5);
    expect(r.loss).toBeLessThan(Math.log(23) + 0.5);
  });

  it.each(layout.tensors.map((t) => t.name))('gradient of %s matches finite differences', (name) => {
    const r = mlmReference(c, layout, params, inp, true);
    const t = layout.byName.get(name)!;
    const x = params.subarray(t.offset, t.offset + t.size);
    const analytic = r.grads!.subarray(t.offset, t.offset + t.size);
    const err = gradCheck(x, analytic, () => mlmReference(c, layout, params, inp, false).loss, 24);
    expect(err, `${name}: worst relative error ${err}`).toBeLessThan(1e-5);
  });
});

describe('mlmReference with the other heads', () => {
  const c = modelConfig('tiny', 23, { L: 1, C: 8, NH: 2, F: 12, T: 6 });
  const inp: MlmInputs = {
    B: 2,
    ids: [2, 7, 4, 9, 3, 0, 2, 4, 11, 12, 13, 3],
    valid: [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1],
    positions: [2, 7, -1, 9],
    targets: [3, 1, -1, 4],
    weights: [1 / 3, 1 / 3, 0, 1 / 3],
    labels: [0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1],
    tokenWeights: [0.1, 0.1, 0.1, 0.1, 0.1, 0, 0.1, 0.1, 0.1, 0.1, 0.1, 0],
    noPosition: [0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0],
    // Slots 1 and 3 share their left boundary row (as the tokens of one span do).
    sbo: { left: [1, 6, -1, 6], right: [3, 8, -1, 10], rel: [0, 0, 0, 2], weights: [0.5, 0.25, 0, 0.25] },
  };
  const heads: [string, HeadConfig][] = [
    ['k-class (K=5)', { kind: 'k-class', K: 5 }],
    ['binary', { kind: 'binary' }],
    ['position (K=5, hidden positions)', { kind: 'position', K: 5 }],
    ['vocabulary + span boundary (SBO)', { kind: 'span-boundary', maxRel: 3, weight: 0.7 }],
    ['ERNIE-Gram n-gram (V=23 + G=3)', { kind: 'ernie-gram', G: 3 }],
  ];
  for (const [name, head] of heads) {
    it(`${name}: every gradient matches finite differences`, () => {
      const layout = placeTensors(bertTensors(c, head));
      const params = Float64Array.from(initParams(layout, 0.3, rng(11)));
      const r = mlmReference(c, layout, params, inp, true, head);
      for (const t of layout.tensors) {
        const x = params.subarray(t.offset, t.offset + t.size);
        const analytic = r.grads!.subarray(t.offset, t.offset + t.size);
        const err = gradCheck(x, analytic, () => mlmReference(c, layout, params, inp, false, head).loss, 12, 1e-5);
        expect(err, `${t.name}: worst relative error ${err}`).toBeLessThan(1e-5);
      }
    });
  }
});

describe('electraReference', () => {
  // Discriminator C=8, generator C=4 (1 head): the projection, the narrow layers and the head back to width 8.
  const c = modelConfig('tiny', 23, { L: 1, C: 8, NH: 2, F: 12, T: 6 });
  const head: ElectraHead = { kind: 'electra', gen: generatorShape(c, 0.5), discWeight: 50 };
  const layout = placeTensors(bertTensors(c, head));
  const params = Float64Array.from(initParams(layout, 0.3, rng(12)));
  const originalIds = [2, 7, 8, 9, 3, 0, 2, 10, 11, 5, 13, 3];
  const inp: ElectraInputs = {
    B: 2,
    ids: [2, 7, 4, 9, 3, 0, 2, 4, 11, 5, 4, 3],
    originalIds,
    valid: [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1],
    positions: [2, 7, -1, 10, 9],
    targets: [8, 10, -1, 13, 5],
    weights: [1 / 4, 1 / 4, 0, 1 / 4, 1 / 4],
    tokenWeights: originalIds.map((_, i) => (i === 5 ? 0 : 1 / 11)),
  };
  // One sample equals the original (label 0), the others differ.
  const sampled = [12, 10, -1, 6, 14];

  it('has the generator shape of the paper (width 1/4, heads of 64)', () => {
    expect(generatorShape(modelConfig('mini', 8192), 0.25)).toEqual({ C: 64, NH: 1, F: 256 });
    expect(generatorShape(modelConfig('small', 8192), 0.25)).toEqual({ C: 128, NH: 2, F: 512 });
    expect(head.gen).toEqual({ C: 4, NH: 1, F: 6 });
  });

  it('writes the samples with labels and adds generator + 50 x discriminator', () => {
    const r = electraReference(c, head, layout, params, inp, sampled, false);
    expect(Array.from(r.discIds)).toEqual([2, 7, 12, 9, 3, 0, 2, 10, 11, 14, 6, 3]);
    expect(Array.from(r.labels)).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0]);
    expect(r.loss).toBeCloseTo(r.gen.loss + r.disc.loss, 12);
    // The discriminator's mean BCE near ln 2 at init, times 50.
    expect(r.disc.loss / 50).toBeGreaterThan(0.3);
    expect(r.disc.loss / 50).toBeLessThan(1.2);
  });

  it('every gradient (shared embeddings, both encoders, both heads) matches finite differences', () => {
    const r = electraReference(c, head, layout, params, inp, sampled, true);
    for (const t of layout.tensors) {
      const x = params.subarray(t.offset, t.offset + t.size);
      const analytic = r.grads!.subarray(t.offset, t.offset + t.size);
      const err = gradCheck(x, analytic, () => electraReference(c, head, layout, params, inp, sampled, false).loss, 12);
      expect(err, `${t.name}: worst relative error ${err}`).toBeLessThan(1e-5);
    }
    expect(layout.byName.has('gen.embed_proj_w')).toBe(true);
  });
});

// The head contract (types.ts), checked for every head module of the registry: each kind is trained by some
// objective of the catalogue and configures itself from its request; its tensors, Hugging Face names, analytic
// FLOPs, memory estimate, float64 reference (forward, and a backward that reaches every head tensor and agrees with
// finite differences) and preview labels are all there. A head that forgets a part fails here, not in a chart.
// (heads.gpu.test.ts checks the FLOPs and memory of each head against what its GPU graph really does.)
import { describe, expect, it } from 'vitest';
import { modelConfig } from '../../config';
import { testVocab } from '../../../masking/testkit';
import { trainStepFlops } from '../../profile';
import { electraReference } from '../../reference/electra';
import { gradCheck } from '../../reference/gradcheck';
import { mlmReference, type MlmInputs } from '../../reference/model';
import { rng } from '../../testing';
import { bertTensors, initParams, placeTensors } from '../params';
import { HEAD_KINDS, headModule, HEADS, upgradeHeadConfig } from './index';
import type { ElectraHead, MemoryContext } from './index';
import { headsOfCatalogue } from './testkit';

const vocab = testVocab();
const T = 6;
const c = modelConfig('tiny', vocab.size, { L: 1, C: 8, NH: 2, F: 12, T });
const B = 2;
const N = B * T;

const CONFIGS = headsOfCatalogue(vocab, c);

/** A batch every head can read: gathered targets below the head's outputs, per-token labels, SBO slots, flags. */
function batchFor(outputs: number): MlmInputs {
  // Counted down from the last class: n-gram classes as well as tokens for ERNIE-Gram's head.
  const t = (x: number) => (((outputs - 1 - x) % outputs) + outputs) % outputs;
  return {
    B,
    ids: [2, 7, 4, 9, 3, 0, 2, 4, 11, 12, 13, 3],
    valid: [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1],
    positions: [2, 7, -1, 9],
    targets: [t(8), t(10), -1, t(5)],
    weights: [1 / 3, 1 / 3, 0, 1 / 3],
    labels: [0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1],
    tokenWeights: [0.1, 0.1, 0.1, 0.1, 0.1, 0, 0.1, 0.1, 0.1, 0.1, 0.1, 0],
    noPosition: [0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0],
    sbo: { left: [1, 6, -1, 6], right: [3, 8, -1, 10], rel: [0, 0, 0, 2], weights: [0.5, 0.25, 0, 0.25] },
  };
}

describe('the head registry', () => {
  it('has one vocabulary: each kind is a registry key, and some objective of the catalogue trains it', () => {
    expect([...CONFIGS.keys()].sort()).toEqual([...HEAD_KINDS].sort());
    for (const [kind, head] of CONFIGS) expect(head.kind).toBe(kind);
  });

  it('reads the configurations stored before the kinds were one vocabulary, and passes current ones through', () => {
    expect(upgradeHeadConfig({ kind: 'vocab' })).toEqual({ kind: 'vocabulary' });
    expect(upgradeHeadConfig({ kind: 'vocab', sbo: { maxRel: 4, weight: 1 } })).toEqual({
      kind: 'span-boundary',
      maxRel: 4,
      weight: 1,
    });
    expect(upgradeHeadConfig({ kind: 'classes', K: 29 })).toEqual({ kind: 'k-class', K: 29 });
    expect(upgradeHeadConfig({ kind: 'classes', K: 6, hidePositions: true })).toEqual({ kind: 'position', K: 6 });
    for (const head of CONFIGS.values()) expect(upgradeHeadConfig(JSON.parse(JSON.stringify(head)))).toEqual(head);
    expect(() => upgradeHeadConfig({ kind: 'sideways' })).toThrow(/unknown head configuration/);
  });
});

describe.each([...CONFIGS])('head module %s implements the whole contract', (kind, head) => {
  const mod = headModule(head);
  const layout = placeTensors(bertTensors(c, head));
  const own = mod.tensors(c, head).map((t) => t.name);

  it('tensors, outputs, evaluation and encoder heads', () => {
    expect(own.length).toBeGreaterThan(0);
    expect(new Set(own).size).toBe(own.length);
    expect(mod.outputs(c, head)).toBeGreaterThan(0);
    for (const h of [mod.evalHead(head), mod.encoderHead(head)]) expect(HEADS[h.kind]).toBeDefined();
    // The probe sentence and frozen features run on one encoder.
    expect(headModule(mod.encoderHead(head)).notOnOneEncoder).toBeUndefined();
  });

  it('Hugging Face names that exist in its layout, and the golden loss they export', () => {
    if (!mod.hf) return; // checkpoint only: exportFiles says so
    for (const [name] of mod.hf.tensors()) expect(layout.byName.has(name), name).toBe(true);
    expect(mod.hf.lossKind).toMatch(/cross-entropy|mlm/);
  });

  it('an analytic FLOP count of its own products (forward, and backward twice that)', () => {
    const base = trainStepFlops(c, B, 5, { kind: 'vocabulary' });
    const f = trainStepFlops(c, B, 5, head);
    const roles = Object.keys(f.byRole).filter((r) => !(r in base.byRole) || r === 'head');
    expect(roles.length).toBeGreaterThan(0);
    for (const r of roles) {
      expect(f.byRole[r].forward, r).toBeGreaterThan(0);
      expect(f.byRole[r].backward, r).toBe(2 * f.byRole[r].forward);
    }
    expect(f.total).toBe(Object.values(f.byRole).reduce((s, r) => s + r.total, 0));
  });

  it('a memory estimate that grows with the target rows and with the backward pass', () => {
    const ctx = (M: number, train: boolean): MemoryContext => ({
      c,
      B,
      M,
      N,
      E: c.C,
      train,
      graph: () => 1000,
    });
    const small = mod.memory(ctx(4, false), head);
    expect(small).toBeGreaterThan(0);
    expect(mod.memory(ctx(40, false), head)).toBeGreaterThanOrEqual(small);
    expect(mod.memory(ctx(4, true), head)).toBeGreaterThan(small);
  });

  it('a float64 reference whose backward reaches every head tensor and matches finite differences', () => {
    const params = Float64Array.from(initParams(layout, 0.3, rng(11)));
    const inp = batchFor(mod.outputs(c, head));
    let loss: () => number;
    let grads: Float64Array;
    if (mod.notOnOneEncoder) {
      expect(() => mod.reference({} as never, head)).toThrow(/electraReference/);
      const e = head as ElectraHead;
      const ei = { ...inp, tokenWeights: inp.tokenWeights!, originalIds: [2, 7, 8, 9, 3, 0, 2, 10, 11, 5, 13, 3] };
      const sampled = [12, 10, -1, 6];
      loss = () => electraReference(c, e, layout, params, ei, sampled, false).loss;
      grads = electraReference(c, e, layout, params, ei, sampled, true).grads!;
    } else {
      loss = () => mlmReference(c, layout, params, inp, false, head).loss;
      const r = mlmReference(c, layout, params, inp, true, head);
      expect(r.losses.length).toBe(mod.rows === 'tokens' ? N : inp.positions.length);
      grads = r.grads!;
    }
    expect(Number.isFinite(loss())).toBe(true);
    for (const name of own) {
      const t = layout.byName.get(name)!;
      const g = grads.subarray(t.offset, t.offset + t.size);
      expect(
        g.some((v) => v !== 0),
        `${name} gets no gradient`,
      ).toBe(true);
      const err = gradCheck(params.subarray(t.offset, t.offset + t.size), g, loss, 6, 1e-5);
      expect(err, `${name}: worst relative error ${err}`).toBeLessThan(1e-5);
    }
  });

  it('preview labels: a note on what is predicted, and a name for every target id', () => {
    const note = mod.preview.note({ classes: mod.outputs(c, head) });
    expect(note.length).toBeGreaterThan(20);
    const names = { V: c.V, token: (id: number) => `tok${id}`, className: (id: number) => `class${id}` };
    for (const id of [0, 1, mod.outputs(c, head) - 1]) expect(mod.preview.label(id, names)).toMatch(/\w/);
  });

  it(`${kind}: its kind names its module`, () => {
    expect(HEADS[kind]).toBe(mod);
  });
});

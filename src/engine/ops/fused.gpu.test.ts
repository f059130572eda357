// The fused kernels against the float64 CPU reference (the shared cases of selftest/fused.ts): every matmul
// epilogue through every variant on shapes off every tile, and the Linear blocks forward and backward under both
// kernel tunings; AdamW zeroing its gradient, LayerNorm's one-pass parameter gradients, the embedding backward on
// CPU-sorted ids; what each fusion takes out of the encoder's dispatch list and its traffic; and the checks that
// refuse an epilogue the kernels cannot run.
import { afterAll, describe, expect, it } from 'vitest';
import { createStorage } from '../buffers';
import { modelConfig } from '../config';
import { FUSIONS, type Fusion } from '../fusion';
import { countTraffic, Kernels } from '../kernels';
import { BertGraph } from '../model/bert';
import { bertTensors, initParams, placeTensors } from '../model/params';
import { ParamState } from '../model/state';
import { casesOf } from '../selftest/cases';
import { expectCase, rng, useGpu } from '../testing';
import { sortPasses } from './embedding';
import { matmul, matmulSplitK } from './matmul';

describe('fused kernels', () => {
  const fx = useGpu();
  let worst = 0;
  afterAll(() => console.log(`[fused] max abs err ${worst.toExponential(2)}`));

  it.each(casesOf('matmul_epilogue').map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    worst = Math.max(worst, (await expectCase(fx, c)).maxAbs);
  });

  it.each(
    [...casesOf('adamw_zero_grad'), ...casesOf('ln_params'), ...casesOf('id_sort')].map((c) => [c.id, c] as const),
  )('%s', async (_id, c) => {
    await expectCase(fx, c);
  });

  for (const cpu of [false, true]) {
    it.each(casesOf('attention_grads').map((c) => [c.id, c] as const))(`%s (cpu=${cpu})`, async (_id, c) => {
      await expectCase(fx, c, { cpu });
    });
    it.each(casesOf('linear_block').map((c) => [c.id, c] as const))(`%s (cpu=${cpu})`, async (_id, c) => {
      worst = Math.max(worst, (await expectCase(fx, c, { cpu })).maxAbs);
    });
  }

  it('names the fused entry point of each epilogue on both variants', () => {
    const buf = createStorage(fx.device, 64 * 64 * 4, 'buf');
    const aux = createStorage(fx.device, 64 * 64 * 4, 'aux');
    const shape = { a: buf, b: buf, out: buf, M: 64, N: 64, K: 64 };
    for (const kind of ['residual', 'gelu', 'gelu_grad', 'bias_grad'] as const) {
      const o = { ...shape, epilogue: { kind, aux } };
      expect(matmul(new Kernels(fx.device, { cpu: false }), o).kernel).toBe(`matmul.matmul_${kind}`);
      expect(matmul(new Kernels(fx.device, { cpu: true }), o).kernel).toBe(`matmul_cpu.matmul_direct_${kind}`);
    }
    buf.destroy();
    aux.destroy();
  });

  it('refuses epilogues that cannot be combined, before anything runs', () => {
    const buf = createStorage(fx.device, 64 * 64 * 4, 'buf');
    const aux = createStorage(fx.device, 64 * 64 * 4, 'aux');
    const shape = { a: buf, b: buf, out: buf, M: 64, N: 64, K: 64 };
    expect(() => matmul(fx.kernels, { ...shape, accumulate: true, epilogue: { kind: 'gelu', aux } })).toThrow(
      /overwrites out/,
    );
    expect(() => matmul(fx.kernels, { ...shape, bias: aux, epilogue: { kind: 'bias_grad', aux } })).toThrow(
      /takes no bias/,
    );
    expect(() => matmul(fx.kernels, { ...shape, epilogue: { kind: 'residual', aux: buf } })).toThrow(/another buffer/);
    const tiled = new Kernels(fx.device, { cpu: false });
    expect(() => matmulSplitK(tiled, { ...shape, epilogue: { kind: 'residual', aux } }, aux)).toThrow(
      /bias_grad epilogue only/,
    );
    buf.destroy();
    aux.destroy();
  });

  it('each take out of the graph the dispatches they fuse, and bytes of traffic', () => {
    const cfg = modelConfig('tiny', 37, { L: 2, C: 24, NH: 3, F: 40, T: 9 });
    const layout = placeTensors(bertTensors(cfg));
    const state = new ParamState(fx.kernels, layout, initParams(layout, 0.02, rng(3)));
    const build = (fusions: readonly Fusion[]) => {
      const k = fx.kernels.withTuning({ ...fx.kernels.tuning, fusions });
      const g = new BertGraph(k, cfg, state, { B: 2, M: 5, train: true });
      const all = [...g.forward, ...g.loss, ...g.backward];
      g.destroy();
      return { kernels: all.map((d) => d.kernel), traffic: countTraffic(all), each: all.map((d) => d.traffic) };
    };
    const L = cfg.L;
    const cpu = fx.kernels.tuning.cpu ?? false;
    // What each fusion removes: per layer two residual adds, GELU (and the head's), its backward (not the head's,
    // which follows its LayerNorm) and four Linears' bias gradients (and the head's dense layer's and decoder's),
    // one of attention's three input gradient products; on CPU adapters the second pass of
    // each LayerNorm's parameter gradients (two a layer, the embeddings', the head's); the sort and run search.
    // zero_grad is the trainer's (AdamW), not the graph's.
    const removes: Record<Fusion, number> = {
      residual: 2 * L,
      gelu: L + 1,
      gelu_grad: L,
      bias_grad: 4 * L + 2,
      attention_grads: L,
      zero_grad: 0,
      ln_params: cpu ? 2 * L + 2 : 0,
      id_sort: 3 * sortPasses(cfg.V) + 1,
    };
    const plain = build([]);
    for (const f of FUSIONS) {
      const one = build([f]);
      expect(plain.kernels.length - one.kernels.length, f).toBe(removes[f]);
      if (removes[f] > 0) expect(one.traffic.read, f).toBeLessThan(plain.traffic.read);
    }
    const all = build(FUSIONS);
    const count = (g: { kernels: string[] }, name: string) => g.kernels.filter((k) => k === name).length;
    expect(count(plain, 'elementwise.add')).toBe(2 * L);
    expect(count(all, 'elementwise.add')).toBe(0);
    expect(count(all, 'gelu.forward')).toBe(0);
    expect(count(all, 'gelu.backward')).toBe(1); // the head's, after its LayerNorm's backward
    expect(count(all, 'embedding.sort_scan')).toBe(0);
    expect(plain.kernels.length - all.kernels.length).toBe(Object.values(removes).reduce((a, b) => a + b, 0));
    for (const t of [...plain.each, ...all.each]) {
      expect(Number.isFinite(t.read) && t.read >= 0).toBe(true);
      expect(t.write).toBeGreaterThan(0);
    }
    expect(all.traffic.read).toBeLessThan(plain.traffic.read);
    expect(all.traffic.write).toBeLessThan(plain.traffic.write);
    state.destroy();
  });
});

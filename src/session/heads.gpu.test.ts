// Every head module's analytic parts against its GPU graph, at a tiny shape: the FLOPs its module counts (with the
// encoder's, profile.ts trainStepFlops) equal the engine's own count from the graph's dispatches, and the memory
// its module estimates (with the encoder's, memory.ts graphFloats) covers the graph's activation buffers without
// going far over, for the training graph and the evaluation graph (its evalHead).
import { describe, expect, it } from 'vitest';
import { modelConfig } from '../engine/config';
import { headModule } from '../engine/model/heads';
import { headsOfCatalogue } from '../engine/model/heads/testkit';
import { buildGraph } from '../engine/model/graph';
import { bertTensors, initParams, placeTensors } from '../engine/model/params';
import { ParamState } from '../engine/model/state';
import { trainStepFlops } from '../engine/profile';
import { rng, useGpu } from '../engine/testing';
import { testVocab } from '../masking/testkit';
import { graphFloats } from './memory';

describe('each head: FLOPs and memory of its module against its GPU graph', () => {
  const fx = useGpu();
  const vocab = testVocab();
  const cfg = modelConfig('tiny', vocab.size, { L: 1, C: 24, NH: 3, F: 40, T: 9 });
  const B = 2;
  const M = 7;

  for (const [kind, head] of headsOfCatalogue(vocab, cfg)) {
    it(`${kind}: FLOPs equal the engine's count; its graphs' buffers within the memory estimate`, () => {
      const layout = placeTensors(bertTensors(cfg, head));
      const state = new ParamState(fx.kernels, layout, initParams(layout, 0.02, rng(3)));
      const sizes: string[] = [];
      try {
        for (const train of [true, false]) {
          const k = fx.kernels.scoped();
          const g = buildGraph(k, cfg, state, { B, M, train, head, sampleSeed: 1 });
          const bytes = k.memory.usage().byCategory.activations;
          const used = train ? head : headModule(head).evalHead(head);
          const est = 4 * graphFloats(cfg, B, M, train, used);
          sizes.push(`${train ? 'train' : 'eval'} ${bytes} B, estimate ${est} B (${(est / bytes).toFixed(2)})`);
          expect(est, sizes.at(-1)).toBeGreaterThanOrEqual(bytes);
          expect(est, sizes.at(-1)).toBeLessThanOrEqual(1.25 * bytes);
          if (train) {
            const flops = [...g.forward, ...g.loss, ...g.backward].reduce((s, d) => s + (d.flops ?? 0), 0);
            expect(flops).toBe(trainStepFlops(cfg, B, M, head).total);
          }
          g.destroy();
          k.releaseAll();
        }
      } finally {
        console.log(`${kind}: ${sizes.join('; ')}`);
        state.destroy();
      }
    });
  }
});

// The memory estimate against what the engine really allocates: every createBuffer of a run (training graph,
// evaluation, probe, snapshots, rings) is summed for tiny, mini and small; the estimate must never be below and at
// most 10% above. small builds its evaluation graph over no batches (the same buffers, none of the ~70 s its
// held-out forward pass takes on SwiftShader); its probe sentence runs (one sequence). The trainer's registry of buffers (the performance
// panel's GPU memory) must equal the buffers created and alive, buffer by buffer, with the right categories, and
// be empty after dispose, every buffer the run created destroyed.
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../data/corpora';
import { useGpu } from '../engine/testing';
import { defaultExperiment } from './config';
import { estimateMemory } from './memory';
import { DEFAULT_PROBE_TEXT, runProbe } from './probeSentence';
import { prepareExperimentData, TrainingRun } from './run';

describe('estimateMemory', () => {
  const fx = useGpu();

  for (const [preset, evaluate] of [
    ['tiny', true],
    ['mini', true],
    ['small', false],
  ] as const) {
    it(
      `${preset}: the estimate is within 10% of the buffers allocated, never below`,
      { timeout: 600_000 },
      async () => {
        const text = (await loadCorpus('fairy-tales')).slice(0, 30_000);
        const e = defaultExperiment();
        e.model = { preset };
        e.tokenizer = { kind: 'wordpiece', vocabSize: 1024 };
        // B=4 keeps the run short on SwiftShader; the shapes are the presets' own.
        e.train = { ...e.train, steps: 10, B: 4 };
        const data = prepareExperimentData(text, e);
        const device = fx.device;
        const create = device.createBuffer.bind(device);
        let live = 0;
        let peak = 0;
        const alive = new Map<GPUBuffer, string>();
        device.createBuffer = (d: GPUBufferDescriptor) => {
          const b = create(d);
          live += d.size;
          peak = Math.max(peak, live);
          alive.set(b, d.label ?? '');
          const destroy = b.destroy.bind(b);
          let destroyed = false;
          b.destroy = () => {
            if (!destroyed) live -= d.size;
            destroyed = true;
            alive.delete(b);
            destroy();
          };
          return b;
        };
        // The buffers the engine shares across a device's trainers (matmul's unused bias and aux slots, 16 bytes).
        const runOwned = () => [...alive].filter(([, label]) => !label.startsWith('matmul.no-'));
        try {
          const run = new TrainingRun(fx.kernels, e, data, {});
          if (evaluate) await run.evaluate();
          else await run.trainer.evaluate([], run.evalB, run.evalM); // allocates the evaluation graph only
          await runProbe(run, DEFAULT_PROBE_TEXT);
          const est = estimateMemory(e, run.model.V, { heldOut: data.heldOut.count });
          console.log(
            `${preset}: allocated ${(peak / 2 ** 20).toFixed(1)} MiB, estimated ${(est.totalBytes / 2 ** 20).toFixed(1)} MiB (${((est.totalBytes / peak - 1) * 100).toFixed(1)}% over)`,
          );
          expect(est.totalBytes).toBeGreaterThanOrEqual(peak);
          expect(est.totalBytes).toBeLessThanOrEqual(peak * 1.1);

          // The registry: the same buffers as those created and not destroyed, to the byte.
          const mem = run.trainer.gpuMemory;
          const owned = runOwned();
          const ownedBytes = owned.reduce((s, [b]) => s + b.size, 0);
          console.log(
            `${preset}: registry ${(mem.totalBytes / 2 ** 20).toFixed(2)} MiB in ${mem.buffers} buffers ` +
              `(${JSON.stringify(mem.byCategory)}); estimate / registry = ${(est.totalBytes / mem.totalBytes).toFixed(3)}`,
          );
          expect(mem.buffers).toBe(owned.length);
          expect(mem.totalBytes).toBe(ownedBytes);
          const c = mem.byCategory;
          const s = run.trainer.state;
          expect(c.parameters).toBe(s.params.decay.size + s.params.nodecay.size);
          expect(c.gradients).toBe(c.parameters);
          expect(c.moments).toBe(2 * c.parameters);
          // One snapshot of weights and both moments, taken when the trainer was built.
          expect(c.snapshots).toBe(3 * c.parameters);
          expect(c.activations).toBeGreaterThan(c.parameters);
          expect(c.staging).toBeGreaterThan(0);
          expect(c.other).toBeGreaterThan(0);
          // The estimate covers every registered buffer and is within 10% of them.
          expect(est.totalBytes / mem.totalBytes).toBeGreaterThanOrEqual(1);
          expect(est.totalBytes / mem.totalBytes).toBeLessThanOrEqual(1.1);

          run.destroy();
          expect(run.trainer.gpuMemory).toMatchObject({ totalBytes: 0, buffers: 0 });
          expect(runOwned().map(([, label]) => label)).toEqual([]);
        } finally {
          device.createBuffer = create;
        }
      },
    );
  }
});

// MaskLab's side of the benchmark: the engine's Trainer (src/engine/trainer.ts) on the page's WebGPU device, with
// the same initial weights, batches and learning-rate schedule as the TF.js side.
import { isCpuAdapter, type GpuContext } from '../../src/engine/gpu';
import { Kernels } from '../../src/engine/kernels';
import { Trainer } from '../../src/engine/trainer';
import type { Runner, RunnerSetup } from './runner';

export function oursRunner(gpu: GpuContext, s: RunnerSetup): Runner {
  const k = new Kernels(gpu.device, { cpu: isCpuAdapter(gpu.summary) });
  const losses = new Map<number, number>();
  const trainer = new Trainer(k, s.model, s.init, {
    B: s.B,
    M: s.M,
    schedule: s.schedule,
    maxGradNorm: 1.0,
    onMetrics: (m) => losses.set(m.step, m.loss),
  });
  return {
    step() {
      const t = trainer.step;
      const b = s.batches[t % s.batches.length];
      trainer.trainStep({ ids: b.ids, valid: b.valid, positions: b.positions, targets: b.targets, weights: b.weights });
    },
    async sync() {
      await gpu.device.queue.onSubmittedWorkDone();
    },
    async losses() {
      await trainer.flush();
      const out: number[] = [];
      for (let i = 0; i < trainer.step; i++) {
        const l = losses.get(i);
        if (l === undefined) throw new Error(`MaskLab trainer delivered no loss for step ${i}`);
        out.push(l);
      }
      return out;
    },
    info: { dispatches_per_step: trainer.dispatchesPerStep, parameters: trainer.layout.count },
    dispose() {
      trainer.destroy();
    },
  };
}

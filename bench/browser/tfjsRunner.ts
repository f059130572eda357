// The TF.js side of the benchmark: bench/tfjs/model.ts on the @tensorflow/tfjs-backend-webgpu backend (never a
// silent fallback to WebGL or CPU), stepping through the same batches and learning rates as MaskLab's trainer.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { learningRate } from '../../src/engine/schedule';
import { TfBert } from '../tfjs/model';
import type { Runner, RunnerSetup } from './runner';

export async function tfjsRunner(s: RunnerSetup): Promise<Runner> {
  if (!(await tf.setBackend('webgpu')) || tf.getBackend() !== 'webgpu')
    throw new Error(`TF.js could not start its WebGPU backend (backend: ${tf.getBackend()})`);
  await tf.ready();
  const backend = tf.backend() as WebGPUBackend;
  // A failed TF.js pipeline silently drops a whole command buffer: collect errors and fail the run on any.
  const errors: string[] = [];
  backend.device.addEventListener('uncapturederror', (e) => errors.push((e as GPUUncapturedErrorEvent).error.message));
  const check = () => {
    if (errors.length) throw new Error(`WebGPU errors in TF.js (${errors.length}); first: ${errors[0]}`);
  };
  const model = new TfBert(s.model, s.init, { B: s.B, maxGradNorm: 1.0 });
  const pending: tf.Scalar[] = [];
  const done: number[] = [];
  let step = 0;
  const flags = tf.env().getFlags();
  return {
    step() {
      const lr = learningRate(s.schedule, step);
      pending.push(model.trainStep(s.batches[step % s.batches.length], lr));
      step++;
    },
    async sync() {
      // Reading the newest loss flushes TF.js's deferred command buffers; then wait for the whole queue.
      const last = pending.at(-1);
      if (last) await last.data();
      await backend.device.queue.onSubmittedWorkDone();
      check();
    },
    async losses() {
      for (const t of pending.splice(0)) {
        done.push((await t.data())[0]);
        t.dispose();
      }
      return [...done];
    },
    info: {
      version: tf.version.tfjs,
      backend: tf.getBackend(),
      WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE: Number(
        flags.WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE ?? tf.env().get('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE'),
      ),
      WEBGPU_CPU_FORWARD: Boolean(tf.env().get('WEBGPU_CPU_FORWARD')),
      tensors_after_setup: tf.memory().numTensors,
    },
    dispose() {
      tf.dispose(pending);
      model.dispose();
    },
  };
}

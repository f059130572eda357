// The training worker: owns the GPU device (and, as the engine grows, the model and trainer). Reports adapter
// status and device loss to the page as plain messages.
import { acquireGpu, GpuUnavailableError, type GpuContext } from '../engine/gpu';
import type { FromWorker, ToWorker } from './protocol';

let ctx: GpuContext | undefined;

function post(msg: FromWorker): void {
  (self as unknown as Worker).postMessage(msg);
}

async function init(): Promise<void> {
  try {
    ctx = await acquireGpu();
    const current = ctx;
    post({ type: 'gpu', status: { state: 'ready', summary: current.summary } });
    void current.lost.then((info) => {
      if (ctx === current) ctx = undefined;
      post({ type: 'gpu', status: { state: 'lost', reason: info.reason ?? 'unknown', message: info.message || 'The GPU device was lost.' } });
    });
  } catch (e) {
    if (e instanceof GpuUnavailableError) post({ type: 'gpu', status: { state: 'unavailable', kind: e.kind, message: e.message } });
    else post({ type: 'error', message: String(e) });
  }
}

self.onmessage = (ev: MessageEvent<ToWorker>) => {
  const msg = ev.data;
  if (msg.type === 'init') void init();
  else if (msg.type === 'lose-device') ctx?.device.destroy();
};

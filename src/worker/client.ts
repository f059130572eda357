// The page's handle on the training worker: starts it, forwards commands, and hands replies to a listener.
import type { FromWorker, ToWorker } from './protocol';

export class WorkerClient {
  private worker: Worker | undefined;

  constructor(private readonly onMessage: (msg: FromWorker) => void) {}

  start(): void {
    this.stop();
    this.worker = new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module', name: 'masklab-train' });
    this.worker.onmessage = (ev: MessageEvent<FromWorker>) => this.onMessage(ev.data);
    this.worker.onerror = (ev) =>
      this.onMessage({ type: 'error', message: ev.message || 'The training worker failed to start.' });
    this.send({ type: 'init' });
  }

  send(msg: ToWorker): void {
    this.worker?.postMessage(msg);
  }

  stop(): void {
    this.worker?.terminate();
    this.worker = undefined;
  }
}

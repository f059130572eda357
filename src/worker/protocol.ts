// Typed messages between the page and the training worker. The page sends commands; the worker answers with
// plain data (no GPU objects ever cross the boundary).
import type { AdapterSummary, GpuErrorKind } from '../engine/gpu';

export type ToWorker = { type: 'init' } | { type: 'lose-device' };

export type GpuStatus =
  | { state: 'ready'; summary: AdapterSummary }
  | { state: 'unavailable'; kind: GpuErrorKind; message: string }
  | { state: 'lost'; reason: string; message: string };

export type FromWorker = { type: 'gpu'; status: GpuStatus } | { type: 'error'; message: string };

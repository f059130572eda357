// The worker's kernel autotuning: before a run's first step on a shape this adapter has not tuned, the kernel
// variants are tuned (engine/autotune) with a progress line and a Skip; choices live in IndexedDB
// ("masklab-autotune"), so later runs of the shape start at once with the kept choice.
import { keptResults, kernelsWithChoice, memoryStore, tuned, type TuneStore } from '../engine/autotune/cache';
import type { TuneProgress, TuneResult } from '../engine/autotune/tune';
import type { TuneShape } from '../engine/autotune/workloads';
import type { AdapterSummary } from '../engine/gpu';
import type { Kernels } from '../engine/kernels';
import { done, request } from '../data/idb';
import type { PreparedData } from '../data/dataset';
import type { ExperimentConfig } from '../session/config';
import type { RunLoop } from '../session/runLoop';
import { runTuneShape } from '../session/tuneShape';
import type { FromWorker } from './protocol';

const DB_NAME = 'masklab-autotune';
const STORE = 'choices';
const HINT = 'The kernel choices are only a cache: clear the site data for it if needed.';

/** A TuneStore in IndexedDB (key -> JSON value); in memory when the browser has no IndexedDB or refuses it. */
export async function openTuneStore(factory: IDBFactory | undefined = globalThis.indexedDB): Promise<TuneStore> {
  if (!factory) return memoryStore();
  try {
    const req = factory.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE);
    };
    const db = await request(req, HINT);
    return {
      get: (key) => request(db.transaction(STORE).objectStore(STORE).get(key), HINT) as Promise<unknown>,
      async set(key, value) {
        const tx = db.transaction(STORE, 'readwrite');
        tx.objectStore(STORE).put(value, key);
        await done(tx, HINT);
      },
      values: () => request(db.transaction(STORE).objectStore(STORE).getAll(), HINT) as Promise<unknown[]>,
    };
  } catch {
    return memoryStore();
  }
}

/** One line for the page while tuning, e.g. "Tuning the kernels for this GPU (first run of this model): xent (4/6) …". */
export function progressLine(p: TuneProgress): string {
  const what = p.phase === 'check' ? 'checking' : 'timing';
  return (
    `Tuning the kernels for this GPU (first run of this model shape): ${p.role} (${p.index}/${p.count}), ` +
    `${what} ${p.variant}, ${(p.elapsedMs / 1000).toFixed(1)} s of about ${(p.budgetMs / 1000).toFixed(0)} s`
  );
}

/** Tunes for the worker: one at a time, skippable, with the store opened once; posts its progress and results. */
export class WorkerTuner {
  private store?: Promise<TuneStore>;
  private skipping = false;
  busy = false;
  /** Set when the user picked a kernel variant after a failed self-test: runs use it as it is, untuned. */
  picked = false;

  constructor(private readonly post: (msg: FromWorker) => void) {}

  private onLine(line: string | undefined): void {
    this.post({ type: 'autotune-progress', line });
  }

  /**
   * A run's kernels: with the choice kept for its shape on this adapter, or after tuning them (progress lines
   * through onLine; Skip stops it), unless the user picked a variant after the self-test.
   */
  async forRun(
    k: Kernels,
    adapter: AdapterSummary,
    config: ExperimentConfig,
    data: PreparedData,
    onLine: (line: string) => void,
  ): Promise<Kernels> {
    if (this.picked) {
      this.post({
        type: 'autotune',
        error: 'The kernel variant picked after the self-test is used as it is, untuned.',
      });
      return k;
    }
    const { kernels, ...result } = await this.kernelsFor(k, adapter, runTuneShape(config, data), { onLine });
    this.post({ type: 'autotune', ...result });
    return kernels;
  }

  /** The shape of `loop`'s run tuned again (on demand, not while it trains); the choice serves the next runs. */
  async again(k: Kernels | undefined, adapter: AdapterSummary | undefined, loop: RunLoop | undefined): Promise<void> {
    if (!k || !adapter) return this.post({ type: 'autotune', error: 'There is no GPU device.' });
    if (!loop || !loop.idle)
      return this.post({
        type: 'autotune',
        error: 'Pause or stop the run first: tuning times the kernels on this GPU.',
      });
    const shape = runTuneShape(loop.experiment, loop.run.data);
    const { kernels: _tuned, ...result } = await this.kernelsFor(k, adapter, shape, { retune: true });
    this.post({ type: 'autotune', ...result });
  }

  private opened(): Promise<TuneStore> {
    this.store ??= openTuneStore();
    return this.store;
  }

  /** Stops the tuning under way at its next run. */
  skipTuning(): void {
    if (this.busy) this.skipping = true;
  }

  /**
   * Kernels for a run of this shape: with the kept choice, or after tuning (progress through onLine). Never throws:
   * a failure leaves the adapter's defaults, and says so in `error`.
   */
  async kernelsFor(
    k: Kernels,
    adapter: AdapterSummary,
    shape: TuneShape,
    o: { retune?: boolean; onLine?: (line: string) => void } = {},
  ): Promise<{ kernels: Kernels; result?: TuneResult; cached?: boolean; error?: string }> {
    if (this.busy) return { kernels: k, error: 'The kernels are being tuned already.' };
    this.busy = true;
    this.skipping = false;
    let last = 0;
    try {
      const { result, cached } = await tuned(k, adapter, shape, await this.opened(), {
        retune: o.retune,
        shouldStop: () => this.skipping,
        onProgress: (p) => {
          const now = performance.now();
          if (now - last < 150) return;
          last = now;
          const line = progressLine(p);
          this.onLine(line);
          o.onLine?.(line);
        },
      });
      return { kernels: kernelsWithChoice(k, result.choice), result, cached };
    } catch (e) {
      return { kernels: k, error: `Kernel tuning failed, the default variants are used: ${String(e)}` };
    } finally {
      this.busy = false;
      this.onLine(undefined);
    }
  }

  /** The choices kept for this adapter (any shape), newest first: the self-test report lists them. */
  async kept(adapter: AdapterSummary): Promise<TuneResult[]> {
    return keptResults(await this.opened(), adapter);
  }
}

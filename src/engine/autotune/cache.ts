// Where autotune choices are kept, per adapter and shape: a small key-value store (the page's in IndexedDB,
// Node's in a file: node/tuneStore.ts), read before tuning so that a shape is tuned once per adapter; the candidates'
// checks are kept per adapter, so a new shape on the same adapter only times.
import type { AdapterSummary } from '../gpu';
import { ROLE_VARIANTS, type KernelChoice, type KernelRole, type Kernels } from '../kernels';
import { shaderTable } from '../shaders';
import { adapterKey, autotune, kernelsVersion, mergeTunes, type TuneOptions, type TuneResult } from './tune';
import { shapeKey, type TuneShape } from './workloads';

/** A key-value store of JSON values. */
export interface TuneStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  /** Every value kept (the self-test report lists the adapter's choices). */
  values(): Promise<unknown[]>;
}

/** A store in memory (tests; a page without IndexedDB). */
export function memoryStore(): TuneStore {
  const m = new Map<string, unknown>();
  return {
    get: (key) => Promise.resolve(m.get(key)),
    set: (key, value) => {
      m.set(key, value);
      return Promise.resolve();
    },
    values: () => Promise.resolve([...m.values()]),
  };
}

let version: string | undefined;
/** The kernels' version (computed on first use: nothing runs at load). */
function kernels(): string {
  version ??= kernelsVersion(shaderTable());
  return version;
}

/** The key of a shape's choice on an adapter, with the kernels' version (a changed shader tunes again). */
export function tuneKey(adapter: AdapterSummary, shape: TuneShape): string {
  return `${adapterKey(adapter)} | ${shapeKey(shape)} | kernels ${kernels()}`;
}

function checksKey(adapter: AdapterSummary): string {
  return `${adapterKey(adapter)} | kernels ${kernels()} | checks`;
}

/** A kept result for this key whose choices are all known variants (anything else is ignored and tuned again). */
export function isTuneResult(x: unknown, key?: string): x is TuneResult {
  const r = x as Partial<TuneResult> | undefined;
  if (!r || r.kind !== 'masklab-autotune' || r.version !== 1 || (key !== undefined && r.key !== key)) return false;
  if (!r.choice || !Array.isArray(r.roles) || !Array.isArray(r.pending)) return false;
  return Object.entries(r.choice).every(([role, v]) =>
    (ROLE_VARIANTS[role as KernelRole] as readonly string[] | undefined)?.includes(String(v)),
  );
}

export interface TunedOptions extends TuneOptions {
  /** Tune again even when a choice is kept (the "tune again" button, `--autotune retune`). */
  retune?: boolean;
}

/**
 * The shape's choice on this adapter: the kept one when every role is tuned, otherwise a tuning of the roles still
 * pending (all of them the first time, or with `retune`) within the budget, merged with what was kept, and kept
 * again. A slow adapter thus tunes over its first few runs, a few seconds each. `k`: kernels with the adapter's
 * tuning (adapterTuning).
 */
export async function tuned(
  k: Kernels,
  adapter: AdapterSummary,
  shape: TuneShape,
  store: TuneStore,
  o: TunedOptions = {},
): Promise<{ result: TuneResult; cached: boolean }> {
  const key = tuneKey(adapter, shape);
  const got = o.retune ? undefined : await store.get(key);
  const kept = isTuneResult(got, key) ? got : undefined;
  if (kept && kept.pending.length === 0) return { result: kept, cached: true };
  const checks = (await store.get(checksKey(adapter))) as Record<string, true | string> | undefined;
  const next = await autotune(k, adapter, shape, key, {
    ...o,
    ...(kept ? { roles: kept.pending } : {}),
    verified: o.retune ? o.verified : { ...checks, ...o.verified },
  });
  const result = kept ? mergeTunes(kept, next) : next;
  await store.set(key, result);
  await store.set(checksKey(adapter), result.verified);
  return { result, cached: false };
}

/** The kernels with a choice added to their tuning (same device, registry and pipeline cache). */
export function kernelsWithChoice(k: Kernels, choice: KernelChoice): Kernels {
  return k.withTuning({ ...k.tuning, choice: { ...k.tuning.choice, ...choice } });
}

/** The adapter's kept results (any shape), newest first. */
export async function keptResults(store: TuneStore, adapter: AdapterSummary): Promise<TuneResult[]> {
  const prefix = `${adapterKey(adapter)} | `;
  return (await store.values())
    .filter((x): x is TuneResult => isTuneResult(x) && x.key.startsWith(prefix) && x.key.includes(kernels()))
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

// A kernel case of the shared list (cases.ts): a shape off the tile sizes, run forward and backward on the GPU and
// compared with the float64 reference; the Vitest GPU suites and the in-page self-test run the same cases.
import { closeness, type Closeness, type Tolerance } from '../check';
import { GpuMemory } from '../gpuMemory';
import {
  isSubgroupVariant,
  Kernels,
  type DispatchSpec,
  type Dispatch,
  type EntryOf,
  type KernelChoice,
  type KernelName,
  type KernelRole,
  type KernelTuning,
  type Overrides,
  type ScopedKernels,
  type ShaderName,
} from '../kernels';

/** One comparison or condition inside a case. */
export interface CaseCheck {
  what: string;
  pass: boolean;
  /** Comparisons: the largest absolute error and the tolerance it is held to. */
  maxAbs?: number;
  atol?: number;
  rtol?: number;
  /** Largest error / allowed error (<= 1 passes). */
  ratio?: number;
  message?: string;
}

/** Collects a case's checks; `close` mirrors testing.ts's expectClose, but records instead of throwing. */
export class Checker {
  readonly checks: CaseCheck[] = [];
  /** Multiplies every tolerance (1 in the suites; the self-test's test sets a wrong one to see it fail). */
  constructor(readonly tolScale = 1) {}

  close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, what: string): Closeness {
    const t = { atol: tol.atol * this.tolScale, rtol: (tol.rtol ?? 0) * this.tolScale };
    const c = closeness(actual, expected, t, what);
    this.checks.push({
      what,
      pass: c.firstBad < 0,
      maxAbs: c.maxAbs,
      atol: t.atol,
      rtol: t.rtol,
      ratio: c.ratio,
      message: c.message,
    });
    return c;
  }

  /** A condition (finite outputs, equal bits). */
  ok(pass: boolean, what: string, message?: string): void {
    this.checks.push({ what, pass, ...(pass ? {} : { message: message ?? `${what}: failed` }) });
  }
}

/**
 * Kernels with a case's tuning that remember which kernels its dispatches use (the self-test's per-kernel report),
 * sharing the compiled pipelines of `cache` across cases.
 */
export class RecordingKernels extends Kernels {
  constructor(
    private readonly cache: Kernels,
    tuning: KernelTuning,
    readonly used = new Set<KernelName>(),
    memory?: GpuMemory,
  ) {
    super(cache.device, tuning, memory);
  }
  /** A trainer's or graph's scope records into the same set (the whole-model case builds its graphs through one). */
  override scoped(): ScopedKernels {
    const memory = this.memory ? this.memory.child() : new GpuMemory();
    return new RecordingKernels(this.cache, this.tuning, this.used, memory) as ScopedKernels;
  }
  override pipeline<S extends ShaderName>(shader: S, entry: EntryOf<S>, overrides?: Overrides): GPUComputePipeline {
    return this.cache.pipeline(shader, entry, overrides);
  }
  override dispatch(spec: DispatchSpec): Dispatch {
    const d = super.dispatch(spec);
    this.used.add(d.kernel);
    return d;
  }
}

export interface KernelCase {
  /** Unique name, e.g. "layernorm N=37 C=72". */
  id: string;
  /** Kernel family (an ops/ module): what the self-test groups by and the suites select. */
  family: string;
  /**
   * A tuning the case forces; 'any': it picks its kernel variants itself (run once); otherwise it runs on the
   * runner's tuning (the adapter's, and in the self-test also the other one).
   */
  tuning?: KernelTuning | 'any';
  /**
   * Variants the case runs (once) on top of the runner's tuning: the subgroup variants' cases, which a device
   * without subgroups leaves out (caseNeedsSubgroups).
   */
  choice?: KernelChoice;
  /**
   * The kernel roles whose variant the case takes from its tuning (it forces none of them): the autotuner verifies
   * a candidate variant of a role by running the role's cases with it.
   */
  roles?: readonly KernelRole[];
  /** Largest element count among its buffers, for the self-test's size filter. */
  size: number;
  run(k: Kernels, ck: Checker): Promise<void>;
}

export type CaseVariant = 'cpu' | 'gpu' | 'all' | 'subgroup';

/** A case of subgroup variants: it needs a device with subgroups. */
export function caseNeedsSubgroups(c: KernelCase): boolean {
  return Object.values(c.choice ?? {}).some((v) => isSubgroupVariant(v));
}

/**
 * The cases again with `choice` (the subgroup variants' cases): ids tagged with the variants, run once each on the
 * adapter's tuning with those variants chosen.
 */
export function withChoice(cases: readonly KernelCase[], choice: KernelChoice): KernelCase[] {
  const tag = Object.entries(choice)
    .map(([role, v]) => `${role} ${v}`)
    .join(', ');
  return cases.map((c) => ({ ...c, id: `${c.id} [${tag}]`, choice }));
}

/** The tuning a case runs on, given the runner's, and how its result is labelled. */
export function caseTuning(c: KernelCase, tuning: KernelTuning): { t: KernelTuning; variant: CaseVariant } {
  if (c.choice) return { t: { ...tuning, choice: { ...tuning.choice, ...c.choice } }, variant: 'subgroup' };
  if (c.tuning === 'any') return { t: tuning, variant: 'all' };
  const t = c.tuning ?? tuning;
  return { t, variant: t.cpu ? 'cpu' : 'gpu' };
}

export interface CaseResult {
  id: string;
  family: string;
  /**
   * The tuning it ran on: 'cpu' (CPU-adapter variants), 'gpu' (tiled, workgroup-per-row), 'all' (the case's own),
   * 'subgroup' (a case of the subgroup variants, on the adapter's tuning).
   */
  variant: CaseVariant;
  kernels: KernelName[];
  pass: boolean;
  /** The worst comparison (largest error ratio) and its tolerance. */
  maxAbs: number;
  atol: number;
  rtol: number;
  ratio: number;
  ms: number;
  checks: CaseCheck[];
  /** An exception (validation error, shape error) ends the case as failed. */
  error?: string;
}

/**
 * Runs one case with `tuning` (the case's own when it forces one) on the device of `cache` (whose compiled
 * pipelines it shares); never throws.
 */
export async function runCase(cache: Kernels, c: KernelCase, tuning: KernelTuning, tolScale = 1): Promise<CaseResult> {
  const device = cache.device;
  const { t, variant } = caseTuning(c, tuning);
  const k = new RecordingKernels(cache, t);
  const ck = new Checker(tolScale);
  const t0 = performance.now();
  let error: string | undefined;
  device.pushErrorScope('validation');
  try {
    await c.run(k, ck);
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  const v = await device.popErrorScope();
  if (v && !error) error = `WebGPU validation error: ${v.message}`;
  const ms = performance.now() - t0;
  const worst = ck.checks.filter((x) => x.ratio !== undefined).sort((a, b) => (b.ratio ?? 0) - (a.ratio ?? 0))[0];
  return {
    id: c.id,
    family: c.family,
    variant,
    kernels: [...k.used].sort(),
    pass: !error && ck.checks.length > 0 && ck.checks.every((x) => x.pass),
    maxAbs: worst?.maxAbs ?? 0,
    atol: worst?.atol ?? 0,
    rtol: worst?.rtol ?? 0,
    ratio: worst?.ratio ?? 0,
    ms,
    checks: ck.checks,
    ...(error ? { error } : {}),
  };
}

/** What failed in a result, one line each (empty when it passed). */
export function failures(r: CaseResult): string[] {
  const out = r.checks.filter((x) => !x.pass).map((x) => x.message ?? x.what);
  if (r.error) out.unshift(r.error);
  if (!r.error && r.checks.length === 0) out.push(`${r.id}: no checks ran`);
  return out;
}

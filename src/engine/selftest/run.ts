// The kernel self-test ("Test the kernels on this GPU"): runs the shared kernel cases (cases.ts) on this device,
// each under the variant the adapter uses and the other one (KernelTuning cpu/gpu), then the whole-model curve;
// no DOM, so the page's worker and Node (dist-bench/selfcheck.mjs) run the same code.
import type { TuneResult } from '../autotune/tune';
import type { AdapterSummary } from '../gpu';
import { adapterTuning, Kernels, type KernelName, type KernelTuning, type SubgroupSizes } from '../kernels';
import { caseNeedsSubgroups, failures, runCase, type CaseResult, type KernelCase } from './case';
import { kernelCases } from './cases';

/** The quick set: cases whose largest buffer holds at most this many elements (every family has some). */
export const QUICK_MAX_SIZE = 3000;

export interface SelfTestOptions {
  /** Only cases whose id or family contains this text (case-insensitive); all when absent. */
  filter?: string;
  /** Skip cases whose largest buffer has more elements (a quick run on a software adapter). */
  maxSize?: number;
  /** 'both' (default): cases without a forced tuning run on the adapter's variant and on the other one. */
  variants?: 'adapter' | 'both';
  /** Multiplies every tolerance (1; the self-test's own test sets a wrong one to see it fail). */
  tolScale?: number;
  onProgress?: (p: SelfTestProgress) => void;
  /** Checked between cases: stops the run early (the report then says so). */
  shouldStop?: () => boolean;
}

export interface SelfTestProgress {
  done: number;
  total: number;
  /** The case just finished. */
  result: CaseResult;
}

export interface KernelSummary {
  kernel: KernelName;
  pass: boolean;
  cases: number;
  failed: number;
  /** The worst error ratio (error / allowed) over its cases, and that case's max abs error and atol. */
  ratio: number;
  maxAbs: number;
  atol: number;
  ms: number;
}

export interface SelfTestReport {
  kind: 'masklab-selftest';
  version: 1;
  adapter: AdapterSummary;
  /** The variant this adapter gets by default ('cpu' on software adapters). */
  adapterVariant: 'cpu' | 'gpu';
  startedAt: string;
  ms: number;
  options: { filter?: string; maxSize?: number; variants: 'adapter' | 'both'; tolScale: number };
  stopped: boolean;
  pass: boolean;
  results: CaseResult[];
  kernels: KernelSummary[];
  /** Kernels with at least one failed case. */
  failedKernels: KernelName[];
  /** The kernel choices the autotuner keeps for this adapter (one per model shape tuned), when the runner adds them. */
  autotune?: TuneResult[];
}

/**
 * The (case, tuning) runs of a self-test, in order. `subgroups`: the device's (adapterTuning); without them the
 * subgroup variants' cases are left out (they cannot run there, and the engine never picks those variants).
 */
export function selfTestPlan(
  adapterCpu: boolean,
  o: Pick<SelfTestOptions, 'filter' | 'maxSize' | 'variants'> = {},
  subgroups?: SubgroupSizes,
): { c: KernelCase; tuning: KernelTuning }[] {
  const f = o.filter?.toLowerCase();
  const cases = kernelCases().filter(
    (c) =>
      (!f || c.id.toLowerCase().includes(f) || c.family.toLowerCase().includes(f)) &&
      (o.maxSize === undefined || c.size <= o.maxSize) &&
      (subgroups !== undefined || !caseNeedsSubgroups(c)),
  );
  const sg = subgroups ? { subgroups } : {};
  const own: KernelTuning = { cpu: adapterCpu, ...sg };
  const other: KernelTuning = { cpu: !adapterCpu, ...sg };
  return cases.flatMap((c) =>
    c.tuning === undefined && c.choice === undefined && (o.variants ?? 'both') === 'both'
      ? [
          { c, tuning: own },
          { c, tuning: other },
        ]
      : [{ c, tuning: own }],
  );
}

/** Per kernel: passed when every case that ran it passed. */
export function kernelSummary(results: readonly CaseResult[]): KernelSummary[] {
  const m = new Map<KernelName, KernelSummary>();
  for (const r of results) {
    for (const k of r.kernels) {
      const s = m.get(k) ?? { kernel: k, pass: true, cases: 0, failed: 0, ratio: 0, maxAbs: 0, atol: 0, ms: 0 };
      s.cases++;
      s.ms += r.ms;
      if (!r.pass) {
        s.failed++;
        s.pass = false;
      }
      if (r.ratio >= s.ratio) Object.assign(s, { ratio: r.ratio, maxAbs: r.maxAbs, atol: r.atol });
      m.set(k, s);
    }
  }
  return [...m.values()].sort((a, b) => Number(a.pass) - Number(b.pass) || a.kernel.localeCompare(b.kernel));
}

export async function runSelfTest(
  device: GPUDevice,
  adapter: AdapterSummary,
  o: SelfTestOptions = {},
): Promise<SelfTestReport> {
  const tuning = adapterTuning(device, adapter);
  const cpu = tuning.cpu ?? false;
  const plan = selfTestPlan(cpu, o, tuning.subgroups);
  const cache = new Kernels(device, tuning);
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const results: CaseResult[] = [];
  let stopped = false;
  for (const { c, tuning } of plan) {
    if (o.shouldStop?.()) {
      stopped = true;
      break;
    }
    const r = await runCase(cache, c, tuning, o.tolScale ?? 1);
    results.push(r);
    o.onProgress?.({ done: results.length, total: plan.length, result: r });
  }
  const kernels = kernelSummary(results);
  return {
    kind: 'masklab-selftest',
    version: 1,
    adapter,
    adapterVariant: cpu ? 'cpu' : 'gpu',
    startedAt,
    ms: performance.now() - t0,
    options: { filter: o.filter, maxSize: o.maxSize, variants: o.variants ?? 'both', tolScale: o.tolScale ?? 1 },
    stopped,
    pass: !stopped && results.length > 0 && results.every((r) => r.pass),
    results,
    kernels,
    failedKernels: kernels.filter((k) => !k.pass).map((k) => k.kernel),
  };
}

/** One line per failed case: what failed in it. */
export function failureLines(report: SelfTestReport): string[] {
  return report.results.filter((r) => !r.pass).map((r) => `${r.id} [${r.variant}]: ${failures(r).join('; ')}`);
}

/**
 * The other variant to offer after a failure: when every failed case ran on the adapter's own variant and the
 * other variant passed them, training on the other one (KernelTuning) avoids the failing kernels.
 */
export function otherVariant(report: SelfTestReport): { cpu: boolean; passes: boolean } {
  const other = report.adapterVariant === 'cpu' ? 'gpu' : 'cpu';
  const failedIds = new Set(
    report.results.filter((r) => !r.pass && r.variant === report.adapterVariant).map((r) => r.id),
  );
  const passes = [...failedIds].every((id) => report.results.some((r) => r.id === id && r.variant === other && r.pass));
  return { cpu: other === 'cpu', passes: failedIds.size > 0 && passes };
}

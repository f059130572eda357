// The autotuner (issue 29 item 3): on first use of a model shape on an adapter, each kernel role's candidate variants
// are checked with the role's self-test cases, the correct ones timed (timestamp queries) on the role's work at the
// model's real shapes, and the fastest kept: a KernelChoice, cached per adapter and shape (cache.ts). Bounded by a
// time budget (rows are cut when the real shapes would not fit it), with progress, and stoppable between runs.
import { adapterLabel, type AdapterSummary } from '../gpu';
import {
  defaultVariant,
  isSubgroupVariant,
  ROLE_VARIANTS,
  type Dispatch,
  type KernelChoice,
  type KernelRole,
  type Kernels,
} from '../kernels';
import { canProfile, PassTimer } from '../profile';
import { failures, runCase, type KernelCase } from '../selftest/case';
import { kernelCases } from '../selftest/cases';
import { QUICK_MAX_SIZE } from '../selftest/run';
import { minFraction, roleWorkload, shapeKey, type TuneShape } from './workloads';

/** Roles in the order they are tuned: cheap ones first, so that the matrix products get what the budget has left. */
export const TUNE_ORDER: readonly KernelRole[] = ['grad_norm', 'layernorm', 'softmax', 'xent', 'attention', 'matmul'];
/** Default budget: "a few seconds" on the first run of a shape. */
export const TUNE_BUDGET_MS = 4000;
/** Timed rounds per candidate when the budget allows (the median is kept). */
const ROUNDS = 3;
/**
 * A candidate more than this many times slower than the best after the first round is not timed again (the first
 * round's runs are the candidates' first, so the margin is wide).
 */
const PRUNE = 3;

export interface CandidateTune {
  variant: string;
  /** Its self-test case passed on this device; a candidate that fails is never timed or chosen. */
  verified: boolean;
  /** Why it failed its case. */
  failure?: string;
  /** Median GPU time of the role's work at `fraction` of the real rows (absent: not timed). */
  ms?: number;
  runs: number;
  /** Not timed after the first round: more than PRUNE times the best. */
  pruned?: boolean;
}

export interface RoleTune {
  role: KernelRole;
  /** The adapter's default variant (KernelTuning.cpu). */
  default: string;
  chosen: string;
  /** fastest: the timed, verified candidate with the lowest median; only: one candidate; default: see `note`. */
  how: 'fastest' | 'only' | 'default';
  note?: string;
  /** Not tuned yet (out of budget, or skipped): the next tuning of the shape takes it up. */
  pending?: boolean;
  /** Share of the real shapes' rows the candidates were timed on (1: the real shapes). */
  fraction: number;
  candidates: CandidateTune[];
  /** Time spent on the role (checks and timing). */
  ms: number;
}

export interface TuneResult {
  kind: 'masklab-autotune';
  version: 1;
  /** Adapter, shape and kernel sources (tuneKey). */
  key: string;
  adapter: string;
  shape: TuneShape;
  /** Every role's chosen variant. */
  choice: KernelChoice;
  roles: RoleTune[];
  method: 'timestamp-query' | 'wall-clock';
  budgetMs: number;
  ms: number;
  /** Stopped (skipped) before every role was tuned: the rest keep their defaults for now. */
  stopped: boolean;
  /** Roles not tuned yet (budget or skip), in TUNE_ORDER: the next first use of the shape tunes them. */
  pending: KernelRole[];
  startedAt: string;
  /** Each candidate's check on this device, by "role.variant": true, or what failed (kept per adapter). */
  verified: Record<string, true | string>;
}

export interface TuneProgress {
  role: KernelRole;
  /** The role's position in TUNE_ORDER (1-based) and the number of roles. */
  index: number;
  count: number;
  phase: 'check' | 'time';
  variant: string;
  elapsedMs: number;
  budgetMs: number;
}

export interface TuneOptions {
  budgetMs?: number;
  /** Only these roles (others keep their defaults). */
  roles?: readonly KernelRole[];
  onProgress?: (p: TuneProgress) => void;
  /** Checked between runs: true stops the tuning (the user skipped it). */
  shouldStop?: () => boolean;
  /** Earlier checks on this adapter, by "role.variant" (the cache keeps them): not run again. */
  verified?: Record<string, true | string>;
  /** Multiplies a candidate's check tolerances, by "role.variant" (a test makes a candidate fail its case). */
  tolScale?: Record<string, number>;
}

/** The candidates of a role on these kernels: every variant, the subgroup ones only where the device has them. */
export function roleCandidates(k: Kernels, role: KernelRole): string[] {
  return ROLE_VARIANTS[role].filter((v) => !isSubgroupVariant(v) || k.tuning.subgroups !== undefined);
}

/** The self-test case a candidate of the role must pass: the role's largest case in the quick set. */
export function checkCase(role: KernelRole): KernelCase {
  const cases = kernelCases().filter(
    (x) => x.roles?.includes(role) && x.choice === undefined && x.tuning === undefined && x.size <= QUICK_MAX_SIZE,
  );
  if (cases.length === 0) throw new Error(`no self-test case follows the ${role} variant`);
  return cases.reduce((a, b) => (b.size > a.size ? b : a));
}

/** Times one run of a dispatch list: a timestamp pair around one pass, or the wall clock without timestamps. */
class RunTimer {
  private readonly timer?: PassTimer;
  constructor(private readonly device: GPUDevice) {
    if (canProfile(device)) this.timer = new PassTimer(device, 1);
  }
  get method(): TuneResult['method'] {
    return this.timer ? 'timestamp-query' : 'wall-clock';
  }
  async time(ds: readonly Dispatch[]): Promise<number> {
    const enc = this.device.createCommandEncoder({ label: 'autotune' });
    const pass = enc.beginComputePass(this.timer ? { timestampWrites: this.timer.timestampWrites(0) } : {});
    for (const d of ds) {
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, d.bindGroup);
      pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
    }
    pass.end();
    this.timer?.resolve(enc, 1);
    const t0 = performance.now();
    this.device.queue.submit([enc.finish()]);
    if (this.timer) return (await this.timer.read(1))[0];
    await this.device.queue.onSubmittedWorkDone();
    return performance.now() - t0;
  }
  destroy(): void {
    this.timer?.destroy();
  }
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** What one tuning run shares between roles. */
interface Run {
  k: Kernels;
  shape: TuneShape;
  o: TuneOptions;
  timer: RunTimer;
  t0: number;
  budgetMs: number;
  verified: Record<string, true | string>;
  stopped: boolean;
}

function withVariant(k: Kernels, role: KernelRole, v: string): Kernels {
  return k.withTuning({ ...k.tuning, choice: { ...k.tuning.choice, [role]: v } });
}

function stop(run: Run): boolean {
  if (!run.stopped && run.o.shouldStop?.()) run.stopped = true;
  return run.stopped;
}

/** Runs the role's case with the candidate (or takes the adapter's earlier result). */
async function check(run: Run, role: KernelRole, v: string): Promise<true | string> {
  const id = `${role}.${v}`;
  const known = run.o.verified?.[id];
  if (known !== undefined && run.o.tolScale?.[id] === undefined) return known;
  const r = await runCase(run.k, checkCase(role), withVariant(run.k, role, v).tuning, run.o.tolScale?.[id] ?? 1);
  return r.pass ? true : failures(r).join('; ') || `${r.id}: failed`;
}

/**
 * The rows to time at: the real shapes when every candidate can run ROUNDS times within the role's share of the
 * budget (estimated from the first candidate at the smallest slice), otherwise the largest slice that fits.
 */
async function sliceFor(run: Run, role: KernelRole, first: string, candidates: number, shareMs: number) {
  const w = roleWorkload(withVariant(run.k, role, first), role, run.shape, minFraction(role, run.shape));
  try {
    await run.timer.time(w.dispatches);
    const full = (await run.timer.time(w.dispatches)) / w.fraction;
    return Math.min(1, shareMs / Math.max(1e-6, full * candidates * ROUNDS));
  } finally {
    w.release();
  }
}

/** Times the verified candidates in interleaved rounds; fills in ms, runs and pruned. */
async function timeCandidates(run: Run, role: KernelRole, cands: CandidateTune[], shareMs: number, p: TuneProgress) {
  const live = cands.filter((c) => c.verified);
  const start = performance.now();
  const fraction = await sliceFor(run, role, live[0].variant, live.length, shareMs);
  const built = live.map((c) => ({
    c,
    w: roleWorkload(withVariant(run.k, role, c.variant), role, run.shape, fraction),
  }));
  const samples = new Map<CandidateTune, number[]>(live.map((c) => [c, []]));
  try {
    // Pipelines are compiled when the workloads are built; the median of the rounds leaves a slow first run out.
    for (let r = 0; r < ROUNDS && !stop(run); r++) {
      if (r > 0 && performance.now() - start > shareMs) break;
      for (const b of built) {
        if (b.c.pruned || stop(run)) continue;
        run.o.onProgress?.({ ...p, phase: 'time', variant: b.c.variant, elapsedMs: performance.now() - run.t0 });
        samples.get(b.c)!.push(await run.timer.time(b.w.dispatches));
      }
      if (r === 0) {
        const best = Math.min(...built.map((b) => samples.get(b.c)![0] ?? Infinity));
        for (const b of built) if ((samples.get(b.c)![0] ?? Infinity) > PRUNE * best) b.c.pruned = true;
      }
    }
  } finally {
    for (const b of built) b.w.release();
  }
  for (const c of live) {
    const s = samples.get(c)!;
    c.runs = s.length;
    if (s.length > 0) c.ms = median(s);
  }
  return built[0]?.w.fraction ?? fraction;
}

async function tuneRole(run: Run, role: KernelRole, index: number, count: number): Promise<RoleTune> {
  const t0 = performance.now();
  const def = defaultVariant(role, run.k.tuning.cpu ?? false);
  const variants = roleCandidates(run.k, role);
  // The default first: it sets the slice, and wins ties.
  variants.sort((a, b) => Number(b === def) - Number(a === def));
  const result: RoleTune = { role, default: def, chosen: def, how: 'default', fraction: 1, candidates: [], ms: 0 };
  const p: TuneProgress = { role, index, count, phase: 'check', variant: def, elapsedMs: 0, budgetMs: run.budgetMs };
  let late = false;
  for (const v of variants) {
    if (stop(run)) break;
    // Checks compile pipelines (seconds each on a software adapter): past the budget, the role waits.
    late = performance.now() - run.t0 > run.budgetMs;
    if (late) break;
    run.o.onProgress?.({ ...p, variant: v, elapsedMs: performance.now() - run.t0 });
    const ok = await check(run, role, v);
    run.verified[`${role}.${v}`] = ok;
    result.candidates.push({ variant: v, verified: ok === true, runs: 0, ...(ok === true ? {} : { failure: ok }) });
  }
  const good = result.candidates.filter((c) => c.verified);
  const pending = (note: string) => Object.assign(result, { note, pending: true });
  if (run.stopped) pending('skipped: the default for now');
  else if (late) pending('out of budget: the default for now');
  else if (good.length === 0) result.note = 'no candidate passed its check: the default kept';
  else if (good.length === 1) Object.assign(result, { chosen: good[0].variant, how: 'only' });
  else {
    const remaining = run.budgetMs - (performance.now() - run.t0);
    const share = remaining / (count - index + 1);
    if (share <= 0) pending('out of budget: the default for now');
    else {
      result.fraction = await timeCandidates(run, role, result.candidates, share, p);
      const timed = good.filter((c) => c.ms !== undefined).sort((a, b) => a.ms! - b.ms!);
      if (timed.length > 0) Object.assign(result, { chosen: timed[0].variant, how: 'fastest' });
      else pending('skipped before any run: the default for now');
    }
  }
  result.ms = performance.now() - t0;
  return result;
}

/** The cache key of an adapter (its name and description), without the shape. */
export function adapterKey(a: AdapterSummary): string {
  return `${adapterLabel(a)} | ${a.description}`;
}

/** FNV-1a of a string, as 8 hex digits. */
function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** The kernels a choice was made for: any change to a shader or to the candidate lists tunes again. */
export function kernelsVersion(shaders: Readonly<Record<string, string>>): string {
  const names = Object.keys(shaders).sort();
  return hash(JSON.stringify([ROLE_VARIANTS, names.map((n) => [n, shaders[n]])]));
}

/** Tunes every role (TUNE_ORDER, or o.roles) for the shape on k's device; never throws for a failing candidate. */
export async function autotune(
  k: Kernels,
  adapter: AdapterSummary,
  shape: TuneShape,
  key: string,
  o: TuneOptions = {},
): Promise<TuneResult> {
  const timer = new RunTimer(k.device);
  const run: Run = {
    k,
    shape,
    o,
    timer,
    t0: performance.now(),
    budgetMs: o.budgetMs ?? TUNE_BUDGET_MS,
    verified: { ...o.verified },
    stopped: false,
  };
  const startedAt = new Date().toISOString();
  const roles = TUNE_ORDER.filter((r) => !o.roles || o.roles.includes(r));
  const results: RoleTune[] = [];
  try {
    for (const [i, role] of roles.entries()) {
      // Past the budget, the remaining roles wait for the next tuning (their checks cost time too).
      if (performance.now() - run.t0 > run.budgetMs || stop(run)) {
        const def = defaultVariant(role, k.tuning.cpu ?? false);
        const note = run.stopped ? 'skipped: the default for now' : 'out of budget: the default for now';
        results.push({
          role,
          default: def,
          chosen: def,
          how: 'default',
          note,
          pending: true,
          fraction: 1,
          candidates: [],
          ms: 0,
        });
      } else results.push(await tuneRole(run, role, i + 1, roles.length));
    }
  } finally {
    timer.destroy();
  }
  const choice: KernelChoice = {};
  for (const r of results) Object.assign(choice, { [r.role]: r.chosen });
  return {
    kind: 'masklab-autotune',
    version: 1,
    key,
    adapter: adapterLabel(adapter),
    shape,
    choice,
    roles: results,
    method: timer.method,
    budgetMs: run.budgetMs,
    ms: performance.now() - run.t0,
    stopped: run.stopped,
    pending: results.filter((r) => r.pending).map((r) => r.role),
    startedAt,
    verified: run.verified,
  };
}

/**
 * A kept, partly tuned result completed by a tuning of its pending roles: each role from the newer result where it
 * was tuned there, otherwise the kept one.
 */
export function mergeTunes(kept: TuneResult, next: TuneResult): TuneResult {
  const roles = TUNE_ORDER.flatMap((role) => {
    const n = next.roles.find((r) => r.role === role);
    const o = kept.roles.find((r) => r.role === role);
    const r = n && (!n.pending || !o) ? n : o;
    return r ? [r] : [];
  });
  const choice: KernelChoice = {};
  for (const r of roles) Object.assign(choice, { [r.role]: r.chosen });
  return {
    ...next,
    roles,
    choice,
    ms: kept.ms + next.ms,
    pending: roles.filter((r) => r.pending).map((r) => r.role),
    verified: { ...kept.verified, ...next.verified },
  };
}

/** One line for a kept choice: "L2 C64 ... M160: grad_norm subgroup, layernorm thread, ...". */
export function describeChoice(t: Pick<TuneResult, 'shape' | 'choice'>): string {
  const roles = Object.entries(t.choice).map(([role, v]) => `${role} ${v}`);
  return `${shapeKey(t.shape)}: ${roles.join(', ')}`;
}

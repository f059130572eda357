// The autotuner on this machine's adapter (SwiftShader here): a candidate that fails its self-test case is never
// timed or chosen (failures injected through the check's tolerance), choices are kept per adapter and shape and
// reused, a stopped or over-budget tuning leaves its roles pending for the next one, every role's work builds and
// runs, and the whole model's 10-step curve holds with every variant the adapter can pick (each role's candidates
// spread over a few combinations).
import { describe, expect, it } from 'vitest';
import { KERNEL_ROLES, runDispatches, type KernelChoice, type KernelRole } from '../kernels';
import { failures, runCase } from '../selftest/case';
import { CURVE_CASE, CURVE_CFG } from '../selftest/curve';
import { useGpu } from '../testing';
import { memoryStore, tuned } from './cache';
import { roleCandidates, type TuneProgress } from './tune';
import { minFraction, roleWorkload } from './workloads';
import type { TuneShape } from './workloads';

/** The curve model's shape: small enough to tune in seconds on a software adapter. */
const SHAPE: TuneShape = { model: CURVE_CFG, B: 3, M: 9 };
const FAIL = 1e-12;
/** A budget no tuning reaches: what these tests check must not depend on how fast the machine is. */
const NO_LIMIT = 1e12;

describe('autotune', () => {
  const fx = useGpu();

  it('never times or picks a candidate whose case fails, whichever it is', async () => {
    const role: KernelRole = 'xent';
    const cands = roleCandidates(fx.kernels, role);
    expect(cands).toContain('subgroup');
    for (const bad of cands) {
      const { result } = await tuned(fx.kernels, fx.gpu.summary, SHAPE, memoryStore(), {
        roles: [role],
        budgetMs: NO_LIMIT,
        tolScale: { [`${role}.${bad}`]: FAIL },
      });
      const r = result.roles.find((x) => x.role === role)!;
      const failed = r.candidates.find((c) => c.variant === bad)!;
      expect(failed.verified, bad).toBe(false);
      expect(failed.failure, bad).toMatch(/atol/);
      expect(failed.ms, bad).toBeUndefined();
      expect(r.chosen, bad).not.toBe(bad);
      expect(result.choice[role], bad).toBe(r.chosen);
      expect(r.how, bad).toBe('fastest');
      expect(r.candidates.filter((c) => c.verified).every((c) => c.ms !== undefined)).toBe(true);
    }
    // Every candidate failing: the default stays, and says why.
    const all = Object.fromEntries(cands.map((v) => [`${role}.${v}`, FAIL]));
    const { result } = await tuned(fx.kernels, fx.gpu.summary, SHAPE, memoryStore(), {
      roles: [role],
      tolScale: all,
      budgetMs: NO_LIMIT,
    });
    expect(result.roles[0]).toMatchObject({ chosen: result.roles[0].default, how: 'default' });
    expect(result.roles[0].note).toMatch(/no candidate passed/);
  }, 600_000);

  it('keeps the choice per adapter and shape, reuses it, and reuses the checks for a new shape', async () => {
    const store = memoryStore();
    const events: TuneProgress[] = [];
    // Two cheap roles (the keeping does not depend on the role; the next test tunes them all).
    const roles: KernelRole[] = ['grad_norm', 'xent'];
    const first = await tuned(fx.kernels, fx.gpu.summary, SHAPE, store, {
      roles,
      budgetMs: NO_LIMIT,
      onProgress: (p) => events.push(p),
    });
    expect(first.cached).toBe(false);
    expect(first.result.pending).toEqual([]);
    expect(first.result.roles.map((r) => r.role)).toEqual(roles);
    expect(new Set(events.map((e) => e.role))).toEqual(new Set(roles));
    const again = await tuned(fx.kernels, fx.gpu.summary, SHAPE, store);
    expect(again.cached).toBe(true);
    expect(again.result).toEqual(first.result);
    // Another shape on the same adapter: timed again, its candidates' checks taken from the first tuning.
    events.length = 0;
    const other = await tuned(fx.kernels, fx.gpu.summary, { ...SHAPE, B: 2, M: 6 }, store, {
      roles,
      budgetMs: NO_LIMIT,
    });
    expect(other.cached).toBe(false);
    expect(other.result.key).not.toBe(first.result.key);
    expect(events.filter((e) => e.phase === 'check')).toEqual([]);
    // Tuning again on demand.
    const retuned = await tuned(fx.kernels, fx.gpu.summary, SHAPE, store, { roles, retune: true, budgetMs: NO_LIMIT });
    expect(retuned.cached).toBe(false);
    expect(retuned.result.startedAt >= first.result.startedAt).toBe(true);
  }, 900_000);

  it('leaves the roles it did not reach pending (skipped, out of budget) and tunes them next time', async () => {
    const store = memoryStore();
    let roles = 0;
    // The row roles (the products' candidates compile slowly on a software adapter; the next test runs them all).
    const rows: KernelRole[] = ['grad_norm', 'layernorm', 'softmax', 'xent'];
    const stopped = await tuned(fx.kernels, fx.gpu.summary, SHAPE, store, {
      roles: rows,
      budgetMs: NO_LIMIT,
      onProgress: (p) => (roles = p.index),
      shouldStop: () => roles >= 2,
    });
    expect(stopped.result.stopped).toBe(true);
    expect(stopped.result.pending.length).toBeGreaterThan(0);
    for (const role of stopped.result.pending) {
      const r = stopped.result.roles.find((x) => x.role === role)!;
      expect(r).toMatchObject({ chosen: r.default, pending: true });
    }
    const seen = new Set<KernelRole>();
    const rest = await tuned(fx.kernels, fx.gpu.summary, SHAPE, store, {
      budgetMs: NO_LIMIT,
      onProgress: (p) => seen.add(p.role),
    });
    expect([...seen].every((r) => stopped.result.pending.includes(r))).toBe(true);
    expect(rest.result.pending).toEqual([]);
    expect(rest.result.roles.map((r) => r.role)).toEqual(rows);
    for (const r of rest.result.roles) {
      const good = r.candidates.filter((c) => c.verified).map((c) => c.variant);
      expect(good, r.role).toContain(r.chosen);
      expect(r.candidates.map((c) => c.variant).sort(), r.role).toEqual(roleCandidates(fx.kernels, r.role).sort());
    }
    // A budget too small for any timing: nothing is timed, every role keeps its default for now.
    const tight = await tuned(fx.kernels, fx.gpu.summary, SHAPE, memoryStore(), { budgetMs: 1 });
    expect(tight.result.pending.length).toBeGreaterThanOrEqual(KERNEL_ROLES.length - 1);
    for (const r of tight.result.roles) expect(r.chosen).toBe(r.default);
  }, 900_000);

  it("builds and runs every role's work at a model's shapes, and a slice of them", async () => {
    for (const role of KERNEL_ROLES) {
      for (const fraction of [1, minFraction(role, SHAPE)]) {
        const w = roleWorkload(fx.kernels, role, SHAPE, fraction);
        expect(w.dispatches.length, role).toBeGreaterThan(0);
        expect(w.fraction, role).toBe(Math.max(fraction, minFraction(role, SHAPE)));
        fx.device.pushErrorScope('validation');
        runDispatches(fx.device, w.dispatches);
        await fx.device.queue.onSubmittedWorkDone();
        expect((await fx.device.popErrorScope())?.message ?? '', role).toBe('');
        w.release();
      }
    }
  });

  it("trains the whole model's 10-step curve with every variant the adapter can pick", async () => {
    const cands = Object.fromEntries(KERNEL_ROLES.map((r) => [r, roleCandidates(fx.kernels, r)]));
    const n = Math.max(...Object.values(cands).map((c) => c.length));
    // The shader file each subgroup variant runs from, to see that the step really used it.
    const file: Record<string, string> = {
      matmul: 'matmul_cpu_subgroup.',
      xent: 'mlm_loss_subgroup.',
      grad_norm: 'reduce_subgroup.',
    };
    // Combination i takes each role's candidate i (mod its count): every candidate of every role runs. The roles'
    // kernels share no state but the model's buffers, each checked against the reference on its own in its suite.
    for (let i = 0; i < n; i++) {
      const choice = Object.fromEntries(KERNEL_ROLES.map((r) => [r, cands[r][i % cands[r].length]])) as KernelChoice;
      const r = await runCase(fx.kernels, CURVE_CASE, { ...fx.kernels.tuning, choice });
      expect(failures(r), JSON.stringify(choice)).toEqual([]);
      for (const [role, v] of Object.entries(choice))
        if (v.includes('subgroup'))
          expect(
            r.kernels.some((k) => k.startsWith(file[role])),
            `${role} ${v}`,
          ).toBe(true);
    }
  }, 900_000);
});

// The autotuner's keeping, without a GPU: keys per adapter and shape, what counts as a kept result, how a partial
// tuning is completed by the next one, and Node's file store (a damaged file is a miss, writes are whole).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AdapterSummary } from '../gpu';
import { shaderTable } from '../shaders';
import { fileTuneStore } from '../node/tuneStore';
import { isTuneResult, keptResults, memoryStore, tuneKey } from './cache';
import { kernelsVersion, mergeTunes, TUNE_ORDER, type RoleTune, type TuneResult } from './tune';
import type { TuneShape } from './workloads';

const ADAPTER: AdapterSummary = {
  vendor: 'google',
  architecture: 'swiftshader',
  device: 'subzero',
  description: 'SwiftShader',
  isFallbackAdapter: true,
  features: [],
  limits: {},
};
const SHAPE: TuneShape = { model: { L: 2, C: 64, NH: 2, F: 256, T: 64, V: 2048 }, B: 16, M: 160 };

function role(r: RoleTune['role'], chosen: string, pending = false): RoleTune {
  return {
    role: r,
    default: chosen,
    chosen,
    how: pending ? 'default' : 'fastest',
    fraction: 1,
    candidates: [],
    ms: 1,
    ...(pending ? { pending } : {}),
  };
}

function result(key: string, roles: RoleTune[], startedAt = '2026-01-01T00:00:00.000Z'): TuneResult {
  return {
    kind: 'masklab-autotune',
    version: 1,
    key,
    adapter: 'google swiftshader subzero',
    shape: SHAPE,
    choice: Object.fromEntries(roles.map((r) => [r.role, r.chosen])),
    roles,
    method: 'timestamp-query',
    budgetMs: 4000,
    ms: 10,
    stopped: false,
    pending: roles.filter((r) => r.pending).map((r) => r.role),
    startedAt,
    verified: {},
  };
}

describe('autotune keeping', () => {
  it('keys a choice by adapter, shape and the kernels it was made for', () => {
    const k = tuneKey(ADAPTER, SHAPE);
    expect(k).toContain('L2 C64 NH2 F256 T64 V2048 B16 M160');
    expect(k).toContain('SwiftShader');
    expect(tuneKey(ADAPTER, { ...SHAPE, B: 8 })).not.toBe(k);
    expect(tuneKey({ ...ADAPTER, device: 'other' }, SHAPE)).not.toBe(k);
    const shaders = shaderTable();
    expect(k).toContain(kernelsVersion(shaders));
    expect(kernelsVersion({ ...shaders, matmul: `${shaders.matmul}\n` })).not.toBe(kernelsVersion(shaders));
  });

  it('accepts only a whole result of this key whose choices are known variants', () => {
    const key = tuneKey(ADAPTER, SHAPE);
    const good = result(key, [role('matmul', 'direct_subgroup'), role('xent', 'subgroup')]);
    expect(isTuneResult(good, key)).toBe(true);
    expect(isTuneResult(good, `${key}x`)).toBe(false);
    expect(isTuneResult({ ...good, choice: { matmul: 'warp_speed' } }, key)).toBe(false);
    expect(isTuneResult({ ...good, version: 2 }, key)).toBe(false);
    expect(isTuneResult(undefined, key)).toBe(false);
    expect(isTuneResult({ ...good, pending: undefined }, key)).toBe(false);
  });

  it('completes a partial tuning with the next: tuned roles from the newer one, the rest as kept', () => {
    const key = tuneKey(ADAPTER, SHAPE);
    const kept = result(key, [
      role('grad_norm', 'subgroup'),
      role('layernorm', 'thread'),
      role('xent', 'thread', true),
      role('matmul', 'direct', true),
    ]);
    const next = result(key, [role('xent', 'subgroup'), role('matmul', 'direct', true)], '2026-01-02T00:00:00.000Z');
    const m = mergeTunes(kept, next);
    expect(m.roles.map((r) => r.role)).toEqual(TUNE_ORDER.filter((r) => r !== 'softmax' && r !== 'attention'));
    expect(m.choice).toEqual({ grad_norm: 'subgroup', layernorm: 'thread', xent: 'subgroup', matmul: 'direct' });
    expect(m.pending).toEqual(['matmul']);
    expect(m.ms).toBe(20);
  });

  it("lists an adapter's kept results, newest first, in memory and in Node's file", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'masklab-tune-'));
    const file = join(dir, 'sub', 'autotune.json');
    for (const store of [memoryStore(), fileTuneStore(file)]) {
      const a = result(tuneKey(ADAPTER, SHAPE), [role('xent', 'subgroup')], '2026-01-01T00:00:00.000Z');
      const b = result(tuneKey(ADAPTER, { ...SHAPE, B: 8 }), [role('xent', 'thread')], '2026-01-03T00:00:00.000Z');
      const other = result(tuneKey({ ...ADAPTER, device: 'gpu' }, SHAPE), [role('xent', 'workgroup')]);
      for (const r of [a, b, other]) await store.set(r.key, r);
      await store.set('unrelated', { hello: 1 });
      expect(await store.get(a.key)).toEqual(a);
      expect((await keptResults(store, ADAPTER)).map((r) => r.key)).toEqual([b.key, a.key]);
    }
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')) as object)).toHaveLength(4);
    writeFileSync(file, '{ not json');
    expect(await fileTuneStore(file).get('anything')).toBeUndefined();
    await fileTuneStore(file).set('k', 1);
    expect(await fileTuneStore(file).get('k')).toBe(1);
  });
});

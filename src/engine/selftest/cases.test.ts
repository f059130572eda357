// The self-test and the Vitest GPU suites read one list of kernel cases: the self-test's plan is exactly that list,
// and every family of it is run by its suite through casesOf (or the shared case itself), not by a copy.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { caseFamilies, casesOf, kernelCases } from './cases';
import { caseNeedsSubgroups } from './case';
import { QUICK_MAX_SIZE, selfTestPlan } from './run';

const SG = { min: 4, max: 4 };

const SUITE_OF: Record<string, { file: string; reads: string }> = {
  matmul: { file: 'ops/matmul.gpu.test.ts', reads: "casesOf('matmul')" },
  matmul_splitk: { file: 'ops/matmul.gpu.test.ts', reads: "casesOf('matmul_splitk')" },
  bias_grad: { file: 'ops/matmul.gpu.test.ts', reads: "casesOf('bias_grad')" },
  matmul_epilogue: { file: 'ops/fused.gpu.test.ts', reads: "casesOf('matmul_epilogue')" },
  linear_block: { file: 'ops/fused.gpu.test.ts', reads: "casesOf('linear_block')" },
  adamw_zero_grad: { file: 'ops/fused.gpu.test.ts', reads: "casesOf('adamw_zero_grad')" },
  ln_params: { file: 'ops/fused.gpu.test.ts', reads: "casesOf('ln_params')" },
  id_sort: { file: 'ops/fused.gpu.test.ts', reads: "casesOf('id_sort')" },
  attention_grads: { file: 'ops/fused.gpu.test.ts', reads: "casesOf('attention_grads')" },
  attention: { file: 'ops/attention.gpu.test.ts', reads: "casesOf('attention')" },
  layernorm: { file: 'ops/layernorm.gpu.test.ts', reads: "casesOf('layernorm')" },
  gelu: { file: 'ops/gelu.gpu.test.ts', reads: "casesOf('gelu')" },
  embedding: { file: 'ops/embedding.gpu.test.ts', reads: "casesOf('embedding')" },
  nopos: { file: 'ops/nopos.gpu.test.ts', reads: "casesOf('nopos')" },
  cross_entropy: { file: 'ops/loss.gpu.test.ts', reads: "casesOf('cross_entropy')" },
  top_k: { file: 'ops/loss.gpu.test.ts', reads: "casesOf('top_k')" },
  binary_loss: { file: 'ops/loss.gpu.test.ts', reads: "casesOf('binary_loss')" },
  adamw: { file: 'ops/adamw.gpu.test.ts', reads: "casesOf('adamw')" },
  reduce: { file: 'ops/reduce.gpu.test.ts', reads: "casesOf('reduce')" },
  elementwise: { file: 'ops/elementwise.gpu.test.ts', reads: "casesOf('elementwise')" },
  gather: { file: 'ops/gather.gpu.test.ts', reads: "casesOf('gather')" },
  fill: { file: 'ops/fill.gpu.test.ts', reads: "casesOf('fill')" },
  sample: { file: 'ops/sample.gpu.test.ts', reads: "casesOf('sample')" },
  model: { file: 'trainer.gpu.test.ts', reads: 'expectCase(fx, CURVE_CASE)' },
};

describe('the shared kernel cases', () => {
  it('the self-test plans exactly the shared list (once each on the adapter variant)', () => {
    const ids = kernelCases().map((c) => c.id);
    expect(selfTestPlan(false, { variants: 'adapter' }, SG).map((p) => p.c.id)).toEqual(ids);
    expect(selfTestPlan(true, { variants: 'adapter' }, SG).map((p) => p.c.id)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThan(150);
  });

  it('leaves out the subgroup variants cases on a device without subgroups, and runs them on its tuning', () => {
    const sub = kernelCases().filter(caseNeedsSubgroups);
    expect(new Set(sub.map((c) => c.family))).toEqual(new Set(['cross_entropy', 'reduce']));
    const without = selfTestPlan(true, { variants: 'adapter' }).map((p) => p.c.id);
    expect(without).toEqual(
      kernelCases()
        .filter((c) => !caseNeedsSubgroups(c))
        .map((c) => c.id),
    );
    const withSg = selfTestPlan(true, {}, SG).filter((p) => caseNeedsSubgroups(p.c));
    expect(withSg).toHaveLength(sub.length);
    for (const p of withSg) expect(p.tuning).toEqual({ cpu: true, subgroups: SG });
  });

  it('runs cases without a forced tuning on both variants, the adapter first; forced ones once', () => {
    const plan = selfTestPlan(true, {}, SG);
    const free = kernelCases().filter((c) => c.tuning === undefined && c.choice === undefined);
    expect(free.length).toBeGreaterThan(10);
    expect(plan).toHaveLength(kernelCases().length + free.length);
    const first = plan.findIndex((p) => p.c === free[0]);
    expect(plan[first].tuning).toEqual({ cpu: true, subgroups: SG });
    expect(plan[first + 1]).toEqual({ c: free[0], tuning: { cpu: false, subgroups: SG } });
    for (const p of plan.filter((x) => x.c.tuning !== undefined || x.c.choice !== undefined))
      expect(plan.filter((x) => x.c === p.c)).toHaveLength(1);
  });

  it('filters by id or family and by size', () => {
    expect(selfTestPlan(false, { filter: 'GELU N=', variants: 'adapter' }).map((p) => p.c.family)).toEqual(
      casesOf('gelu').map(() => 'gelu'),
    );
    const small = selfTestPlan(false, { maxSize: QUICK_MAX_SIZE });
    expect(small.every((p) => p.c.size <= QUICK_MAX_SIZE)).toBe(true);
    expect(new Set(small.map((p) => p.c.family))).toEqual(new Set(caseFamilies()));
  });

  it('every family is run by its Vitest suite from the shared list', () => {
    expect(caseFamilies().sort()).toEqual(Object.keys(SUITE_OF).sort());
    for (const [family, { file, reads }] of Object.entries(SUITE_OF)) {
      const src = readFileSync(join(import.meta.dirname, '..', file), 'utf8');
      expect(src, `${file} runs ${family}`).toContain(reads);
      expect(casesOf(family).length, family).toBeGreaterThan(0);
    }
  });
});

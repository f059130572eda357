// The one list of kernel cases: the Vitest GPU suites (ops/*.gpu.test.ts) and the in-page self-test (selftest/run.ts)
// both read it, so a GPU checks the shapes and tolerances the suites check on SwiftShader.
import type { KernelCase } from './case';
import { attentionCases } from './attention';
import { CURVE_CASE } from './curve';
import { elementwiseFamilyCases } from './elementwise';
import { embeddingFamilyCases } from './embedding';
import { fusedCases } from './fused';
import { lossCases } from './loss';
import { matmulCases } from './matmul';
import { optimCases } from './optim';
import { rowCases } from './rows';

let all: readonly KernelCase[] | undefined;

/** Every kernel case, in a fixed order (ids are unique). */
export function kernelCases(): readonly KernelCase[] {
  if (!all) {
    all = [
      ...matmulCases(),
      ...fusedCases(),
      ...attentionCases(),
      ...rowCases(),
      ...embeddingFamilyCases(),
      ...lossCases(),
      ...optimCases(),
      ...elementwiseFamilyCases(),
      CURVE_CASE,
    ];
    const seen = new Set<string>();
    for (const c of all) {
      if (seen.has(c.id)) throw new Error(`kernel case "${c.id}" is listed twice`);
      seen.add(c.id);
    }
  }
  return all;
}

/** The cases of one family (e.g. 'matmul', 'layernorm'). */
export function casesOf(family: string): KernelCase[] {
  return kernelCases().filter((c) => c.family === family);
}

/** Families in list order. */
export function caseFamilies(): string[] {
  return [...new Set(kernelCases().map((c) => c.family))];
}

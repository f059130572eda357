// The kernel self-test on this machine's adapter (SwiftShader here): every kernel of the shared cases passes (cases
// up to QUICK_MAX_SIZE elements, every family, both variants and the subgroup variants), the quick set runs every
// entry point of every shader, and a deliberately wrong tolerance fails, naming the kernels.
import { describe, expect, it } from 'vitest';
import { SHADER_ENTRIES } from '../kernelNames';
import { useGpu } from '../testing';
import { caseFamilies } from './cases';
import { QUICK_MAX_SIZE } from './run';
import { failureLines, otherVariant, runSelfTest } from './run';

describe('kernel self-test', () => {
  const fx = useGpu();

  it('passes every kernel of every family on both variants', async () => {
    let last = 0;
    const report = await runSelfTest(fx.device, fx.gpu.summary, {
      maxSize: QUICK_MAX_SIZE,
      onProgress: (p) => (last = p.done),
    });
    console.log(
      `self-test: ${report.results.length} runs in ${(report.ms / 1000).toFixed(1)} s; ${report.kernels.length} kernels`,
    );
    expect(failureLines(report)).toEqual([]);
    expect(report.pass).toBe(true);
    expect(last).toBe(report.results.length);
    expect(new Set(report.results.map((r) => r.family))).toEqual(new Set(caseFamilies()));
    // SwiftShader has subgroups: their variants' cases run too, once each on the adapter's tuning.
    expect(new Set(report.results.map((r) => r.variant))).toEqual(new Set(['cpu', 'gpu', 'all', 'subgroup']));
    // Every compute entry point of every shader file is run by the quick set (under one variant or both).
    const kernels = report.kernels.map((k) => k.kernel);
    const all = Object.entries(SHADER_ENTRIES).flatMap(([file, entries]) => entries.map((e) => `${file}.${e}`));
    expect([...kernels].sort()).toEqual(all.sort());
    for (const k of report.kernels) {
      expect(k.pass, k.kernel).toBe(true);
      expect(k.ratio, k.kernel).toBeLessThanOrEqual(1);
    }
    expect(report.failedKernels).toEqual([]);
    // The whole-model case lists the kernels its trainer's graphs dispatch (they are built in scopes of its Kernels).
    const curve = report.results.filter((r) => r.family === 'model');
    expect(curve.map((r) => r.variant).sort()).toEqual(['cpu', 'gpu']);
    for (const r of curve)
      expect(r.kernels).toEqual(expect.arrayContaining(['adamw.adamw_zero_grad', 'attention.scores']));
    expect(JSON.parse(JSON.stringify(report)).adapter.limits.maxBufferSize).toBe(fx.gpu.summary.limits.maxBufferSize);
  }, 900_000);

  it('fails with a deliberately wrong tolerance and names the failed kernels', async () => {
    const report = await runSelfTest(fx.device, fx.gpu.summary, { filter: 'gelu n=', tolScale: 1e-12 });
    expect(report.pass).toBe(false);
    expect(report.results.every((r) => !r.pass)).toBe(true);
    expect(report.failedKernels).toEqual(['gelu.backward', 'gelu.forward']);
    expect(failureLines(report)[0]).toMatch(/gelu n=1 .*atol/);
    expect(report.results[0].ratio).toBeGreaterThan(1);
    // Both variants fail here, so switching variant is not offered as a fix.
    expect(otherVariant(report).passes).toBe(false);
    // The optimizer's and the losses' cases hold their tolerances too.
    for (const [filter, kernel] of [
      ['adamw n=1003 decay=true', 'adamw.adamw'],
      ['binary_loss N=37', 'binary_loss.bce'],
    ] as const) {
      const r = await runSelfTest(fx.device, fx.gpu.summary, { filter, tolScale: 1e-12, variants: 'adapter' });
      expect(r.pass, filter).toBe(false);
      expect(r.failedKernels, filter).toEqual([kernel]);
    }
  });
});

// "Test the kernels on this GPU": the button loads the self-test's chunk and runs the kernel self-test in the page,
// shows per-kernel results and progress, keeps the report over a reload and exports it as JSON. It runs the
// whole-model scope (the 10-step training curve against the float64 reference on both kernel variants: every
// training kernel in this browser); every case of every kernel runs in the GPU suite on the same Dawn and
// SwiftShader (src/engine/selftest/selftest.gpu.test.ts).
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';

test('the kernel self-test runs in the page, shows every kernel passing and exports the JSON', async ({
  page,
}, info) => {
  test.setTimeout(900_000);
  // The self-test's page code is its own chunk, fetched when the button is pressed (no report kept yet).
  const chunks: string[] = [];
  page.on('request', (r) => {
    if (/SelfTestPanel-[\w-]+\.js$/.test(r.url())) chunks.push(r.url());
  });
  await page.goto('/');
  await expect(page.getByTestId('gpu-state')).toHaveAttribute('data-state', 'ready');
  const panel = page.getByTestId('selftest');
  // A software adapter starts with the quick set chosen.
  await expect(panel.getByTestId('selftest-scope')).toHaveValue('quick');
  await panel.getByTestId('selftest-scope').selectOption('model');
  expect(chunks).toEqual([]);
  await page.getByTestId('selftest-run').click();
  await expect.poll(() => chunks.length).toBe(1);
  await expect(page.getByTestId('selftest-progress')).toBeVisible();
  const report = page.getByTestId('selftest-report');
  await expect(report).toBeVisible({ timeout: 840_000 });
  await expect(page.getByTestId('selftest-verdict')).toContainText('Every kernel passed');
  await expect(page.getByTestId('selftest-verdict')).toContainText('only cases matching “whole model:”');
  const kernels = page.getByTestId('selftest-kernels');
  for (const k of [
    'matmul_cpu.matmul_direct',
    'matmul.matmul',
    'attention.scores',
    'layernorm.forward_rows',
    'layernorm.forward',
    'matmul_cpu.matmul_direct_gelu',
    'matmul.matmul_bias_grad',
    'gelu.backward',
    'adamw.adamw_zero_grad',
    'embedding.forward',
    'embedding.backward_wte_reduce',
    'mlm_loss.xent_inplace',
    'reduce.grad_norm_finish',
    'fill.fill',
  ]) {
    await expect(kernels.locator(`[data-kernel="${k}"]`)).toHaveAttribute('data-pass', 'true');
  }
  expect(await kernels.locator('tbody tr[data-pass="false"]').count()).toBe(0);
  await page.screenshot({ path: info.outputPath('selftest.png'), fullPage: true });

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('selftest-export').click()]);
  const json = JSON.parse(readFileSync((await download.path())!, 'utf8'));
  expect(json.kind).toBe('masklab-selftest');
  expect(json.pass).toBe(true);
  expect(json.adapter.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
  expect(json.results.map((r: { variant: string }) => r.variant).sort()).toEqual(['cpu', 'gpu']);
  for (const r of json.results) {
    expect(r.pass, r.id).toBe(true);
    expect(r.maxAbs).toBeGreaterThanOrEqual(0);
    expect(r.ms).toBeGreaterThan(0);
  }

  // The report is kept: after a reload it is shown again without running.
  await page.reload();
  await expect(page.getByTestId('gpu-state')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('selftest-verdict')).toContainText('Every kernel passed');
});

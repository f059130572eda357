// Launched without --enable-unsafe-webgpu (Linux Chromium), the page explains how to turn WebGPU on.
import { expect, test } from '@playwright/test';

test('without WebGPU the page shows guidance for this browser, not a blank page', async ({ page }, info) => {
  await page.goto('/');
  await expect(page.getByTestId('gpu-state')).toHaveAttribute('data-state', 'unavailable');
  const alert = page.getByRole('alert');
  await expect(alert).toContainText(/WebGPU|GPU adapter/);
  const current = alert.locator('[data-guidance="chrome-linux"]');
  await expect(current).toContainText('(this browser)');
  await expect(current).toContainText('--enable-unsafe-webgpu');
  await expect(current).toContainText('chrome://flags');
  await page.screenshot({ path: info.outputPath('no-webgpu.png'), fullPage: true });
});

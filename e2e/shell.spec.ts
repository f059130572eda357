// The app shell finds the WebGPU adapter, shows its limits and features, and recovers from a lost device.
import { expect, test } from '@playwright/test';

test('shows the adapter, its limits and features', async ({ page }, info) => {
  await page.goto('/');
  await expect(page.getByTestId('gpu-state')).toHaveAttribute('data-state', 'ready');
  const panel = page.getByTestId('gpu-panel');
  await expect(panel.getByRole('heading', { name: 'About this GPU' })).toBeVisible();
  await expect(page.getByTestId('adapter-name')).not.toHaveText('');
  const binding = await panel.locator('[data-limit="maxStorageBufferBindingSize"]').textContent();
  expect(binding).toMatch(/\d+(\.\d+)? (B|KiB|MiB|GiB)/);
  await expect(panel.locator('[data-feature="timestamp-query"]')).toBeVisible();
  await page.screenshot({ path: info.outputPath('gpu-panel.png'), fullPage: true });
});

test('a lost device is reported and the GPU can be restarted', async ({ page }, info) => {
  await page.goto('/');
  await expect(page.getByTestId('gpu-state')).toHaveAttribute('data-state', 'ready');
  await page.evaluate(() => (window as unknown as { masklab: { loseDevice(): void } }).masklab.loseDevice());
  const lost = page.getByTestId('device-lost');
  await expect(lost).toBeVisible();
  await page.screenshot({ path: info.outputPath('device-lost.png'), fullPage: true });
  await lost.getByRole('button', { name: 'Restart the GPU' }).click();
  await expect(page.getByTestId('gpu-state')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('gpu-panel')).toBeVisible();
});

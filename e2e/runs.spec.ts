// Saved runs: a short run survives a reload (listed with its final held-out loss, its charts shown again), a
// rename survives a reload, CSV export has one row per run with the evaluation columns, JSON export imports back
// (duplicates skipped), a bad file gets a clear message, and delete (confirmed) removes the run for good. A paused
// run whose tab is closed shows as interrupted in a second open tab at once, and stays so after a reload.
import { expect, test, type Download, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';

const SETUP =
  '#corpus=fairy-tales&tok=wordpiece:1024&model=tiny&strategy=random&objective=mlm&batch=4&steps=10&warmup=2&eval=5&lr=0.003&seed=3';

async function downloadText(page: Page, testId: string): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), text: await readFile(path, 'utf8') };
}

test('a trained run survives reloads; rename, export CSV/JSON, import, delete', async ({ page }, info) => {
  test.setTimeout(420_000);
  await page.goto('/' + SETUP);
  await expect(page.getByTestId('gpu-state')).toHaveAttribute('data-state', 'ready');
  const runsPanel = page.getByTestId('runs-panel');
  await expect(runsPanel).toContainText('No saved runs yet');
  // Keep the final weights of finished runs in the browser too.
  await page.getByTestId('keep-weights').check();

  await page.getByTestId('start').click();
  // The run is listed as soon as it starts.
  await expect(runsPanel.getByTestId('run-row')).toHaveCount(1, { timeout: 60_000 });
  const status = page.getByTestId('run-status');
  await expect(status).toHaveAttribute('data-state', 'done', { timeout: 300_000 });
  const heldOut = (await page.getByTestId('eval-summary').locator('strong').first().textContent())?.trim();
  expect(heldOut).toMatch(/^\d+\.\d{3}$/);
  const row = runsPanel.getByTestId('run-row');
  await expect(row).toHaveAttribute('data-state', 'done');
  await expect(row.getByTestId('run-steps')).toHaveText('10 / 10');
  await expect(row.getByTestId('run-heldout-loss')).toHaveText(heldOut ?? '');
  const defaultName = (await row.getByTestId('run-name').textContent()) ?? '';
  expect(defaultName).toMatch(/^random\/mlm seed 3, \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
  // The finished run's weights are read back and stored next to it; the row offers them once they are.
  await expect(row.getByTestId('run-download-weights')).toContainText('MB', { timeout: 60_000 });

  // Reload: the run is still there with its final loss, and its charts are shown again (10 training points).
  await page.reload();
  await expect(page.getByTestId('gpu-state')).toHaveAttribute('data-state', 'ready');
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('run-heldout-loss')).toHaveText(heldOut ?? '');
  await expect(row).toHaveAttribute('data-state', 'done');
  const detail = page.getByTestId('run-detail');
  await expect(detail).toContainText(defaultName);
  await expect(detail.getByTestId('loss-chart')).toHaveAttribute('data-points', '10');
  await expect(detail.getByTestId('run-eval-summary')).toContainText(heldOut ?? '');
  await expect(detail.locator('.recharts-line-curve').first()).toBeVisible();
  await page.screenshot({ path: info.outputPath('after-reload.png'), fullPage: true });

  // The final weights were kept (the setting survives the reload): they download as a Hugging Face model.
  await expect(page.getByTestId('keep-weights')).toBeChecked();
  const weights = row.getByTestId('run-download-weights');
  await expect(weights).toContainText('MB');
  const downloads: Download[] = [];
  const onDownload = (d: Download) => downloads.push(d);
  page.on('download', onDownload);
  await weights.click();
  await expect
    .poll(() => downloads.map((d) => d.suggestedFilename()).sort())
    .toEqual([
      'config.json',
      'model.safetensors',
      'special_tokens_map.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
  page.off('download', onDownload);
  const model = await readFile((await downloads.find((d) => d.suggestedFilename() === 'model.safetensors')!.path())!);
  const headerLength = Number(model.readBigUInt64LE(0));
  const weightsHeader = JSON.parse(model.subarray(8, 8 + headerLength).toString('utf8')) as Record<
    string,
    { shape: number[] }
  >;
  expect(weightsHeader['bert.embeddings.word_embeddings.weight'].shape).toEqual([1024, 64]);

  // Rename inline with the keyboard (Escape cancels, Enter saves), then reload: the name stays.
  await row.getByTestId('run-rename').click();
  const input = row.getByTestId('run-name-input');
  await input.fill('discarded name');
  await input.press('Escape');
  await expect(row.getByTestId('run-name')).toHaveText(defaultName);
  await row.getByTestId('run-rename').click();
  await input.fill('Random masking, "short", run');
  await input.press('Enter');
  await expect(row.getByTestId('run-name')).toHaveText('Random masking, "short", run');
  await expect(row.getByTestId('run-rename')).toBeFocused();
  await page.reload();
  await expect(row.getByTestId('run-name')).toHaveText('Random masking, "short", run');

  // CSV: a header and one row per run, with the evaluation columns filled in.
  const csv = await downloadText(page, 'runs-export-csv');
  expect(csv.name).toMatch(/^masklab-runs-\d{8}-\d{4}\.csv$/);
  const lines = csv.text.trim().split('\r\n');
  expect(lines).toHaveLength(2);
  const header = lines[0].split(',');
  for (const col of [
    'id',
    'name',
    'strategy',
    'objective',
    'seed',
    'final_train_loss',
    'final_heldout_loss',
    'final_heldout_accuracy',
    'tokens_per_s',
  ])
    expect(header).toContain(col);
  expect(lines[1]).toContain('"Random masking, ""short"", run"');
  const cells = lines[1].replace('"Random masking, ""short"", run"', 'NAME').split(',');
  expect(cells).toHaveLength(header.length);
  expect(Number(cells[header.indexOf('final_heldout_loss')]).toFixed(3)).toBe(heldOut);
  expect(Number(cells[header.indexOf('final_heldout_accuracy')])).toBeGreaterThanOrEqual(0);
  expect(cells[header.indexOf('steps_done')]).toBe('10');

  // JSON: full records; importing the same file again skips the run that is already here.
  const json = await downloadText(page, 'runs-export-json');
  const doc = JSON.parse(json.text) as { format: string; runs: { id: string; metrics: unknown[] }[] };
  expect(doc.format).toBe('masklab-runs');
  expect(doc.runs).toHaveLength(1);
  expect(doc.runs[0].metrics).toHaveLength(10);
  const file = { name: 'runs.json', mimeType: 'application/json', buffer: Buffer.from(json.text) };
  await page.getByTestId('runs-import-file').setInputFiles(file);
  await expect(page.getByTestId('runs-note')).toHaveText(
    'Imported 0 runs from runs.json; skipped 1 already here (same id).',
  );
  await page
    .getByTestId('runs-import-file')
    .setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"runs": 3}') });
  await expect(page.getByTestId('runs-note')).toContainText('not a MaskLab runs export');
  await expect(page.getByTestId('runs-note')).toHaveAttribute('role', 'alert');

  // "Load settings" puts the run's config back into the setup.
  await page.getByTestId('train-steps').fill('25');
  await expect(page.getByTestId('train-steps')).toHaveValue('25');
  await row.getByTestId('run-load-settings').click();
  await expect(page.getByTestId('train-steps')).toHaveValue('10');

  // Delete asks first; Cancel keeps the run, Delete removes it, and a reload shows it is gone.
  await row.getByTestId('run-delete').click();
  await runsPanel.getByRole('button', { name: 'Cancel' }).click();
  await expect(row).toHaveCount(1);
  await row.getByTestId('run-delete').click();
  await expect(row.getByTestId('run-delete-confirm')).toBeFocused();
  await row.getByTestId('run-delete-confirm').click();
  await expect(row).toHaveCount(0);
  await expect(detail).toHaveCount(0);
  await page.reload();
  await expect(runsPanel).toContainText('No saved runs yet');

  // The exported file brings it back.
  await page.getByTestId('runs-import-file').setInputFiles(file);
  await expect(page.getByTestId('runs-note')).toHaveText('Imported 1 run from runs.json.');
  await expect(row.getByTestId('run-name')).toHaveText('Random masking, "short", run');
  await expect(row.getByTestId('run-heldout-loss')).toHaveText(heldOut ?? '');
});

test('a paused run whose tab is closed shows as interrupted in another open tab at once, and after its reload', async ({
  page,
  context,
}) => {
  test.setTimeout(300_000);
  await page.goto('/' + SETUP.replace('steps=10', 'steps=500'));
  await expect(page.getByTestId('gpu-state')).toHaveAttribute('data-state', 'ready');
  await page.getByTestId('start').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-state', 'training', { timeout: 180_000 });
  const live = page.locator('section.training').getByTestId('loss-chart');
  await expect
    .poll(async () => Number(await live.getAttribute('data-points')), { timeout: 120_000 })
    .toBeGreaterThanOrEqual(3);
  await page.getByTestId('pause').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-state', 'paused', { timeout: 60_000 });

  // A second tab lists the paused run; closing the first (no reload anywhere) turns it interrupted there at once.
  const other = await context.newPage();
  await other.goto('/' + SETUP);
  const row = other.getByTestId('runs-panel').getByTestId('run-row');
  await expect(row).toHaveAttribute('data-state', 'paused');
  expect(Number((await row.getByTestId('run-steps').textContent())?.split('/')[0])).toBeGreaterThanOrEqual(3);
  await page.close();
  await expect(row).toHaveAttribute('data-state', 'interrupted', { timeout: 5_000 });
  await expect(row).toContainText('interrupted');
  const detail = other.getByTestId('run-detail');
  await expect(detail.getByTestId('run-interrupted')).toContainText('weights lived in GPU memory and are gone');

  // Kept after a reload, with its metrics so far; nothing is training in the new page.
  await other.reload();
  await expect(row).toHaveAttribute('data-state', 'interrupted');
  await expect(detail.getByTestId('run-interrupted')).toContainText('while this run was paused');
  expect(Number(await detail.getByTestId('loss-chart').getAttribute('data-points'))).toBeGreaterThanOrEqual(3);
  await expect(other.getByTestId('start')).toBeEnabled();
});

// Comparing schemes in the browser: the MLM vs RTS vs ELECTRA preset (a scheme the engine cannot train is refused
// with its reason), tiny runs one after another with small probe budgets (MLM, RTS and a causal MEAP run), the
// curves and the results table (one seed: differences without a verdict, said so; MEAP in a next-token column of its
// own), the CSV (one row per run with the evaluation columns), attention side by side, and everything after a reload.
import { expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';

const SETUP =
  '#corpus=fairy-tales&tok=wordpiece:1024&model=tiny&strategy=random&objective=mlm&batch=4&steps=10&warmup=2&eval=5&lr=0.003&seed=3';

test('a two-scheme comparison trains, shows curves and table, exports CSV, and survives a reload', async ({
  page,
}, info) => {
  test.setTimeout(600_000);
  await page.goto('/' + SETUP);
  await expect(page.getByTestId('gpu-state')).toHaveAttribute('data-state', 'ready');
  const panel = page.getByTestId('compare-panel');
  await expect(panel).toContainText('No comparisons yet');

  // The preset states its finding. Start needs two schemes the engine can train; a refusal names its reason.
  await panel.getByTestId('compare-preset-discriminative').click();
  await expect(panel.getByTestId('compare-preset-finding')).toContainText('ELECTRA');
  const schemes = panel.getByTestId('compare-scheme');
  await expect(schemes).toHaveCount(3);
  // Each scheme's Remove button stays on its line (beside its selects), not wrapped below.
  for (const row of await schemes.all()) {
    const remove = await row.getByTestId('compare-scheme-remove').boundingBox();
    const strategy = await row.getByTestId('compare-scheme-strategy').boundingBox();
    expect(Math.abs(remove!.y + remove!.height / 2 - (strategy!.y + strategy!.height / 2))).toBeLessThan(6);
  }
  await expect(panel.getByTestId('compare-start')).toBeEnabled();
  // Two schemes keep the test short (ELECTRA trains two encoders).
  await schemes.nth(2).getByTestId('compare-scheme-remove').click();
  await schemes.nth(1).getByTestId('compare-scheme-remove').click();
  await expect(panel.getByTestId('compare-start')).toBeDisabled();
  await expect(panel.getByTestId('compare-start-hint')).toHaveText('Pick at least two schemes.');
  await panel.getByTestId('compare-add-scheme').click();
  await schemes.nth(1).getByTestId('compare-scheme-objective').selectOption('rts');
  // A causal run (MEAP) too: it gets a next-token column of its own, not the bidirectional probe's.
  await panel.getByTestId('compare-add-scheme').click();
  await schemes.nth(2).getByTestId('compare-scheme-objective').selectOption('meap');
  await expect(schemes).toHaveCount(3);
  await expect(panel.getByTestId('compare-start')).toBeEnabled();
  // Same token budget for every run: 10 steps x batch 4 x T.
  await expect(panel.getByTestId('compare-shared')).toContainText('10 × 4 ×');

  // Small probe budgets keep the test short on SwiftShader.
  await panel.getByTestId('compare-seeds').fill('1');
  await panel.getByTestId('compare-mlm-steps').fill('5');
  await panel.getByTestId('compare-downstream').fill('16');
  await panel.getByTestId('compare-name').fill('mlm vs rts (e2e)');
  // The budget can be set in tokens (the same steps for both) or FLOPs; back to steps for this run.
  await panel.getByTestId('compare-budget').selectOption('tokens');
  await expect(panel.getByTestId('compare-budget-steps')).toContainText('random/rts · 15% 10 steps');
  await panel.getByTestId('compare-budget').selectOption('steps');
  await panel.getByTestId('compare-start').click();

  const view = panel.getByTestId('comparison-view');
  await expect(view.getByTestId('comparison-entry')).toHaveCount(3);
  await expect(view.getByTestId('comparison-entry').first()).toHaveAttribute('data-state', /training|probing|done/, {
    timeout: 120_000,
  });
  await expect(view.getByTestId('comparison-state')).toHaveText('done', { timeout: 480_000 });
  await expect(view.getByTestId('comparison-entry').nth(2)).toHaveAttribute('data-state', 'done');

  // Every curve (against tokens seen) and one table row per scheme with figures.
  const curves = view.getByTestId('compare-curves');
  await expect(curves).toHaveAttribute('data-runs', '3');
  await expect(curves.locator('figure').first().locator('.recharts-line-curve')).toHaveCount(3);
  const rows = view.getByTestId('compare-result-row');
  await expect(rows).toHaveCount(3);
  for (let i = 0; i < 2; i++) {
    await expect(rows.nth(i)).toHaveAttribute('data-done', '1');
    // Both runs, MLM included, are scored by the same shared probe, each figure with its 95% interval.
    const loss = rows.nth(i).getByTestId('compare-result-loss');
    await expect(loss.getByTestId('figure-value')).toHaveText(/^\d+\.\d{3}$/);
    await expect(loss.getByTestId('figure-interval')).toHaveText(/\[\d+\.\d{3}, \d+\.\d{3}\]/);
    await expect(rows.nth(i).getByTestId('compare-result-accuracy').getByTestId('figure-interval')).toBeVisible();
    const tasks = rows.nth(i).getByTestId('compare-result-downstream');
    await expect(tasks).toHaveCount(3);
    for (let t = 0; t < 3; t++) {
      await expect(tasks.nth(t).getByTestId('figure-value')).toHaveText(/^\d+\.\d%$/);
      await expect(tasks.nth(t).getByTestId('figure-interval')).toHaveText(/\[\d+\.\d%, \d+\.\d%\]/);
    }
    await expect(rows.nth(i).getByTestId('compare-result-own')).toContainText(/\d/);
  }
  // RTS against the reference (MLM): a paired difference with an interval, but one seed gives no verdict, and the
  // page says why.
  await expect(rows.nth(1).getByTestId('compare-result-loss').getByTestId('paired-verdict')).toHaveText(
    /Δ [+-]\d+\.\d{3} \[.+\] no verdict$/,
  );
  for (const cell of await rows.nth(1).getByTestId('paired-verdict').all())
    await expect(cell).toHaveAttribute('data-verdict', 'none');
  await expect(view.getByTestId('compare-results')).not.toContainText(/better|worse|inside noise/);
  await expect(view.getByTestId('compare-one-seed')).toHaveText(
    'One seed: this compares two trained models, not two schemes; add seeds for a verdict.',
  );
  await expect(rows.nth(0).getByTestId('paired-verdict')).toHaveCount(0);
  // MEAP (causal): its own next-token column with an interval; no shared-probe figure; the others have none there.
  await expect(view.getByTestId('compare-next-token-head')).toBeVisible();
  await expect(rows.nth(2).getByTestId('compare-result-causal')).toContainText('not scored by the bidirectional probe');
  await expect(rows.nth(2).getByTestId('compare-result-loss')).toHaveCount(0);
  const next = rows.nth(2).getByTestId('compare-result-next-loss');
  await expect(next.getByTestId('figure-value')).toHaveText(/^\d+\.\d{3}$/);
  await expect(next.getByTestId('figure-interval')).toHaveText(/\[\d+\.\d{3}, \d+\.\d{3}\]/);
  await expect(rows.nth(0).getByTestId('compare-result-next-loss')).toHaveText('–');
  // 16 downstream sequences give small test sets: the results say their intervals are wide.
  await expect(view.getByTestId('compare-small-test').first()).toContainText('interval is wide');
  await expect(view.getByTestId('attention-compare-diff')).toBeVisible();
  // The difference map has a diverging scale with a legend and its maximum.
  await expect(view.getByTestId('attention-compare-legend')).toBeVisible();
  expect(Number(await view.getByTestId('attention-compare-legend').getAttribute('data-max'))).toBeGreaterThan(0);
  await page.screenshot({ path: info.outputPath('comparison.png'), fullPage: true });
  await view.screenshot({ path: info.outputPath('comparison-view.png') });

  // CSV: a header and one row per run, with the evaluation columns.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    panel.getByTestId('comparison-export-csv').click(),
  ]);
  expect(download.suggestedFilename()).toBe('masklab-comparison-mlm-vs-rts-e2e.csv');
  const lines = (await readFile((await download.path())!, 'utf8')).trim().split('\r\n');
  expect(lines).toHaveLength(4);
  const header = lines[0].split(',');
  for (const col of [
    'eval_loss',
    'eval_accuracy',
    'pseudo_perplexity',
    'probe_loss',
    'probe_loss_lo',
    'probe_loss_hi',
    'probe_accuracy',
    'word-order_accuracy',
    'word-order_lo',
    'spliced_accuracy',
    'flops',
    'tokens',
    'seed',
    'scheme',
  ])
    expect(header).toContain(col);
  const cells = lines.slice(1).map((l) => l.split(','));
  const col = (r: number, name: string) => cells[r][header.indexOf(name)];
  expect(cells.map((c) => c.length)).toEqual([header.length, header.length, header.length]);
  expect([col(0, 'objective'), col(1, 'objective'), col(2, 'objective')]).toEqual(['mlm', 'rts', 'meap']);
  expect(Number(col(2, 'next_token_loss'))).toBeGreaterThan(0);
  expect(col(2, 'probe_loss')).toBe('');
  expect(Number(col(0, 'eval_loss'))).toBeGreaterThan(0);
  expect(Number(col(0, 'pseudo_perplexity'))).toBeGreaterThan(1);
  expect(col(1, 'eval_loss')).toBe('');
  expect(col(1, 'own_eval_kind')).toBe('objective');
  for (const r of [0, 1]) {
    expect(Number(col(r, 'probe_loss'))).toBeGreaterThan(0);
    expect(Number(col(r, 'probe_loss_lo'))).toBeLessThan(Number(col(r, 'probe_loss')));
    expect(Number(col(r, 'word-order_accuracy'))).toBeGreaterThanOrEqual(0);
    expect(Number(col(r, 'flops'))).toBeGreaterThan(0);
    expect(col(r, 'seed')).toBe('3');
  }
  expect(col(0, 'tokens')).toBe(col(1, 'tokens'));

  // Reload: both runs and the comparison are still there, with their results.
  await page.reload();
  await expect(page.getByTestId('gpu-state')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('runs-panel').getByTestId('run-row')).toHaveCount(3);
  await expect(page.getByTestId('runs-panel')).toContainText('mlm vs rts (e2e) · random/rts');
  await expect(panel.getByTestId('comparison-row')).toHaveCount(1);
  await expect(panel.getByTestId('comparison-row')).toHaveAttribute('data-state', 'done');
  await expect(view.getByTestId('compare-result-row')).toHaveCount(3);
  await expect(view.getByTestId('compare-curves')).toHaveAttribute('data-runs', '3');
  await page.screenshot({ path: info.outputPath('after-reload.png'), fullPage: true });
});

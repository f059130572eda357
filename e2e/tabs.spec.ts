// Two open tabs of MaskLab (one browser, so one IndexedDB): a run imported in one shows in the other's Runs panel
// without a reload, a rename follows, and a delete in the second tab takes it out of the first. No training.
import { expect, test } from '@playwright/test';

const LONG_NAME = 'Renamed in tab one: random masking, seed 3, with a long name that has to wrap in the table';

const SETUP =
  '#corpus=fairy-tales&tok=wordpiece:1024&model=tiny&strategy=random&objective=mlm&batch=4&steps=10&warmup=2&eval=5&lr=0.003&seed=3';

/** A runs export with one finished 4-step run, as the Runs panel writes it. */
function runsFile(): string {
  const createdAt = Date.UTC(2025, 0, 3, 14, 5);
  const metrics = [0, 1, 2, 3].map((step) => ({
    step,
    loss: 7 - step * 0.25,
    accuracy: 0.05 * step,
    targets: 40,
    gradNorm: 1.2,
    lr: 0.003,
    maskRate: 0.15,
  }));
  const run = {
    id: 'tabs-e2e-run',
    name: 'Imported in tab one',
    createdAt,
    updatedAt: createdAt + 5000,
    config: {
      corpus: 'fairy-tales',
      tokenizer: { kind: 'wordpiece', vocabSize: 1024 },
      model: { preset: 'tiny' },
      masking: { strategy: 'random', objective: 'mlm' },
      train: {
        B: 4,
        steps: 4,
        lr: 0.003,
        warmup: 2,
        decay: 'linear',
        minLrRatio: 0.1,
        weightDecay: 0.01,
        maxGradNorm: 1,
        evalEvery: 2,
      },
      seed: 3,
    },
    state: 'done',
    step: 4,
    totalSteps: 4,
    metrics,
    evals: [{ step: 4, loss: 6.125, accuracy: 0.1 }],
    tokensPerS: 900,
    msPerStep: 150,
  };
  return JSON.stringify({
    format: 'masklab-runs',
    version: 1,
    exportedAt: new Date(createdAt).toISOString(),
    runs: [run],
  });
}

test('the Runs list stays in step across two open tabs: import, rename, delete', async ({ context }, info) => {
  const one = await context.newPage();
  const two = await context.newPage();
  for (const page of [one, two]) {
    await page.goto('/' + SETUP);
    await expect(page.getByTestId('gpu-state')).toHaveAttribute('data-state', 'ready');
    await expect(page.getByTestId('runs-panel')).toContainText('No saved runs yet');
  }
  const rowOne = one.getByTestId('runs-panel').getByTestId('run-row');
  const rowTwo = two.getByTestId('runs-panel').getByTestId('run-row');

  await one
    .getByTestId('runs-import-file')
    .setInputFiles({ name: 'runs.json', mimeType: 'application/json', buffer: Buffer.from(runsFile()) });
  await expect(one.getByTestId('runs-note')).toHaveText('Imported 1 run from runs.json.');
  await expect(rowOne).toHaveCount(1);
  // Tab two lists it without a reload, with its figures.
  await expect(rowTwo).toHaveCount(1, { timeout: 10_000 });
  await expect(rowTwo).toHaveAttribute('data-run-id', 'tabs-e2e-run');
  await expect(rowTwo.getByTestId('run-name')).toHaveText('Imported in tab one');
  await expect(rowTwo.getByTestId('run-steps')).toHaveText('4 / 4');
  await expect(rowTwo.getByTestId('run-heldout-loss')).toHaveText('6.125');

  // A rename in tab one shows in tab two.
  await rowOne.getByTestId('run-rename').click();
  await rowOne.getByTestId('run-name-input').fill(LONG_NAME);
  await rowOne.getByTestId('run-name-input').press('Enter');
  await expect(rowTwo.getByTestId('run-name')).toHaveText(LONG_NAME, { timeout: 10_000 });
  await two.screenshot({ path: info.outputPath('tab-two-after-import.png'), fullPage: true });
  // At 1440 px the table fits its panel: the long name wraps, and Delete is not cut off.
  await two.setViewportSize({ width: 1440, height: 900 });
  const fit = await two.getByTestId('runs-table').evaluate((t) => {
    const panel = t.closest('[data-testid=runs-panel]')!.getBoundingClientRect();
    const del = t.querySelector('[data-testid=run-delete]')!.getBoundingClientRect();
    return {
      table: t.scrollWidth,
      wrap: t.parentElement!.clientWidth,
      deleteRight: del.right,
      panelRight: panel.right,
    };
  });
  expect(fit.table).toBeLessThanOrEqual(fit.wrap);
  expect(fit.deleteRight).toBeLessThanOrEqual(fit.panelRight);

  // Tab one shows the run's charts; deleting it in tab two takes it out of tab one's list and detail.
  await rowOne.getByTestId('run-name').click();
  await expect(one.getByTestId('run-detail')).toContainText(LONG_NAME);
  await rowTwo.getByTestId('run-delete').click();
  await rowTwo.getByTestId('run-delete-confirm').click();
  await expect(rowTwo).toHaveCount(0);
  await expect(rowOne).toHaveCount(0, { timeout: 10_000 });
  await expect(one.getByTestId('run-detail')).toHaveCount(0);
  await expect(one.getByTestId('runs-panel')).toContainText('No saved runs yet');
  await one.screenshot({ path: info.outputPath('tab-one-after-delete.png'), fullPage: true });
});

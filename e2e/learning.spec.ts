// Learning that shows: the toy-language class preset trains in the page; the frequency guess is drawn on the loss and
// accuracy charts with a status line, agreement on minimal pairs is charted live, the attention scrubber moves
// between the maps kept at each evaluation, and the syntax view's chart and table follow it; a row of the table
// outlines its head and draws the gold arcs and its hops over a toy probe sentence.
import { expect, test } from '@playwright/test';

// The class preset from the URL, shortened for SwiftShader (later keys override the preset).
const SETUP = '#preset=toy-language&batch=16&steps=60&warmup=10&eval=20';

test('toy language: baseline lines, status line, agreement chart, attention scrubber', async ({ page }, info) => {
  test.setTimeout(600_000);
  await page.goto('/' + SETUP);
  await expect(page.getByTestId('gpu-state')).toHaveAttribute('data-state', 'ready');
  // The preset chose the toy language, its rules are one click away, and the link now spells every setting out.
  await expect(page.locator('[data-corpus="toy"]').getByRole('radio')).toBeChecked();
  await expect(page.getByTestId('toy-options')).toContainText('The rules of the toy language');
  await expect(page).toHaveURL(/corpus=toy/);
  await expect(page).toHaveURL(/batch=16/);

  await page.getByTestId('start').click();
  const status = page.getByTestId('run-status');
  await expect(status).toHaveAttribute('data-state', 'training', { timeout: 120_000 });
  // The frequency guess is known before the first step: both charts name it.
  await expect(page.getByTestId('baseline-loss')).toContainText('frequency guess');
  await expect(page.getByTestId('baseline-accuracy')).toContainText('frequency guess');

  const agreement = page.getByTestId('agreement-chart');
  // 200 pairs of each kind; one attractor sentence is longer than T = 16 allows and is left out.
  await expect(agreement).toContainText(/200 pairs without and 19\d with an attractor/);
  await expect
    .poll(async () => Number(await agreement.getAttribute('data-points')), { timeout: 300_000 })
    .toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('learning-status')).toContainText(/frequency guess/);

  await expect(status).toHaveAttribute('data-state', 'done', { timeout: 420_000 });
  await expect(status).toContainText('Step 60 / 60');
  // Evaluations at 0, 20, 40 and 60: four agreement points and four kept attention maps.
  await expect(agreement).toHaveAttribute('data-points', '4');
  const history = page.getByTestId('attention-history');
  await expect(history).toHaveAttribute('data-snapshots', '4');
  const scrubber = page.getByTestId('attention-scrubber');
  const step = page.getByTestId('attention-step');
  await scrubber.fill('0');
  await expect(step).toHaveText('0');
  await expect(page.getByTestId('attention-map')).toContainText('Step 0.');
  await scrubber.fill('2');
  await expect(step).toHaveText('40');
  await expect(page.getByTestId('attention-map')).toContainText('Step 40.');
  await expect(page.getByTestId('attention-l1-h1')).toBeVisible();

  // Syntax in attention: the heads scored at every evaluation, a chart and a table that follow the scrubber.
  const syntax = page.getByTestId('syntax-view');
  await expect(syntax).toHaveAttribute('data-evals', '4');
  await expect(page.getByTestId('syntax-chart')).toContainText('verb → its subject, past an attractor');
  await expect(page.getByTestId('syntax-table')).toContainText('At step 40');
  await expect(page.getByTestId('syntax-row')).not.toHaveCount(0);
  await expect(page.getByTestId('syntax-onset')).toBeVisible();
  // Back to the newest evaluation, with a toy sentence as the probe: its gold arcs are drawn over it.
  await scrubber.fill('3');
  await expect(page.getByTestId('syntax-table')).toContainText('At step 60');
  await page.locator('#probe-text').fill('the old dogs that the cat likes [MASK] a bird in the garden .');
  await page.getByRole('button', { name: 'Probe', exact: true }).click();
  const arcs = page.getByTestId('probe-arcs');
  await expect(arcs).toHaveAttribute('data-gold', '11');
  await expect(arcs).toHaveAttribute('data-hops', '0');
  // Clicking a head's row outlines its map and draws where it leads the words of its relation.
  await page.getByTestId('syntax-row').first().click();
  await expect(page.locator('.map-button[data-highlighted="true"]')).toHaveCount(1);
  await expect(page.getByTestId('attention-l0-h0').locator('..')).toHaveAttribute('data-highlighted', 'true');
  await expect(arcs).not.toHaveAttribute('data-hops', '0');
  await expect(arcs.locator('path.hop')).not.toHaveCount(0);
  await page.screenshot({ path: info.outputPath('toy-language.png'), fullPage: true });
});

test('class presets set up the experiment in one click', async ({ page }) => {
  // Any experiment key in the link opens the lab (a bare address shows the start screen).
  await page.goto('/#seed=1');
  await expect(page.getByTestId('class-presets')).toContainText('Toy language: watch agreement appear');
  await page.locator('[data-preset="fairy-tales"]').click();
  await expect(page).toHaveURL(/tok=wordpiece:1024/);
  await expect(page).toHaveURL(/batch=64/);
  await page.locator('[data-preset="toy-language"]').click();
  await expect(page.locator('[data-corpus="toy"]').getByRole('radio')).toBeChecked();
  await expect(page).toHaveURL(/corpus=toy/);
});

// Setting up an experiment: corpus, model and masking chosen by hand, the live mask preview following them, the
// user's own text checked before it is kept, and the URL reproducing every setting in a fresh browser.
import { expect, test, type Page } from '@playwright/test';

/** The preview as text: one "tag:shown" entry per token. */
async function previewSignature(page: Page): Promise<string> {
  const tokens = page.getByTestId('preview-tokens').locator('.tok');
  await expect(tokens.first()).toBeVisible();
  return (
    await tokens.evaluateAll((els) =>
      els.map((e) => `${e.getAttribute('data-tag')}:${e.querySelector('.tok-shown')?.textContent}`),
    )
  ).join(' ');
}

/** Waits until the tokenizer for the current corpus is trained (the Tokenizer panel's status). */
async function tokenizerReady(page: Page): Promise<void> {
  const status = page.getByTestId('tokenizer-panel').getByTestId('tokenizer-status');
  await expect(status).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
}

async function maskedCount(page: Page): Promise<number> {
  return page.getByTestId('preview-tokens').locator('[data-tag="masked"]').count();
}

test('corpus, model and span masking drive the preview; the URL gives the same settings in a new browser', async ({
  page,
  browser,
}, info) => {
  await page.goto('/');
  await page.locator('[data-corpus="fairy-tales"]').getByRole('radio').check();
  await page.locator('[data-model="tiny"]').getByRole('radio').check();
  await page.locator('[data-strategy="span"]').getByRole('radio').check();
  await expect(page.locator('[data-strategy="span"]')).toContainText('SpanBERT');
  await expect(page.locator('[data-strategy="span"] a[href="https://arxiv.org/abs/1907.10529"]')).toBeVisible();

  const preview = page.getByTestId('mask-preview');
  await tokenizerReady(page);
  await expect(preview.locator('[data-tag="masked"]').first()).toBeVisible();
  expect(await maskedCount(page)).toBeGreaterThan(0);
  // A masked token shows what it was.
  await expect(preview.locator('[data-tag="masked"] .tok-original').first()).not.toHaveText('');
  // The progress slider previews the schedule (it is not the training's progress); kept tokens have a solid style.
  await expect(preview.getByRole('slider', { name: 'Preview the schedule at: 0% of training' })).toBeVisible();
  const kept = await preview
    .locator('.legend .tag-kept')
    .evaluate((el) => [getComputedStyle(el).borderTopStyle, getComputedStyle(el).boxShadow]);
  expect(kept[0]).toBe('solid');
  expect(kept[1]).toContain('inset');
  const span = await previewSignature(page);
  await page.screenshot({ path: info.outputPath('span-preview.png'), fullPage: true });

  // Another strategy gives another preview, at once.
  await page.locator('[data-strategy="whole-word"]').getByRole('radio').check();
  await expect.poll(() => previewSignature(page)).not.toBe(span);

  // Parameters change it too: 40% always-[MASK] masks more than 15% did.
  const before = await maskedCount(page);
  await page.getByTestId('schedule').locator('summary').click();
  await page.locator('[data-preset="wettig-40"]').click();
  await expect.poll(() => maskedCount(page)).toBeGreaterThan(before);
  await expect(preview.locator('[data-tag="replaced"]')).toHaveCount(0);

  // Training settings and seed.
  await page.getByTestId('train-lr').fill('0.002');
  await page.getByTestId('train-steps').fill('500');
  await page.getByTestId('seed').fill('7');
  await tokenizerReady(page);
  const settled = await previewSignature(page);
  await page.screenshot({ path: info.outputPath('whole-word-40.png'), fullPage: true });

  // Re-sample draws a new mask on the same sentence.
  await page.getByTestId('resample').click();
  await expect.poll(() => previewSignature(page)).not.toBe(settled);

  await expect.poll(() => new URL(page.url()).hash).toContain('seed=7');
  const url = page.url();
  expect(url).toContain('strategy=whole-word');
  expect(url).toContain('sp.rate=0.4');
  expect(url).toContain('lr=0.002');

  // A fresh browser (no saved settings) opening the link gets the same experiment and the same preview.
  const other = await browser.newContext();
  const page2 = await other.newPage();
  await page2.goto(url);
  await expect(page2.locator('[data-corpus="fairy-tales"]').getByRole('radio')).toBeChecked();
  await expect(page2.locator('[data-model="tiny"]').getByRole('radio')).toBeChecked();
  await expect(page2.locator('[data-strategy="whole-word"]').getByRole('radio')).toBeChecked();
  await expect(page2.getByTestId('sp-rate')).toHaveValue('0.4');
  await expect(page2.getByTestId('sp-maskFrac')).toHaveValue('1');
  await expect(page2.getByTestId('train-lr')).toHaveValue('0.002');
  await expect(page2.getByTestId('train-steps')).toHaveValue('500');
  await expect(page2.getByTestId('seed')).toHaveValue('7');
  await tokenizerReady(page2);
  await expect.poll(() => previewSignature(page2)).toBe(settled);
  await page2.screenshot({ path: info.outputPath('reopened.png'), fullPage: true });
  await other.close();
});

test('binary labels and class targets are shown for objectives without a vocabulary target', async ({ page }, info) => {
  await page.goto('/#objective=rts&sp.rate=0.3');
  await tokenizerReady(page);
  const preview = page.getByTestId('mask-preview');
  await expect(preview.locator('[data-tag="replaced"] .tok-label.on').first()).toHaveText('replaced');
  await expect(preview.locator('[data-tag="untouched"] .tok-label').first()).toHaveText('0');
  await page.locator('[data-objective="first-char"]').getByRole('radio').check();
  await expect(preview.locator('[data-tag="masked"] .tok-target').first()).toHaveText(/→ \S+/);
  await page.screenshot({ path: info.outputPath('first-char.png'), fullPage: true });
  // ERNIE-Gram: its n-gram vocabulary drawn from the training part, and what becomes of a masked n-gram.
  await page.locator('[data-objective="ernie-gram"]').getByRole('radio').check();
  await expect(page.getByTestId('corpus-table')).toContainText(
    'n-grams of the training split are classes of their own',
  );
  await expect(page.getByTestId('preview-stats')).toContainText('became one [MASK]');
});

test('your own text: empty and binary input are refused with a reason; a real text is kept and used', async ({
  page,
}, info) => {
  await page.goto('/');
  const add = page.getByTestId('add-text');
  await add.locator('summary').click();
  await add.getByRole('button', { name: 'Save text' }).click();
  await expect(page.getByTestId('text-error')).toContainText('The pasted text is empty.');
  await add.getByLabel('Paste text').fill('   \n  ');
  await add.getByRole('button', { name: 'Save text' }).click();
  await expect(page.getByTestId('text-error')).toContainText('only whitespace');
  await add.getByLabel('Paste text').fill('PK\u0003\u0004\u0000\u0000binary');
  await add.getByRole('button', { name: 'Save text' }).click();
  await expect(page.getByTestId('text-error')).toContainText('NUL characters');
  await page.getByTestId('text-files').setInputFiles({
    name: 'photo.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    ]),
  });
  await expect(page.getByTestId('text-error')).toContainText('"photo.txt" is not a text file');
  await page.screenshot({ path: info.outputPath('text-errors.png'), fullPage: true });

  const story = Array.from(
    { length: 80 },
    (_, i) =>
      `The miller's daughter walked to the river on day ${i}. She sang a song about the moon and the stars, and the fish listened.\n`,
  ).join('\n');
  await add.getByLabel('Paste text').fill(story);
  await add.getByLabel('Name (optional)').fill('Miller story');
  await add.getByRole('button', { name: 'Save text' }).click();
  await expect(page.getByTestId('text-error')).toHaveCount(0);
  const saved = page.locator('[data-saved-text="Miller story"]');
  await expect(saved.getByRole('radio')).toBeChecked();
  await tokenizerReady(page);
  await expect(page.getByTestId('mask-preview')).toContainText('Miller story');
  expect(new URL(page.url()).hash).toMatch(/corpus=custom:[0-9a-f-]+/);

  // Kept after a reload, and can be deleted.
  await page.reload();
  await expect(saved).toBeVisible();
  await expect(saved.getByRole('radio')).toBeChecked();
  page.once('dialog', (d) => void d.accept());
  await saved.getByRole('button', { name: 'Delete Miller story' }).click();
  await expect(saved).toHaveCount(0);
  await expect(page.locator('[data-corpus="fairy-tales"]').getByRole('radio')).toBeChecked();
});

test('a link with invalid values keeps the defaults and lists what was ignored', async ({ page }, info) => {
  await page.goto('/#strategy=nope&lr=abc&model=huge&seed=3');
  const notice = page.getByTestId('ignored-settings');
  await expect(notice).toContainText('strategy=nope');
  await expect(notice).toContainText('lr=abc');
  await expect(notice).toContainText('model=huge');
  await expect(page.getByTestId('train-lr')).toHaveValue('0.002');
  await expect(page.getByTestId('seed')).toHaveValue('3');
  await expect(page.locator('[data-strategy="random"]').getByRole('radio')).toBeChecked();
  await page.screenshot({ path: info.outputPath('ignored.png'), fullPage: true });
  await notice.getByRole('button', { name: 'OK' }).click();
  await expect(notice).toHaveCount(0);
  // The address now holds the settings actually used.
  expect(new URL(page.url()).hash).not.toContain('nope');
  // Editing the address bar's hash applies the new settings.
  await page.evaluate(() => (location.hash = 'seed=9&strategy=ngram'));
  await expect(page.getByTestId('seed')).toHaveValue('9');
  await expect(page.locator('[data-strategy="ngram"]').getByRole('radio')).toBeChecked();
});

test('invalid settings are explained where they are made; settings survive a visit without the link', async ({
  page,
}, info) => {
  await page.goto('/');
  await page.locator('[data-model="custom"]').getByRole('radio').check();
  await page.getByTestId('model-C').fill('65');
  const nh = page.getByTestId('custom-model').locator('.field', { has: page.getByTestId('model-NH') });
  await expect(nh.getByRole('alert')).toContainText('width C=65 is not divisible by heads NH=2');
  await page.getByTestId('model-C').fill('96');
  await expect(nh.getByRole('alert')).toHaveCount(0);
  await expect(page.getByTestId('model-summary')).toContainText('L=2 · C=96 · NH=2');

  await page.getByTestId('sp-randomFrac').fill('0.5');
  await expect(page.getByTestId('masking-error')).toContainText('exceed 1');
  await expect(page.getByTestId('mask-preview').getByRole('alert')).toContainText('exceed 1');
  await page.screenshot({ path: info.outputPath('invalid-settings.png'), fullPage: true });
  await page.getByTestId('sp-randomFrac').fill('0.2');
  await expect(page.getByTestId('masking-error')).toHaveCount(0);

  // Same browser, address without the hash: the settings come back from localStorage.
  await page.goto('/');
  await expect(page.locator('[data-model="custom"]').getByRole('radio')).toBeChecked();
  await expect(page.getByTestId('model-C')).toHaveValue('96');
  await expect(page.getByTestId('sp-randomFrac')).toHaveValue('0.2');
});

test('one column on a narrow screen', async ({ page }, info) => {
  await page.setViewportSize({ width: 420, height: 900 });
  await page.goto('/');
  const setup = await page.getByTestId('corpus-panel').boundingBox();
  const preview = await page.getByTestId('mask-preview').boundingBox();
  expect(setup && preview).toBeTruthy();
  expect(preview!.y).toBeGreaterThan(setup!.y + setup!.height - 1);
  expect(preview!.width).toBeLessThanOrEqual(420);
  await page.screenshot({ path: info.outputPath('narrow.png'), fullPage: true });
});

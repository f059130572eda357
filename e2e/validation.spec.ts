// Refusing what cannot run before it starts (issue 16): a bad setting disables Start and is listed beside it,
// naming the setting and linking to its field; a tampered link is read into a valid experiment, its bad values
// listed as ignored; fixing the setting brings Start back, and a reload keeps what the user typed.
import { expect, test } from '@playwright/test';

test('a learning rate of 1000 or -1 and C=65 disable Start, listed beside it with a link to the field', async ({
  page,
}, info) => {
  await page.goto('/');
  const start = page.getByTestId('start');
  await expect(start).toBeEnabled({ timeout: 60_000 });
  const lr = page.getByTestId('train-lr');
  await lr.fill('1000');
  const problems = page.getByTestId('problems');
  await expect(problems).toContainText('lr = 1000: the learning rate is above 10. Allowed: a number above 0 up to 10.');
  // The field says the same range as the list, from the same rule (session/settingRules.ts), for 1000 as for -1.
  const lrMessage = page.locator('.field', { has: lr }).locator('.field-error');
  await expect(lrMessage).toHaveText('Allowed: a number above 0 up to 10.');
  await expect(start).toBeDisabled();
  await page.screenshot({ path: info.outputPath('lr-1000.png'), fullPage: true });
  // A reload reads the saved link through the same validation: the bad value is listed as ignored, the default kept.
  await page.reload();
  await expect(page.locator('body')).toContainText('lr=1000: must be a number above 0 up to 10; kept 0.002');
  await expect(page.getByTestId('train-lr')).toHaveValue('0.002');
  await expect(page.getByTestId('start')).toBeEnabled({ timeout: 60_000 });

  await page.getByTestId('train-lr').fill('-1');
  await expect(problems).toContainText('lr = -1: the learning rate must be above 0.');
  await expect(lrMessage).toHaveText('Allowed: a number above 0 up to 10.');
  // The link goes to the field.
  await page.getByTestId('train-lr').blur();
  await problems.getByRole('link', { name: 'lr' }).click();
  await expect(page.getByTestId('train-lr')).toBeFocused();
  await page.getByTestId('train-lr').fill('0.001');
  await expect(problems).toHaveCount(0);
  await expect(start).toBeEnabled();

  await page.locator('[data-model="custom"]').getByRole('radio').check();
  await page.getByTestId('model-C').fill('65');
  await expect(problems).toContainText('m.NH = 2: width C=65 is not divisible by heads NH=2.');
  await expect(start).toBeDisabled();
  await page.getByTestId('model-C').fill('64');
  await expect(start).toBeEnabled();
});

test('a tampered link: C=7 with NH=3 is listed as ignored, tok=wordpiece:0 shows the default it kept', async ({
  page,
}) => {
  await page.goto('/#model=custom&m.C=7&m.NH=3&tok=wordpiece:0');
  const body = page.locator('body');
  await expect(body).toContainText(
    "m.C=7, m.NH=3: width C=7 is not divisible by heads NH=3; the link's model shape was not used",
  );
  await expect(body).toContainText('kept the wordpiece default 4000');
  await expect(page.getByTestId('vocab-size')).toHaveValue('4000');
  await expect(page.getByTestId('start')).toBeEnabled({ timeout: 60_000 });
  await expect(page.getByTestId('problems')).toHaveCount(0);
});

test('an impossible model (L48 C4096 NH64 F16384) shows its memory and is refused before it starts', async ({
  page,
}) => {
  await page.goto('/#model=custom&m.L=48&m.C=4096&m.NH=64&m.F=16384');
  await expect(page.getByTestId('memory-estimate')).toContainText(/Needs about [\d.]+ GB of GPU memory/);
  const problems = page.getByTestId('problems');
  await expect(problems).toContainText(/memory = [\d.]+ GB: the run needs about [\d.]+ GB of GPU memory/);
  await expect(page.getByTestId('start')).toBeDisabled();
  await page.getByTestId('model-L').fill('2');
  await page.getByTestId('model-C').fill('64');
  await page.getByTestId('model-NH').fill('2');
  await page.getByTestId('model-F').fill('256');
  await expect(problems).toHaveCount(0);
  await expect(page.getByTestId('memory-estimate')).toContainText('MB of GPU memory');
  await expect(page.getByTestId('start')).toBeEnabled({ timeout: 60_000 });
});

test('a finite blow-up (lr 10, clip 1e6) is stopped as diverged, rolled back, and Resume is offered from step 0', async ({
  page,
}) => {
  await page.goto(
    '/#corpus=fairy-tales&tok=wordpiece:512&model=custom&m.L=1&m.C=32&m.NH=2&m.F=64&m.T=32&batch=8&steps=60&warmup=0&decay=constant&lr=10&clip=1000000&eval=1000&seed=1',
  );
  const start = page.getByTestId('start');
  await expect(start).toBeEnabled({ timeout: 60_000 });
  await start.click();
  const error = page.getByTestId('run-error');
  await expect(error).toContainText('Training diverged', { timeout: 240_000 });
  await expect(error).toContainText('The weights were rolled back to step 0.');
  // A state of its own, in the Train panel and in Runs; it keeps no weights.
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-state', 'diverged');
  await expect(error).toContainText('A diverged run keeps no weights');
  await expect(page.getByTestId('run-row').first()).toHaveAttribute('data-state', 'diverged');
  // Start is back, Resume is offered with the lower rate, and no stray counter sits beside the buttons.
  const controls = page.getByTestId('training-controls').locator('.buttons');
  await expect(page.getByTestId('start')).toBeVisible();
  await expect(page.getByTestId('resume')).toHaveText('Resume at learning rate 0.001');
  expect((await controls.innerText()).split('\n').map((s) => s.trim())).not.toContain('0');
  await page.getByTestId('resume').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-state', /training|done/, { timeout: 60_000 });
});

test('texts that cannot train are refused before they are stored: too short (cases 6), a 60 MB paste at once (7), an empty paste (9)', async ({
  page,
}, info) => {
  await page.goto('/');
  const add = page.getByTestId('add-text');
  await add.locator('summary').click();
  const save = add.getByRole('button', { name: 'Save text' });
  const error = page.getByTestId('text-error');
  const shipped = (id: string) => page.locator(`[data-corpus="${id}"]`).getByRole('radio');
  await expect(shipped('fairy-tales')).toBeChecked();

  await save.click();
  await expect(error).toHaveText('The pasted text is empty.');
  await add.getByLabel('Paste text').fill('word');
  await save.click();
  await expect(error).toContainText(
    'The pasted text is too short to keep a held-out part apart from the training part.',
  );
  await expect(error).toContainText('at least 256 characters of lines followed by more lines');
  await add.getByLabel('Paste text').fill('cafÃ© au lait, naÃ¯ve rÃ©sumÃ©');
  await save.click();
  await expect(error).toContainText('it has 30 characters, all on one line, which make one');
  await page.getByTestId('text-files').setInputFiles({
    name: 'word.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('word\n'),
  });
  await expect(error).toContainText('"word.txt" is too short to keep a held-out part');

  // A 60 MB paste is measured before it reaches the text box and refused at once; the box keeps what it had.
  await add.getByLabel('Paste text').fill('');
  await page.getByTestId('paste-text').evaluate((el) => {
    const data = new DataTransfer();
    data.setData('text/plain', 'x'.repeat(60 * 1024 * 1024));
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  });
  await expect(error).toHaveText('The pasted text is 60 MB; the limit is 50 MB. Use a shorter excerpt.');
  await expect(page.getByTestId('paste-text')).toHaveValue('');
  await page.screenshot({ path: info.outputPath('text-refused.png'), fullPage: true });

  // Nothing was stored and the chosen corpus stayed chosen; choosing another one clears the message.
  await expect(page.locator('[data-saved-text]')).toHaveCount(0);
  await expect(shipped('fairy-tales')).toBeChecked();
  await shipped('shakespeare').check();
  await expect(error).toHaveCount(0);
  await page.reload();
  await expect(shipped('shakespeare')).toBeChecked();
  await expect(page.locator('[data-saved-text]')).toHaveCount(0);
});

// The lessons: the start screen remembers the choice; lesson 1 opened by its URL, answered, set up and run; lesson 2
// planned from lesson 1's measured speed, then run on its least budget (30 steps); the after-run texts name the
// run's measured numbers; progress survives a reload; a screenshot of every lesson.
import { expect, test, type Locator, type Page } from '@playwright/test';

// A first visit: no stored choice (the other specs start as a user who chose the lab).
test.use({ storageState: { cookies: [], origins: [] } });

/** The last held-out evaluation the Train panel shows: loss (3 decimals), accuracy (as shown) and step. */
async function lastEval(page: Page): Promise<{ loss: number; accuracy: string; step: number }> {
  const text = (await page.getByTestId('eval-summary').textContent()) ?? '';
  const loss = /Held-out masked loss ([\d.]+)/.exec(text);
  const acc = /accuracy ([\d.]+%)/.exec(text);
  const step = /at step (\d+)/.exec(text);
  expect(loss && acc && step).toBeTruthy();
  return { loss: Number(loss![1]), accuracy: acc![1], step: Number(step![1]) };
}

/**
 * The summary's final loss (2 decimals, rounded from the run's own figure) agrees with the panel's (3 decimals):
 * re-rounding the panel's 3.095 to "3.10" would differ from the summary's "3.09", so compare the numbers.
 */
async function expectFinalLoss(summary: Locator, panelLoss: number): Promise<void> {
  await expect(summary).toContainText(/the loss from [\d.]+ to [\d.]+/);
  const m = /the loss from [\d.]+ to ([\d.]+)/.exec((await summary.textContent()) ?? '');
  expect(Math.abs(Number(m![1]) - panelLoss)).toBeLessThanOrEqual(0.0051);
}

async function answer(page: Page, option: string): Promise<void> {
  await page.getByTestId('lesson-question').locator(`[data-option="${option}"] input`).check();
  await page.getByTestId('lesson-answer').click();
  await expect(page.getByTestId('lesson-feedback')).toBeVisible();
}

test('the start screen offers lessons or the lab and remembers the choice', async ({ page }, info) => {
  await page.goto('/');
  await expect(page.getByTestId('start-screen')).toBeVisible();
  await page.screenshot({ path: info.outputPath('start-screen.png'), fullPage: true });
  // Until a choice is made, a reload shows the start screen again.
  await page.reload();
  await expect(page.getByTestId('start-screen')).toBeVisible();
  await page.getByTestId('choose-lab').click();
  await expect(page.getByTestId('corpus-panel')).toBeVisible();
  expect(page.url()).toContain('#corpus=');
  await page.goto('/');
  await expect(page.getByTestId('corpus-panel')).toBeVisible();
  await expect(page.getByTestId('start-screen')).toHaveCount(0);
  // Switch to the lessons; the address names the lesson, and the next visit opens the lessons.
  await page.getByTestId('mode-lessons').click();
  await expect(page.getByTestId('lesson')).toHaveAttribute('data-lesson', '1');
  expect(page.url()).toContain('#lesson=1');
  await page.goto('/');
  await expect(page.getByTestId('lesson')).toBeVisible();
  // An experiment link still opens the lab, with its settings and nothing ignored.
  await page.goto('/#corpus=fairy-tales&model=tiny&strategy=span&seed=4');
  await expect(page.locator('[data-strategy="span"]').getByRole('radio')).toBeChecked();
  await expect(page.getByTestId('ignored-settings')).toHaveCount(0);
});

test('lesson 1 by its URL, then lesson 2 on its least budget: after-run texts from the run, progress after a reload', async ({
  page,
}, info) => {
  test.setTimeout(900_000);
  await page.goto('/#lesson=1');
  const lesson = page.getByTestId('lesson');
  await expect(lesson).toHaveAttribute('data-lesson', '1');
  await expect(page.getByTestId('gpu-state')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('lesson-run')).toBeDisabled();
  await answer(page, 'uniform');
  await expect(page.getByTestId('lesson-feedback')).toContainText('Right.');
  await expect(page.getByTestId('lesson-budget')).toContainText('30 steps');
  await page.getByTestId('lesson-run').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-state', 'training', { timeout: 120_000 });
  await expect(page.getByTestId('lesson-pending')).toContainText('Training: step');
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-state', 'done', { timeout: 600_000 });
  const summary = page.getByTestId('lesson-summary');
  await expect(summary).toBeVisible();
  const e1 = await lastEval(page);
  expect(e1.step).toBe(30);
  await expect(summary).toContainText('At step 0 the top guess at the first [MASK]');
  await expect(summary).toContainText(`at step 30, the loss from`);
  await expectFinalLoss(summary, e1.loss);
  await expect(summary).toContainText('for V = 2,048');
  await page.screenshot({ path: info.outputPath('lesson-1-after-run.png'), fullPage: true });
  const text1 = (await summary.textContent()) ?? '';

  // Lesson 2: the budget comes from the speed lesson 1 measured, for the shortest time.
  await page.getByTestId('lesson-next').click();
  await expect(lesson).toHaveAttribute('data-lesson', '2');
  expect(page.url()).toContain('#lesson=2&');
  await answer(page, 'frequent');
  await page.getByTestId('lesson-time').selectOption('30');
  const budget = page.getByTestId('lesson-budget');
  await expect(budget).toContainText('measured on');
  expect(Number(await budget.getAttribute('data-steps'))).toBeGreaterThanOrEqual(30);
  // The run need not be long to show its texts: as if this device had been measured 100 times slower, the plan
  // falls to the lesson's least, 30 steps (30 s bought several hundred steps, minutes on SwiftShader with their
  // evaluations). The reload that reads the stored speed also shows the progress kept: the open lesson, the answer,
  // lesson 1 done with its text.
  await page.evaluate(() => {
    const p = JSON.parse(localStorage.getItem('masklab.lessons')!);
    p.speed.msPerStep *= 100;
    localStorage.setItem('masklab.lessons', JSON.stringify(p));
  });
  await page.reload();
  await expect(lesson).toHaveAttribute('data-lesson', '2');
  await expect(page.getByTestId('lesson-question').locator('[data-option="frequent"] input')).toBeChecked();
  await expect(page.locator('[data-lesson-nav="1"]')).toHaveAttribute('data-state', 'done');
  await expect(page.locator('[data-lesson-nav="2"]')).toHaveAttribute('data-state', 'answered');
  await expect(budget).toContainText('measured on');
  await expect(budget).toContainText("raised to the lesson's least, 30");
  const steps = Number(await budget.getAttribute('data-steps'));
  expect(steps).toBe(30);
  await page.locator('[data-lesson-nav="1"] a').click();
  await expect(summary).toHaveText(text1);
  await page.locator('[data-lesson-nav="2"] a').click();
  await expect(lesson).toHaveAttribute('data-lesson', '2');
  await expect(page.getByTestId('gpu-state')).toHaveAttribute('data-state', 'ready');
  await page.getByTestId('lesson-run').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-state', 'training', { timeout: 120_000 });
  // The lesson's probe sentence, with an attractor, replaces the lab's.
  await expect(page.locator('#probe-text')).toHaveValue('the dogs near the cat [MASK] .');
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-state', 'done', { timeout: 600_000 });
  await expect(page.getByTestId('run-status')).toContainText(`Step ${steps} / ${steps}`);
  const e2 = await lastEval(page);
  await expect(summary).toContainText(`to ${e2.accuracy} at step ${e2.step.toLocaleString('en-US')}, the loss from`);
  await expectFinalLoss(summary, e2.loss);
  // The toy language: the plateau against the run's frequency baseline, and agreement on the minimal pairs.
  await expect(summary).toContainText(
    new RegExp(`(left the frequency plateau at step [\\d,]+|stayed on the frequency plateau for all ${steps} steps)`),
  );
  await expect(summary).toContainText(/frequency guess \(?(of )?[\d.]+%/);
  await expect(summary).toContainText(
    /Agreement without an attractor reached [\d.]+% at step [\d,]+ \(chance 50%\); with an attractor [\d.]+%/,
  );
  // The run's own heads answer the lesson's two syntax questions.
  await expect(page.getByTestId('lesson-run-questions')).toContainText('One head, or two in a row?');
  await expect(summary).toContainText('Does something find the subject before or after the loss drops?');
  await expect(summary).toContainText(/One head, or two in a row\? (One|Two in a row|Neither yet)\./);
  await expect(summary).toContainText('Chen et al. (2024)');
  await expect(page.locator('[data-lesson-nav="2"]')).toHaveAttribute('data-state', 'done');
  await page.screenshot({ path: info.outputPath('lesson-2-after-run.png'), fullPage: true });
});

test('every lesson has its page; lesson 3 counts split words; lesson 4 sets up its comparison', async ({
  page,
}, info) => {
  test.setTimeout(600_000);
  for (let n = 1; n <= 6; n++) {
    await page.goto(`/#lesson=${n}`);
    await expect(page.getByTestId('lesson')).toHaveAttribute('data-lesson', String(n));
    await expect(page.getByTestId('lesson').locator('a[href^="https://arxiv.org/abs/"]').first()).toBeVisible();
    if (n === 3) {
      await page.getByTestId('lesson-scheme-2').click();
      // The lab's settings are folded away below the lesson; the preview shows the scheme.
      await expect(page.locator('[data-strategy="span"] input[type="radio"]')).toBeChecked();
      await page.getByTestId('lesson-survey').click();
      const summary = page.getByTestId('lesson-summary');
      await expect(summary).toContainText('random tokens (BERT):', { timeout: 120_000 });
      await expect(summary).toContainText(
        /whole words: [\d.]+% of the tokens of 400 sequences, [\d,]+ words touched; 0 of the/,
      );
    }
    if (n === 4) {
      // One click sets up the paired comparison (3 schemes x 3 seeds) in the Compare panel; stop it here.
      await expect(page.getByTestId('gpu-state')).toHaveAttribute('data-state', 'ready');
      await answer(page, 'noise');
      await expect(page.getByTestId('lesson-feedback')).toContainText('the run will settle it');
      await page.getByTestId('lesson-run').click();
      await expect(page.getByTestId('lesson-pending')).toContainText('Comparison: 0 of 9 runs done (running)');
      await expect(page.getByTestId('compare-stop')).toBeVisible();
      await page.screenshot({ path: info.outputPath('lesson-4-comparison.png'), fullPage: true });
      await page.getByTestId('compare-stop').click();
      await expect(page.getByTestId('lesson-pending')).toContainText('(stopped)');
    }
    await page.screenshot({ path: info.outputPath(`lesson-${n}.png`), fullPage: true });
  }
});

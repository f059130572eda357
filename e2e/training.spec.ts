// Training live in the browser on WebGPU: a user sets up span masking on the tiny model, trains, pauses and
// resumes, and sees the loss chart, held-out evaluation, attention heatmaps and predictions; the link keeps it all.
import { expect, test, type Download } from '@playwright/test';
import { readFileSync } from 'node:fs';

const SETUP =
  '#corpus=fairy-tales&tok=wordpiece:1024&model=tiny&strategy=span&objective=mlm&batch=4&steps=30&warmup=3&eval=10&lr=0.003&seed=2';

test('train ~30 steps: chart points, evaluation, attention maps, predictions; pause and resume', async ({
  page,
}, info) => {
  test.setTimeout(600_000);
  // The WGSL viewer's sources are a chunk of their own, fetched when a kernel's source is first shown.
  const shaderChunks: string[] = [];
  page.on('request', (r) => {
    if (/shaderSources-[\w-]+\.js$/.test(r.url())) shaderChunks.push(r.url());
  });
  await page.goto('/' + SETUP);
  await expect(page.getByTestId('gpu-state')).toHaveAttribute('data-state', 'ready');
  await expect(page.locator('[data-strategy="span"]').getByRole('radio')).toBeChecked();
  await page.getByTestId('start').click();
  const status = page.getByTestId('run-status');
  // The model shape's first run on this GPU tunes the kernels first: a line says so, with Skip (taken here: the
  // roles not reached keep their defaults for now, and the run starts).
  await expect(status).toContainText('Tuning the kernels for this GPU', { timeout: 60_000 });
  await page.getByTestId('autotune-skip').click();
  await expect(status).toHaveAttribute('data-state', 'training', { timeout: 120_000 });
  await expect(page.getByTestId('autotune-progress')).toHaveCount(0);
  await expect(page.getByTestId('run-info')).toContainText('parameters');

  // The loss chart gains points while training runs.
  const chart = page.getByTestId('loss-chart');
  await expect
    .poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 240_000 })
    .toBeGreaterThanOrEqual(5);
  await page.screenshot({ path: info.outputPath('training.png'), fullPage: true });

  // Pause lands within a step; the step counter then stays put.
  await page.getByTestId('pause').click();
  await expect(status).toHaveAttribute('data-state', 'paused', { timeout: 60_000 });
  const pausedAt = await status.textContent();
  await page.waitForTimeout(1500);
  await expect(status).toHaveText(pausedAt ?? '');
  await page.getByTestId('resume').click();
  await expect(status).toHaveAttribute('data-state', 'training');

  await expect(status).toHaveAttribute('data-state', 'done', { timeout: 420_000 });
  await expect(status).toContainText('Step 30 / 30');
  expect(Number(await chart.getAttribute('data-points'))).toBe(30);
  // Every axis label of every chart lies whole inside its chart (issue 16: ".656" for 7.656, "4000" for 14000).
  const cut = await chart.evaluate((el) =>
    [...el.querySelectorAll('svg.recharts-surface')].flatMap((svg) => {
      const box = svg.getBoundingClientRect();
      return [...svg.querySelectorAll('.recharts-cartesian-axis-tick-value')]
        .filter((t) => {
          const r = t.getBoundingClientRect();
          return r.left < box.left - 0.5 || r.right > box.right + 0.5;
        })
        .map((t) => t.textContent);
    }),
  );
  expect(cut).toEqual([]);
  expect(await chart.locator('.recharts-cartesian-axis-tick-value').count()).toBeGreaterThan(10);
  await expect(page.getByTestId('eval-summary')).toContainText('Held-out masked loss');
  // Pseudo-perplexity at the end: every token of a fixed held-out sample masked once; below V = 1024 (chance).
  const pppl = Number(await page.getByTestId('pppl').textContent());
  expect(pppl).toBeGreaterThan(1);
  expect(pppl).toBeLessThan(1024);
  // Loss split by case: span masking replaces 10% of spans and keeps 10%, so all three cases appear in 30 steps.
  const cases = page.getByTestId('loss-by-case');
  await expect(cases.locator('[data-case="masked"]')).toBeVisible();
  await expect(cases.locator('[data-case="frequent"]')).toBeVisible();

  // Attention maps for the probe sentence: a layer x head grid, and a labelled detail view.
  await expect(page.getByTestId('attention-l0-h0')).toBeVisible();
  await expect(page.getByTestId('attention-l1-h1')).toBeVisible();
  // Each layer's label sits next to its maps, not across the panel.
  const layerLabel = await page.getByTestId('attention-map').locator('.attention-row > .axis').first().boundingBox();
  const firstMap = await page.getByTestId('attention-l0-h0').boundingBox();
  expect(firstMap!.x - (layerLabel!.x + layerLabel!.width)).toBeLessThan(24);
  await page.getByRole('button', { name: 'Enlarge layer 1 head 1' }).click();
  await expect(page.getByTestId('attention-detail')).toContainText('[CLS]');

  // Predictions at each [MASK] of the probe sentence, with probabilities.
  const preds = page.getByTestId('predictions');
  await expect(preds.locator('.prediction')).toHaveCount(2);
  await expect(preds.locator('.prediction').first().locator('li')).toHaveCount(5);
  // Masking another word by clicking it asks for a third prediction.
  await page.getByTestId('prediction-probe').getByRole('button', { name: 'forest', exact: true }).click();
  await expect(preds.locator('.prediction')).toHaveCount(3);
  await page.screenshot({ path: info.outputPath('trained.png'), fullPage: true });

  // The trained model downloads as a Hugging Face BertForMaskedLM (5 files) and as a checkpoint.
  await page.getByText('Download the model', { exact: true }).click();
  const downloads: Download[] = [];
  page.on('download', (d) => downloads.push(d));
  await page.getByTestId('export-hf').click();
  await expect(page.getByTestId('export-done')).toContainText('model.safetensors');
  await expect.poll(() => downloads.length).toBe(5);
  const byName = new Map(downloads.map((d) => [d.suggestedFilename(), d]));
  expect([...byName.keys()].sort()).toEqual([
    'config.json',
    'model.safetensors',
    'special_tokens_map.json',
    'tokenizer.json',
    'tokenizer_config.json',
  ]);
  const tokCfg = JSON.parse(readFileSync((await byName.get('tokenizer_config.json')!.path())!, 'utf8')) as Record<
    string,
    unknown
  >;
  expect(tokCfg.model_max_length).toBe(64);
  const cfg = JSON.parse(readFileSync((await byName.get('config.json')!.path())!, 'utf8')) as Record<string, unknown>;
  expect(cfg.architectures).toEqual(['BertForMaskedLM']);
  expect(cfg.vocab_size).toBe(1024);
  const st = readFileSync((await byName.get('model.safetensors')!.path())!);
  const headerLen = Number(st.readBigUInt64LE(0));
  const header = JSON.parse(st.subarray(8, 8 + headerLen).toString('utf8')) as Record<string, { shape: number[] }>;
  expect(header['bert.embeddings.word_embeddings.weight'].shape).toEqual([1024, 64]);
  expect(header['bert.encoder.layer.1.attention.self.value.weight'].shape).toEqual([64, 64]);
  await page.getByTestId('export-checkpoint').click();
  await expect.poll(() => downloads.length).toBe(6);
  expect(downloads[5].suggestedFilename()).toBe('masklab-checkpoint.safetensors');

  // Performance: time each kernel of a step, then read one kernel's WGSL.
  await page.getByText('Performance', { exact: true }).click();
  await page.getByTestId('measure-kernels').click();
  const timings = page.getByTestId('kernel-timings');
  // The GPU memory the run's buffers take, from the trainer's registry: a non-zero total and the parameters' part.
  const memory = timings.getByTestId('gpu-memory');
  await expect(memory).toContainText(/GPU memory in use: [\d.]+ (KiB|MiB|GiB) in \d+ buffers/);
  expect(Number(await memory.getAttribute('data-bytes'))).toBeGreaterThan(0);
  await expect(memory.locator('[data-category="parameters"]')).toContainText(/parameters [\d.]+ (KiB|MiB)/);
  await expect(memory.locator('[data-category="moments"]')).toContainText('AdamW moments');
  // matmul_cpu.matmul_direct (and its fused epilogues) on a CPU adapter (SwiftShader), matmul.matmul on a GPU.
  await expect(timings.locator('[data-kernel^="matmul"]').first()).toBeVisible({ timeout: 120_000 });
  // The kernel variants are named (SwiftShader is a CPU adapter); the autotuner's table gives each role's chosen
  // variant, and the matmul in the timings is the chosen one.
  const variants = (await page.getByTestId('kernel-variants').textContent()) ?? '';
  expect(variants).toMatch(/Kernel variants for a (CPU adapter|GPU)/);
  const tune = timings.getByTestId('autotune');
  await expect(tune.locator('[data-role]')).toHaveCount(6);
  const chosen = (await tune.locator('[data-role="matmul"]').getAttribute('data-chosen')) ?? '';
  const matmulKernel =
    { direct: 'matmul_cpu.matmul_direct', direct_subgroup: 'matmul_cpu_subgroup.matmul_direct_subgroup' }[chosen] ??
    'matmul.matmul';
  await expect(timings.locator(`[data-kernel="${matmulKernel}"]`)).toBeVisible();
  // Skipped at the start: some roles wait for the next run. Tune again (the run is done) tunes them all anew.
  await expect(tune).toContainText('Not tuned yet');
  const started = (await tune.getAttribute('data-started')) ?? '';
  await tune.getByTestId('autotune-again').click();
  await expect(tune.getByTestId('autotune-again')).toHaveText('Tune again', { timeout: 240_000 });
  expect((await tune.getAttribute('data-started')) ?? '').not.toBe(started);
  expect(shaderChunks).toEqual([]);
  await timings.locator('[data-kernel="attention.softmax"]').getByRole('button', { name: 'WGSL' }).click();
  await expect(page.getByTestId('wgsl-source')).toContainText('@compute');
  expect(shaderChunks).toHaveLength(1);
  await page.screenshot({ path: info.outputPath('kernels.png'), fullPage: true });

  // The experiment is in the URL: a new page opened from it has the same settings.
  const url = page.url();
  expect(url).toContain('strategy=span');
  const page2 = await page.context().newPage();
  await page2.goto(url);
  await expect(page2.locator('[data-strategy="span"]').getByRole('radio')).toBeChecked();
  await expect(page2.getByTestId('train-steps')).toHaveValue('30');
});

test('ELECTRA trains in the page: generator and discriminator parts of the held-out loss', async ({ page }) => {
  test.setTimeout(600_000);
  await page.goto(
    '/#corpus=fairy-tales&tok=wordpiece:1024&model=tiny&strategy=random&objective=electra&batch=2&steps=4&warmup=1&eval=4&seed=5',
  );
  await expect(page.getByTestId('gpu-state')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('start')).toBeEnabled();
  await page.getByTestId('start').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-state', 'done', { timeout: 480_000 });
  const summary = page.getByTestId('electra-summary');
  await expect(summary).toContainText('Generator: masked-token loss');
  await expect(summary).toContainText('Discriminator: replaced-token loss');
  await expect(summary).toContainText('total = generator + 50 × discriminator');
  // Each part is a finite number: the generator near ln V at init, the discriminator's BCE below ln 2 + slack.
  const numbers = ((await summary.textContent()) ?? '').match(/\d+\.\d{3}/g)!.map(Number);
  expect(numbers[0]).toBeGreaterThan(3);
  expect(numbers[1]).toBeLessThan(1);
  // The probe sentence: the discriminator's attention maps, the generator's guesses at each [MASK].
  await expect(page.getByTestId('predictor')).toContainText("ELECTRA's generator", { timeout: 120_000 });
  await expect(page.getByTestId('predictions').locator('figure').first().locator('li')).toHaveCount(5);
  // Both networks download for transformers: the discriminator and, on its own, the generator.
  await page.getByText('Download the model', { exact: true }).click();
  await page.getByTestId('export-hf-generator').click();
  await expect(page.getByTestId('export-done')).toContainText('ElectraForMaskedLM.from_pretrained', {
    timeout: 60_000,
  });
  await expect(page.getByTestId('export-done')).toContainText('model.safetensors');
  await page.getByTestId('export-hf').click();
  await expect(page.getByTestId('export-done')).toContainText('ElectraForPreTraining.from_pretrained', {
    timeout: 60_000,
  });
});

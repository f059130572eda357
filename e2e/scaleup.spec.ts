// "Scale up in Python": the page writes the experiment as a Transformers + Accelerate project; the downloaded zip
// holds the files the page lists, and its experiment.json is the page's experiment (config and share link).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, test } from '@playwright/test';
import { unzipSync } from 'fflate';

/** The app's own decoder of a link's hash, run with vite-node (the engine's WGSL imports need Vite). */
function decodeExperiment(hash: string): { config: unknown } {
  const out = execFileSync('npx', ['vite-node', 'scripts/decode-link.ts', '--', hash], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as { config: unknown };
}

const SETUP =
  '#corpus=fairy-tales&tok=wordpiece:600&model=tiny&strategy=span&objective=mlm&sp.rate=0.2&batch=4&steps=20&warmup=2&seed=7';

test('Scale up in Python downloads a zip of the listed files whose experiment.json is the page config', async ({
  page,
}, info) => {
  await page.goto('/' + SETUP);
  const status = page.getByTestId('tokenizer-panel').getByTestId('tokenizer-status');
  await expect(status).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await page.getByText('Scale up in Python', { exact: true }).first().click();
  const download = page.waitForEvent('download', { timeout: 120_000 });
  await page.getByTestId('scale-up-button').click();
  const zip = await download;
  expect(zip.suggestedFilename()).toBe('masklab-scaleup.zip');
  const entries = unzipSync(new Uint8Array(readFileSync((await zip.path())!)));
  const listed = (await page.getByTestId('scale-up-files').locator('li').allTextContents()).map((t) =>
    t.replace(/ \(\d+ KiB\)$/, ''),
  );
  expect(Object.keys(entries).sort()).toEqual([...listed].sort());
  for (const f of [
    'README.md',
    'train.py',
    'masklab_masking.py',
    'test_masking.py',
    'model.safetensors',
    'tokenizer_config.json',
    'golden/step_000000.json',
  ]) {
    expect(listed).toContain(`masklab-scaleup/${f}`);
  }
  const exp = JSON.parse(new TextDecoder().decode(entries['masklab-scaleup/experiment.json'])) as {
    config: unknown;
    link: string;
  };
  const hash = new URL(page.url()).hash.slice(1);
  expect(exp.link.endsWith('#' + hash)).toBe(true);
  expect(exp.config).toEqual(decodeExperiment(hash).config);
  expect(decodeExperiment(SETUP.slice(1)).config).toEqual(exp.config);
  await page.screenshot({ path: info.outputPath('scale-up.png'), fullPage: true });

  // The bundle's own metrics writer (train.py's write_metrics, standard library) on a few rows; its
  // masklab-runs.json imports into the Runs list as a run trained outside the page.
  const dir = info.outputPath('bundle');
  for (const [name, bytes] of Object.entries(entries)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), bytes);
  }
  const script = [
    'import json, os, train',
    'exp = json.load(open("experiment.json"))',
    'rows = [{"step": s, "loss": 7.0 - 0.2 * s, "lr": train.lr_at(exp["config"]["train"], s), "grad_norm": 1.0,',
    '         "mask_rate": 0.2, "tokens": (s + 1) * 256, "targets": 50} for s in range(20)]',
    'os.makedirs("out", exist_ok=True)',
    'run = {"seconds": 3.0, "device": "cuda:0", "processes": 2, "mixed_precision": "no", "torch": "2.5", "start": 0, "stop": 20}',
    'train.write_metrics("out", exp, rows, [{"step": 20, "loss": 3.1, "accuracy": 0.2}], run)',
  ].join('\n');
  const py = spawnSync('python3', ['-c', script], { cwd: join(dir, 'masklab-scaleup'), encoding: 'utf8' });
  expect(py.stderr).toBe('');
  await page.getByTestId('runs-import-file').setInputFiles(join(dir, 'masklab-scaleup/out/masklab-runs.json'));
  const row = page.getByTestId('run-row').filter({ hasText: 'Transformers, train.py' });
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('run-external')).toHaveText('trained outside the page');
  await expect(row.getByTestId('run-steps')).toContainText('20 / 20');

  // An objective transformers has no head for is refused with its reason, before anything is written.
  await page.goto('/' + SETUP.replace('objective=mlm', 'objective=sbo'));
  await page.getByText('Scale up in Python', { exact: true }).first().click();
  await expect(page.getByTestId('scale-up-button')).toBeDisabled();
  await expect(page.getByTestId('scale-up-refused')).toContainText("SpanBERT's span-boundary head");
});

// The worker's and the CLI's shared session functions on a real run: the probe sentence's view and the exported
// files (a Hugging Face folder whose weights read back equal to the trainer's, and a checkpoint that restores them).
import { describe, expect, it } from 'vitest';
import { importHf } from '../engine/checkpoint/hf';
import { readCheckpoint } from '../engine/checkpoint/checkpoint';
import { useGpu } from '../engine/testing';
import { defaultExperiment } from './config';
import { exportRunFiles } from './exportFiles';
import { DEFAULT_PROBE_TEXT, runProbe } from './probeSentence';
import { prepareExperimentData, TrainingRun } from './run';

const TEXT = Array.from(
  { length: 60 },
  (_, i) => `the king said to his son that the wolf ${i % 7} was in the forest .`,
).join('\n');

describe('session functions on a run', () => {
  const fx = useGpu();

  it('probes the sentence and exports the weights it was trained to', { timeout: 300_000 }, async () => {
    const e = defaultExperiment();
    e.tokenizer = { kind: 'word', vocabSize: 40 };
    e.model = { preset: 'tiny', overrides: { T: 16, L: 1, C: 16, NH: 2, F: 32 } };
    e.train = { ...e.train, B: 4, steps: 2, evalEvery: 1000 };
    const run = new TrainingRun(fx.kernels, e, prepareExperimentData(TEXT, e), {});
    for (let s = 0; s < 2; s++) run.step();
    await run.trainer.flush();

    const view = await runProbe(run, DEFAULT_PROBE_TEXT);
    const n = view.tokens.length;
    expect(view.step).toBe(2);
    expect(view.tokens[0]).toBe('[CLS]');
    expect(view.tokens[n - 1]).toBe('[SEP]');
    expect(view.predictions.map((p) => p.position)).toEqual(view.tokens.flatMap((t, i) => (t === '[MASK]' ? [i] : [])));
    expect(view.predictions[0].top.length).toBeGreaterThan(0);
    // Each attention row over the n real tokens is a distribution (no weight leaks to padding).
    for (let r = 0; r < view.L * view.NH * n; r++) {
      const row = view.attention.subarray(r * n, (r + 1) * n);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }

    const params = await run.trainer.state.read('params');
    const hf = await exportRunFiles(run, e, 'huggingface');
    expect(hf.error).toBeUndefined();
    expect(hf.files.map((f) => f.name)).toEqual([
      'config.json',
      'model.safetensors',
      'tokenizer.json',
      'tokenizer_config.json',
      'special_tokens_map.json',
    ]);
    expect(JSON.parse(new TextDecoder().decode(hf.files[0].bytes)).architectures).toEqual(['BertForMaskedLM']);
    expect(importHf(run.trainer.cfg, run.trainer.layout, hf.files[1].bytes)).toEqual(params);

    const ck = await exportRunFiles(run, e, 'checkpoint');
    expect(ck.files.map((f) => f.name)).toEqual(['masklab-checkpoint.safetensors']);
    expect(readCheckpoint(ck.files[0].bytes).meta.step).toBe(2);
    const gen = await exportRunFiles(run, e, 'huggingface-generator');
    expect(gen).toEqual({
      step: 2,
      format: 'huggingface-generator',
      files: [],
      error: 'Only an ELECTRA run has a generator.',
    });
    run.destroy();
  });
});

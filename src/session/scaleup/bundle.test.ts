// The scale-up bundle, checked with the machine's python3 and its standard library alone: bundles for several
// strategy/objective pairs are written out, each bundle's test_masking.py must rebuild every golden batch exactly
// (batch order, masks, labels), and every .py file must compile.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreparedData } from '../../data/dataset';
import { readSafetensors, writeSafetensors } from '../../engine/checkpoint/safetensors';
import { bertTensors, placeTensors } from '../../engine/model/params';
import { planMasking, vocabInfoOf } from '../../masking';
import type { MaskingConfig } from '../../masking/types';
import { defaultExperiment, modelShape, type ExperimentConfig } from '../config';
import { parseRunsJson } from '../runsExport';
import { electraSampleSeed, headFor, prepareExperimentData } from '../run';
import { EVAL_SAMPLE_SEED } from '../../engine/trainer';
import { scaleUpBundle, type BundleFile } from './bundle';
import { checkpointExperiment, trainedFromCheckpoint } from './fromCheckpoint';

const FAIRY = readFileSync(new URL('../../../public/corpora/fairy-tales.txt', import.meta.url).pathname, 'utf8').slice(
  0,
  150_000,
);
const root = mkdtempSync(join(tmpdir(), 'masklab-scaleup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function experiment(
  masking: MaskingConfig,
  tokenizer: ExperimentConfig['tokenizer'] = { kind: 'wordpiece', vocabSize: 600 },
): ExperimentConfig {
  const e = defaultExperiment();
  return { ...e, tokenizer, masking, train: { ...e.train, B: 8, steps: 40, warmup: 4 }, seed: 3 };
}

const data = new Map<string, PreparedData>();
function dataFor(e: ExperimentConfig): PreparedData {
  const key = JSON.stringify(e.tokenizer);
  let d = data.get(key);
  if (!d) data.set(key, (d = prepareExperimentData(FAIRY, e)));
  return d;
}

function write(dir: string, files: BundleFile[]): void {
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.name)), { recursive: true });
    writeFileSync(join(dir, f.name), f.bytes);
  }
}

const PAIRS: [string, MaskingConfig, ExperimentConfig['tokenizer']?][] = [
  ['random/mlm', { strategy: 'random', objective: 'mlm' }],
  [
    'random bernoulli/slm, static masks',
    {
      strategy: 'random',
      strategyParams: { counting: 'bernoulli' },
      objective: 'slm',
      staticMasks: true,
      staticSeed: 2,
    },
  ],
  [
    'whole-word/mlm, linear schedule',
    { strategy: 'whole-word', objective: 'mlm', schedule: { kind: 'linear', start: 0.3, end: 0.1 } },
  ],
  [
    'span/mlm, cosine schedule',
    { strategy: 'span', objective: 'mlm', schedule: { kind: 'cosine', start: 0.32, end: 0.02 } },
  ],
  ['ngram/slm (word-level tokenizer)', { strategy: 'ngram', objective: 'slm' }, { kind: 'word', vocabSize: 700 }],
  ['pmi/mlm', { strategy: 'pmi', strategyParams: { minCount: 3 }, objective: 'mlm' }],
  ['informative exact/mlm', { strategy: 'informative', strategyParams: { counting: 'exact' }, objective: 'mlm' }],
  ['informative bernoulli/slm', { strategy: 'informative', objective: 'slm' }],
  ['hard/mlm', { strategy: 'hard', objective: 'mlm' }],
  ['span/rts (characters)', { strategy: 'span', objective: 'rts' }, { kind: 'char' }],
  ['random/shuffle', { strategy: 'random', objective: 'shuffle' }],
  ['random/electra', { strategy: 'random', objective: 'electra' }],
];

describe('scale-up bundle against python3 (standard library only)', () => {
  let python = '';
  beforeAll(() => {
    python = execFileSync('python3', ['--version'], { encoding: 'utf8' }).trim();
  });

  it.each(PAIRS)(
    '%s: test_masking.py rebuilds every golden batch; every .py compiles',
    { timeout: 120_000 },
    (name, masking, tok) => {
      const e = experiment(masking, tok);
      const files = scaleUpBundle(e, dataFor(e), { link: `http://localhost:4173/#test-${name}` });
      const dir = join(root, name.replace(/\W+/g, '-'));
      write(dir, files);
      const names = files.map((f) => f.name);
      for (const must of [
        'README.md',
        'config.json',
        'model.safetensors',
        'tokenizer.json',
        'tokenizer_config.json',
        'special_tokens_map.json',
        'experiment.json',
        'masking.json',
        'masklab_masking.py',
        'train.py',
        'test_masking.py',
        'data/train.safetensors',
        'golden/step_000000.json',
        'golden/eval_000000.json',
      ]) {
        expect(names, must).toContain(must);
      }
      const r = spawnSync('python3', ['test_masking.py'], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      });
      expect(r.stderr, `${python}\n${r.stderr}`).toMatch(/Ran 5 tests[\s\S]*\nOK\s*$/);
      expect(r.status).toBe(0);
      if (masking.strategy === 'pmi') {
        const spec = JSON.parse(readFileSync(join(dir, 'masking.json'), 'utf8')) as {
          masking: { lexicon: { keys: string[] } };
        };
        expect(spec.masking.lexicon.keys.length).toBeGreaterThan(20);
      }
      const py = names.filter((n) => n.endsWith('.py'));
      expect(py.sort()).toEqual([
        'masklab_masking.py',
        'masklab_rng.py',
        'masklab_strategies.py',
        'test_masking.py',
        'train.py',
      ]);
      const c = spawnSync('python3', ['-m', 'py_compile', ...py], { cwd: dir, encoding: 'utf8' });
      expect(c.stderr).toBe('');
      expect(c.status).toBe(0);
      const exp = JSON.parse(readFileSync(join(dir, 'experiment.json'), 'utf8')) as {
        config: ExperimentConfig;
        link: string;
      };
      expect(exp.config).toEqual(e);
      const golden = JSON.parse(readFileSync(join(dir, 'golden/step_000000.json'), 'utf8')) as {
        loss: number;
        selected: number[];
      };
      expect(golden.loss).toBeGreaterThan(0);
      expect(golden.selected.some((s) => s === 1)).toBe(true);
    },
  );

  it(
    'test_masking.py fails when one golden input id differs from what the collator builds',
    { timeout: 60_000 },
    () => {
      const e = experiment({ strategy: 'whole-word', objective: 'mlm' });
      const dir = join(root, 'tampered');
      write(dir, scaleUpBundle(e, dataFor(e), { link: 'x' }));
      const path = join(dir, 'golden/step_000001.json');
      const g = JSON.parse(readFileSync(path, 'utf8')) as { input_ids: number[]; selected: number[] };
      const i = g.selected.indexOf(1);
      g.input_ids[i] = g.input_ids[i] === 4 ? 5 : 4;
      writeFileSync(path, JSON.stringify(g));
      const r = spawnSync('python3', ['test_masking.py'], { cwd: dir, encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`input_ids differs first at flat index ${i}`);
    },
  );

  it(
    "train.py's masklab-runs.json (its own writer, on given metric rows) imports as a run trained outside the page",
    { timeout: 60_000 },
    () => {
      const e = experiment({ strategy: 'random', objective: 'mlm' });
      const dir = join(root, 'metrics');
      write(dir, scaleUpBundle(e, dataFor(e), { link: 'http://localhost:4173/#x' }));
      const script = [
        'import json, train',
        'exp = json.load(open("experiment.json"))',
        'rows = [{"step": s, "loss": 7.0 - 0.1 * s, "lr": train.lr_at(exp["config"]["train"], s), "grad_norm": 1.0, "mask_rate": 0.15,',
        '         "tokens": (s + 1) * 512, "targets": 70} for s in range(5)]',
        'evals = [{"step": 0, "loss": 7.5, "accuracy": 0.01}, {"step": 5, "loss": 6.9, "accuracy": 0.05}]',
        'run = {"seconds": 2.0, "device": "cuda:0", "processes": 8, "mixed_precision": "bf16", "torch": "2.5.0",',
        '       "start": 0, "stop": 5}',
        'train.write_metrics("out", exp, rows, evals, run)',
      ].join('\n');
      mkdirSync(join(dir, 'out'));
      const r = spawnSync('python3', ['-c', script], { cwd: dir, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      const runs = parseRunsJson(readFileSync(join(dir, 'out/masklab-runs.json'), 'utf8'));
      expect(runs).toHaveLength(1);
      expect(runs[0].external).toEqual({
        tool: 'train.py (Transformers + Accelerate)',
        device: 'cuda:0',
        processes: 8,
        mixedPrecision: 'bf16',
        link: 'http://localhost:4173/#x',
      });
      expect(runs[0].metrics.map((m) => m.loss)).toEqual([0, 1, 2, 3, 4].map((s) => 7 - 0.1 * s));
      expect(Number.isNaN(runs[0].metrics[0].accuracy)).toBe(true);
      expect(runs[0].evals[1]).toEqual({ step: 5, loss: 6.9, accuracy: 0.05 });
      expect(runs[0].config.masking).toEqual(e.masking);
      // MaskLab's schedule length stays the experiment's; the run stopped after 5 of its 40 steps.
      expect(runs[0].config.train.steps).toBe(40);
      expect(runs[0]).toMatchObject({ state: 'stopped', step: 5, totalSteps: 40 });
      expect(runs[0].message).toContain("stopped at step 5 of MaskLab's 40");
      const csv = readFileSync(join(dir, 'out/metrics.csv'), 'utf8').split(/\r?\n/);
      expect(csv[0]).toBe('step,loss,lr,grad_norm,mask_rate,tokens,targets');
      expect(csv).toHaveLength(7);
    },
  );

  it('writes the run weights it is given under trained/, and the packed data with their lengths', () => {
    const e = experiment({ strategy: 'random', objective: 'mlm' });
    const d = dataFor(e);
    const first = scaleUpBundle(e, d, { link: 'x' });
    const init = readSafetensors(first.find((f) => f.name === 'model.safetensors')!.bytes);
    const emb = init.tensors.get('bert.embeddings.word_embeddings.weight')!;
    const params = new Float32Array(1_000_000).fill(0.5);
    const m = new Float32Array(1_000_000).fill(0.25);
    const v = new Float32Array(1_000_000).fill(0.125);
    const files = scaleUpBundle(e, d, { link: 'x', trained: { params, step: 24, m, v } });
    const file = (name: string) => files.find((f) => f.name === name)!.bytes;
    const trained = readSafetensors(file('trained/model.safetensors'));
    expect(Array.from(trained.tensors.get('bert.embeddings.word_embeddings.weight')!.data.slice(0, 3))).toEqual([
      0.5, 0.5, 0.5,
    ]);
    expect(emb.data[0]).not.toBe(0.5);
    // Everything from_pretrained needs, and AdamW's moments under torch's names for each parameter.
    expect(JSON.parse(new TextDecoder().decode(file('trained/config.json')))).toMatchObject({
      architectures: ['BertForMaskedLM'],
    });
    const opt = readSafetensors(file('trained/optimizer.safetensors'));
    expect(opt.tensors.size).toBe(2 * trained.tensors.size);
    expect(opt.tensors.get('exp_avg.bert.embeddings.word_embeddings.weight')!.data[0]).toBe(0.25);
    expect(opt.tensors.get('exp_avg_sq.cls.predictions.bias')!.data[0]).toBe(0.125);
    const exp = JSON.parse(new TextDecoder().decode(file('experiment.json'))) as Record<string, unknown>;
    expect(exp.trained).toEqual({ step: 24, optimizer: true, generator: false });
    const kept = scaleUpBundle(e, d, {
      link: 'x',
      trainedFiles: {
        step: 12,
        files: first.filter((f) => f.name === 'config.json' || f.name === 'model.safetensors'),
      },
    });
    expect(
      kept
        .filter((f) => f.name.startsWith('trained/'))
        .map((f) => f.name)
        .sort(),
    ).toEqual(['trained/config.json', 'trained/model.safetensors']);
    const keptExp = JSON.parse(new TextDecoder().decode(kept.find((f) => f.name === 'experiment.json')!.bytes));
    expect(keptExp.trained).toEqual({ step: 12, optimizer: false, generator: false });
    expect(new TextDecoder().decode(kept.find((f) => f.name === 'README.md')!.bytes)).toContain(
      "trained/ holds the run's weights at step 12",
    );
    const seqs = readSafetensors(files.find((f) => f.name === 'data/train.safetensors')!.bytes);
    expect(seqs.tensors.get('ids')!.shape).toEqual([d.train.count, d.train.T]);
    expect(seqs.tensors.get('lengths')!.data[0]).toBe(
      Array.from(d.train.valid.subarray(0, d.train.T)).filter((v) => v).length,
    );
  });

  it("ELECTRA: trained/ holds both networks with their moments, and experiment.json MaskLab's sampler seeds", () => {
    const e = experiment({ strategy: 'random', objective: 'electra' });
    const n = 1_000_000;
    const files = scaleUpBundle(e, dataFor(e), {
      link: 'x',
      trained: { params: new Float32Array(n), m: new Float32Array(n), v: new Float32Array(n), step: 3 },
    });
    const names = files.map((f) => f.name).filter((f) => f.startsWith('trained/'));
    expect(names.sort()).toEqual([
      'trained/config.json',
      'trained/generator/config.json',
      'trained/generator/model.safetensors',
      'trained/generator/optimizer.safetensors',
      'trained/model.safetensors',
      'trained/optimizer.safetensors',
    ]);
    const exp = JSON.parse(new TextDecoder().decode(files.find((f) => f.name === 'experiment.json')!.bytes));
    expect(exp.trained).toEqual({ step: 3, optimizer: true, generator: true });
    expect(exp.electra).toEqual({ sample_seed: electraSampleSeed(e.seed), eval_sample_seed: EVAL_SAMPLE_SEED });
    expect(exp.model.capacity).toBeGreaterThan(0);
  });

  it('reads a MaskLab checkpoint as the run to continue: its experiment, weights, moments and step', () => {
    const e = experiment({ strategy: 'span', objective: 'mlm' });
    const d = dataFor(e);
    const model = modelShape(e, d.tokenizer.vocabSize);
    const head = headFor(planMasking(e.masking, vocabInfoOf(d.tokenizer), model.T), model);
    const layout = placeTensors(bertTensors(model, head));
    const tensors = (prefix: string, value: number) =>
      layout.tensors.map((t) => ({
        name: prefix + t.name,
        dtype: 'F32' as const,
        shape: t.shape,
        data: new Float32Array(t.size).fill(value),
      }));
    const meta = { format: 'masklab-checkpoint', version: 1, model, head, step: 17, run: { config: e } };
    const bytes = writeSafetensors([...tensors('', 0.5), ...tensors('adam_m.', 0.25), ...tensors('adam_v.', 0.125)], {
      masklab: JSON.stringify(meta),
    });
    expect(checkpointExperiment(bytes)).toEqual({ config: e, step: 17 });
    const t = trainedFromCheckpoint(bytes, e, d);
    expect([t.step, t.params[0], t.m![0], t.v![layout.tensors[layout.tensors.length - 1].offset]]).toEqual([
      17, 0.5, 0.25, 0.125,
    ]);
    const other = { ...e, model: { preset: 'tiny' as const, overrides: { F: 128 } } };
    expect(() => trainedFromCheckpoint(bytes, other, d)).toThrow(/checkpoint has F=256, this model has F=128/);
  });

  it('refuses, with a plain message, an objective transformers has no head for', () => {
    const e = experiment({ strategy: 'span', objective: 'sbo' });
    expect(() => scaleUpBundle(e, dataFor(e), { link: 'x' })).toThrow(
      /cannot be exported as a Transformers project yet: SpanBERT's span-boundary head/,
    );
  });
});

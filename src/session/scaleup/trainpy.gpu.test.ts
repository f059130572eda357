// The scale-up bundle's train.py, run for real against MaskLab's own training curve (Dawn in Node): PyTorch with the
// test stand-ins for transformers and accelerate (standins/, never in the bundle) on the machine's python3 with
// torch (Debian's python3-torch). A span/MLM run: train.py from step 0 follows MaskLab's losses, and a MaskLab
// checkpoint at step N continued by `train.py --init trained` equals MaskLab's steps N.. (loss to 1e-5). Hard tokens
// (MLM and RTS) and ELECTRA on 1 and 2 processes (as torchrun launches them, gloo): the same losses. Without a
// python3 that imports torch, the check cannot run: the test then says so and shows that import failing.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveCheckpoint } from '../../engine/checkpoint/checkpoint';
import { useGpu } from '../../engine/testing';
import type { PreparedData } from '../../data/dataset';
import type { MaskingConfig } from '../../masking/types';
import { defaultExperiment, type ExperimentConfig } from '../config';
import { prepareExperimentData, TrainingRun } from '../run';
import { scaleUpBundle, type TrainedState } from './bundle';
import { trainedFromCheckpoint } from './fromCheckpoint';
import { torchPython, trainPy, type TrainPyResult } from './trainPyRunner';

const FAIRY = readFileSync(new URL('../../../public/corpora/fairy-tales.txt', import.meta.url).pathname, 'utf8').slice(
  0,
  120_000,
);
/** MaskLab steps before the checkpoint, and after it. */
const N = 4;
const M = 4;

function experiment(masking: MaskingConfig): ExperimentConfig {
  const e = defaultExperiment();
  return {
    ...e,
    tokenizer: { kind: 'wordpiece', vocabSize: 512 },
    masking,
    train: { ...e.train, B: 16, steps: 40, warmup: 3, lr: 3e-3, evalEvery: 1000 },
    seed: 5,
  };
}

/** MaskLab's losses over N + M steps (each step's row losses in before the next: hard tokens deterministic). */
async function masklabCurve(
  fx: ReturnType<typeof useGpu>,
  e: ExperimentConfig,
  data: PreparedData,
): Promise<{ losses: number[]; trained: TrainedState }> {
  const losses: number[] = [];
  const run = new TrainingRun(fx.kernels, e, data, { onMetrics: (m) => (losses[m.step] = m.loss) });
  let trained: TrainedState | undefined;
  for (let s = 0; s < N + M; s++) {
    if (s === N) trained = trainedFromCheckpoint(await saveCheckpoint(run.trainer, { config: e }), e, data);
    run.step();
    await run.trainer.flush();
  }
  run.destroy();
  return { losses, trained: trained! };
}

const root = mkdtempSync(join(tmpdir(), 'masklab-trainpy-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function writeBundle(name: string, e: ExperimentConfig, data: PreparedData, trained?: TrainedState): string {
  const dir = join(root, name);
  for (const f of scaleUpBundle(e, data, { link: `http://localhost:4173/#${name}`, trained })) {
    mkdirSync(dirname(join(dir, f.name)), { recursive: true });
    writeFileSync(join(dir, f.name), f.bytes);
  }
  return dir;
}

function maxDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return Math.max(...a.map((x, i) => Math.abs(x - b[i])));
}

/** The largest difference relative to the loss (ELECTRA's losses are ~40: 50 x the discriminator's). */
function maxRelDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]) / Math.abs(b[i])));
}

function show(what: string, r: TrainPyResult, ref: number[]): void {
  console.log(
    `${what}: train.py ${r.losses.map((x) => x.toFixed(7)).join(' ')}\n${' '.repeat(what.length)}  MaskLab  ${ref.map((x) => x.toFixed(7)).join(' ')}`,
  );
}

const py = torchPython();

if (py.python)
  describe('train.py (torch + stand-ins) against MaskLab on Dawn', () => {
    const fx = useGpu();
    let data: PreparedData;
    beforeAll(() => {
      data = prepareExperimentData(FAIRY, experiment({ strategy: 'random', objective: 'mlm' }));
      console.log(`python: ${py.version}`);
    });

    it(
      "span/mlm: from step 0 and continued from a step-N checkpoint, the losses are MaskLab's to 1e-5",
      { timeout: 300_000 },
      async () => {
        const e = experiment({ strategy: 'span', objective: 'mlm' });
        const { losses, trained } = await masklabCurve(fx, e, data);
        const dir = writeBundle('span-mlm', e, data, trained);
        const fresh = await trainPy(py.python!, dir, ['--steps', String(N + M)], 'fresh');
        show('span/mlm from 0', fresh, losses);
        expect(fresh.firstStep).toBe(0);
        expect(maxDiff(fresh.losses, losses)).toBeLessThan(1e-5);
        const cont = await trainPy(py.python!, dir, ['--init', 'trained', '--steps', String(N + M)], 'continued');
        show(`span/mlm continued from ${N}`, cont, losses.slice(N));
        expect(cont.firstStep).toBe(N);
        expect(cont.log).not.toContain('no AdamW moments');
        const d = maxDiff(cont.losses, losses.slice(N));
        console.log(
          `continue-a-run: ${N} steps in MaskLab + ${M} in train.py vs ${N + M} in MaskLab: max |loss diff| ${d.toExponential(2)}`,
        );
        expect(d).toBeLessThan(1e-5);
      },
    );

    // Hard tokens through a vocabulary head (the targets' losses) and a binary head (every real token's).
    it.each(['mlm', 'rts'] as const)(
      "hard/%s on 1 and 2 processes (gloo): the same losses, and MaskLab's",
      { timeout: 300_000 },
      async (objective) => {
        const e = experiment({ strategy: 'hard', objective });
        const { losses } = await masklabCurve(fx, e, data);
        const dir = writeBundle(`hard-${objective}`, e, data);
        const one = await trainPy(py.python!, dir, ['--steps', String(N + M)], 'one');
        const two = await trainPy(py.python!, dir, ['--steps', String(N + M)], 'two', 2);
        show(`hard/${objective} 1 process`, one, losses);
        show(`hard/${objective} 2 processes`, two, losses);
        console.log(
          `hard/${objective}: N=1 vs N=2 max |loss diff| ${maxDiff(one.losses, two.losses).toExponential(2)}, vs MaskLab ${maxDiff(one.losses, losses).toExponential(2)}`,
        );
        expect(maxDiff(one.losses, two.losses)).toBeLessThan(1e-5);
        expect(maxDiff(one.losses, losses)).toBeLessThan(1e-5);
      },
    );

    it(
      "random/electra on 1 and 2 processes: MaskLab's sampler, the same losses; continued exactly",
      { timeout: 300_000 },
      async () => {
        const e = experiment({ strategy: 'random', objective: 'electra' });
        const { losses, trained } = await masklabCurve(fx, e, data);
        const dir = writeBundle('random-electra', e, data, trained);
        const one = await trainPy(py.python!, dir, ['--steps', String(N + M)], 'one');
        const two = await trainPy(py.python!, dir, ['--steps', String(N + M)], 'two', 2);
        const cont = await trainPy(py.python!, dir, ['--init', 'trained', '--steps', String(N + M)], 'continued');
        show('random/electra 1 process', one, losses);
        show('random/electra 2 processes', two, losses);
        show(`random/electra continued from ${N}`, cont, losses.slice(N));
        console.log(
          `random/electra: N=1 vs N=2 max |loss diff| ${maxDiff(one.losses, two.losses).toExponential(2)}, vs MaskLab ${maxDiff(one.losses, losses).toExponential(2)}, continued vs MaskLab ${maxDiff(cont.losses, losses.slice(N)).toExponential(2)}`,
        );
        // The same samples (MaskLab's hash of seed, step, slot, id): one sample drawn differently would move the
        // discriminator's loss by ~50 x 0.7 / tokens = 3e-2; float differences stay near 1e-6 of the loss (~40).
        expect(maxRelDiff(one.losses, two.losses)).toBeLessThan(1e-6);
        expect(maxRelDiff(one.losses, losses)).toBeLessThan(2e-5);
        expect(maxRelDiff(cont.losses, losses.slice(N))).toBeLessThan(2e-5);
      },
    );

    it(
      "Accelerate's settings apply unless a train.py flag is given: mixed precision, accumulation steps",
      { timeout: 300_000 },
      async () => {
        const e = experiment({ strategy: 'span', objective: 'mlm' });
        const dir = writeBundle('settings', e, data);
        const precision = (r: TrainPyResult) =>
          (
            JSON.parse(readFileSync(join(r.out, 'masklab-runs.json'), 'utf8')) as {
              runs: { external: { mixedPrecision: string } }[];
            }
          ).runs[0].external.mixedPrecision;
        const fp32 = await trainPy(py.python!, dir, ['--steps', '2'], 'fp32');
        // fp16 set the way `accelerate config` / `accelerate launch --mixed_precision fp16` set it reaches the
        // Accelerator (which refuses fp16 on a CPU, as accelerate does); --mixed-precision no wins over it.
        await expect(
          trainPy(py.python!, dir, ['--steps', '2'], 'fp16', 1, { ACCELERATE_MIXED_PRECISION: 'fp16' }),
        ).rejects.toThrow(/fp16 mixed precision requires a device/);
        const flag = await trainPy(py.python!, dir, ['--steps', '2', '--mixed-precision', 'no'], 'flag', 1, {
          ACCELERATE_MIXED_PRECISION: 'fp16',
        });
        const accum = await trainPy(py.python!, dir, ['--steps', '2'], 'accum', 1, {
          ACCELERATE_GRADIENT_ACCUMULATION_STEPS: '2',
        });
        console.log(
          `fp32 ${fp32.losses.join(' ')} | --mixed-precision no over fp16 ${flag.losses.join(' ')} | 2 accumulation steps ${accum.losses.join(' ')}`,
        );
        expect([precision(fp32), precision(flag)]).toEqual(['no', 'no']);
        expect(flag.losses).toEqual(fp32.losses);
        // Micro-batches of 8 rows add up to the batch of 16: the loss and the update are the same.
        expect(maxDiff(accum.losses, fp32.losses)).toBeLessThan(1e-5);
      },
    );
  });
else
  describe('train.py against MaskLab: no python3 with torch on this machine', () => {
    it('says why the check cannot run (install python3-torch to run it)', () => {
      console.warn(`train.py check NOT RUN: ${py.why}`);
      expect(py.why).toMatch(/torch/);
    });
  });

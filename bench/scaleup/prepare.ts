// Prepares the scale-up bundles a GPU machine runs with `accelerate launch train.py` (bench/device.sh, part
// "trainpy"; it has PyTorch, transformers and accelerate but no network): span/mlm and random/electra at the tiny and
// small models, MaskLab's default experiment otherwise (fairy tales, wordpiece 2048, batch 64), written to
// dist-bench/scaleup/ with manifest.json. MaskLab's own loss curve over the first steps (Dawn here) goes in the
// manifest for the tiny bundles. Weight files too big to carry (the small model's 80 MB) are left out and their
// SHA-256 recorded: dist-bench/scaleupWeights.mjs (bench/scaleup/weights.ts) writes them there again, bit for bit.
//   npm run bench:scaleup -- [--out dist-bench/scaleup] [--curve-steps 10] [--curve-models tiny] [--max-weights-mb 4]
// (after npm run bench:bundle, which empties dist-bench/)
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCorpus } from '../../src/data/corpora';
import type { PreparedData } from '../../src/data/dataset';
import { isCpuAdapter } from '../../src/engine/gpu';
import { Kernels } from '../../src/engine/kernels';
import { nodeGpu } from '../../src/engine/node/dawn';
import type { ModelPreset } from '../../src/engine/config';
import type { MaskingConfig } from '../../src/masking/types';
import { defaultExperiment, type ExperimentConfig } from '../../src/session/config';
import { encodeExperiment } from '../../src/session/experimentUrl';
import { prepareExperimentData, TrainingRun } from '../../src/session/run';
import { scaleUpBundle } from '../../src/session/scaleup/bundle';

const { values: flags } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    out: { type: 'string', default: 'dist-bench/scaleup' },
    'curve-steps': { type: 'string', default: '10' },
    'curve-models': { type: 'string', default: 'tiny' },
    'max-weights-mb': { type: 'string', default: '4' },
  },
});
const curveSteps = Number(flags['curve-steps']);
const maxWeightBytes = Number(flags['max-weights-mb']) * 1e6;
const curveModels = flags['curve-models'].split(',');

const SCHEMES: [string, MaskingConfig][] = [
  ['span-mlm', { strategy: 'span', objective: 'mlm' }],
  ['random-electra', { strategy: 'random', objective: 'electra' }],
];
const MODELS: ModelPreset[] = ['tiny', 'small'];

interface Regenerated {
  file: string;
  bytes: number;
  sha256: string;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const log = (s: string) => process.stderr.write(s + '\n');

/** MaskLab's losses over the first `steps` steps of the experiment, on this machine's Dawn adapter. */
async function masklabCurve(
  e: ExperimentConfig,
  data: PreparedData,
  steps: number,
): Promise<{ losses: number[]; adapter: string }> {
  const gpu = await nodeGpu();
  try {
    const k = new Kernels(gpu.device, { cpu: isCpuAdapter(gpu.summary) });
    const losses: number[] = [];
    const run = new TrainingRun(k, e, data, { onMetrics: (m) => (losses[m.step] = m.loss) });
    for (let s = 0; s < steps; s++) {
      run.step();
      await run.trainer.flush();
    }
    run.destroy();
    log(`  MaskLab on ${gpu.label}: ${losses.map((x) => x.toFixed(4)).join(' ')}`);
    return { losses, adapter: gpu.label };
  } finally {
    gpu.close();
  }
}

const out = flags.out;
rmSync(out, { recursive: true, force: true });
const text = await loadCorpus('fairy-tales');
const dataByT = new Map<number, PreparedData>();
const bundles: Record<string, unknown>[] = [];
let written = 0;
for (const preset of MODELS) {
  for (const [scheme, masking] of SCHEMES) {
    const e: ExperimentConfig = { ...defaultExperiment(), model: { preset }, masking };
    const name = `${scheme}-${preset}`;
    const t0 = performance.now();
    const key = preset === 'tiny' ? 64 : 128;
    let data = dataByT.get(key);
    if (!data) dataByT.set(key, (data = prepareExperimentData(text, e)));
    const files = scaleUpBundle(e, data, { link: `http://localhost:4173/#${encodeExperiment(e)}` });
    const regenerate: Regenerated[] = [];
    const big = files.some((f) => f.name.endsWith('model.safetensors') && f.bytes.byteLength > maxWeightBytes);
    for (const f of files) {
      if (big && f.name.endsWith('model.safetensors') && !f.name.startsWith('trained/')) {
        regenerate.push({ file: f.name, bytes: f.bytes.byteLength, sha256: sha256(f.bytes) });
        continue;
      }
      mkdirSync(dirname(join(out, name, f.name)), { recursive: true });
      writeFileSync(join(out, name, f.name), f.bytes);
      written += f.bytes.byteLength;
    }
    const curve = curveModels.includes(preset) && curveSteps > 0 ? await masklabCurve(e, data, curveSteps) : undefined;
    log(
      `${name}: ${files.length} files in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${regenerate.length} weight files to regenerate`,
    );
    bundles.push({
      name,
      model: preset,
      strategy: masking.strategy,
      objective: masking.objective,
      steps: e.train.steps,
      batch: e.train.B,
      regenerate,
      ...(curve ? { masklab_curve: curve.losses, masklab_adapter: curve.adapter } : {}),
    });
  }
}
const manifest = {
  format: 'masklab-scaleup-bench/1',
  made: new Date().toISOString(),
  note: "masklab_curve: MaskLab's first training losses (fp32) on the preparing machine's Dawn adapter",
  bundles,
};
writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
log(`wrote ${bundles.length} bundles and manifest.json to ${out} (${(written / 1e6).toFixed(1)} MB)`);

// Writes again the initial weight files bench/scaleup/prepare.ts left out of the carried bundles (too big to carry:
// the small model's), from each bundle's experiment.json exactly as the bundle writer draws them, and checks each
// against the SHA-256 recorded in manifest.json. Bundled as dist-bench/scaleupWeights.mjs for the GPU machine.
//   node dist-bench/scaleupWeights.mjs [dist-bench/scaleup]
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ModelConfig } from '../../src/engine/config';
import type { HeadConfig } from '../../src/engine/model/params';
import { initialWeights } from '../../src/session/scaleup/bundle';

interface Manifest {
  bundles: { name: string; regenerate: { file: string; bytes: number; sha256: string }[] }[];
}

const dir = process.argv.slice(2).find((a) => a !== '--') ?? 'dist-bench/scaleup';
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
let bad = 0;
for (const b of manifest.bundles) {
  if (!b.regenerate.length) continue;
  const t0 = performance.now();
  const exp = JSON.parse(readFileSync(join(dir, b.name, 'experiment.json'), 'utf8')) as {
    config: { seed: number };
    model: ModelConfig & { head: HeadConfig };
  };
  const { head, ...model } = exp.model;
  const files = new Map(initialWeights(model, head, exp.config.seed).files.map((f) => [f.name, f.bytes]));
  for (const r of b.regenerate) {
    const path = join(dir, b.name, r.file);
    const bytes = files.get(r.file);
    const sum = bytes && createHash('sha256').update(bytes).digest('hex');
    if (!bytes || sum !== r.sha256) {
      console.error(`${b.name}/${r.file}: the weights drawn here differ from the prepared ones (sha256 ${sum})`);
      bad++;
      continue;
    }
    if (!existsSync(path)) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, bytes);
    }
  }
  console.error(`${b.name}: ${b.regenerate.length} weight files in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
if (bad) process.exit(1);

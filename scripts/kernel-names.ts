// Writes src/engine/kernelNames.ts (the typed list of shader entry points) from shaders/*.wgsl. Run after adding or
// renaming a WGSL entry point: `npx vite-node scripts/kernel-names.ts`.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kernelNamesModule } from '../src/engine/wgsl';

const root = join(import.meta.dirname, '..');
const dir = join(root, 'shaders');
const sources = Object.fromEntries(
  readdirSync(dir)
    .filter((f) => f.endsWith('.wgsl'))
    .map((f) => [f.replace(/\.wgsl$/, ''), readFileSync(join(dir, f), 'utf8')]),
);
const out = join(root, 'src/engine/kernelNames.ts');
writeFileSync(out, kernelNamesModule(sources));
console.log(`wrote ${out}: ${Object.keys(sources).length} shader files`);

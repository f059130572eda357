// kernelNames.ts is generated from shaders/*.wgsl: this fails when a shader's entry points changed without
// regenerating it (run `npx vite-node scripts/kernel-names.ts`), and checks the WGSL entry-point parser.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHADER_ENTRIES } from './kernelNames';
import { shaderTable } from './shaders';
import { computeEntries, kernelNamesModule } from './wgsl';

const SHADERS = shaderTable();

const root = join(import.meta.dirname, '../..');

describe('kernel names', () => {
  it('kernelNames.ts is what the generator writes from the shader files today', () => {
    const dir = join(root, 'shaders');
    const sources = Object.fromEntries(
      readdirSync(dir)
        .filter((f) => f.endsWith('.wgsl'))
        .map((f) => [f.replace(/\.wgsl$/, ''), readFileSync(join(dir, f), 'utf8')]),
    );
    const onDisk = readFileSync(join(root, 'src/engine/kernelNames.ts'), 'utf8');
    expect(onDisk, 'stale: run `npx vite-node scripts/kernel-names.ts`').toBe(kernelNamesModule(sources));
  });

  it('lists every shader the program loads, with every compute entry point', () => {
    expect(Object.keys(SHADER_ENTRIES).sort()).toEqual(Object.keys(SHADERS).sort());
    for (const [name, code] of Object.entries(SHADERS)) {
      const entries = computeEntries(code);
      expect(entries.length, name).toBeGreaterThan(0);
      expect([...SHADER_ENTRIES[name as keyof typeof SHADER_ENTRIES]], name).toEqual(entries);
    }
  });

  it('finds entry points after their attributes and ignores commented-out ones and helper functions', () => {
    const code = [
      'fn helper(x: f32) -> f32 { return x; }',
      '@compute @workgroup_size(WG)',
      'fn first(@builtin(global_invocation_id) gid: vec3u) {}',
      '// @compute @workgroup_size(1) fn ghost() {}',
      '@compute',
      '@workgroup_size(8, 8)',
      'fn second() {}',
    ].join('\n');
    expect(computeEntries(code)).toEqual(['first', 'second']);
  });
});

// The shared WGSL functions (shaders/lib/): a file that asks for one gets its text once, however many of the files
// pasted into its module ask; libraries declare no entry points; an unknown library is an error naming it.
import { describe, expect, it } from 'vitest';
import { resolveIncludes, shaderLibs, shaderNames, shaderSource } from './shaders';
import { computeEntries } from './wgsl';

describe('shader libraries', () => {
  it('pastes a library where a file includes it, once per module', () => {
    const once = resolveIncludes('// #include lib/gelu.wgsl\nfn a() {}\n// #include lib/gelu.wgsl\n');
    expect(once.match(/fn gelu\(/g)).toHaveLength(1);
    expect(once).toContain('(lib/gelu.wgsl is included above)');
    expect(once).not.toContain('#include');
  });

  it('resolves the includes of every shader the program compiles', () => {
    for (const name of shaderNames()) expect(shaderSource(name), name).not.toMatch(/^\/\/ #include/m);
    expect(shaderSource('matmul')).toContain('fn gelu_grad(');
    expect(shaderSource('matmul_cpu')).toContain('fn gelu_grad(');
    expect(shaderSource('gelu')).toContain('fn gelu(');
  });

  it('libraries hold functions only, and an unknown one is named', () => {
    expect(Object.keys(shaderLibs())).toContain('lib/gelu.wgsl');
    for (const [path, code] of Object.entries(shaderLibs())) expect(computeEntries(code), path).toEqual([]);
    expect(() => resolveIncludes('// #include lib/nope.wgsl')).toThrow(/lib\/nope\.wgsl/);
  });
});

// The WGSL sources as the engine compiles them: every shaders/*.wgsl as a string, in the workers, Node and vitest,
// with the shared functions of shaders/lib/*.wgsl pasted where a file asks for them (`// #include lib/NAME.wgsl`).
// Nothing runs at load (the tables are built on first use), so a chunk that never builds a pipeline, such as the
// page's main chunk, leaves the sources out; the page's source viewer reads them from shaderSources.ts.
const modules = import.meta.glob('../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<
  string,
  string
>;
const libs = import.meta.glob('../../shaders/lib/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<
  string,
  string
>;

let table: Readonly<Record<string, string>> | undefined;

/** Shader sources keyed by file name without extension, e.g. shaderTable().matmul. */
export function shaderTable(): Readonly<Record<string, string>> {
  table ??= Object.freeze(
    Object.fromEntries(Object.entries(modules).map(([path, code]) => [path.replace(/^.*\/(.*)\.wgsl$/, '$1'), code])),
  );
  return table;
}

let libTable: Readonly<Record<string, string>> | undefined;

/** Functions shared by several shader files (no entry points), keyed by path under shaders/, e.g. 'lib/gelu.wgsl'. */
export function shaderLibs(): Readonly<Record<string, string>> {
  libTable ??= Object.freeze(
    Object.fromEntries(Object.entries(libs).map(([path, code]) => [path.replace(/^.*\/shaders\//, ''), code])),
  );
  return libTable;
}

const INCLUDE = /^\/\/ #include (\S+)[ \t]*$/gm;

/**
 * Replaces each `// #include lib/NAME.wgsl` line with that file's text (its own includes resolved too), once per
 * module: a later line naming the same file is dropped, so files pasted together may each ask for it.
 */
export function resolveIncludes(code: string, seen = new Set<string>()): string {
  return code.replace(INCLUDE, (_line, path: string) => {
    const lib = shaderLibs()[path];
    if (lib === undefined) throw new Error(`#include ${path}: no shaders/${path}`);
    if (seen.has(path)) return `// (${path} is included above)`;
    seen.add(path);
    return resolveIncludes(lib, seen);
  });
}

/** Suffix of the files whose entry points use subgroup operations (and extend their family's file). */
const SUBGROUP_SUFFIX = '_subgroup';

/**
 * The device feature a shader file needs: 'subgroups' for shaders/<family>_subgroup.wgsl (they open with
 * `enable subgroups;`, which a device created without the feature refuses), none for the others.
 */
export function shaderFeature(name: string): GPUFeatureName | undefined {
  return name.endsWith(SUBGROUP_SUFFIX) ? 'subgroups' : undefined;
}

/**
 * The WGSL module of a shader file. A <family>_subgroup.wgsl file extends <family>.wgsl: its module is its own
 * text followed by the family's (its `enable` stays first), so its entry points share the family's params,
 * bindings and helpers and are bound by the same op code. Includes are resolved in the whole module.
 */
export function shaderSource(name: string): string {
  const code = shaderTable()[name];
  if (code === undefined) throw new Error(`Unknown shader "${name}": no shaders/${name}.wgsl`);
  if (!name.endsWith(SUBGROUP_SUFFIX)) return resolveIncludes(code);
  const family = name.slice(0, -SUBGROUP_SUFFIX.length);
  const base = shaderTable()[family];
  if (base === undefined) throw new Error(`shaders/${name}.wgsl extends shaders/${family}.wgsl, which is missing`);
  return resolveIncludes(`${code}\n${base}`);
}

export function shaderNames(): string[] {
  return Object.keys(shaderTable()).sort();
}

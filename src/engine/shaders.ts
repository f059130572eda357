// The WGSL sources as the engine compiles them: every shaders/*.wgsl as a string, in the workers, Node and vitest.
// Nothing runs at load (the table is built on first use), so a chunk that never builds a pipeline, such as the
// page's main chunk, leaves the sources out; the page's source viewer reads them from shaderSources.ts.
const modules = import.meta.glob('../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<
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

export function shaderSource(name: string): string {
  const code = shaderTable()[name];
  if (code === undefined) throw new Error(`Unknown shader "${name}": no shaders/${name}.wgsl`);
  return code;
}

export function shaderNames(): string[] {
  return Object.keys(shaderTable()).sort();
}

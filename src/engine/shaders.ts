// The one place WGSL sources enter the program: every shaders/*.wgsl as a string, in the app, workers and vitest.
const modules = import.meta.glob('../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<
  string,
  string
>;

/** Shader sources keyed by file name without extension, e.g. SHADERS.matmul. */
export const SHADERS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(Object.entries(modules).map(([path, code]) => [path.replace(/^.*\/(.*)\.wgsl$/, '$1'), code])),
);

export function shaderSource(name: string): string {
  const code = SHADERS[name];
  if (code === undefined) throw new Error(`Unknown shader "${name}": no shaders/${name}.wgsl`);
  return code;
}

export function shaderNames(): string[] {
  return Object.keys(SHADERS).sort();
}

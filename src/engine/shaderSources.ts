// Every shaders/*.wgsl as text for the page's source viewer (the performance panel's "WGSL" button): a chunk of its
// own, fetched when a kernel's source is first shown. The engine compiles its own copy (shaders.ts, in the worker).
const modules = import.meta.glob('../../shaders/*.wgsl', { query: '?raw', import: 'default', eager: true }) as Record<
  string,
  string
>;

/** Shader sources keyed by file name without extension, e.g. SHADERS.matmul. */
export const SHADERS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(modules).map(([path, code]) => [path.replace(/^.*\/(.*)\.wgsl$/, '$1'), code]),
);

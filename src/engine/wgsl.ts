// What the program needs to know of the WGSL sources without a GPU: each file's compute entry points (for the
// generated list of kernel names, kernelNames.ts) and its uniform structs' fields (checked against the TS writers).

/** Compute entry points of one WGSL source, in file order. */
export function computeEntries(code: string): string[] {
  const out: string[] = [];
  for (const m of stripComments(code).matchAll(/@compute\b[^{;]*?\bfn\s+([A-Za-z_]\w*)\s*\(/g)) out.push(m[1]);
  return out;
}

export interface WgslField {
  name: string;
  type: string;
}

/** Every struct bound as var<uniform>: its variable name, struct name and fields in order. */
export function uniformStructs(code: string): { variable: string; struct: string; fields: WgslField[] }[] {
  const src = stripComments(code);
  const structs = new Map<string, WgslField[]>();
  for (const m of src.matchAll(/\bstruct\s+(\w+)\s*\{([^}]*)\}/g)) {
    const fields = m[2]
      .split(',')
      .map((f) => f.trim())
      .filter((f) => f.length > 0)
      .map((f) => {
        const [name, type] = f.split(':').map((x) => x.trim());
        return { name, type };
      });
    structs.set(m[1], fields);
  }
  const out: { variable: string; struct: string; fields: WgslField[] }[] = [];
  for (const m of src.matchAll(/var<uniform>\s+(\w+)\s*:\s*(\w+)\s*;/g)) {
    const fields = structs.get(m[2]);
    if (!fields) throw new Error(`uniform ${m[1]}: struct ${m[2]} not found`);
    out.push({ variable: m[1], struct: m[2], fields });
  }
  return out;
}

function stripComments(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
}

/** The text of src/engine/kernelNames.ts for these sources (file name without .wgsl -> code). */
export function kernelNamesModule(sources: Record<string, string>): string {
  const names = Object.keys(sources).sort();
  const lines = names.flatMap((n) => {
    const entries = computeEntries(sources[n]).map((e) => `'${e}'`);
    const one = `  ${n}: [${entries.join(', ')}],`;
    return one.length <= 120 ? [one] : [`  ${n}: [`, ...entries.map((e) => `    ${e},`), '  ],'];
  });
  return [
    '// Generated from shaders/*.wgsl by `npx vite-node scripts/kernel-names.ts`: do not edit. The compute entry points of',
    '// each shader file, so that a misspelt shader or entry name fails typecheck (kernelNames.test.ts checks it is current).',
    '',
    'export const SHADER_ENTRIES = {',
    ...lines,
    '} as const;',
    '',
    'export type ShaderName = keyof typeof SHADER_ENTRIES;',
    'export type EntryOf<S extends ShaderName> = (typeof SHADER_ENTRIES)[S][number];',
    '/** `${shader}.${entry}`: the key per-kernel timings and the self-test group by. */',
    'export type KernelName = { [S in ShaderName]: `${S}.${EntryOf<S>}` }[ShaderName];',
    '',
  ].join('\n');
}

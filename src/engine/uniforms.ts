// Uniform layouts: each op declares the fields of its WGSL params struct once (names, types, order) and packs its
// values through that declaration; uniforms.test.ts checks every declaration against the struct in shaders/*.wgsl.
import type { ShaderName } from './kernelNames';

export type Scalar = 'u32' | 'i32' | 'f32';

export interface UniformLayout<F extends string = string> {
  shader: ShaderName;
  /** The WGSL struct's name. */
  struct: string;
  fields: readonly (readonly [F, Scalar])[];
  /** The struct's bytes (4 per field, in order); booleans become 0/1. */
  pack(values: Readonly<Record<F, number | boolean>>): ArrayBuffer;
  /** Byte offset of a field (for in-place updates of one value). */
  offsetOf(field: F): number;
}

const registry: UniformLayout[] = [];

/** Declares (and registers, for the layout test) the params struct `struct` of shaders/`shader`.wgsl. */
export function uniformLayout<const F extends string>(
  shader: ShaderName,
  struct: string,
  fields: readonly (readonly [F, Scalar])[],
): UniformLayout<F> {
  const layout: UniformLayout<F> = {
    shader,
    struct,
    fields,
    pack(values) {
      const buf = new ArrayBuffer(fields.length * 4);
      const view = new DataView(buf);
      fields.forEach(([name, type], i) => {
        const v: number | boolean = values[name];
        const x = typeof v === 'boolean' ? (v ? 1 : 0) : v;
        if (type === 'f32') view.setFloat32(i * 4, x, true);
        else if (type === 'i32') view.setInt32(i * 4, x, true);
        else view.setUint32(i * 4, x, true);
      });
      return buf;
    },
    offsetOf(field) {
      const i = fields.findIndex(([n]) => n === field);
      if (i < 0) throw new Error(`${struct} has no field ${field}`);
      return i * 4;
    },
  };
  registry.push(layout as unknown as UniformLayout);
  return layout;
}

/** Every layout declared so far (the ops modules declare theirs when they load). */
export function uniformLayouts(): readonly UniformLayout[] {
  return registry;
}

// Every WGSL uniform struct against the TypeScript layout its op packs: same fields, same order, same types.
// A field added to a shader's Params without its writer (or the other way round) fails here, not as garbage on a GPU.
import { describe, expect, it } from 'vitest';
import './ops/adamw';
import './ops/attention';
import './ops/elementwise';
import './ops/embedding';
import './ops/fill';
import './ops/gather';
import './ops/gelu';
import './ops/layernorm';
import './ops/loss';
import './ops/matmul';
import './ops/nopos';
import './ops/reduce';
import './ops/sample';
import { shaderTable } from './shaders';
import { uniformLayout, uniformLayouts } from './uniforms';
import { uniformStructs } from './wgsl';

const SHADERS = shaderTable();

describe('uniform layouts', () => {
  const declared = uniformLayouts();

  it('every uniform struct of every shader has a TS layout with the same fields in the same order', () => {
    let count = 0;
    for (const [shader, code] of Object.entries(SHADERS)) {
      for (const u of uniformStructs(code)) {
        const ts = declared.filter((l) => l.shader === shader && l.struct === u.struct);
        expect(ts.length, `${shader}.wgsl ${u.struct}: no (or several) TS layouts`).toBe(1);
        expect(
          ts[0].fields.map(([n, t]) => `${n}: ${t}`),
          `${shader}.wgsl ${u.struct}`,
        ).toEqual(u.fields.map((f) => `${f.name}: ${f.type}`));
        count++;
      }
    }
    expect(count).toBe(declared.length);
    expect(count).toBeGreaterThanOrEqual(20);
  });

  it('every TS layout names a struct that a shader binds as a uniform', () => {
    for (const l of declared) {
      const structs = uniformStructs(SHADERS[l.shader]).map((u) => u.struct);
      expect(structs, `${l.shader} ${l.struct}`).toContain(l.struct);
    }
  });

  it('packs 4 bytes per field in order, booleans as 0/1', () => {
    const l = uniformLayout('fill', 'Test', [
      ['n', 'u32'],
      ['x', 'f32'],
      ['on', 'u32'],
      ['i', 'i32'],
    ]);
    const b = l.pack({ n: 7, x: 0.5, on: true, i: -2 });
    expect(b.byteLength).toBe(16);
    const v = new DataView(b);
    expect([v.getUint32(0, true), v.getFloat32(4, true), v.getUint32(8, true), v.getInt32(12, true)]).toEqual([
      7, 0.5, 1, -2,
    ]);
    expect(l.offsetOf('on')).toBe(8);
  });

  it('the WGSL parser reads struct fields in order and ignores comments', () => {
    const code =
      'struct P {\n  /** doc */\n  a: u32,\n  b: f32, // note\n  c: u32\n}\n@group(0) @binding(0) var<uniform> p: P;';
    expect(uniformStructs(code)).toEqual([
      {
        variable: 'p',
        struct: 'P',
        fields: [
          { name: 'a', type: 'u32' },
          { name: 'b', type: 'f32' },
          { name: 'c', type: 'u32' },
        ],
      },
    ]);
  });
});

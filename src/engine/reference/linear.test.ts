// The fused Linear blocks' reference: forward as its parts compose it, gradients by finite differences.
import { describe, expect, it } from 'vitest';
import { gelu } from './gelu';
import { dot, gradCheck, projection } from './gradcheck';
import { linearBackward, linearForward, linearGeluBackward, linearGeluForward, type LinearShape } from './linear';

function random(n: number, seed: number): Float64Array {
  let a = seed >>> 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    out[i] = 2 * (a / 4294967296 - 0.5);
  }
  return out;
}

const s: LinearShape = { rows: 5, inp: 7, out: 3 };
const x = random(s.rows * s.inp, 1);
const w = random(s.out * s.inp, 2);
const b = random(s.out, 3);
const res = random(s.rows * s.out, 4);
const proj = projection(s.rows * s.out);

describe('Linear + residual', () => {
  it('adds the bias and the residual to x W^T', () => {
    const y = linearForward(x, w, b, s, res);
    let v = b[1] + res[2 * s.out + 1];
    for (let i = 0; i < s.inp; i++) v += x[2 * s.inp + i] * w[1 * s.inp + i];
    expect(y[2 * s.out + 1]).toBeCloseTo(v, 12);
  });

  it('has the gradients of finite differences (x, W, b, and dY for the residual)', () => {
    const loss = () => dot(proj, linearForward(x, w, b, s, res));
    const g = linearBackward(proj, x, w, s);
    expect(gradCheck(x, g.dx, loss)).toBeLessThan(1e-7);
    expect(gradCheck(w, g.dw, loss)).toBeLessThan(1e-7);
    expect(gradCheck(b, g.db, loss)).toBeLessThan(1e-7);
    expect(gradCheck(res, proj, loss)).toBeLessThan(1e-7);
  });
});

describe('Linear + GELU', () => {
  it('keeps the pre-activation and applies GELU to it', () => {
    const { pre, out } = linearGeluForward(x, w, b, s);
    expect(Array.from(pre)).toEqual(Array.from(linearForward(x, w, b, s)));
    for (let i = 0; i < out.length; i++) expect(out[i]).toBe(gelu(pre[i]));
  });

  it('has the gradients of finite differences', () => {
    const loss = () => dot(proj, linearGeluForward(x, w, b, s).out);
    const { pre } = linearGeluForward(x, w, b, s);
    const g = linearGeluBackward(proj, x, w, pre, s);
    expect(gradCheck(x, g.dx, loss)).toBeLessThan(1e-6);
    expect(gradCheck(w, g.dw, loss)).toBeLessThan(1e-6);
    expect(gradCheck(b, g.db, loss)).toBeLessThan(1e-6);
  });
});

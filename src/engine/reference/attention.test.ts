// The CPU attention reference: gradients by finite differences, mask semantics, and a hand-computed case.
import { describe, expect, it } from 'vitest';
import { dot, gradCheck, projection } from './gradcheck';
import { attentionBackwardRef, attentionForwardRef, type AttentionDims } from './attention';

function random(n: number, seed: number, scale = 1): Float64Array {
  let a = seed >>> 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    out[i] = (a / 4294967296 - 0.5) * 2 * scale;
  }
  return out;
}

/** valid (B*T) with the given number of real tokens per sequence; `left` puts the padding first. */
function lengths(T: number, lens: number[], left = false): Int32Array {
  const v = new Int32Array(lens.length * T);
  lens.forEach((n, b) => {
    for (let t = 0; t < T; t++) v[b * T + t] = (left ? t >= T - n : t < n) ? 1 : 0;
  });
  return v;
}

interface Case {
  name: string;
  d: AttentionDims;
  valid: Int32Array;
}

const cases: Case[] = [
  { name: 'no padding', d: { B: 1, T: 4, C: 6, NH: 2, causal: false }, valid: lengths(4, [4]) },
  { name: 'right padding', d: { B: 2, T: 5, C: 8, NH: 2, causal: false }, valid: lengths(5, [5, 3]) },
  { name: 'causal + right padding', d: { B: 2, T: 5, C: 8, NH: 2, causal: true }, valid: lengths(5, [4, 2]) },
  {
    name: 'causal + left padding (rows with no valid key)',
    d: { B: 2, T: 5, C: 4, NH: 1, causal: true },
    valid: lengths(5, [5, 2], true),
  },
  { name: 'an all-padding sequence', d: { B: 2, T: 3, C: 6, NH: 3, causal: false }, valid: lengths(3, [3, 0]) },
  { name: 'one token', d: { B: 1, T: 1, C: 8, NH: 2, causal: true }, valid: lengths(1, [1]) },
];

describe('attention reference', () => {
  it.each(cases)('gradients match finite differences: $name', ({ d, valid }) => {
    const qkv = random(d.B * d.T * 3 * d.C, 7, 1.5);
    const w = projection(d.B * d.T * d.C);
    const { att } = attentionForwardRef(qkv, valid, d);
    const dqkv = attentionBackwardRef(qkv, valid, att, w, d);
    const err = gradCheck(qkv, dqkv, () => dot(w, attentionForwardRef(qkv, valid, d).out), 400);
    expect(err).toBeLessThan(1e-6);
  });

  it.each(cases)('probabilities are a distribution over the allowed keys: $name', ({ d, valid }) => {
    const { B, T, NH, causal } = d;
    const { att, out } = attentionForwardRef(random(B * T * 3 * d.C, 3), valid, d);
    expect(out.every(Number.isFinite)).toBe(true);
    for (let b = 0; b < B; b++)
      for (let h = 0; h < NH; h++)
        for (let i = 0; i < T; i++) {
          const row = att.subarray(((b * NH + h) * T + i) * T, ((b * NH + h) * T + i + 1) * T);
          expect(row.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
          const visible = (j: number) => !causal || j <= i;
          const anyAllowed = [...row.keys()].some((j) => visible(j) && valid[b * T + j] === 1);
          row.forEach((p, j) => {
            if (!visible(j)) expect(p).toBe(0);
            else if (anyAllowed && valid[b * T + j] === 0) expect(p).toBe(0);
            // No allowed key at all: uniform over the visible keys.
            else if (!anyAllowed) expect(p).toBeCloseTo(1 / (causal ? i + 1 : T), 12);
            else expect(p).toBeGreaterThan(0);
          });
        }
  });

  it('matches a hand-computed two-token, one-head example', () => {
    // HS = 1: score(i, j) = q_i * k_j. Rows: [q, k, v].
    const qkv = [1, 2, 10, Math.log(3), 0, 20];
    const d: AttentionDims = { B: 1, T: 2, C: 1, NH: 1, causal: false };
    const { att, out } = attentionForwardRef(qkv, [1, 1], d);
    // Query 0: logits 2 and 0 -> softmax.
    const e = Math.exp(2);
    expect(att[0]).toBeCloseTo(e / (e + 1), 14);
    expect(out[0]).toBeCloseTo((10 * e + 20) / (e + 1), 12);
    // Query 1: logits 2 ln3 and 0 -> 9/10, 1/10.
    expect(att[2]).toBeCloseTo(0.9, 14);
    expect(out[1]).toBeCloseTo(11, 12);
    // Causal: query 0 sees only itself.
    const c = attentionForwardRef(qkv, [1, 1], { ...d, causal: true });
    expect(c.att[0]).toBe(1);
    expect(c.att[1]).toBe(0);
    expect(c.att[2]).toBeCloseTo(0.9, 14);
    expect(c.att[3]).toBeCloseTo(0.1, 14);
    expect(c.out[0]).toBe(10);
  });

  it('stays finite and one-hot for logits around 1e4', () => {
    const d: AttentionDims = { B: 1, T: 6, C: 8, NH: 2, causal: false };
    const qkv = random(d.T * 3 * d.C, 11, 60);
    const { att, out } = attentionForwardRef(qkv, lengths(6, [6]), d);
    expect(out.every(Number.isFinite)).toBe(true);
    expect(att.every(Number.isFinite)).toBe(true);
    expect(Math.max(...att)).toBeGreaterThan(0.999);
  });

  it('refuses C not divisible by NH', () => {
    expect(() => attentionForwardRef(new Float64Array(30), [1], { B: 1, T: 1, C: 10, NH: 3, causal: false })).toThrow(
      /C=10.*NH=3/,
    );
  });
});

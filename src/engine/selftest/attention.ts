// Shared kernel cases of attention (read by ops/attention.gpu.test.ts and the self-test): scores, softmax and
// context forward, and the four gradient products backward, against the float64 reference on odd shapes with
// random padding, causal and not; all keys padded but one, rows with no allowed key, logits around 1e4.
import { createStorage, readF32 } from '../buffers';
import { randomArray, rng, type Tolerance } from '../check';
import { runDispatches, type Kernels } from '../kernels';
import { attentionBackward, attentionForward, attentionSizes, type AttentionShape } from '../ops/attention';
import { attentionBackwardRef, attentionForwardRef } from '../reference/attention';
import type { Checker, KernelCase } from './case';

// Forward: out and att; backward: dqkv (values O(1); scaled cases use rtol).
export const ATTENTION_FWD: Tolerance = { atol: 2e-5, rtol: 1e-4 };
export const ATTENTION_BWD: Tolerance = { atol: 1e-4, rtol: 1e-3 };

export interface AttentionRun {
  out: Float32Array;
  att: Float32Array;
  dqkv: Float32Array;
}

/** valid (B*T): `lens[b]` real tokens per sequence, padding at the end (or at the start with `left`). */
export function lengths(T: number, lens: number[], left = false): Int32Array {
  const v = new Int32Array(lens.length * T);
  lens.forEach((n, b) => {
    for (let t = 0; t < T; t++) v[b * T + t] = (left ? t >= T - n : t < n) ? 1 : 0;
  });
  return v;
}

export function randomLengths(B: number, T: number, seed: number): number[] {
  const r = rng(seed);
  return Array.from({ length: B }, () => 1 + Math.floor(r() * T));
}

/** Forward and backward on the GPU; outputs start as garbage, so the kernels must overwrite every element. */
export async function runAttention(
  k: Kernels,
  s: AttentionShape,
  causal: boolean,
  qkv: Float32Array,
  valid: Int32Array,
  dout: Float32Array,
): Promise<AttentionRun> {
  const device = k.device;
  const sz = attentionSizes(s);
  const garbage = (bytes: number, label: string) =>
    createStorage(device, new Float32Array(bytes / 4).fill(123.5), label);
  const b = {
    qkv: createStorage(device, qkv, 'qkv'),
    valid: createStorage(device, valid, 'valid'),
    dout: createStorage(device, dout, 'dout'),
    out: garbage(sz.out, 'out'),
    dqkv: garbage(sz.dqkv, 'dqkv'),
  };
  const att = garbage(sz.att, 'att');
  const datt = garbage(sz.datt, 'datt');
  const a = { ...s, ...b, att, datt, causal };
  runDispatches(device, [...attentionForward(k, a), ...attentionBackward(k, a)]);
  const run = {
    out: await readF32(device, b.out),
    att: await readF32(device, att),
    dqkv: await readF32(device, b.dqkv),
  };
  [...Object.values(b), att, datt].forEach((buf) => buf.destroy());
  return run;
}

/** Runs GPU and reference and compares out, att and dqkv; every output must be finite. */
export async function checkAttention(
  k: Kernels,
  ck: Checker,
  s: AttentionShape,
  causal: boolean,
  valid: Int32Array,
  qkv: Float32Array,
  fwd = ATTENTION_FWD,
  bwd = ATTENTION_BWD,
) {
  const dout = randomArray(s.B * s.T * s.C, 99);
  const gpu = await runAttention(k, s, causal, qkv, valid, dout);
  const d = { ...s, causal };
  const ref = attentionForwardRef(qkv, valid, d);
  const refD = attentionBackwardRef(qkv, valid, ref.att, dout, d);
  const tag = `B=${s.B} T=${s.T} C=${s.C} NH=${s.NH}${causal ? ' causal' : ''}`;
  const errs = {
    out: ck.close(gpu.out, ref.out, fwd, `out ${tag}`),
    att: ck.close(gpu.att, ref.att, fwd, `att ${tag}`),
    dqkv: ck.close(gpu.dqkv, refD, bwd, `dqkv ${tag}`),
  };
  for (const [name, a] of Object.entries(gpu)) ck.ok(a.every(Number.isFinite), `${name} ${tag} finite`);
  return errs;
}

export const ATTENTION_SHAPES: [number, number, number, number][] = [
  [2, 37, 72, 3],
  [1, 1, 8, 2],
  [3, 16, 64, 4],
  [2, 64, 64, 2],
  // Several 64-row tiles: causal tiles above the diagonal are skipped and k loops start or stop at the band.
  [2, 150, 48, 3],
  // HS = 64: the widest register block (8 x 8 per thread) in the context and input-gradient products too.
  [1, 70, 128, 2],
];

/** Logits around 1e4: Q and K (not V) scaled by 170. */
export function largeLogitInputs(s: AttentionShape): Float32Array {
  const qkv = randomArray(s.B * s.T * 3 * s.C, 10, 1);
  for (let r = 0; r < s.B * s.T; r++) for (let c = 0; c < 2 * s.C; c++) qkv[r * 3 * s.C + c] *= 170;
  return qkv;
}

export function attentionCases(): KernelCase[] {
  const out: KernelCase[] = [];
  for (const [B, T, C, NH] of ATTENTION_SHAPES) {
    for (const causal of [false, true]) {
      out.push({
        id: `attention B=${B} T=${T} C=${C} NH=${NH} ${causal ? 'causal' : 'bidirectional'}, random padding`,
        family: 'attention',
        roles: ['attention', 'softmax'],
        size: B * NH * T * T,
        async run(k, ck) {
          const lens = randomLengths(B, T, B * 1000 + T + (causal ? 1 : 0));
          await checkAttention(
            k,
            ck,
            { B, T, C, NH },
            causal,
            lengths(T, lens),
            randomArray(B * T * 3 * C, T + C, 1.5),
          );
        },
      });
    }
  }
  const s37 = { B: 2, T: 37, C: 72, NH: 3 };
  const s21 = { B: 3, T: 21, C: 32, NH: 2 };
  out.push(
    {
      id: 'attention: all keys but one padded',
      family: 'attention',
      roles: ['attention', 'softmax'],
      size: s37.B * s37.NH * s37.T * s37.T,
      async run(k, ck) {
        await checkAttention(k, ck, s37, false, lengths(s37.T, [1, 1]), randomArray(s37.B * s37.T * 3 * s37.C, 5, 1.5));
        await checkAttention(
          k,
          ck,
          s37,
          true,
          lengths(s37.T, [1, 1], true),
          randomArray(s37.B * s37.T * 3 * s37.C, 6, 1.5),
        );
      },
    },
    {
      id: 'attention: rows with no allowed key stay finite',
      family: 'attention',
      roles: ['attention', 'softmax'],
      size: s21.B * s21.NH * s21.T * s21.T,
      async run(k, ck) {
        await checkAttention(
          k,
          ck,
          s21,
          false,
          lengths(s21.T, [21, 0, 7]),
          randomArray(s21.B * s21.T * 3 * s21.C, 8, 1.5),
        );
        await checkAttention(
          k,
          ck,
          s21,
          true,
          lengths(s21.T, [21, 0, 7], true),
          randomArray(s21.B * s21.T * 3 * s21.C, 9, 1.5),
        );
      },
    },
    {
      id: 'attention: logits around 1e4',
      family: 'attention',
      roles: ['attention', 'softmax'],
      size: s37.B * s37.NH * s37.T * s37.T,
      async run(k, ck) {
        // An f32 logit of size 1e4 is itself rounded by ~1e-3 (ulp 1e-3, HS = 24 terms), which moves a probability
        // by up to p(1-p) * 1e-3 against the float64 reference: near-tied top keys differ by a few 1e-4.
        // dQ, dK also carry a factor |K|, |Q| ~ 170.
        const qkv = largeLogitInputs(s37);
        for (const causal of [false, true])
          await checkAttention(
            k,
            ck,
            s37,
            causal,
            lengths(s37.T, [37, 20]),
            qkv,
            { atol: 1e-3 },
            { atol: 2e-3, rtol: 1e-3 },
          );
      },
    },
  );
  return out;
}

// The attention kernels (materialized probabilities, both tunings) against the float64 CPU reference: odd shapes, padding, causal, rows without an allowed key, and extreme logits.
import { describe, expect, it } from 'vitest';
import { createStorage, readF32 } from '../buffers';
import { Kernels, runDispatches, type KernelTuning } from '../kernels';
import { LimitError } from '../limits';
import { expectClose, randomArray, rng, useGpu } from '../testing';
import { attentionBackwardRef, attentionForwardRef } from '../reference/attention';
import { attentionBackward, attentionForward, attentionSizes, checkAttentionShape, directLayout, type AttentionShape } from './attention';

type Tol = { atol: number; rtol?: number };

// Forward: out and att; backward: dqkv (values O(1); scaled cases use rtol).
const FWD: Tol = { atol: 2e-5, rtol: 1e-4 };
const BWD: Tol = { atol: 1e-4, rtol: 1e-3 };

interface Run {
  out: Float32Array;
  /** Materialized variant only. */
  att?: Float32Array;
  dqkv: Float32Array;
}

/** valid (B*T): `lens[b]` real tokens per sequence, padding at the end (or at the start with `left`). */
function lengths(T: number, lens: number[], left = false): Int32Array {
  const v = new Int32Array(lens.length * T);
  lens.forEach((n, b) => {
    for (let t = 0; t < T; t++) v[b * T + t] = (left ? t >= T - n : t < n) ? 1 : 0;
  });
  return v;
}

function randomLengths(B: number, T: number, seed: number): number[] {
  const r = rng(seed);
  return Array.from({ length: B }, () => 1 + Math.floor(r() * T));
}

type Variant = 'materialized';

// The materialized variant's kernels differ by adapter kind: on GPUs tiled products and a workgroup per row of the
// softmax kernels; on CPU adapters direct products (no workgroup memory, no barriers) and one thread per row. Both
// run here whatever the adapter is.
describe.each<[Variant, KernelTuning]>([
  ['materialized', { cpu: false }],
  ['materialized', { cpu: true }],
])('attention (%s, tuning %o)', (_variant, tuning) => {
  const fx = useGpu();
  let tuned: Kernels | undefined;

  async function runGpu(s: AttentionShape, causal: boolean, qkv: Float32Array, valid: Int32Array, dout: Float32Array): Promise<Run> {
    const device = fx.device;
    const k = (tuned ??= new Kernels(device, tuning));
    const sz = attentionSizes(s);
    // Outputs start as garbage: the kernels must overwrite every element.
    const garbage = (bytes: number, label: string) => createStorage(device, new Float32Array(bytes / 4).fill(123.5), label);
    const b = {
      qkv: createStorage(device, qkv, 'qkv'),
      valid: createStorage(device, valid, 'valid'),
      dout: createStorage(device, dout, 'dout'),
      out: garbage(sz.out, 'out'),
      dqkv: garbage(sz.dqkv, 'dqkv'),
    };
    const att = garbage(sz.att, 'att');
    const datt = garbage(sz.datt, 'datt');
    const scratch = [att, datt];
    const a = { ...s, ...b, att, datt, causal };
    runDispatches(device, [...attentionForward(k, a), ...attentionBackward(k, a)]);
    const run = {
      out: await readF32(device, b.out),
      att: att ? await readF32(device, att) : undefined,
      dqkv: await readF32(device, b.dqkv),
    };
    [...Object.values(b), ...scratch].forEach((buf) => buf.destroy());
    return run;
  }

  /** Runs GPU and reference and compares out, att (materialized only) and dqkv. */
  async function check(s: AttentionShape, causal: boolean, valid: Int32Array, qkv: Float32Array, fwd = FWD, bwd = BWD) {
    const dout = randomArray(s.B * s.T * s.C, 99);
    const gpu = await runGpu(s, causal, qkv, valid, dout);
    const d = { ...s, causal };
    const ref = attentionForwardRef(qkv, valid, d);
    const refD = attentionBackwardRef(qkv, valid, ref.att, dout, d);
    const errs = {
      out: expectClose(gpu.out, ref.out, fwd, 'out'),
      att: gpu.att ? expectClose(gpu.att, ref.att, fwd, 'att') : { maxAbs: NaN },
      dqkv: expectClose(gpu.dqkv, refD, bwd, 'dqkv'),
    };
    for (const a of [gpu.out, gpu.att ?? [], gpu.dqkv]) expect(Array.from(a).every(Number.isFinite)).toBe(true);
    return errs;
  }

  const shapes: [number, number, number, number][] = [
    [2, 37, 72, 3],
    [1, 1, 8, 2],
    [3, 16, 64, 4],
    [2, 64, 64, 2],
    // Several 64-row tiles: causal tiles above the diagonal are skipped and k loops start or stop at the band.
    [2, 150, 48, 3],
    // HS = 64: the widest register block (8 x 8 per thread) in the context and input-gradient products too.
    [1, 70, 128, 2],
  ];
  for (const [B, T, C, NH] of shapes) {
    for (const causal of [false, true]) {
      it(`matches the reference: B=${B} T=${T} C=${C} NH=${NH} ${causal ? 'causal' : 'bidirectional'}, random padding`, async () => {
        const s = { B, T, C, NH };
        const lens = randomLengths(B, T, B * 1000 + T + (causal ? 1 : 0));
        const e = await check(s, causal, lengths(T, lens), randomArray(B * T * 3 * C, T + C, 1.5));
        console.log(`B=${B} T=${T} C=${C} NH=${NH} causal=${causal} lens=${lens}: max abs err out ${e.out.maxAbs.toExponential(2)} ` +
          `att ${e.att.maxAbs.toExponential(2)} dqkv ${e.dqkv.maxAbs.toExponential(2)}`);
      });
    }
  }

  it('gives each query the one valid key when all keys but one are padding', async () => {
    const s = { B: 2, T: 37, C: 72, NH: 3 };
    const valid = lengths(s.T, [1, 1]);
    await check(s, false, valid, randomArray(s.B * s.T * 3 * s.C, 5, 1.5));
    await check(s, true, lengths(s.T, [1, 1], true), randomArray(s.B * s.T * 3 * s.C, 6, 1.5));
  });

  it('keeps rows with no allowed key finite (an all-padding sequence; causal left padding)', async () => {
    const s = { B: 3, T: 21, C: 32, NH: 2 };
    await check(s, false, lengths(s.T, [21, 0, 7]), randomArray(s.B * s.T * 3 * s.C, 8, 1.5));
    await check(s, true, lengths(s.T, [21, 0, 7], true), randomArray(s.B * s.T * 3 * s.C, 9, 1.5));
  });

  it('stays finite and matches with logits around 1e4', async () => {
    const s = { B: 2, T: 37, C: 72, NH: 3 };
    const qkv = randomArray(s.B * s.T * 3 * s.C, 10, 1);
    // Scale Q and K (not V) so that |logit| reaches ~1e4.
    for (let r = 0; r < s.B * s.T; r++) for (let c = 0; c < 2 * s.C; c++) qkv[r * 3 * s.C + c] *= 170;
    const ref = attentionForwardRef(qkv, lengths(s.T, [37, 20]), { ...s, causal: false });
    // The largest head-0 logit of any query against key 1 of sequence 0.
    const [C3, HS] = [3 * s.C, s.C / s.NH];
    let maxLogit = 0;
    for (let i = 0; i < s.T; i++) {
      let d = 0;
      for (let e = 0; e < HS; e++) d += qkv[i * C3 + e] * qkv[1 * C3 + s.C + e];
      maxLogit = Math.max(maxLogit, Math.abs(d) / Math.sqrt(HS));
    }
    expect(maxLogit).toBeGreaterThan(5e3);
    expect(Math.max(...ref.att)).toBeGreaterThan(0.999);
    // An f32 logit of size 1e4 is itself rounded by ~1e-3 (ulp 1e-3, HS = 24 terms), which moves a probability
    // by up to p(1-p) * 1e-3 against the float64 reference: near-tied top keys differ by a few 1e-4.
    // dQ, dK also carry a factor |K|, |Q| ~ 170.
    for (const causal of [false, true]) {
      const e = await check(s, causal, lengths(s.T, [37, 20]), qkv, { atol: 1e-3 }, { atol: 2e-3, rtol: 1e-3 });
      console.log(`logits ~1e4, causal=${causal}: max abs err out ${e.out.maxAbs.toExponential(2)} att ${e.att.maxAbs.toExponential(2)} ` +
        `dqkv ${e.dqkv.maxAbs.toExponential(2)} (max rel ${e.dqkv.maxRel.toExponential(2)})`);
    }
  });

  it('is deterministic: the same inputs give the same bits', async () => {
    const s = { B: 2, T: 37, C: 72, NH: 3 };
    const qkv = randomArray(s.B * s.T * 3 * s.C, 12, 1);
    const valid = lengths(s.T, [37, 30]);
    const dout = randomArray(s.B * s.T * s.C, 13);
    const a = await runGpu(s, true, qkv, valid, dout);
    const b = await runGpu(s, true, qkv, valid, dout);
    expect(Array.from(b.out)).toEqual(Array.from(a.out));
    expect(Array.from(b.dqkv)).toEqual(Array.from(a.dqkv));
  });

  it('refuses C not divisible by NH and shapes over device limits, naming the setting', () => {
    const { device } = fx;
    const small = createStorage(device, 16, 'small');
    const tooLong = Math.ceil(Math.sqrt(Number(device.limits.maxStorageBufferBindingSize) / 4)) + 1;
    const manyHeads = { B: device.limits.maxComputeWorkgroupsPerDimension + 1, T: 1, C: 1, NH: 1 };
    const args = { B: 1, T: 4, C: 8, NH: 2, qkv: small, valid: small, out: small, causal: false };
    expect(() => checkAttentionShape(device, { B: 1, T: 4, C: 10, NH: 3 })).toThrow(/C=10.*NH=3/);
    expect(() => checkAttentionShape(device, { B: 1, T: tooLong, C: 8, NH: 1 })).toThrow(LimitError);
    expect(() => checkAttentionShape(device, { B: 1, T: tooLong, C: 8, NH: 1 })).toThrow(/att \(B\*NH\*T\*T/);
    expect(() => checkAttentionShape(device, manyHeads)).toThrow(/maxComputeWorkgroupsPerDimension.*B\*NH|B\*NH.*maxComputeWorkgroupsPerDimension/);
    expect(() => attentionForward(fx.kernels, { ...args, att: small })).toThrow(/buffer qkv has 16 bytes, needs 384/);
    small.destroy();
  });
});

describe('attention kernel choice', () => {
  const fx = useGpu();
  it('runs the products directly (8-row blocks, no workgroup tiles) on Kernels tuned for a CPU adapter', () => {
    const s = { B: 2, T: 37, C: 72, NH: 3 };
    const sz = attentionSizes(s);
    const buf = (bytes: number) => createStorage(fx.device, bytes, 'buf');
    const a = { ...s, qkv: buf(sz.qkv), valid: buf(sz.valid), out: buf(sz.out), att: buf(sz.att), causal: false };
    const grids = (tuning: KernelTuning) => attentionForward(new Kernels(fx.device, tuning), a).map((d) => d.workgroups);
    const HS = s.C / s.NH;
    const { BN } = directLayout(HS);
    // scores (T x T), softmax, context (T x HS)
    expect(grids({ cpu: true })[0]).toEqual([Math.ceil(s.T / directLayout(s.T).BN), Math.ceil(s.T / 8), s.B * s.NH]);
    expect(grids({ cpu: true })[2]).toEqual([Math.ceil(HS / BN), Math.ceil(s.T / 8), s.B * s.NH]);
    expect(grids({ cpu: false })[0]).toEqual([1, 1, s.B * s.NH]);
    expect(directLayout(16)).toEqual({ WGX: 2, BM: 8, BN: 16 });
    expect(directLayout(64)).toEqual({ WGX: 8, BM: 8, BN: 64 });
    for (const b of [a.qkv, a.valid, a.out, a.att]) b.destroy();
  });
});

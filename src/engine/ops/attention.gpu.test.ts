// The attention kernels (materialized probabilities, both tunings) against the float64 CPU reference (the shared
// cases of selftest/attention.ts): odd shapes, padding, causal, rows without an allowed key, extreme logits.
import { describe, expect, it } from 'vitest';
import { createStorage } from '../buffers';
import { Kernels, type KernelTuning } from '../kernels';
import { LimitError } from '../limits';
import { randomArray, useGpu, expectCase } from '../testing';
import { attentionForwardRef } from '../reference/attention';
import { casesOf } from '../selftest/cases';
import { largeLogitInputs, lengths, runAttention } from '../selftest/attention';
import { attentionForward, attentionSizes, checkAttentionShape, directLayout, type AttentionShape } from './attention';

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

  const k = () => (tuned ??= new Kernels(fx.device, tuning));
  const runGpu = (s: AttentionShape, causal: boolean, qkv: Float32Array, valid: Int32Array, dout: Float32Array) =>
    runAttention(k(), s, causal, qkv, valid, dout);

  // The shared cases (selftest/attention.ts): odd shapes with random padding, causal and not; all keys padded but
  // one; rows with no allowed key; logits around 1e4 (checked there to reach 5e3 and a probability over 0.999).
  it.each(casesOf('attention').map((c) => [c.id, c] as const))('matches the reference: %s', async (_id, c) => {
    await expectCase(fx, c, tuning);
  });

  it('the large-logit case reaches logits over 5e3 and near-one probabilities', () => {
    const s = { B: 2, T: 37, C: 72, NH: 3 };
    const qkv = largeLogitInputs(s);
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
    expect(() => checkAttentionShape(device, manyHeads)).toThrow(
      /maxComputeWorkgroupsPerDimension.*B\*NH|B\*NH.*maxComputeWorkgroupsPerDimension/,
    );
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
    const grids = (tuning: KernelTuning) =>
      attentionForward(new Kernels(fx.device, tuning), a).map((d) => d.workgroups);
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

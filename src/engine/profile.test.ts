// Unit tests of the profiler's pure parts: label roles, grouping, and the analytic FLOP count of a training step.
import { describe, expect, it } from 'vitest';
import { MODEL_PRESETS } from './config';
import { groupTimes, labelOp, labelRole, trainStepFlops, type DispatchTime } from './profile';

describe('labelRole / labelOp', () => {
  it('strip the layer prefix and keep the role', () => {
    const cases: [string, string, string][] = [
      ['h0.qkv', 'qkv', 'qkv'],
      ['h11.fc_proj.dw', 'fc_proj.dw', 'fc_proj'],
      ['attention.grad_key', 'attention.grad_key', 'attention'],
      ['head.decoder.dx', 'head.decoder.dx', 'head'],
      ['d.x.zero', 'd.x.zero', 'head'],
      ['emb.ln.backward.dx', 'emb.ln.backward.dx', 'embedding'],
      ['embedding.backward.sort0.scan', 'embedding.backward.sort0.scan', 'embedding'],
      ['adamw.decay', 'adamw.decay', 'adamw'],
      ['zero_grad.decay', 'zero_grad.decay', 'zero_grad'],
    ];
    for (const [label, op, role] of cases) {
      expect(labelOp(label), label).toBe(op);
      expect(labelRole(label), label).toBe(role);
    }
  });
});

describe('groupTimes', () => {
  it('sums by key, largest first, with counts and shares', () => {
    const t = (label: string, kernel: string, ms: number, index: number): DispatchTime => ({
      index,
      label,
      kernel,
      ms,
    });
    const times = [
      t('h0.qkv', 'matmul.m', 2, 0),
      t('attention.scores', 'attention.scores', 1, 1),
      t('h1.qkv', 'matmul.m', 3, 2),
      t('adamw.decay', 'adamw.adamw', 4, 3),
    ];
    expect(groupTimes(times, (x) => x.kernel)).toEqual([
      { key: 'matmul.m', ms: 5, count: 2, share: 0.5 },
      { key: 'adamw.adamw', ms: 4, count: 1, share: 0.4 },
      { key: 'attention.scores', ms: 1, count: 1, share: 0.1 },
    ]);
    expect(groupTimes(times, (x) => labelOp(x.label)).map((g) => [g.key, g.count])).toEqual([
      ['qkv', 2],
      ['adamw.decay', 1],
      ['attention.scores', 1],
    ]);
    expect(groupTimes([], (x) => x.kernel)).toEqual([]);
  });
});

describe('trainStepFlops', () => {
  it('counts the tiny step by hand: Linears, attention products and the head over M rows, 3x forward', () => {
    const s = { ...MODEL_PRESETS.tiny, V: 2048 };
    const B = 16;
    const M = 160;
    const f = trainStepFlops(s, B, M);
    // Per layer over N = 1024 tokens: Linears 2*1024*(64*192 + 64*64 + 64*256 + 256*64) = 100,663,296 forward;
    // attention QK^T and PV: 2 * 2*16*64*64*64 = 16,777,216 forward. Two layers, all tripled by backward:
    // 3 * 2 * 117,440,512 = 704,643,072. Head: 3 * 2*160*64*(64 + 2048) = 129,761,280.
    expect(f.total).toBe(704_643_072 + 129_761_280);
    expect(f.byRole.attention).toEqual({ forward: 33_554_432, backward: 67_108_864, total: 100_663_296 });
    expect(f.byRole.head.total).toBe(129_761_280);
    expect(Object.keys(f.byRole).sort()).toEqual(['attention', 'attn_proj', 'fc', 'fc_proj', 'head', 'qkv']);
    const sum = Object.values(f.byRole).reduce((a, r) => a + r.total, 0);
    expect(sum).toBe(f.total);
    for (const r of Object.values(f.byRole)) expect(r.forward + r.backward).toBe(r.total);
  });

  it('grows with the decoder rows M but not with B for the head', () => {
    const s = { ...MODEL_PRESETS.mini, V: 8192 };
    const a = trainStepFlops(s, 32, 640);
    const b = trainStepFlops(s, 32, 1280);
    expect(b.total - a.total).toBe(3 * 2 * 640 * s.C * (s.C + s.V));
    expect(b.byRole.qkv).toEqual(a.byRole.qkv);
  });
});

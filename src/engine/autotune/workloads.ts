// What each kernel role does in one training step of a model, as dispatches over scratch buffers of its real shapes:
// the work the autotuner (tune.ts) and `npm run bench:variants` time per variant. Rows can be cut (a slice of the
// real shapes: fewer sequences, fewer target rows) to keep a slow adapter within its time budget.
import { createStorage } from '../buffers';
import { rng } from '../check';
import type { ModelConfig } from '../config';
import type { Dispatch, Kernels, KernelRole } from '../kernels';
import { attentionBackward, attentionForward } from '../ops/attention';
import { layerNormBackward, layerNormForward, layerNormScratchFloats } from '../ops/layernorm';
import { crossEntropy } from '../ops/loss';
import { matmulSplitK, splitKScratchFloats, type MatmulOptions } from '../ops/matmul';
import { gradNorm, gradNormSlots } from '../ops/reduce';
import { bertTensors } from '../model/params';

/** The shapes a model trains at: the encoder, the batch and the fused cross-entropy's rows (gathered targets). */
export interface TuneShape {
  model: Pick<ModelConfig, 'L' | 'C' | 'NH' | 'F' | 'T' | 'V'>;
  /** Sequences per step. */
  B: number;
  /** Rows of the cross-entropy per step (B * target slots per sequence). */
  M: number;
}

/** A key that names a shape, e.g. "L2 C64 NH2 F256 T64 V2048 B16 M160". */
export function shapeKey(s: TuneShape): string {
  const m = s.model;
  return `L${m.L} C${m.C} NH${m.NH} F${m.F} T${m.T} V${m.V} B${s.B} M${s.M}`;
}

/** A role's work at a slice of its shapes: build once, run many times, then release. */
export interface Workload {
  dispatches: Dispatch[];
  /** The fraction of the real shapes' rows this workload covers (1: the real shapes). */
  fraction: number;
  release(): void;
}

/** How finely a role's rows can be cut: the smallest share of them a workload keeps (one sequence, one target row). */
export function minFraction(role: KernelRole, s: TuneShape): number {
  if (role === 'grad_norm') return 1;
  if (role === 'xent') return Math.min(1, 8 / s.M);
  return Math.min(1, 1 / s.B);
}

class Scratch {
  private readonly made: GPUBuffer[] = [];
  private seed = 1;
  constructor(private readonly device: GPUDevice) {}
  /** n floats in [-1, 1) (seeded: the same data for every variant). */
  floats(n: number): GPUBuffer {
    const r = rng(this.seed++);
    const b = createStorage(
      this.device,
      Float32Array.from({ length: Math.max(1, n) }, () => 2 * r() - 1),
      'tune',
    );
    this.made.push(b);
    return b;
  }
  ints(data: Int32Array): GPUBuffer {
    const b = createStorage(this.device, data, 'tune');
    this.made.push(b);
    return b;
  }
  release(): void {
    for (const b of this.made) b.destroy();
  }
}

/** One encoder layer's Linears (out, in) and the MLM head's dense and decoder, with the rows each runs over. */
function linears(s: TuneShape, rows: number, headRows: number): [number, number, number][] {
  const { C, F, V } = s.model;
  return [
    [3 * C, C, rows],
    [C, C, rows],
    [F, C, rows],
    [C, F, rows],
    [C, C, headRows],
    [V, C, headRows],
  ];
}

/** Forward y = x W^T + b, input gradient dX = dY W and weight gradient dW += dY^T X (split K where it splits). */
function matmulWork(k: Kernels, sc: Scratch, s: TuneShape, f: number): Dispatch[] {
  const rows = Math.max(1, Math.round(f * s.B)) * s.model.T;
  const headRows = Math.max(8, Math.round(f * s.M));
  const out: Dispatch[] = [];
  for (const [o, i, R] of linears(s, rows, headRows)) {
    const x = sc.floats(R * i);
    const w = sc.floats(o * i);
    const y = sc.floats(R * o);
    const products: MatmulOptions[] = [
      { a: x, b: w, bias: sc.floats(o), out: y, M: R, N: o, K: i, transB: true },
      { a: y, b: w, out: sc.floats(R * i), M: R, N: i, K: o },
      { a: y, b: x, out: sc.floats(o * i), M: o, N: i, K: R, transA: true, accumulate: true },
    ];
    for (const p of products) out.push(...matmulSplitK(k, p, sc.floats(splitKScratchFloats(k, p))));
  }
  return out;
}

function attentionWork(k: Kernels, sc: Scratch, s: TuneShape, f: number, keep: (d: Dispatch) => boolean): Dispatch[] {
  const { T, C, NH } = s.model;
  const B = Math.max(1, Math.round(f * s.B));
  const shape = { B, T, C, NH, causal: false };
  const qkv = sc.floats(B * T * 3 * C);
  const valid = sc.ints(new Int32Array(B * T).fill(1));
  const att = sc.floats(B * NH * T * T);
  const dispatches = [
    ...attentionForward(k, { ...shape, qkv, valid, out: sc.floats(B * T * C), att }),
    ...attentionBackward(k, {
      ...shape,
      qkv,
      valid,
      att,
      dout: sc.floats(B * T * C),
      dqkv: sc.floats(B * T * 3 * C),
      datt: sc.floats(B * NH * T * T),
    }),
  ];
  return dispatches.filter(keep);
}

function layerNormWork(k: Kernels, sc: Scratch, s: TuneShape, f: number): Dispatch[] {
  const N = Math.max(1, Math.round(f * s.B)) * s.model.T;
  const { C } = s.model;
  const x = sc.floats(N * C);
  const gamma = sc.floats(C);
  const mean = sc.floats(N);
  const rstd = sc.floats(N);
  return [
    layerNormForward(k, { x, gamma, beta: sc.floats(C), out: sc.floats(N * C), mean, rstd }, { N, C }),
    ...layerNormBackward(
      k,
      {
        dy: sc.floats(N * C),
        x,
        gamma,
        mean,
        rstd,
        dx: sc.floats(N * C),
        dgamma: sc.floats(C),
        dbeta: sc.floats(C),
        scratch: sc.floats(layerNormScratchFloats({ N, C })),
      },
      { N, C, accumulate: true },
    ),
  ];
}

function xentWork(k: Kernels, sc: Scratch, s: TuneShape, f: number): Dispatch[] {
  const M = Math.max(1, Math.round(f * s.M));
  const { V } = s.model;
  const targets = sc.ints(Int32Array.from({ length: M }, (_, i) => (i * 7919) % V));
  // In place, as in training: the logits become the gradient, which later runs read as logits (finite, in [-1, 1]).
  return [
    crossEntropy(
      k,
      { M, V },
      { logits: sc.floats(M * V), targets, weights: sc.floats(M), losses: sc.floats(M), argmax: sc.floats(M) },
    ),
  ];
}

function gradNormWork(k: Kernels, sc: Scratch, s: TuneShape): Dispatch[] {
  const sizes = bertTensors({ ...s.model, lnEps: 1e-12, initStd: 0.02 }).map((t) => t.shape.reduce((a, d) => a * d, 1));
  return gradNorm(
    k,
    sizes.map((n) => sc.floats(n)),
    sc.floats(gradNormSlots(sizes)),
    sc.floats(2),
    1,
  ).dispatches;
}

const isSoftmax = (d: Dispatch) => d.kernel.includes('softmax');

/**
 * The role's dispatches at `fraction` of the real shapes' rows (sequences for the encoder roles, target rows for the
 * cross-entropy; the gradient norm always runs over every parameter), built on `k` (whose tuning picks the variant).
 */
export function roleWorkload(k: Kernels, role: KernelRole, s: TuneShape, fraction = 1): Workload {
  const f = Math.min(1, Math.max(minFraction(role, s), fraction));
  const sc = new Scratch(k.device);
  const build: Record<KernelRole, () => Dispatch[]> = {
    matmul: () => matmulWork(k, sc, s, f),
    attention: () => attentionWork(k, sc, s, f, (d) => !isSoftmax(d)),
    softmax: () => attentionWork(k, sc, s, f, isSoftmax),
    layernorm: () => layerNormWork(k, sc, s, f),
    xent: () => xentWork(k, sc, s, f),
    grad_norm: () => gradNormWork(k, sc, s),
  };
  try {
    return { dispatches: build[role](), fraction: f, release: () => sc.release() };
  } catch (e) {
    sc.release();
    throw e;
  }
}

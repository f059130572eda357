// Per-kernel GPU timing with timestamp queries: each dispatch of a list in its own compute pass with timestampWrites,
// then grouped by kernel ("shader.entry") or by the layer role in its label. Used by benchmarks and the page's panel.
import type { Dispatch } from './kernels';
import {
  BINARY_HEAD,
  headModule,
  VOCAB_HEAD,
  type FlopContext,
  type HeadConfig,
  type ModelShape,
  type RoleFlops,
} from './model/heads';

const QUERY_RESOLVE = 0x0200; // GPUBufferUsage.QUERY_RESOLVE
const COPY_SRC = 0x0004;
const COPY_DST = 0x0008;
const MAP_READ = 0x0001;

/** WebGPU caps a query set at 4096 queries: 2048 passes per timer. */
export const MAX_TIMED_PASSES = 2048;

/** True when the device was created with 'timestamp-query' (acquireGpu requests it when the adapter has it). */
export function canProfile(device: GPUDevice): boolean {
  return device.features.has('timestamp-query');
}

/**
 * A query set of 2 * capacity timestamps: pass i writes its start at 2i and its end at 2i + 1. Encode passes with
 * `timestampWrites(i)`, then `resolve` in the same encoder, submit, and `read` the pass durations.
 */
export class PassTimer {
  private readonly querySet: GPUQuerySet;
  private readonly resolveBuf: GPUBuffer;
  private readonly readBuf: GPUBuffer;

  constructor(
    readonly device: GPUDevice,
    readonly capacity: number,
  ) {
    if (!canProfile(device)) throw new Error("PassTimer needs a device created with the 'timestamp-query' feature");
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_TIMED_PASSES)
      throw new Error(`PassTimer capacity must be 1..${MAX_TIMED_PASSES} passes (got ${capacity})`);
    this.querySet = device.createQuerySet({ type: 'timestamp', count: 2 * capacity, label: 'pass-timer' });
    const bytes = 2 * capacity * 8;
    this.resolveBuf = device.createBuffer({
      size: bytes,
      usage: QUERY_RESOLVE | COPY_SRC,
      label: 'pass-timer.resolve',
    });
    this.readBuf = device.createBuffer({ size: bytes, usage: MAP_READ | COPY_DST, label: 'pass-timer.read' });
  }

  timestampWrites(i: number): GPUComputePassTimestampWrites {
    if (i < 0 || i >= this.capacity) throw new Error(`pass ${i} is outside the timer's ${this.capacity} passes`);
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  /** Copies the first `count` passes' timestamps to the readback buffer (encode after those passes). */
  resolve(enc: GPUCommandEncoder, count = this.capacity): void {
    enc.resolveQuerySet(this.querySet, 0, 2 * count, this.resolveBuf, 0);
    enc.copyBufferToBuffer(this.resolveBuf, 0, this.readBuf, 0, 2 * count * 8);
  }

  /** Duration of each of the first `count` passes in milliseconds (after the resolving submit). */
  async read(count = this.capacity): Promise<Float64Array> {
    await this.readBuf.mapAsync(0x0001 /* GPUMapMode.READ */, 0, 2 * count * 8);
    const ns = new BigUint64Array(this.readBuf.getMappedRange(0, 2 * count * 8));
    const out = new Float64Array(count);
    // An end before its start (a reset or wrapped counter) reads as 0 rather than a huge unsigned difference.
    for (let i = 0; i < count; i++) out[i] = ns[2 * i + 1] > ns[2 * i] ? Number(ns[2 * i + 1] - ns[2 * i]) / 1e6 : 0;
    this.readBuf.unmap();
    return out;
  }

  destroy(): void {
    this.querySet.destroy();
    this.resolveBuf.destroy();
    this.readBuf.destroy();
  }
}

/** GPU time of one dispatch of the list. */
export interface DispatchTime {
  /** Position in the list. */
  index: number;
  label: string;
  /** "shader.entry". */
  kernel: string;
  /** Median over the repeats, in milliseconds. */
  ms: number;
}

export interface DispatchProfile {
  method: 'timestamp-query';
  /** Runs of the whole list; each dispatch's time is its median over them. */
  repeats: number;
  dispatches: DispatchTime[];
  /** Sum of the dispatch times (passes only: no gaps between passes, no submit overhead). */
  totalMs: number;
}

export interface ProfileOptions {
  /** Runs of the whole list (default 1). Each run is one submit, awaited before the next. */
  repeats?: number;
  /** Called before each run's encoder is submitted (e.g. to rewrite inputs the list consumes). */
  beforeRun?: (run: number) => void;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/**
 * Times every dispatch of a list (for example Trainer.dispatches, one training step) with one timestamp pair each:
 * dispatch i runs alone in compute pass i. Separate passes add a barrier per dispatch, so the total can exceed the
 * time the list takes in one pass; use it for shares, not for end-to-end speed. Throws without 'timestamp-query'.
 */
export async function profileDispatches(
  device: GPUDevice,
  dispatches: readonly Dispatch[],
  opts: ProfileOptions = {},
): Promise<DispatchProfile> {
  const repeats = opts.repeats ?? 1;
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`repeats must be a positive integer (got ${repeats})`);
  const n = dispatches.length;
  if (n === 0) return { method: 'timestamp-query', repeats, dispatches: [], totalMs: 0 };
  const timers: PassTimer[] = [];
  for (let start = 0; start < n; start += MAX_TIMED_PASSES)
    timers.push(new PassTimer(device, Math.min(MAX_TIMED_PASSES, n - start)));
  const samples: number[][] = dispatches.map(() => []);
  try {
    for (let r = 0; r < repeats; r++) {
      const enc = device.createCommandEncoder({ label: `profile run ${r}` });
      dispatches.forEach((d, i) => {
        const timer = timers[Math.floor(i / MAX_TIMED_PASSES)];
        const pass = enc.beginComputePass({
          label: d.label,
          timestampWrites: timer.timestampWrites(i % MAX_TIMED_PASSES),
        });
        pass.setPipeline(d.pipeline);
        pass.setBindGroup(0, d.bindGroup);
        pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
        pass.end();
      });
      for (const t of timers) t.resolve(enc);
      opts.beforeRun?.(r);
      device.queue.submit([enc.finish()]);
      for (const [ti, t] of timers.entries()) {
        const ms = await t.read();
        ms.forEach((v, j) => samples[ti * MAX_TIMED_PASSES + j].push(v));
      }
    }
  } finally {
    for (const t of timers) t.destroy();
  }
  const times = dispatches.map((d, i) => ({ index: i, label: d.label, kernel: d.kernel, ms: median(samples[i]) }));
  return { method: 'timestamp-query', repeats, dispatches: times, totalMs: times.reduce((s, t) => s + t.ms, 0) };
}

/** Dispatch times summed under one key. */
export interface TimeGroup {
  key: string;
  ms: number;
  /** Dispatches in the group. */
  count: number;
  /** ms / total of all groups. */
  share: number;
}

/** Sums times by key, largest first (ties by key). The groups' ms add up to the total of the input. */
export function groupTimes(times: readonly DispatchTime[], key: (t: DispatchTime) => string): TimeGroup[] {
  const groups = new Map<string, { ms: number; count: number }>();
  for (const t of times) {
    const k = key(t);
    const g = groups.get(k) ?? { ms: 0, count: 0 };
    g.ms += t.ms;
    g.count += 1;
    groups.set(k, g);
  }
  const total = times.reduce((s, t) => s + t.ms, 0);
  return [...groups.entries()]
    .map(([k, g]) => ({ key: k, ms: g.ms, count: g.count, share: total > 0 ? g.ms / total : 0 }))
    .sort((a, b) => b.ms - a.ms || a.key.localeCompare(b.key));
}

/** A label without its layer prefix: "h3.fc_proj.dw" -> "fc_proj.dw" (so the layers add up under one name). */
export function labelOp(label: string): string {
  return label.replace(/^h\d+\./, '');
}

/** Label prefixes that belong to a larger role: the embedding LayerNorm, the zeroing of dx before head.scatter. */
const ROLE_ALIASES: Record<string, string> = { emb: 'embedding', d: 'head' };

/**
 * The layer role a label belongs to: the first part of labelOp, e.g. "qkv" for "h0.qkv.dx", "attention" for
 * "attention.grad_key", "head" for "head.decoder.dw", "adamw" for "adamw.decay", "embedding" for "emb.ln".
 */
export function labelRole(label: string): string {
  const first = labelOp(label).split('.')[0];
  return ROLE_ALIASES[first] ?? first;
}

/** Groupings of one profile: by kernel, by role and by layer-less label. */
export function groupProfile(p: DispatchProfile): { byKernel: TimeGroup[]; byRole: TimeGroup[]; byOp: TimeGroup[] } {
  return {
    byKernel: groupTimes(p.dispatches, (t) => t.kernel),
    byRole: groupTimes(p.dispatches, (t) => labelRole(t.label)),
    byOp: groupTimes(p.dispatches, (t) => labelOp(t.label)),
  };
}

/** Model shape for the analytic FLOP count (a ModelConfig has these fields). */
export type FlopShape = ModelShape;

/** Multiply-add FLOPs (2 per multiply-add) of one training step, by the roles labelRole gives. */
export interface StepFlops {
  /** Per role: forward, backward (dX and dW products, or attention's four gradient products), total. */
  byRole: Record<string, RoleFlops>;
  total: number;
}

/** A Linear over `rows` rows: forward 2 x rows x in x out; backward dX and dW, each as much again. */
function linearFlops(rows: number, inp: number, out: number, layers = 1): RoleFlops {
  const forward = 2 * rows * inp * out * layers;
  return { forward, backward: 2 * forward, total: 3 * forward };
}

/**
 * FLOPs of every matrix product of one BERT training step at batch B with M target rows: per layer the QKV,
 * attention-output, FFN-up and FFN-down Linears over N = B*T tokens (forward 2*N*in*out, backward dX + dW twice
 * that), attention's QK^T and PV (2*B*T*T*C each; backward: dP = dO V^T, dQ, dK, dV, four such), and the head's
 * products as its module counts them (heads/*.ts `flops`: the vocabulary head's dense C -> E and tied decoder
 * E -> V over the M gathered rows, a k-class head's C -> C and C -> K, the binary head's over all N tokens,
 * SpanBERT's boundary MLP, ELECTRA's whole generator step). E is the embedding width (C except in ELECTRA's
 * generator, which also projects the embeddings E -> C over N tokens). Products alone: biases, LayerNorm, GELU,
 * softmax, embeddings and AdamW are memory-bound and left out. Non-causal attention (every key of every query).
 */
export function trainStepFlops(
  s: FlopShape,
  B: number,
  M: number,
  head: HeadConfig = VOCAB_HEAD,
  embedWidth = s.C,
): StepFlops {
  const { L, C, F, T } = s;
  const N = B * T;
  const E = embedWidth;
  const attnForward = 2 * (2 * B * T * T * C) * L;
  const byRole: StepFlops['byRole'] = {
    qkv: linearFlops(N, C, 3 * C, L),
    attention: { forward: attnForward, backward: 2 * attnForward, total: 3 * attnForward },
    attn_proj: linearFlops(N, C, C, L),
    fc: linearFlops(N, C, F, L),
    fc_proj: linearFlops(N, F, C, L),
  };
  if (E !== C) byRole.embed_proj = linearFlops(N, E, C);
  const f: FlopContext = {
    c: s,
    B,
    M,
    N,
    E,
    linear: (rows, inp, out) => linearFlops(rows, inp, out),
    step: (c, h, e) => trainStepFlops(c, B, M, h, e),
  };
  Object.assign(byRole, headModule(head).flops(f, head));
  const total = Object.values(byRole).reduce((acc, r) => acc + r.total, 0);
  return { byRole, total };
}

/**
 * One ELECTRA step split in two: the generator (its own width, its embeddings projected from the discriminator's
 * width, a vocabulary head over the M target rows mapping back to that width) and the discriminator (binary head
 * over all N tokens). Their sum is trainStepFlops of the ELECTRA head. Sampling and replacement are not products.
 */
export function electraStepFlops(
  disc: FlopShape,
  gen: FlopShape,
  B: number,
  M: number,
): { generator: StepFlops; discriminator: StepFlops; total: number } {
  const generator = trainStepFlops(gen, B, M, VOCAB_HEAD, disc.C);
  const discriminator = trainStepFlops(disc, B, M, BINARY_HEAD);
  return { generator, discriminator, total: generator.total + discriminator.total };
}

// The training loop's GPU side: one command encoder and one submit per step (zero grads, forward, loss, metrics,
// backward, grad-norm clip, AdamW), metrics through the async ring, held-out evaluation at fixed masks, NaN
// guarding with GPU-side weight snapshots, and checkpoint state. Inputs are plain arrays; no masking, no DOM.
import { readF32, readI32 } from './buffers';
import { validateForDevice, type ModelConfig } from './config';
import type { GpuMemoryUsage } from './gpuMemory';
import {
  countFlops,
  countTraffic,
  encodeDispatches,
  type Dispatch,
  type Kernels,
  type ScopedKernels,
  type Traffic,
} from './kernels';
import type { EngineBatch, ModelGraph } from './model/bert';
import { buildGraph } from './model/graph';
import { METRIC, type ElectraParts, type EvalResult, type SboParts } from './model/heads';
import { Inspector, type ProbeResult } from './inspect';
import { bertTensors, placeTensors, VOCAB_HEAD, type HeadConfig, type ParamLayout } from './model/params';
import { ParamState } from './model/state';
import { ADAMW_DEFAULTS, adamw, createAdamWHyper, writeAdamWHyper, type AdamWConfig } from './ops/adamw';
import { fused } from './fusion';
import { fill } from './ops/fill';
import { gradNorm, type GradNormPlan } from './ops/reduce';
import { mulInPlace } from './ops/elementwise';
import { probeGradientMasks } from './model/probeMask';
import { MetricsRing, type MetricRow } from './readback';
import { learningRate, validateSchedule, type LrSchedule } from './schedule';

export type { EngineBatch };
export { meanPool, PROBE_K, type ProbeResult } from './inspect';

export { METRIC, type ElectraParts, type EvalResult, type SboParts } from './model/heads';

export interface StepMetrics {
  step: number;
  loss: number;
  accuracy: number;
  targets: number;
  gradNorm: number;
  lr: number;
  /** ELECTRA: loss = genLoss + discWeight x discLoss; accuracy and targets are the discriminator's. */
  electra?: ElectraParts;
  /** SBO: loss = mlmLoss + weight x sboLoss; accuracy and targets are the MLM head's. */
  sbo?: SboParts;
}

export interface TrainerOptions {
  B: number;
  /** Target capacity per batch (rows of the MLM head). */
  M: number;
  schedule: LrSchedule;
  adam?: Partial<AdamWConfig>;
  /** Global gradient-norm clip (<= 0: off). */
  maxGradNorm?: number;
  causal?: boolean;
  /** The prediction head (default: vocabulary MLM head). */
  head?: HeadConfig;
  /** ELECTRA: seed of the generator's samples (each step draws anew from it). */
  sampleSeed?: number;
  /**
   * Train the head alone on a frozen encoder (the MLM probe): no gradient reaches the encoder, and weight decay is
   * off, so AdamW leaves every encoder tensor bit-identical (zero gradient, zero moments, no decay).
   */
  freezeEncoder?: boolean;
  /**
   * With freezeEncoder: the id whose token-embedding row trains with the head (the shared probe's [MASK] row). The
   * backward then runs through the encoder and a 0/1 mask zeroes every other encoder gradient before clipping, so
   * AdamW leaves the rest of the encoder bit-identical.
   */
  probeInputRow?: number;
  /** Take a GPU-side weight snapshot every this many steps (for NaN recovery). */
  snapshotEvery?: number;
  onMetrics?: (m: StepMetrics) => void;
  /**
   * Per-row losses of every step (M target rows, or B*T tokens for the binary head), read back through a second
   * ring without stalling (hard-token masking keeps a per-id loss average from them).
   */
  onRowLosses?: (step: number, losses: Float32Array) => void;
  /** Called once when a non-finite loss is read back; training state has then been rolled back. */
  onNonFinite?: (info: { step: number; restoredStep: number }) => void;
}

interface Snapshot {
  step: number;
  params: GPUBuffer[];
}

/** Seed of ELECTRA's samples during evaluation: the same draws at every evaluation for the same weights. */
export const EVAL_SAMPLE_SEED = 0x5eed;

type TrainGraph = ModelGraph;

export class Trainer {
  /** The trainer's own Kernels: every buffer it, its graphs, rings and probes make is in its registry. */
  readonly k: ScopedKernels;
  readonly layout: ParamLayout;
  readonly state: ParamState;
  readonly graph: TrainGraph;
  readonly adam: AdamWConfig;
  readonly head: HeadConfig;
  /** Probe sentence and frozen features on the current weights. */
  private readonly inspector: Inspector;
  step = 0;
  private readonly hyper: GPUBuffer;
  private readonly metrics: GPUBuffer;
  private readonly partials: GPUBuffer;
  private readonly ring: MetricsRing;
  private readonly lossRing: MetricsRing | undefined;
  private readonly stepDispatches: Dispatch[];
  private readonly norm: GradNormPlan;
  private readonly lrByStep = new Map<number, number>();
  private readonly snapshots: Snapshot[] = [];
  private evalGraph: TrainGraph | undefined;
  private evalDispatches: Dispatch[] = [];
  private evalMetrics: GPUBuffer | undefined;
  /** Probe training: the 0/1 gradient masks of the two parameter groups. */
  private readonly gradMasks: GPUBuffer[] = [];
  /** Set when a non-finite loss was seen: no more steps until the caller resumes from the restored state. */
  halted: { step: number; restoredStep: number } | undefined;
  private inFlight: Promise<void>[] = [];

  constructor(
    parent: Kernels,
    readonly cfg: ModelConfig,
    init: Float32Array,
    readonly opt: TrainerOptions,
  ) {
    const k = parent.scoped();
    this.k = k;
    validateForDevice(cfg, opt.B, opt.M, k.device.limits);
    validateSchedule(opt.schedule);
    this.adam = { ...ADAMW_DEFAULTS, ...opt.adam, ...(opt.freezeEncoder ? { weightDecay: 0 } : {}) };
    this.head = opt.head ?? VOCAB_HEAD;
    this.layout = placeTensors(bertTensors(cfg, this.head));
    this.state = new ParamState(k, this.layout, init);
    this.inspector = new Inspector(k, cfg, this.state, this.head, opt.causal ?? false);
    this.graph = this.makeGraph(opt.B, opt.M, true, opt.sampleSeed ?? 0, 'train');
    this.hyper = k.register(createAdamWHyper(k.device, this.adam), 'other');
    this.metrics = k.storage(METRIC.FLOATS * 4, 'metrics', 'other');
    const s = this.state;
    this.partials = k.storage(4 * 256 * 4, 'grad_norm.partials', 'other');
    const grads = [s.grads.decay, s.grads.nodecay];
    this.norm = gradNorm(k, grads, this.partials, this.metrics, opt.maxGradNorm ?? 1.0);
    const nd = this.layout.decayFloats;
    const nn = this.layout.totalFloats - nd;
    const g = this.graph;
    const masking: Dispatch[] = [];
    if (opt.freezeEncoder && opt.probeInputRow !== undefined) {
      const E = this.layout.byName.get('wte')!.size / cfg.V;
      const m = probeGradientMasks(this.layout, opt.probeInputRow, E);
      const md = k.storage(m.decay, 'probe.grad_mask.decay', 'other');
      const mn = k.storage(m.nodecay, 'probe.grad_mask.nodecay', 'other');
      this.gradMasks.push(md, mn);
      masking.push(
        mulInPlace(k, { a: md, out: s.grads.decay }, Math.max(1, nd), 'probe.grad_mask.decay'),
        mulInPlace(k, { a: mn, out: s.grads.nodecay }, Math.max(1, nn), 'probe.grad_mask.nodecay'),
      );
    }
    // Gradients accumulate over the step's backward: zeroed first, or by the previous step's AdamW (fusion.ts; the
    // buffers start at 0).
    const zeroGrad = fused(k.tuning, 'zero_grad');
    this.stepDispatches = [
      ...(zeroGrad
        ? []
        : [
            fill(k, s.grads.decay, 0, Math.max(1, nd), 'zero_grad.decay'),
            fill(k, s.grads.nodecay, 0, Math.max(1, nn), 'zero_grad.nodecay'),
          ]),
      ...g.forward,
      ...g.loss,
      ...g.metricDispatches(this.metrics, 'metric'),
      ...g.backward,
      ...masking,
      ...this.norm.dispatches,
      adamw(
        k,
        {
          param: s.params.decay,
          grad: s.grads.decay,
          m: s.m.decay,
          v: s.v.decay,
          hyper: this.hyper,
          clip: this.metrics,
          clipIndex: METRIC.CLIP_SCALE,
        },
        { decay: true, zeroGrad },
        'adamw.decay',
      ),
      adamw(
        k,
        {
          param: s.params.nodecay,
          grad: s.grads.nodecay,
          m: s.m.nodecay,
          v: s.v.nodecay,
          hyper: this.hyper,
          clip: this.metrics,
          clipIndex: METRIC.CLIP_SCALE,
        },
        { decay: false, zeroGrad },
        'adamw.nodecay',
      ),
    ];
    this.ring = new MetricsRing(k.device, METRIC.FLOATS, (rows) => this.deliver(rows), 1024, 3, k.memory);
    const onRowLosses = opt.onRowLosses;
    if (onRowLosses) {
      this.lossRing = new MetricsRing(
        k.device,
        g.lossRows,
        (rows) => {
          if (!this.halted) for (const r of rows) onRowLosses(r.step, r.values);
        },
        256,
        3,
        k.memory,
      );
    }
    this.takeSnapshot(-1);
  }

  /** The training or evaluation graph of this trainer's head (ELECTRA: generator + discriminator). */
  private makeGraph(B: number, M: number, train: boolean, sampleSeed: number, label: string): TrainGraph {
    const inputRowGrad = this.opt.freezeEncoder && this.opt.probeInputRow !== undefined;
    return buildGraph(this.k, this.cfg, this.state, {
      B,
      M,
      train,
      head: this.head,
      causal: this.opt.causal,
      freezeEncoder: this.opt.freezeEncoder,
      inputRowGrad,
      sampleSeed,
      label,
    });
  }

  /**
   * The GPU memory the trainer's buffers take now, in all and by category (parameters, gradients, moments,
   * snapshots, activations, staging, other): the registry of every buffer it, its graphs, rings and probes hold.
   */
  get gpuMemory(): GpuMemoryUsage {
    return this.k.memory.usage();
  }

  /** Dispatches per training step (for the performance panel and benchmarks). */
  get dispatchesPerStep(): number {
    return this.stepDispatches.length;
  }

  get dispatches(): readonly Dispatch[] {
    return this.stepDispatches;
  }

  /** Bytes one training step reads and writes, summed from its dispatches' analytic counts (Dispatch.traffic). */
  get trafficPerStep(): Traffic {
    return countTraffic(this.stepDispatches);
  }

  /**
   * FLOPs of one training step's matrix products, summed from the step's own dispatches (each carries its count):
   * forward (and loss) and backward; ELECTRA's include its generator. A probe is its own Trainer (frozen encoder)
   * and counts apart.
   */
  get flopsPerStep(): { forward: number; backward: number; total: number } {
    const g = this.graph;
    const forward = countFlops(g.forward) + countFlops(g.loss);
    const backward = countFlops(g.backward);
    return { forward, backward, total: forward + backward };
  }

  /** Encodes and submits one training step; returns without waiting for the GPU. */
  trainStep(batch: EngineBatch): void {
    if (this.halted) throw new Error(`training halted at step ${this.halted.step}: non-finite loss`);
    const t = this.step;
    const lr = learningRate(this.opt.schedule, t);
    this.lrByStep.set(t, lr);
    this.graph.writeInputs(batch);
    this.graph.setStep(t);
    writeAdamWHyper(this.k.device, this.hyper, { ...this.adam, lr }, t + 1);
    const enc = this.k.device.createCommandEncoder({ label: `step ${t}` });
    const pass = enc.beginComputePass({ label: 'train' });
    encodeDispatches(pass, this.stepDispatches);
    pass.end();
    this.ring.encodeRow(enc, this.metrics, t);
    this.ring.encodeFlush(enc);
    this.lossRing?.encodeRow(enc, this.graph.losses, t);
    this.lossRing?.encodeFlush(enc);
    const every = this.opt.snapshotEvery ?? 25;
    const snap = (t + 1) % every === 0 ? this.snapshotTarget() : undefined;
    if (snap) this.encodeCopyParams(enc, snap.params, t);
    this.k.device.queue.submit([enc.finish()]);
    const p = this.ring.afterSubmit();
    if (p) this.track(p);
    const q = this.lossRing?.afterSubmit();
    if (q) this.track(q);
    this.step = t + 1;
  }

  private track(p: Promise<void>): void {
    this.inFlight.push(p);
    void p.finally(() => {
      this.inFlight = this.inFlight.filter((x) => x !== p);
    });
  }

  private deliver(rows: MetricRow[]): void {
    for (const r of rows) {
      // Rows after a rollback belong to the abandoned steps.
      if (this.halted) return;
      const v = r.values;
      const { loss, accuracy, targets, electra, sbo } = this.graph.decodeMetrics(v);
      if (!Number.isFinite(loss) || !Number.isFinite(v[METRIC.GRAD_NORM])) {
        if (!this.halted) this.handleNonFinite(r.step);
        return;
      }
      const m: StepMetrics = {
        step: r.step,
        loss,
        accuracy,
        targets,
        gradNorm: v[METRIC.GRAD_NORM],
        lr: this.lrByStep.get(r.step) ?? 0,
      };
      if (electra) m.electra = electra;
      if (sbo) m.sbo = sbo;
      this.opt.onMetrics?.(m);
      this.lrByStep.delete(r.step);
    }
  }

  // ---- NaN guard: two GPU snapshots of params + moments, restored on the first non-finite loss ----

  private snapshotTarget(): Snapshot {
    if (this.snapshots.length < 3) {
      const s = this.state;
      const bufs = [s.params, s.m, s.v].flatMap((g) => [g.decay, g.nodecay]);
      const snap = {
        step: -2,
        params: bufs.map((b, i) => this.k.storage(b.size, `snapshot${this.snapshots.length}.${i}`, 'snapshots')),
      };
      this.snapshots.push(snap);
      return snap;
    }
    // Reuse the oldest.
    return this.snapshots.reduce((a, b) => (a.step <= b.step ? a : b));
  }

  private encodeCopyParams(enc: GPUCommandEncoder, dst: GPUBuffer[], step: number): void {
    const s = this.state;
    const src = [s.params, s.m, s.v].flatMap((g) => [g.decay, g.nodecay]);
    src.forEach((b, i) => enc.copyBufferToBuffer(b, 0, dst[i], 0, b.size));
    const snap = this.snapshots.find((x) => x.params === dst);
    if (snap) snap.step = step;
  }

  private takeSnapshot(step: number): void {
    const snap = this.snapshotTarget();
    const enc = this.k.device.createCommandEncoder({ label: 'snapshot' });
    this.encodeCopyParams(enc, snap.params, step);
    this.k.device.queue.submit([enc.finish()]);
  }

  private handleNonFinite(badStep: number): void {
    this.rollBack(badStep);
    this.opt.onNonFinite?.(this.halted!);
  }

  /**
   * Halts training and restores the newest snapshot older than `badStep`'s weights (a non-finite loss, or a
   * divergence the caller detected); resume() continues from there.
   */
  rollBack(badStep: number): void {
    // The loss of step s uses the weights after step s-1; the last loss known finite is step s-1's, computed with
    // the weights after step s-2. Restore the newest snapshot taken at or before that.
    const ok = this.snapshots.filter((x) => x.step <= badStep - 2).sort((a, b) => b.step - a.step)[0];
    const restored = ok ?? this.snapshots.reduce((a, b) => (a.step <= b.step ? a : b));
    const s = this.state;
    const dst = [s.params, s.m, s.v].flatMap((g) => [g.decay, g.nodecay]);
    const enc = this.k.device.createCommandEncoder({ label: 'restore' });
    dst.forEach((b, i) => enc.copyBufferToBuffer(restored.params[i], 0, b, 0, b.size));
    this.k.device.queue.submit([enc.finish()]);
    this.halted = { step: badStep, restoredStep: restored.step };
    this.step = restored.step + 1;
    this.ring.rewind(this.step);
    this.lossRing?.rewind(this.step);
  }

  /** Continues at `step` after weights and moments were loaded from a checkpoint. */
  restoreStep(step: number): void {
    if (!Number.isInteger(step) || step < 0) throw new Error(`invalid checkpoint step ${step}`);
    this.step = step;
    this.halted = undefined;
    this.ring.rewind(step);
    this.lossRing?.rewind(step);
  }

  /** Clears a halt after a non-finite loss (e.g. after the user lowered the learning rate). */
  resume(schedule?: LrSchedule): void {
    if (schedule) {
      validateSchedule(schedule);
      this.opt.schedule = schedule;
    }
    this.halted = undefined;
  }

  /** Waits until every submitted step's metrics have been delivered. */
  async flush(): Promise<void> {
    await this.ring.drain((enc) => this.k.device.queue.submit([enc.finish()]));
    await this.lossRing?.drain((enc) => this.k.device.queue.submit([enc.finish()]));
    await Promise.all(this.inFlight);
  }

  // ---- evaluation at fixed masks ----

  private ensureEval(B: number, M: number): TrainGraph {
    if (this.evalGraph && this.evalGraph.opt.B === B && this.evalGraph.opt.M === M) return this.evalGraph;
    this.evalGraph?.destroy();
    const g = this.makeGraph(B, M, false, EVAL_SAMPLE_SEED, 'eval');
    this.evalMetrics ??= this.k.storage(METRIC.FLOATS * 4, 'eval.metrics', 'other');
    this.evalDispatches = [...g.forward, ...g.loss, ...g.metricDispatches(this.evalMetrics, 'eval')];
    this.evalGraph = g;
    return g;
  }

  /**
   * Held-out masked cross-entropy and accuracy over fixed batches (their weights should sum to 1 over all batches,
   * e.g. 1 / total targets). Queued after the steps already submitted; awaiting it does not block them.
   */
  async evaluate(batches: readonly EngineBatch[], B: number, M: number): Promise<EvalResult> {
    const g = this.ensureEval(B, M);
    const out = this.evalMetrics!;
    // Every slot of the metrics rows summed over the batches (in doubles), then decoded by the head.
    const sums = new Float64Array(METRIC.FLOATS);
    for (const [i, b] of batches.entries()) {
      g.writeInputs(b);
      // ELECTRA: batch i always draws the same stream, so an evaluation depends on the weights alone.
      g.setStep(i);
      const enc = this.k.device.createCommandEncoder({ label: 'eval' });
      const pass = enc.beginComputePass({ label: 'eval' });
      encodeDispatches(pass, this.evalDispatches);
      pass.end();
      this.k.device.queue.submit([enc.finish()]);
      const v = await readF32(this.k.device, out, METRIC.FLOATS, this.k.memory);
      for (let j = 0; j < METRIC.FLOATS; j++) sums[j] += v[j];
    }
    return g.decodeMetrics(sums);
  }

  /** Per-target losses and argmax of the last evaluated batch (for loss-by-case views and hard-token masking). */
  async lastEvalRows(): Promise<{ losses: Float32Array; argmax: Int32Array }> {
    if (!this.evalGraph) throw new Error('no evaluation has run yet');
    return {
      losses: await readF32(this.k.device, this.evalGraph.losses, undefined, this.k.memory),
      argmax: await readI32(this.k.device, this.evalGraph.argmax, undefined, this.k.memory),
    };
  }

  /**
   * Runs the probe sentence (one sequence of T ids) through the current weights and reads back every layer's
   * attention and the top-k predictions at `positions` (see Inspector.probe). Queued after submitted steps.
   */
  probe(ids: Int32Array, valid: Int32Array, positions: number[]): Promise<ProbeResult> {
    return this.inspector.probe(ids, valid, positions);
  }

  /** Frozen features: (B, C) final hidden states mean-pooled over valid tokens (see Inspector.features). */
  features(ids: Int32Array, valid: Int32Array, B: number): Promise<Float32Array> {
    return this.inspector.features(ids, valid, B);
  }

  /** Every layer's (B, NH, T, T) attention on B unmasked sequences (see Inspector.attention). */
  attention(ids: Int32Array, valid: Int32Array, B: number): Promise<Float32Array[]> {
    return this.inspector.attention(ids, valid, B);
  }

  setMaxGradNorm(maxNorm: number): void {
    this.norm.setMaxNorm(maxNorm);
  }

  destroy(): void {
    this.ring.destroy();
    this.lossRing?.destroy();
    this.graph.destroy();
    this.evalGraph?.destroy();
    this.inspector.destroy();
    this.state.destroy();
    for (const s of this.snapshots) for (const b of s.params) this.k.release(b);
    this.k.release(this.hyper);
    this.k.release(this.metrics);
    this.k.release(this.partials);
    if (this.evalMetrics) this.k.release(this.evalMetrics);
    for (const b of this.gradMasks) this.k.release(b);
    // What is left: the uniforms of the trainer's own dispatches (zeroing, clipping, AdamW, metric reductions).
    this.k.releaseAll();
  }
}

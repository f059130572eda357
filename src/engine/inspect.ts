// Reading the current weights without training: the probe sentence (every layer's attention, top-k predictions
// at chosen positions), frozen mean-pooled features for the comparison's downstream probe, and every layer's
// attention on a batch of sentences (the syntax scores). Graphs are built once per shape over the trainer's
// parameter state and reused.
import { readF32, readI32 } from './buffers';
import type { ModelConfig } from './config';
import { encodeDispatches, type Kernels } from './kernels';
import { BertGraph } from './model/bert';
import { headModule } from './model/heads';
import type { HeadConfig } from './model/params';
import type { ParamState } from './model/state';

/** What the probe sentence shows: attention maps and top-k predictions at chosen positions. */
export interface ProbeResult {
  /** Per layer, (NH, T, T) attention probabilities of the probe sequence (row = query, column = key). */
  attention: Float32Array[];
  /** (R, K) ids and probabilities, by decreasing probability, for each requested position. */
  topIds: Int32Array;
  topProbs: Float32Array;
  K: number;
}

export const PROBE_K = 5;

/** The head of the encoder the probe and features read (its module's encoderHead: ELECTRA's discriminator, ...). */
export function encoderHeadOf(head: HeadConfig): HeadConfig {
  return headModule(head).encoderHead(head);
}

export class Inspector {
  constructor(
    readonly k: Kernels,
    readonly cfg: ModelConfig,
    readonly state: ParamState,
    readonly head: HeadConfig,
    readonly causal: boolean,
  ) {}

  private probeGraph: BertGraph | undefined;

  /**
   * Runs the probe sentence (one sequence of T ids) through the current weights and reads back every layer's
   * attention and the top-k predictions at `positions` (up to T of them). Queued after submitted steps.
   */
  async probe(ids: Int32Array, valid: Int32Array, positions: number[]): Promise<ProbeResult> {
    const T = this.cfg.T;
    const R = Math.max(1, Math.min(T, positions.length));
    if (!this.probeGraph || this.probeGraph.opt.probeRows !== R) {
      this.probeGraph?.destroy();
      this.probeGraph = new BertGraph(this.k, this.cfg, this.state, {
        B: 1,
        M: R,
        train: false,
        causal: this.causal,
        head: encoderHeadOf(this.head),
        probeRows: R,
        topK: PROBE_K,
        label: 'probe',
      });
    }
    const g = this.probeGraph;
    // A head whose predictions come from another encoder (ELECTRA: the attention is the discriminator's, the
    // predictions at the masked positions its generator's) names it (HeadModule.predictor).
    const predictor = headModule(this.head).predictor?.(this.cfg, this.head);
    if (predictor && this.genProbeGraph?.opt.probeRows !== R) {
      this.genProbeGraph?.destroy();
      this.genProbeGraph = new BertGraph(this.k, predictor.cfg, this.state, {
        B: 1,
        M: R,
        train: false,
        head: predictor.head,
        prefix: predictor.prefix,
        embedWidth: this.cfg.C,
        probeRows: R,
        topK: PROBE_K,
        label: 'probe.gen',
      });
    }
    const top = predictor ? this.genProbeGraph! : g;
    const pos = new Int32Array(R).fill(-1);
    positions.slice(0, R).forEach((p, i) => (pos[i] = p));
    const rows = Int32Array.from({ length: R }, (_, i) => (pos[i] >= 0 ? i : -1));
    for (const x of new Set([g, top])) {
      x.writeInputs({
        ids,
        valid,
        positions: pos,
        targets: new Int32Array(R).fill(-1),
        weights: new Float32Array(R),
        labels: new Float32Array(T),
        tokenWeights: new Float32Array(T),
      });
      if (x.probeRowsBuf) this.k.device.queue.writeBuffer(x.probeRowsBuf, 0, rows);
    }
    const enc = this.k.device.createCommandEncoder({ label: 'probe' });
    const pass = enc.beginComputePass({ label: 'probe' });
    encodeDispatches(
      pass,
      top === g ? [...g.forward, ...g.probe] : [...g.encoderForward, ...top.forward, ...top.probe],
    );
    pass.end();
    this.k.device.queue.submit([enc.finish()]);
    const attention = await Promise.all(g.layers.map((l) => readF32(this.k.device, l.att, undefined, this.k.memory)));
    // Heads without top-k (binary) or with fewer outputs than PROBE_K report what they have.
    const K = top.probeIds ? top.probeIds.size / 4 / R : 0;
    return {
      attention,
      topIds: top.probeIds ? await readI32(this.k.device, top.probeIds, undefined, this.k.memory) : new Int32Array(0),
      topProbs: top.probeProbs
        ? await readF32(this.k.device, top.probeProbs, undefined, this.k.memory)
        : new Float32Array(0),
      K,
    };
  }

  private genProbeGraph: BertGraph | undefined;

  private featureGraph: BertGraph | undefined;

  /**
   * Frozen features for downstream probes: the final hidden states of B sequences (B*T ids, 1/0 valid), mean-pooled
   * over valid tokens, as (B, C). Runs the encoder forward on the current weights; queued after submitted steps.
   */
  async features(ids: Int32Array, valid: Int32Array, B: number): Promise<Float32Array> {
    const { T, C } = this.cfg;
    const g = this.runEncoder('features', ids, valid, B);
    const h = await readF32(this.k.device, g.hidden, B * T * C, this.k.memory);
    return meanPool(h, valid, B, T, C);
  }

  /**
   * Every layer's attention probabilities of B sequences (B*T ids, 1/0 valid), (B, NH, T, T) per layer, through the
   * encoder graph features() uses; queued after submitted steps.
   */
  async attention(ids: Int32Array, valid: Int32Array, B: number): Promise<Float32Array[]> {
    const g = this.runEncoder('attention', ids, valid, B);
    return Promise.all(g.layers.map((l) => readF32(this.k.device, l.att, undefined, this.k.memory)));
  }

  /** Runs the encoder alone on B sequences (its graph built once per B) and returns the graph to read from. */
  private runEncoder(what: string, ids: Int32Array, valid: Int32Array, B: number): BertGraph {
    const T = this.cfg.T;
    if (ids.length !== B * T || valid.length !== B * T)
      throw new Error(`${what}: expected ${B * T} ids and valid flags, got ${ids.length} and ${valid.length}`);
    if (!this.featureGraph || this.featureGraph.opt.B !== B) {
      this.featureGraph?.destroy();
      this.featureGraph = new BertGraph(this.k, this.cfg, this.state, {
        B,
        M: 1,
        train: false,
        causal: this.causal,
        head: encoderHeadOf(this.head),
        label: 'features',
      });
    }
    const g = this.featureGraph;
    g.writeInputs({
      ids,
      valid,
      positions: new Int32Array(1).fill(-1),
      targets: new Int32Array(1).fill(-1),
      weights: new Float32Array(1),
      labels: new Float32Array(B * T),
      tokenWeights: new Float32Array(B * T),
    });
    const enc = this.k.device.createCommandEncoder({ label: what });
    const pass = enc.beginComputePass({ label: what });
    // The encoder alone: the head's dispatches come after the last layer's and are not needed.
    encodeDispatches(pass, g.encoderForward);
    pass.end();
    this.k.device.queue.submit([enc.finish()]);
    return g;
  }

  destroy(): void {
    this.probeGraph?.destroy();
    this.featureGraph?.destroy();
    this.genProbeGraph?.destroy();
  }
}

/** (B, C) mean over the valid rows of each sequence's (T, C) hidden states (zeros for an empty sequence). */
export function meanPool(h: Float32Array, valid: ArrayLike<number>, B: number, T: number, C: number): Float32Array {
  const out = new Float32Array(B * C);
  for (let b = 0; b < B; b++) {
    let n = 0;
    const acc = new Float64Array(C);
    for (let t = 0; t < T; t++) {
      if (!valid[b * T + t]) continue;
      n++;
      const row = (b * T + t) * C;
      for (let c = 0; c < C; c++) acc[c] += h[row + c];
    }
    for (let c = 0; c < C; c++) out[b * C + c] = n > 0 ? acc[c] / n : 0;
  }
  return out;
}

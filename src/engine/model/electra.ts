// ELECTRA (Clark et al. 2020) as one training graph: the generator (a narrower BertGraph over the shared
// embeddings) predicts the masked tokens, a seeded Gumbel-max sample of its logits is written into the original
// sequence on the GPU, and the discriminator (the main encoder, binary head) tells replaced from original tokens.
// Both backward passes accumulate into the shared embedding gradients; loss = generator + discWeight x discriminator.
import type { ModelConfig } from '../config';
import type { Dispatch, Kernels } from '../kernels';
import { countCorrect, reduceWeightedSum } from '../ops/reduce';
import { gumbelSample, replaceTokens, setSampleStep } from '../ops/sample';
import { BertGraph, type EngineBatch, type GraphInputs, type GraphOptions, type ModelGraph } from './bert';
import {
  GEN_PREFIX,
  generatorConfig,
  METRIC,
  VOCAB_HEAD,
  type ElectraHead,
  type ElectraParts,
  type EvalResult,
} from './heads';
import type { ParamState } from './state';

export interface ElectraGraphOptions extends Omit<
  GraphOptions,
  'head' | 'prefix' | 'embedWidth' | 'freezeEncoder' | 'probeRows'
> {
  head: ElectraHead;
  /** Seed of the generator's samples (with the step, see setStep). */
  sampleSeed: number;
}

export class ElectraGraph implements ModelGraph {
  readonly gen: BertGraph;
  readonly disc: BertGraph;
  /** (M) i32 the generator's sample per target row (-1 for empty slots). */
  readonly sampled: GPUBuffer;
  readonly head: ElectraHead;
  readonly forward: Dispatch[] = [];
  readonly loss: Dispatch[] = [];
  readonly backward: Dispatch[] = [];
  readonly N: number;
  private readonly sample: Dispatch;
  private readonly sampleShape: { M: number; V: number; seed: number };
  private readonly scaledWeights: Float32Array;
  private readonly zeroLabels: Float32Array;

  /** This graph's own Kernels (its two encoders' registries report into it); destroy releases all of it. */
  readonly k: Kernels;

  constructor(
    parent: Kernels,
    readonly cfg: ModelConfig,
    readonly state: ParamState,
    readonly opt: ElectraGraphOptions,
  ) {
    const k = parent.scoped();
    this.k = k;
    const { B, M, train } = opt;
    const lbl = opt.label ?? (train ? 'train' : 'eval');
    this.head = opt.head;
    this.gen = new BertGraph(k, generatorConfig(cfg, opt.head.gen), state, {
      B,
      M,
      train,
      head: VOCAB_HEAD,
      prefix: GEN_PREFIX,
      embedWidth: cfg.C,
      label: `${lbl}.gen`,
    });
    // The sampler writes the discriminator's ids on the GPU: its embedding backward sorts them there.
    this.disc = new BertGraph(k, cfg, state, {
      ...{ B, M: 1, train, head: { kind: 'binary' }, label: `${lbl}.disc` },
      idsOnGpu: true,
    });
    this.N = this.disc.N;
    this.sampled = k.storage(M * 4, `${lbl}.electra.sampled`, 'activations');
    this.sampleShape = { M, V: cfg.V, seed: opt.sampleSeed };
    this.sample = gumbelSample(k, this.sampleShape, {
      logits: this.gen.logits,
      positions: this.gen.inputs.positions,
      sampled: this.sampled,
    });
    const replace = replaceTokens(k, M, {
      positions: this.gen.inputs.positions,
      targets: this.gen.inputs.targets,
      sampled: this.sampled,
      ids: this.disc.inputs.ids,
      labels: this.disc.inputs.labels,
    });
    // The sample reads the generator's logits before its in-place cross-entropy turns them into dlogits.
    this.forward.push(...this.gen.forward, this.sample, replace, ...this.disc.forward);
    this.loss.push(...this.gen.loss, ...this.disc.loss);
    this.backward.push(...this.disc.backward, ...this.gen.backward);
    this.scaledWeights = new Float32Array(this.N);
    this.zeroLabels = new Float32Array(this.N);
  }

  /** The discriminator's inputs (its ids and labels are written on the GPU by the sampler each step). */
  get inputs(): GraphInputs {
    return this.disc.inputs;
  }

  /** Per-token discriminator rows: the loss the metrics and row losses read. */
  get lossRows(): number {
    return this.disc.lossRows;
  }

  get losses(): GPUBuffer {
    return this.disc.losses;
  }

  get argmax(): GPUBuffer {
    return this.disc.argmax;
  }

  get hidden(): GPUBuffer {
    return this.disc.hidden;
  }

  /** Draw this step's samples (a new Gumbel stream per step for the same seed). */
  setStep(step: number): void {
    setSampleStep(this.k, this.sample, this.sampleShape, step);
  }

  /**
   * Writes a batch: `ids` (the generator's masked input), positions/targets/weights (its MLM targets, targets =
   * original ids), `originalIds` (the discriminator's input before sampling) and `tokenWeights` (1/count on real
   * tokens: the discriminator's mean, scaled here by discWeight).
   */
  writeInputs(b: EngineBatch): void {
    if (!b.originalIds || !b.tokenWeights) throw new Error('an ELECTRA batch needs originalIds and tokenWeights');
    if (b.originalIds.length !== this.N || b.tokenWeights.length !== this.N)
      throw new Error(`ELECTRA batch: originalIds and tokenWeights need ${this.N} entries`);
    this.gen.writeInputs({
      ids: b.ids,
      valid: b.valid,
      positions: b.positions,
      targets: b.targets,
      weights: b.weights,
    });
    const w = this.head.discWeight;
    for (let i = 0; i < this.N; i++) this.scaledWeights[i] = b.tokenWeights[i] * w;
    const q = this.k.device.queue;
    const d = this.disc.inputs;
    q.writeBuffer(d.ids, 0, b.originalIds);
    q.writeBuffer(d.valid, 0, b.valid);
    q.writeBuffer(d.labels, 0, this.zeroLabels);
    q.writeBuffer(d.tokenWeights, 0, this.scaledWeights);
  }

  /**
   * The discriminator's loss (weighted by discWeight) and accuracy at METRIC.LOSS / CORRECT / COUNT, the
   * generator's at AUX_*.
   */
  metricDispatches(out: GPUBuffer, label: string): Dispatch[] {
    const gen = this.gen;
    return [
      ...this.disc.metricDispatches(out, label),
      reduceWeightedSum(
        this.k,
        gen.losses,
        gen.inputs.weights,
        gen.lossRows,
        { out, index: METRIC.AUX_LOSS },
        `${label}.gen.loss`,
      ),
      countCorrect(
        this.k,
        gen.argmax,
        gen.inputs.targets,
        gen.lossRows,
        { out, index: METRIC.AUX_CORRECT },
        `${label}.gen.correct`,
      ),
    ];
  }

  /** loss = generator + weighted discriminator; accuracy and targets are the discriminator's; and the two parts. */
  decodeMetrics(v: ArrayLike<number>): EvalResult {
    const count = v[METRIC.COUNT];
    const accuracy = count > 0 ? v[METRIC.CORRECT] / count : 0;
    const genCount = v[METRIC.AUX_COUNT];
    const w = this.head.discWeight;
    const electra: ElectraParts = {
      genLoss: v[METRIC.AUX_LOSS],
      genAccuracy: genCount > 0 ? v[METRIC.AUX_CORRECT] / genCount : 0,
      discLoss: w > 0 ? v[METRIC.LOSS] / w : 0,
      discAccuracy: accuracy,
    };
    return { loss: v[METRIC.AUX_LOSS] + v[METRIC.LOSS], accuracy, targets: count, electra };
  }

  get dispatchCount(): number {
    return this.forward.length + this.loss.length + this.backward.length;
  }

  destroy(): void {
    this.gen.destroy();
    this.disc.destroy();
    this.k.releaseAll();
  }
}

// The graph a trainer drives for a head: one encoder and its head (BertGraph), or ELECTRA's two encoders and two
// heads (ElectraGraph); and the head the held-out evaluation builds instead (headModule(head).evalHead).
import type { ModelConfig } from '../config';
import type { Kernels } from '../kernels';
import { BertGraph, type ModelGraph } from './bert';
import { ElectraGraph } from './electra';
import { headModule, type ElectraHead, type HeadConfig } from './heads';
import type { ParamState } from './state';

export interface TrainGraphOptions {
  B: number;
  M: number;
  train: boolean;
  head: HeadConfig;
  causal?: boolean;
  freezeEncoder?: boolean;
  /** With freezeEncoder: the backward runs through the encoder for the probe's [MASK] input row (BertGraph). */
  inputRowGrad?: boolean;
  /** ELECTRA: seed of the generator's samples. */
  sampleSeed: number;
  label?: string;
}

/** The training (train: true) or evaluation graph of a head; evaluation builds the head's evalHead. */
export function buildGraph(k: Kernels, cfg: ModelConfig, state: ParamState, o: TrainGraphOptions): ModelGraph {
  const head = o.train ? o.head : headModule(o.head).evalHead(o.head);
  const { B, M, train, causal, label } = o;
  if (headModule(head).notOnOneEncoder) {
    if (o.freezeEncoder)
      throw new Error(
        'an ELECTRA run cannot train on a frozen encoder; probe its discriminator with a vocabulary head',
      );
    // The one head on two encoders is ELECTRA's (generator + discriminator): ElectraGraph composes them.
    const electra = head as ElectraHead;
    return new ElectraGraph(k, cfg, state, { B, M, train, causal, head: electra, sampleSeed: o.sampleSeed, label });
  }
  const freezeEncoder = train && o.freezeEncoder;
  return new BertGraph(k, cfg, state, {
    B,
    M,
    train,
    causal,
    head,
    freezeEncoder,
    inputRowGrad: freezeEncoder && o.inputRowGrad,
    label,
  });
}

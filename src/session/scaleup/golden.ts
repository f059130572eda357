// golden/ of the scale-up bundle: batches MaskLab built (batch order, masks, labels) for a few steps, the first
// held-out evaluation batch, and the step-0 loss of the exported initial weights on step 0's first rows, computed by
// the CPU reference model (src/engine/reference, float64). test_masking.py checks the Python collator against them.
import { Rng } from '../../data/rng';
import type { ModelConfig } from '../../engine/config';
import { learningRate } from '../../engine/schedule';
import { scheduleOf } from '../config';
import { GEN_PREFIX, generatorConfig, VOCAB_HEAD, type HeadConfig, type ParamLayout } from '../../engine/model/params';
import { headModule } from '../../engine/model/heads';
import { generatorOf } from '../exportFiles';
import { mlmReference, type MlmInputs } from '../../engine/reference/model';
import type { MaskedBatch } from '../../masking/types';
import type { EngineBatch } from '../../engine/trainer';
import { sampleUniform } from '../../engine/reference/sample';
import { electraSampleSeed, engineBatch } from '../run';
import type { RunMasking } from '../runMasking';
import { lossRowTokenIds } from '../runMasking';

export interface GoldenFile {
  name: string;
  json: Record<string, unknown>;
}

/** HF-style labels of a masked batch from MaskLab's own engine targets: ids at gathered slots, 0/1 per token. */
export function labelsOf(m: MaskedBatch): number[] {
  const labels = new Array<number>(m.B * m.T).fill(-100);
  if (m.gathered) {
    const g = m.gathered;
    for (let s = 0; s < g.positions.length; s++) if (g.positions[s] >= 0) labels[g.positions[s]] = g.targets[s];
  } else if (m.tokenLabels) {
    for (let i = 0; i < labels.length; i++) if (m.valid[i]) labels[i] = m.tokenLabels.labels[i];
  }
  return labels;
}

function batchJson(m: MaskedBatch): Record<string, unknown> {
  return {
    B: m.B,
    T: m.T,
    rate: m.rate,
    truncated: m.truncated,
    input_ids: Array.from(m.inputIds),
    original_ids: Array.from(m.originalIds),
    attention_mask: Array.from(m.valid),
    selected: Array.from(m.selected),
    tags: Array.from(m.tags),
    units: Array.from(m.units),
    labels: labelsOf(m),
  };
}

/** Encoder work (rows x T x L x C x (C + F)) of the tiny model on a batch of 64: the golden loss's budget. */
const GOLDEN_WORK = 64 * 64 * 2 * 64 * (64 + 256);

/**
 * How many rows of step 0's batch the golden loss covers: all of them up to the tiny model's work on 64 rows, else
 * fewer (at least one), so the float64 CPU reference takes seconds at any model size.
 */
export function goldenLossRows(model: ModelConfig, B: number): number {
  const perRow = model.T * model.L * model.C * (model.C + model.F);
  return Math.max(1, Math.min(B, Math.floor(GOLDEN_WORK / perRow)));
}

/** The first `rows` rows of an engine batch, its weights renormalised over their own targets and tokens. */
function firstRows(eb: EngineBatch, B: number, T: number, rows: number): MlmInputs {
  const M = eb.positions.length;
  const keep = (s: number) => eb.positions[s] >= 0 && eb.positions[s] < rows * T;
  const slots = Array.from({ length: (M / B) * rows }, (_, s) => s);
  const count = slots.filter(keep).length;
  const valid = eb.valid.subarray(0, rows * T);
  const real = valid.reduce((n, v) => n + (v ? 1 : 0), 0);
  return {
    B: rows,
    ids: eb.ids.subarray(0, rows * T),
    valid,
    positions: Int32Array.from(slots, (s) => eb.positions[s]),
    targets: Int32Array.from(slots, (s) => eb.targets[s]),
    weights: slots.map((s) => (keep(s) ? 1 / Math.max(1, count) : 0)),
    labels: eb.labels?.subarray(0, rows * T),
    tokenWeights: eb.tokenWeights ? Array.from(valid, (v) => (v ? 1 / Math.max(1, real) : 0)) : undefined,
  };
}

/**
 * The loss of the first `rows` rows of a step's batch from the given weights as MaskLab's engine defines it (mean
 * over their targets, binary heads over their tokens), of the kind the head's module names (hf.lossKind); a head
 * with a generator (ELECTRA) gives the generator's part alone.
 */
function referenceLoss(
  model: ModelConfig,
  head: HeadConfig,
  layout: ParamLayout,
  params: Float32Array,
  m: MaskedBatch,
  M: number,
  rows: number,
): { loss: number; kind: string; losses: Float64Array; positions: Int32Array; targets: Int32Array } {
  const inp = firstRows(engineBatch(m, M), m.B, m.T, rows);
  const eb = { positions: inp.positions as Int32Array, targets: inp.targets as Int32Array };
  const kind = headModule(head).hf?.lossKind;
  if (!kind) throw new Error(`a ${head.kind} head has no transformers model, so no golden loss`);
  const gen = generatorOf(head);
  if (gen) {
    const gc = generatorConfig(model, gen);
    const r = mlmReference(gc, layout, params, { ...inp, labels: undefined }, false, VOCAB_HEAD, {
      prefix: GEN_PREFIX,
      embedWidth: model.C,
    });
    return {
      loss: r.loss,
      kind,
      losses: r.losses,
      positions: eb.positions,
      targets: eb.targets,
    };
  }
  const r = mlmReference(model, layout, params, inp, false, head);
  return { loss: r.loss, kind, losses: r.losses, positions: eb.positions, targets: eb.targets };
}

/** Golden files for steps 0, 1 and the last step, and the first evaluation batch. */
export function goldenFiles(
  rm: RunMasking,
  model: ModelConfig,
  head: HeadConfig,
  layout: ParamLayout,
  init: Float32Array,
): GoldenFile[] {
  const steps = [...new Set([0, 1, rm.config.train.steps - 1])].filter((s) => s >= 0 && s < rm.config.train.steps);
  const M = rm.config.train.B * rm.plan.capacity;
  const files: GoldenFile[] = [];
  let updates: { ids: number[]; losses: number[] }[] = [];
  for (const step of steps) {
    const m = rm.maskedBatch(step);
    const json: Record<string, unknown> = {
      seed: rm.config.seed,
      step,
      progress: rm.progress(step),
      lr: learningRate(scheduleOf(rm.config.train), step),
      rows: Array.from(rm.order.rowsAt(step)),
      word_ids: Array.from(rm.order.batchAt(step).wordIds),
      ...batchJson(m),
    };
    if (rm.hardness) json.hardness_updates = updates;
    if (step === 0) {
      // Hard tokens replay the whole batch's losses below: their golden loss covers every row.
      const rows = rm.hardness ? m.B : goldenLossRows(model, m.B);
      const r = referenceLoss(model, head, layout, init, m, M, rows);
      json.loss = r.loss;
      json.loss_rows = rows;
      json.loss_kind = r.kind;
      json.loss_note =
        "MaskLab's CPU reference model (float64) on the first loss_rows rows of this batch from model.safetensors (the initial weights, step 0)";
      if (rm.hardness && !generatorOf(head)) {
        // Hard tokens: the token ids and losses TrainingRun feeds its loss average after step 0 (here from the
        // reference model); later golden steps replay them. ELECTRA's discriminator losses depend on the
        // generator's samples, so an ELECTRA run's golden steps use an empty table.
        const rowIds = lossRowTokenIds(headModule(head).rows, m, r.positions, r.targets);
        const ids: number[] = [];
        const losses: number[] = [];
        rowIds.forEach((id, i) => {
          if (id >= 0) {
            ids.push(id);
            losses.push(Math.fround(r.losses[i]));
          }
        });
        rm.hardness.update(ids, losses);
        updates = [{ ids, losses }];
      }
    }
    files.push({ name: `golden/step_${String(step).padStart(6, '0')}.json`, json });
  }
  const rngCases: (number | string)[][] = [
    [rm.config.seed],
    [rm.config.seed, 'mask', 0],
    [0],
    [-7, 'x'],
    [2 ** 40 + 3],
    ['masklab-eval', 5],
    ['é∑', 1],
  ];
  // ELECTRA's sampler (shaders/electra.wgsl): the uniforms of (seed, step, target slot, id) train.py draws too.
  const seed = electraSampleSeed(rm.config.seed);
  const sampleCases = [
    [seed, 0, 0, 0],
    [seed, 1, 5, 17],
    [seed, 2499, 1023, 2047],
    [0, 0, 0, 0],
    [2 ** 32 - 1, 7, 3, 9],
  ];
  files.push({
    name: 'golden/rng.json',
    json: {
      cases: rngCases.map((keys) => ({
        keys,
        u32: ((r) => Array.from({ length: 8 }, () => r.u32()))(Rng.from(keys[0], ...keys.slice(1))),
      })),
      electra_uniform: sampleCases.map(([s, step, m, v]) => ({ seed: s, step, m, v, u: sampleUniform(s, step, m, v) })),
    },
  });
  const ev = rm.evalMasked()[0];
  if (ev) files.push({ name: 'golden/eval_000000.json', json: { seed: 'masklab-eval', index: 0, ...batchJson(ev) } });
  return files;
}

// The probe sentence: a text with [MASK]s run through the current weights, shown as attention maps and the top
// predictions at each [MASK]. Plain functions returning plain data, used by the worker and testable without a GPU.
import { SPECIAL_IDS } from '../data/types';
import type { Tokenizer } from '../data/tokenizer';
import type { ProbeResult } from '../engine/inspect';
import { ELECTRA_PREDICTOR, headModule, type HeadConfig } from '../engine/model/heads';
import type { CorpusTable } from '../masking/types';
import type { ProbeView } from './records';
import type { TrainingRun } from './run';

/** The probe sentence a new page starts with ([MASK] marks where predictions are shown). */
export const DEFAULT_PROBE_TEXT = 'the king said to his [MASK] that the [MASK] was in the forest .';

export { ELECTRA_PREDICTOR };

/** The engine's input for a probe text: [CLS] text [SEP] cut to T, padded, and the positions of its [MASK]s. */
export interface ProbeInput {
  /** The sequence without padding. */
  seq: number[];
  ids: Int32Array;
  valid: Int32Array;
  positions: number[];
}

export function probeInput(tok: Tokenizer, text: string, T: number): ProbeInput {
  const body = Array.from(tok.encode(text).ids).slice(0, Math.max(0, T - 2));
  const seq = [SPECIAL_IDS.cls, ...body, SPECIAL_IDS.sep];
  const ids = new Int32Array(T);
  const valid = new Int32Array(T);
  seq.forEach((id, i) => {
    ids[i] = id;
    valid[i] = 1;
  });
  const positions = seq.flatMap((id, i) => (id === SPECIAL_IDS.mask ? [i] : []));
  return { seq, ids, valid, positions };
}

/**
 * The engine's probe result as a view: attention cut from (NH, T, T) per layer to the n = seq.length real tokens,
 * and the top-K labels per [MASK] (class names for k-class heads, none for binary heads, K = 0).
 */
export function probeView(
  input: ProbeInput,
  r: ProbeResult,
  shape: { L: number; NH: number; T: number },
  labels: ProbeLabels,
  step: number,
  predictor?: string,
): ProbeView {
  const { L, NH, T } = shape;
  const n = input.seq.length;
  const attention = new Float32Array(L * NH * n * n);
  r.attention.forEach((att, l) => {
    for (let h = 0; h < NH; h++)
      for (let i = 0; i < n; i++)
        attention.set(att.subarray((h * T + i) * T, (h * T + i) * T + n), ((l * NH + h) * n + i) * n);
  });
  const predictions =
    r.K === 0
      ? []
      : input.positions.map((position, i) => ({
          position,
          top: Array.from({ length: r.K }, (_, j) => ({
            token: labels.prediction(r.topIds[i * r.K + j]),
            p: r.topProbs[i * r.K + j],
          })),
        }));
  return {
    step,
    tokens: input.seq.map(labels.token),
    L,
    NH,
    attention,
    predictions,
    ...(predictor ? { predictor } : {}),
  };
}

export interface ProbeLabels {
  /** The sequence's tokens. */
  token: (id: number) => string;
  /** The head's predicted ids. */
  prediction: (id: number) => string;
}

/**
 * How a head's predicted ids read, as its module says (preview.label): vocabulary heads predict tokens, k-class heads
 * classes the objective names (`classNames`, or a class of the table it drew from the training split), ELECTRA's
 * generator tokens.
 */
export function probeLabels(
  tok: Tokenizer,
  head: HeadConfig,
  classNames?: readonly string[],
  table?: CorpusTable,
): ProbeLabels {
  const token = (id: number) => tok.idToToken(id) ?? '?';
  const names = { V: tok.vocabSize, token, className: (id: number) => classNames?.[id] ?? table?.className(id) };
  const label = headModule(head).preview.label;
  return { token, prediction: (id) => label(id, names) };
}

/** Runs the probe text through the run's current weights (between steps). */
export async function runProbe(run: TrainingRun, text: string): Promise<ProbeView> {
  const tok = run.data.tokenizer;
  const input = probeInput(tok, text, run.model.T);
  const r = await run.trainer.probe(input.ids, input.valid, input.positions);
  const labels = probeLabels(tok, run.head, run.plan.heads[0]?.classNames, run.masking.table);
  return probeView(
    input,
    r,
    run.model,
    labels,
    run.trainer.step,
    headModule(run.head).predictor?.(run.model, run.head).about,
  );
}

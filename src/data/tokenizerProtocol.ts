// The typed messages between the page and the tokenizer Web Worker, and the handler the worker runs (also callable
// directly in Node). Tokenizers travel as tokenizer.json text; token arrays are transferred, not copied.

import type { SequenceSet } from './batching';
import { prepareData, type DataOptions } from './dataset';
import { exportTokenizerJson, importTokenizerJson } from './hfJson';
import type { TextSplit } from './split';
import type { TokenizerKind } from './tokenizer';
import { trainTokenizer, type TokenizerSpec, type TrainProgress } from './train';

export type TokenizerRequest =
  /** Train a tokenizer on a text. */
  | { type: 'train'; id: number; text: string; spec: TokenizerSpec }
  /** Encode a text with a tokenizer given as tokenizer.json. */
  | { type: 'encode'; id: number; tokenizerJson: string; text: string }
  /** The whole pipeline: split, train on the training part, tokenize and pack sequences. */
  | { type: 'prepare'; id: number; text: string; spec: TokenizerSpec; options: DataOptions };

export interface TrainedTokenizer {
  tokenizerJson: string;
  kind: TokenizerKind;
  vocabSize: number;
}

export type TokenizerResponse =
  | { type: 'progress'; id: number; progress: TrainProgress }
  | ({ type: 'trained'; id: number; ms: number } & TrainedTokenizer)
  | { type: 'encoded'; id: number; ms: number; ids: Int32Array; wordIds: Int32Array }
  | ({
      type: 'prepared';
      id: number;
      ms: number;
      split: TextSplit;
      train: SequenceSet;
      heldOut: SequenceSet;
    } & TrainedTokenizer)
  | { type: 'error'; id: number; message: string };

export type Post = (message: TokenizerResponse, transfer?: Transferable[]) => void;

const setBuffers = (s: SequenceSet): Transferable[] =>
  [s.ids.buffer, s.wordIds.buffer, s.valid.buffer] as Transferable[];

/** Runs one request to completion, posting progress messages and then exactly one result or error. */
export function handleTokenizerRequest(req: TokenizerRequest, post: Post): void {
  const t0 = performance.now();
  const progress = (p: TrainProgress): void => post({ type: 'progress', id: req.id, progress: p });
  try {
    switch (req.type) {
      case 'train': {
        const tok = trainTokenizer(req.text, req.spec, progress);
        post({
          type: 'trained',
          id: req.id,
          ms: performance.now() - t0,
          tokenizerJson: exportTokenizerJson(tok),
          kind: tok.kind,
          vocabSize: tok.vocabSize,
        });
        return;
      }
      case 'encode': {
        const { ids, wordIds } = importTokenizerJson(req.tokenizerJson).tokenizer.encode(req.text);
        post({ type: 'encoded', id: req.id, ms: performance.now() - t0, ids, wordIds }, [
          ids.buffer,
          wordIds.buffer,
        ] as Transferable[]);
        return;
      }
      case 'prepare': {
        const data = prepareData(req.text, req.spec, req.options, progress);
        const tok = data.tokenizer;
        post(
          {
            type: 'prepared',
            id: req.id,
            ms: performance.now() - t0,
            tokenizerJson: exportTokenizerJson(tok),
            kind: tok.kind,
            vocabSize: tok.vocabSize,
            split: data.split,
            train: data.train,
            heldOut: data.heldOut,
          },
          [...setBuffers(data.train), ...setBuffers(data.heldOut)],
        );
        return;
      }
      default: {
        const unknown: { type?: unknown; id?: unknown } = req;
        post({
          type: 'error',
          id: typeof unknown.id === 'number' ? unknown.id : -1,
          message: `unknown request type ${JSON.stringify(unknown.type)}`,
        });
      }
    }
  } catch (e) {
    post({ type: 'error', id: req.id, message: e instanceof Error ? e.message : String(e) });
  }
}

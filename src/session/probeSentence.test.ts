// The probe sentence without a GPU: its engine input ([CLS] text [SEP], truncation, [MASK] positions), the view
// cut from the engine's (NH, T, T) attention, and how predictions are labelled per head kind.
import { describe, expect, it } from 'vitest';
import { SPECIAL_IDS } from '../data/types';
import { trainTokenizer } from '../data/train';
import type { ProbeResult } from '../engine/inspect';
import { DEFAULT_PROBE_TEXT, probeInput, probeLabels, probeView } from './probeSentence';

const tok = trainTokenizer('the king said to his son that the wolf was in the forest . the queen was in the castle .', {
  kind: 'word',
  vocabSize: 40,
});

describe('probeInput', () => {
  it('wraps the text in [CLS] ... [SEP], pads to T and finds the [MASK]s', () => {
    const T = 24;
    const p = probeInput(tok, DEFAULT_PROBE_TEXT, T);
    const words = DEFAULT_PROBE_TEXT.split(' ');
    expect(p.seq.length).toBe(words.length + 2);
    expect(p.seq[0]).toBe(SPECIAL_IDS.cls);
    expect(p.seq[p.seq.length - 1]).toBe(SPECIAL_IDS.sep);
    expect(p.positions).toEqual(words.flatMap((w, i) => (w === '[MASK]' ? [i + 1] : [])));
    expect(p.ids.length).toBe(T);
    expect(Array.from(p.valid)).toEqual(Array.from({ length: T }, (_, i) => (i < p.seq.length ? 1 : 0)));
    expect(Array.from(p.ids.subarray(0, p.seq.length))).toEqual(p.seq);
  });

  it('cuts a long text to T - 2 tokens so [SEP] still fits', () => {
    const p = probeInput(tok, 'the king said to his [MASK] that the wolf', 6);
    expect(p.seq.length).toBe(6);
    expect(p.seq[5]).toBe(SPECIAL_IDS.sep);
    expect(p.seq.slice(1, 5).map((id) => tok.idToToken(id))).toEqual(['the', 'king', 'said', 'to']);
    expect(p.positions).toEqual([]);
  });
});

describe('probeView', () => {
  const T = 8;
  const L = 2;
  const NH = 2;
  const input = probeInput(tok, 'the [MASK] said', T);
  const n = input.seq.length;
  // Attention entry (l, h, i, j) = l * 1000 + h * 100 + i * 10 + j, so the cut can be read back.
  const attention = Array.from({ length: L }, (_, l) =>
    Float32Array.from({ length: NH * T * T }, (_, k) => {
      const h = Math.floor(k / (T * T));
      const i = Math.floor((k % (T * T)) / T);
      const j = k % T;
      return l * 1000 + h * 100 + i * 10 + j;
    }),
  );

  it('keeps the n x n block of real tokens of every layer and head, row = query', () => {
    const r: ProbeResult = { attention, topIds: new Int32Array(0), topProbs: new Float32Array(0), K: 0 };
    const v = probeView(input, r, { L, NH, T }, probeLabels(tok, { kind: 'binary' }), 12);
    expect(v.attention.length).toBe(L * NH * n * n);
    for (let l = 0; l < L; l++)
      for (let h = 0; h < NH; h++)
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++)
            expect(v.attention[((l * NH + h) * n + i) * n + j]).toBe(l * 1000 + h * 100 + i * 10 + j);
    expect(v.tokens).toEqual(['[CLS]', 'the', '[MASK]', 'said', '[SEP]']);
    expect(v.step).toBe(12);
    // A binary head has no top-k.
    expect(v.predictions).toEqual([]);
    expect(v.predictor).toBeUndefined();
  });

  it('labels a vocabulary head with tokens and a k-class head with its class names', () => {
    const ids = [tok.tokenToId('king')!, tok.tokenToId('wolf')!];
    const r: ProbeResult = {
      attention,
      topIds: Int32Array.from([ids[0], ids[1]]),
      topProbs: Float32Array.from([0.75, 0.25]),
      K: 2,
    };
    const vocab = probeView(input, r, { L, NH, T }, probeLabels(tok, { kind: 'vocabulary' }), 0, 'the generator');
    expect(vocab.predictions).toEqual([
      {
        position: 2,
        top: [
          { token: 'king', p: 0.75 },
          { token: 'wolf', p: 0.25 },
        ],
      },
    ]);
    expect(vocab.predictor).toBe('the generator');
    const classes = probeView(
      input,
      { ...r, topIds: Int32Array.from([1, 7]) },
      { L, NH, T },
      probeLabels(tok, { kind: 'k-class', K: 3 }, ['a', 'b', 'c']),
      0,
    );
    expect(classes.predictions[0].top.map((t) => t.token)).toEqual(['b', '?']);
    // The sequence itself still reads as tokens.
    expect(classes.tokens[1]).toBe('the');
  });
});

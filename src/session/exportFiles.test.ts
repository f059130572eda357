// Which files an export makes for each head, without a GPU (the files themselves: run.gpu.test.ts, hf tests).
import { describe, expect, it } from 'vitest';
import { VOCAB_HEAD } from '../engine/model/params';
import { hfFolders, hfModelOf, keptFormat } from './exportFiles';

const electra = { kind: 'electra', gen: { C: 16, NH: 2, F: 32 }, discWeight: 50 } as const;

describe('hfModelOf', () => {
  it('maps each head to its transformers model or says why there is none', () => {
    expect(hfModelOf(VOCAB_HEAD, 'huggingface')).toEqual({ model: 'masked-lm' });
    expect(hfModelOf({ kind: 'binary' }, 'huggingface')).toEqual({ model: 'electra-discriminator' });
    expect(hfModelOf(electra, 'huggingface')).toEqual({ model: 'electra-discriminator' });
    expect(hfModelOf(electra, 'huggingface-generator')).toEqual({ model: 'electra-generator' });
    expect(hfModelOf(VOCAB_HEAD, 'huggingface-generator')).toEqual({ error: 'Only an ELECTRA run has a generator.' });
    expect(hfModelOf({ kind: 'k-class', K: 29 }, 'huggingface')).toEqual({
      error: "transformers has no model for this run's k-class head (save a checkpoint instead).",
    });
  });
});

describe('keptFormat and hfFolders', () => {
  it('keeps a Hugging Face model when there is one, a checkpoint otherwise', () => {
    expect(keptFormat(VOCAB_HEAD)).toBe('huggingface');
    expect(keptFormat({ kind: 'k-class', K: 29 })).toBe('checkpoint');
  });

  it('puts the ELECTRA generator in generator/, next to the discriminator', () => {
    expect(hfFolders(VOCAB_HEAD)).toEqual([{ format: 'huggingface', dir: '' }]);
    expect(hfFolders(electra)).toEqual([
      { format: 'huggingface', dir: '' },
      { format: 'huggingface-generator', dir: 'generator' },
    ]);
  });
});

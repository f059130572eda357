// The one validation of an experiment: every rule, with the words the page, the worker and the CLI show.
import { describe, expect, it } from 'vitest';
import { defaultExperiment, type ExperimentConfig } from './config';
import { decodeExperiment, encodeExperiment } from './experimentUrl';
import { estimateMemory } from './memory';
import { ExperimentError, problemText, validateExperiment, type Problem } from './validate';

function withTrain(patch: Partial<ExperimentConfig['train']>): ExperimentConfig {
  const e = defaultExperiment();
  e.train = { ...e.train, ...patch };
  return e;
}

const only = (ps: Problem[]) => {
  expect(ps).toHaveLength(1);
  return ps[0];
};

describe('validateExperiment', () => {
  it('accepts the default experiment and every preset', () => {
    expect(validateExperiment(defaultExperiment())).toEqual([]);
    const d = defaultExperiment();
    const b32 = { ...d, train: { ...d.train, B: 32 } };
    for (const preset of ['tiny', 'mini', 'small'] as const)
      expect(validateExperiment({ ...b32, model: { preset } })).toEqual([]);
    // The small model fits the 4 GB budget at the default batch of 64 (3.9 GB estimated with the fused kernels),
    // not at 96: refused, naming memory.
    expect(validateExperiment({ ...d, model: { preset: 'small' } })).toEqual([]);
    const b96 = { ...d, train: { ...d.train, B: 96 }, model: { preset: 'small' as const } };
    expect(validateExperiment(b96).map((p) => p.setting)).toEqual(['memory']);
  });

  it('refuses a learning rate of 1000 and of -1 (case 1), naming the setting and the range', () => {
    expect(only(validateExperiment(withTrain({ lr: 1000 })))).toEqual({
      setting: 'lr',
      value: '1000',
      reason: 'the learning rate is above 10',
      allowed: 'a number above 0 up to 10',
    });
    expect(only(validateExperiment(withTrain({ lr: -1 })))).toEqual({
      setting: 'lr',
      value: '-1',
      reason: 'the learning rate must be above 0',
      allowed: 'a number above 0 up to 10',
    });
    expect(only(validateExperiment(withTrain({ lr: 0 }))).reason).toBe('the learning rate must be above 0');
    expect(only(validateExperiment(withTrain({ lr: NaN }))).reason).toBe('the learning rate is not a number');
  });

  it('checks every training setting against its range', () => {
    expect(only(validateExperiment(withTrain({ B: 0 })))).toMatchObject({
      setting: 'batch',
      reason: 'the batch size is below 1',
    });
    expect(only(validateExperiment(withTrain({ B: 2.5 })))).toMatchObject({
      setting: 'batch',
      reason: 'the batch size is not a whole number',
    });
    expect(only(validateExperiment(withTrain({ steps: 0 })))).toMatchObject({ setting: 'steps' });
    expect(only(validateExperiment(withTrain({ warmup: -1 })))).toMatchObject({ setting: 'warmup' });
    expect(only(validateExperiment(withTrain({ minLrRatio: 2 })))).toMatchObject({
      setting: 'minlr',
      reason: 'the learning-rate floor is above 1',
    });
    expect(only(validateExperiment(withTrain({ weightDecay: -0.1 })))).toMatchObject({ setting: 'wd' });
    expect(only(validateExperiment(withTrain({ maxGradNorm: -1 })))).toMatchObject({ setting: 'clip' });
    expect(only(validateExperiment(withTrain({ evalEvery: 0 })))).toMatchObject({ setting: 'eval' });
    expect(only(validateExperiment({ ...defaultExperiment(), seed: -3 }))).toMatchObject({
      setting: 'seed',
      reason: 'the seed is below 0',
    });
  });

  it('refuses C=65 with NH=2 (case 5) and suggests heads that divide C', () => {
    const e: ExperimentConfig = {
      ...defaultExperiment(),
      model: { preset: 'custom', overrides: { L: 2, C: 65, NH: 2, F: 256, T: 64 } },
    };
    expect(only(validateExperiment(e))).toEqual({
      setting: 'm.NH',
      value: '2',
      reason: 'width C=65 is not divisible by heads NH=2',
      allowed: 'a number of heads that divides C=65 (such as 1)',
    });
  });

  it('refuses model fields out of range one by one', () => {
    const e: ExperimentConfig = {
      ...defaultExperiment(),
      model: { preset: 'custom', overrides: { L: 0, C: 64, NH: 2, F: 256, T: 5000 } },
    };
    expect(validateExperiment(e).map((p) => [p.setting, p.reason])).toEqual([
      ['m.L', 'model L=0 is below 1'],
      ['m.T', 'model T=5000 is above 2048'],
    ]);
  });

  it('refuses a vocabulary size below 6', () => {
    const e = defaultExperiment();
    e.tokenizer = { kind: 'wordpiece', vocabSize: 3 };
    expect(only(validateExperiment(e))).toEqual({
      setting: 'tok',
      value: '3',
      reason: 'the vocabulary size is below 6 (5 special tokens plus at least one word)',
      allowed: 'a whole number from 6 to 1000000',
    });
  });

  it("checks masking parameters against their specs, unknown ones, the share sum and the objective's strategies", () => {
    const e = defaultExperiment();
    e.masking = { strategy: 'span', objective: 'mlm', strategyParams: { rate: 1.5, maxSpan: 0.5, nope: 1 } };
    expect(validateExperiment(e).map((p) => [p.setting, p.reason, p.allowed])).toEqual([
      ['sp.rate', 'Masking rate is above 1', 'a number from 0 to 1'],
      ['sp.maxSpan', 'Longest span (words) is not a whole number', 'a whole number from 1 to 32'],
      ['sp.nope', 'strategy "span" has no parameter "nope"', expect.stringContaining('rate')],
    ]);
    const shares = defaultExperiment();
    shares.masking = { strategy: 'random', objective: 'mlm', strategyParams: { maskFrac: 0.8, randomFrac: 0.5 } };
    expect(only(validateExperiment(shares))).toEqual({
      setting: 'sp.randomFrac',
      value: '0.5',
      reason: 'the [MASK] share 0.8 and the random-token share 0.5 add up to more than 1',
      allowed: 'at most 0.2 with a [MASK] share of 0.8',
    });
    const meap = defaultExperiment();
    meap.masking = { strategy: 'span', objective: 'meap' };
    expect(only(validateExperiment(meap))).toMatchObject({
      setting: 'strategy',
      reason: 'objective "meap" works only with random',
    });
  });

  it('refuses unknown strategies and objectives', () => {
    const e = defaultExperiment();
    e.masking = { strategy: 'nonsense' as never, objective: 'what' as never };
    expect(validateExperiment(e).map((p) => p.setting)).toEqual(['strategy', 'objective']);
  });

  it('words a problem and the error the worker and the CLI refuse with', () => {
    const ps = validateExperiment(withTrain({ lr: 1000, B: 0 }));
    expect(problemText(ps[0])).toBe('lr = 1000: the learning rate is above 10 (allowed: a number above 0 up to 10)');
    const error = new ExperimentError(ps);
    expect(error.name).toBe('ExperimentError');
    expect(error.message).toBe(
      'This experiment cannot run: lr = 1000: the learning rate is above 10 (allowed: a number above 0 up to 10); batch = 0: the batch size is below 1 (allowed: a whole number from 1 to 4096).',
    );
  });
});

describe('the link reader and the validation', () => {
  it('lists C=7 with NH=3 as ignored with its reason and keeps a valid shape (case 8)', () => {
    const d = decodeExperiment('model=custom&m.C=7&m.NH=3');
    expect(d.ignored).toEqual([
      "m.C=7, m.NH=3: width C=7 is not divisible by heads NH=3; the link's model shape was not used",
    ]);
    expect(validateExperiment(d.config)).toEqual([]);
  });

  it('keeps the wordpiece default for tok=wordpiece:0 and writes it out, so the field shows it (case 8)', () => {
    const d = decodeExperiment('tok=wordpiece:0');
    expect(d.config.tokenizer).toEqual({ kind: 'wordpiece', vocabSize: 4000 });
    expect(d.ignored).toEqual([
      'tok=wordpiece:0: the vocabulary size must be a whole number from 6 to 1000000; kept the wordpiece default 4000',
    ]);
    expect(decodeExperiment('tok=char:0').config.tokenizer).toEqual({ kind: 'char' });
  });

  it('never reads a link into an experiment the validation refuses', () => {
    for (const q of ['lr=1000', 'lr=-1', 'batch=0', 'm.C=65', 'tok=word:2', 'sp.rate=3', 'seed=-1', 'steps=1.5']) {
      const d = decodeExperiment(q);
      expect(d.ignored.length, q).toBe(1);
      expect(validateExperiment(d.config), q).toEqual([]);
      expect(validateExperiment(decodeExperiment(encodeExperiment(d.config)).config), q).toEqual([]);
    }
  });
});

describe('memory before allocation', () => {
  it('refuses the L48 C4096 NH64 F16384 model (case 4) by its memory, naming what to shrink', () => {
    const e: ExperimentConfig = {
      ...defaultExperiment(),
      model: { preset: 'custom', overrides: { L: 48, C: 4096, NH: 64, F: 16384, T: 64 } },
    };
    const p = only(validateExperiment(e, { V: 2048 }));
    expect(p.setting).toBe('memory');
    expect(p.reason).toMatch(
      /^the run needs about [\d.]+ GB of GPU memory \(9,69\d,\d{3},\d{3} parameters with gradients, AdamW moments and snapshots, and the activations\); MaskLab allows 4\.0 GB$/,
    );
    expect(p.allowed).toBe('at most 4.0 GB: a smaller model (L, C, F), batch size or sequence length T');
  });

  it("estimates every objective's memory with its own head, and a strategy setting out of range does not stop it", () => {
    const d = defaultExperiment();
    const mlm = estimateMemory(d, 2048).totalBytes;
    const sbo = estimateMemory({ ...d, masking: { strategy: 'span', objective: 'sbo' } }, 2048).totalBytes;
    expect(sbo).toBeGreaterThan(mlm); // SpanBERT's boundary head and its logits
    const split = { ...d, masking: { ...d.masking, strategyParams: { maskFrac: 0.8, randomFrac: 0.5 } } };
    expect(estimateMemory(split, 2048).totalBytes).toBe(mlm);
  });

  it('refuses a buffer over the device limit, naming the setting that shrinks it', () => {
    const d = defaultExperiment();
    const e: ExperimentConfig = { ...d, train: { ...d.train, B: 32 }, model: { preset: 'mini' } };
    const limits = { maxBufferSize: 2 ** 30, maxStorageBufferBindingSize: 8 * 2 ** 20 };
    const p = only(validateExperiment(e, { V: 2048, limits }));
    expect(p).toEqual({
      setting: 'm.F',
      value: '1024',
      reason:
        'the feed-forward activations of a layer (B=32 x T=128 x F=1024) needs 16 MB in one buffer; this GPU allows 8 MB per buffer',
      allowed: 'a smaller m.F (one buffer of at most 8 MB)',
    });
    expect(validateExperiment(e, { V: 2048, limits: { ...limits, maxStorageBufferBindingSize: 2 ** 30 } })).toEqual([]);
  });
});

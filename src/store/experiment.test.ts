// The experiment's URL form: non-default experiments survive encode/decode exactly, garbage keeps defaults with a
// message per ignored value, and the store's setters keep masking parameters consistent.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getObjective, getStrategy, OBJECTIVE_IDS, RATE_PRESETS, SCHEDULE_SPEC, STRATEGY_IDS } from '../masking';
import type { ParamSpec, ParamValue } from '../masking/types';
import { defaultExperiment, type ExperimentConfig } from '../session/config';
import { decodeExperiment, encodeExperiment, initialExperiment, useExperimentStore } from './experiment';

/** A value of a parameter that is valid but not its default. */
function otherValue(s: ParamSpec): ParamValue {
  switch (s.kind) {
    case 'number':
      return s.default === s.max ? s.min : Math.min(s.max, s.default + s.step);
    case 'integer':
      return s.default === s.max ? s.min : s.default + 1;
    case 'choice':
      return s.options.find((o) => o.value !== s.default)?.value ?? s.default;
    case 'boolean':
      return !s.default;
  }
}

const roundTrip = (c: ExperimentConfig) => decodeExperiment(encodeExperiment(c));

describe('experiment URL', () => {
  it('round-trips the defaults and reads the documented example', () => {
    const d = defaultExperiment();
    expect(roundTrip(d)).toEqual({ config: d, ignored: [] });
    const ex = decodeExperiment(
      '#corpus=fairy-tales&tok=wordpiece:2048&model=tiny&strategy=span&objective=mlm&sp.rate=0.15&lr=0.001&steps=300&seed=1',
    );
    expect(ex.ignored).toEqual([]);
    expect(ex.config.masking).toEqual({ strategy: 'span', objective: 'mlm', strategyParams: { rate: 0.15 } });
  });

  it('round-trips a non-default experiment in every section, readably', () => {
    const c: ExperimentConfig = {
      corpus: 'custom:6f1c2a9e-0b7d-4c1e-9a55-3f0e2b1d4c8a',
      tokenizer: { kind: 'word', vocabSize: 3000, minFrequency: 2 },
      model: { preset: 'custom', overrides: { L: 3, C: 96, NH: 3, F: 384, T: 48 } },
      masking: {
        strategy: 'span',
        objective: 'sbo',
        strategyParams: { rate: 0.3, p: 0.25, maxSpan: 6, maskFrac: 0.7, randomFrac: 0.2, replacement: 'uniform' },
        objectiveParams: { maxRel: 16, sboWeight: 0.5 },
        schedule: { kind: 'cosine', start: 0.32, end: 0.02 },
        staticMasks: true,
        staticSeed: 9,
      },
      train: {
        B: 8,
        steps: 1234,
        lr: 3e-4,
        warmup: 100,
        decay: 'cosine',
        minLrRatio: 0,
        weightDecay: 0.1,
        maxGradNorm: 0.5,
        evalEvery: 25,
      },
      seed: 4_000_000_000,
    };
    const q = encodeExperiment(c);
    expect(q).toContain('corpus=custom:6f1c2a9e');
    expect(q).toContain('tok=word:3000');
    expect(q).toContain('sp.replacement=uniform');
    expect(q).not.toMatch(/%3A/i);
    expect(roundTrip(c)).toEqual({ config: c, ignored: [] });
  });

  it('round-trips every strategy and objective with every parameter off its default', () => {
    for (const sid of STRATEGY_IDS) {
      for (const oid of OBJECTIVE_IDS) {
        const obj = getObjective(oid);
        if (obj.strategies && !obj.strategies.includes(sid)) continue;
        const sp = Object.fromEntries(getStrategy(sid).params.map((s) => [s.key, otherValue(s)]));
        if (typeof sp.maskFrac === 'number' && typeof sp.randomFrac === 'number' && sp.maskFrac + sp.randomFrac > 1)
          sp.randomFrac = 0;
        const op = Object.fromEntries(obj.params.map((s) => [s.key, otherValue(s)]));
        const c = defaultExperiment();
        c.masking = { strategy: sid, objective: oid, strategyParams: sp };
        if (obj.params.length) c.masking.objectiveParams = op;
        c.masking.schedule = Object.fromEntries(SCHEDULE_SPEC.params.map((s) => [s.key, otherValue(s)]));
        expect(roundTrip(c), `${sid} + ${oid}`).toEqual({ config: c, ignored: [] });
      }
    }
  });

  it('keeps the default of each bad field and says what was ignored', () => {
    const d = decodeExperiment(
      '#corpus=../../etc/passwd&tok=bpe:100&model=huge&m.L=0&m.C=64.5&strategy=nope&objective=mlm&sp.rate=7' +
        '&sp.bogus=1&lr=abc&steps=-3&batch=&decay=step&wd=0.02&seed=1.5&static=maybe&rs.kind=wavy&zzz=1',
    );
    const def = defaultExperiment();
    expect(d.config.corpus).toBe(def.corpus);
    expect(d.config.tokenizer).toEqual(def.tokenizer);
    expect(d.config.model).toEqual(def.model);
    expect(d.config.masking).toEqual({ strategy: 'random', objective: 'mlm' });
    expect(d.config.train).toEqual({ ...def.train, weightDecay: 0.02 }); // the one valid training value is kept
    expect(d.config.seed).toBe(def.seed);
    const keys = d.ignored.map((m) => m.split(/[=:]/)[0]);
    for (const k of [
      'corpus',
      'tok',
      'model',
      'm.L',
      'm.C',
      'strategy',
      'sp.rate',
      'sp.bogus',
      'lr',
      'steps',
      'batch',
      'decay',
      'seed',
      'static',
      'rs.kind',
      'zzz',
    ]) {
      expect(keys, `a message for ${k}`).toContain(k);
    }
    expect(d.ignored.find((m) => m.startsWith('lr='))).toMatch(/lr=abc: must be a number above 0 up to 10; kept 0.002/);
    expect(d.ignored.find((m) => m.startsWith('sp.bogus'))).toMatch(/strategy "random" has no parameter "bogus"/);
  });

  it('fixes combinations: a strategy the objective cannot use, shares over 1', () => {
    const a = decodeExperiment('strategy=span&objective=meap');
    expect(a.config.masking.strategy).toBe('random');
    expect(a.ignored[0]).toMatch(/works only with random/);
    const b = decodeExperiment('strategy=random&sp.maskFrac=0.9&sp.randomFrac=0.3&sp.rate=0.2');
    expect(b.config.masking.strategyParams).toEqual({ rate: 0.2 });
    expect(b.ignored[0]).toMatch(/add up to more than 1/);
  });

  it('never throws on arbitrary text and always gives a config that round-trips', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const d = decodeExperiment(s);
        expect(roundTrip(d.config)).toEqual({ config: d.config, ignored: [] });
      }),
      { numRuns: 300 },
    );
    for (const s of ['%', '#%E0%A4%A', '&&&==&', '#seed=%zz', 'a=b=c', '#'.repeat(3), '?lr=1e-3']) {
      expect(() => decodeExperiment(s)).not.toThrow();
    }
    expect(decodeExperiment('?lr=1e-3').config.train.lr).toBe(0.001);
  });

  it('the URL wins over saved settings; saved settings over the defaults', () => {
    const saved = encodeExperiment({ ...defaultExperiment(), seed: 7 });
    expect(initialExperiment('#seed=3', saved)).toMatchObject({ source: 'url', config: { seed: 3 } });
    expect(initialExperiment('', saved)).toMatchObject({ source: 'storage', config: { seed: 7 } });
    expect(initialExperiment('', null)).toEqual({ source: 'default', config: defaultExperiment(), ignored: [] });
    expect(initialExperiment('', 'seed=x').ignored[0]).toMatch(/^saved settings: seed=x/);
  });

  it('a lesson in the hash is not an experiment setting: alone it leaves the saved settings, with settings they win', () => {
    const saved = encodeExperiment({ ...defaultExperiment(), seed: 7 });
    expect(initialExperiment('#lesson=2', saved)).toMatchObject({
      source: 'storage',
      config: { seed: 7 },
      ignored: [],
    });
    expect(initialExperiment('#lesson=2&seed=3', saved)).toMatchObject({
      source: 'url',
      config: { seed: 3 },
      ignored: [],
    });
  });
});

describe('experiment store', () => {
  it('keeps shared parameters across strategies and follows objective constraints', () => {
    const s = useExperimentStore.getState();
    s.replace(defaultExperiment());
    s.setStrategy('span');
    s.setStrategyParam('rate', 0.3);
    s.setStrategyParam('p', 0.3);
    s.setStrategy('whole-word');
    expect(useExperimentStore.getState().config.masking.strategyParams).toEqual({ rate: 0.3 });
    s.setObjective('meap');
    expect(useExperimentStore.getState().config.masking).toMatchObject({ strategy: 'random', objective: 'meap' });
    s.setObjective('mlm');
    const preset = RATE_PRESETS.find((p) => p.id === 'wettig-40')!;
    s.applyRatePreset(preset);
    expect(useExperimentStore.getState().config.masking).toMatchObject({
      strategyParams: { rate: 0.4, maskFrac: 1, randomFrac: 0 },
      schedule: { kind: 'constant' },
    });
    s.resetMaskingParams();
    expect(useExperimentStore.getState().config.masking).toEqual({ strategy: 'random', objective: 'mlm' });
    s.setTrain({ lr: 0.002 });
    s.setSeed(5);
    const { config } = useExperimentStore.getState();
    expect(roundTrip(config).config).toEqual(config);
  });
});

// Class presets: each one is a valid experiment that survives the URL round trip, preset=<id> in a URL sets it up
// with the other keys overriding it, and the toy corpus ids in the URL.
import { describe, expect, it } from 'vitest';
import { decodeExperiment, encodeExperiment } from './experimentUrl';
import { parseToyCorpus, toyCorpusId } from '../data/toyLanguage';
import { CLASS_PRESETS, classPreset } from './presets';

describe('class presets', () => {
  it('has the two lessons, each a valid experiment that round-trips through the URL', () => {
    expect(CLASS_PRESETS.map((p) => p.id)).toEqual(['toy-language', 'fairy-tales']);
    for (const p of CLASS_PRESETS) {
      const e = p.config();
      const d = decodeExperiment(encodeExperiment(e));
      expect(d.ignored).toEqual([]);
      expect(d.config).toEqual(e);
    }
    expect(classPreset('toy-language').config().corpus).toBe('toy');
    expect(() => classPreset('nope')).toThrow(/unknown class preset "nope"; known: toy-language, fairy-tales/);
  });

  it('preset=<id> in a URL sets the preset up; later keys override it; an unknown id is reported', () => {
    const d = decodeExperiment('preset=toy-language&steps=500&lr=0.002');
    expect(d.ignored).toEqual([]);
    expect(d.config.corpus).toBe('toy');
    expect(d.config.tokenizer.kind).toBe('word');
    expect(d.config.train.steps).toBe(500);
    expect(d.config.train.lr).toBe(0.002);
    expect(d.config.train.B).toBe(classPreset('toy-language').config().train.B);
    expect(decodeExperiment('preset=nope').ignored[0]).toMatch(/^preset=nope: no such class preset/);
  });

  it('the toy corpus carries its size and seed in its id', () => {
    expect(toyCorpusId(20_000, 1)).toBe('toy');
    expect(toyCorpusId(5000, 3)).toBe('toy:5000:3');
    expect(parseToyCorpus('toy:5000:3')).toEqual({ sentences: 5000, seed: 3 });
    expect(decodeExperiment('corpus=toy:5000:3').config.corpus).toBe('toy:5000:3');
    expect(decodeExperiment('corpus=toy:5:3').ignored[0]).toMatch(/^corpus=toy:5:3: no such corpus/);
    expect(() => parseToyCorpus('toy:x')).toThrow(/expected "toy" or "toy:<sentences>:<seed>"/);
  });
});

// A comparison on the toy language reports each scheme's syntax-onset step over its seeds (mean, spread, and the runs
// that never found the subject), from the runs' own evaluations, in the summary and in the CLI's report.
import { describe, expect, it } from 'vitest';
import { defaultExperiment } from './config';
import { newComparison, type RunResult } from './comparisonRecord';
import { comparisonReport, comparisonTable } from './comparisonReport';
import { summarize } from './comparisonSummary';

const result = (syntaxOnsetStep?: number | null): RunResult => ({
  evalKind: 'mlm',
  steps: 2000,
  tokens: 1,
  tokensPerS: 1,
  msPerStep: 1,
  ...(syntaxOnsetStep !== undefined ? { syntaxOnsetStep } : {}),
});

describe('syntax onset in a comparison', () => {
  const c = newComparison({
    name: 'onset',
    base: { ...defaultExperiment(), corpus: 'toy' },
    schemes: [
      { strategy: 'random', objective: 'mlm' },
      { strategy: 'span', objective: 'mlm' },
    ],
    seeds: [1, 2, 3],
    probeText: 'the dogs near the cat [MASK] .',
  });
  const onsets: Record<string, number | null> = {
    '0:1': 400,
    '0:2': 600,
    '0:3': 500,
    '1:1': 800,
    '1:2': null,
    '1:3': 1000,
  };
  c.entries = c.entries.map((e) => ({ ...e, state: 'done', result: result(onsets[`${e.scheme}:${e.seed}`]) }));

  it('per scheme: mean and spread of the onset steps, and the runs that never had one', () => {
    const [random, span] = summarize(c);
    expect(random.syntaxOnset).toMatchObject({
      never: 0,
      runs: 3,
      steps: { mean: 500, std: 100, min: 400, max: 600, n: 3 },
    });
    expect(span.syntaxOnset).toMatchObject({ never: 1, runs: 3, steps: { mean: 900, min: 800, max: 1000, n: 2 } });
    const report = comparisonReport(c);
    expect(report.schemes[1]).toMatchObject({ syntaxOnset: { mean: 900, never: 1, runs: 3 } });
    expect(report.runs.find((r) => r.seed === 2 && r.scheme.startsWith('span'))).toMatchObject({
      syntaxOnsetStep: null,
    });
    expect(comparisonTable(c).join('\n')).toContain(
      'syntax onset (verb -> subject past an attractor): step 900 ± 141 (800-1000) over 2 runs; never in 1 of 3 runs',
    );
  });

  it('is absent where the runs were not scored (not the toy language)', () => {
    const other = { ...c, entries: c.entries.map((e) => ({ ...e, result: result() })) };
    expect(summarize(other).every((s) => s.syntaxOnset === undefined)).toBe(true);
    expect(comparisonReport(other).schemes[0]).not.toHaveProperty('syntaxOnset');
  });
});

// Runs files: CSV columns, values and RFC 4180 escaping (plus the formula guard); JSON export round trip (NaN as
// null and back) and import validation with readable reasons.
import { describe, expect, it } from 'vitest';
import { summarize } from './records';
import { CSV_COLUMNS, csvField, parseRunsJson, RunImportError, runsToCsv, runsToJson } from './runsExport';
import { fakeRecord } from './runsTesting';

/** A small RFC 4180 reader, to check the CSV the way a spreadsheet reads it. */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  return rows;
}

describe('CSV', () => {
  it('escapes commas, quotes and line breaks, blanks non-finite numbers, guards formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(NaN)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(0.25)).toBe('0.25');
    expect(csvField(-1)).toBe('-1');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('+1')).toBe("'+1");
  });

  it('has one row per run with the settings and the evaluation columns', () => {
    const a = fakeRecord('a', 30, { name: 'span, "long" run\nnumber 2' });
    const b = fakeRecord('b', 0, { state: 'training', interrupted: true });
    delete b.info;
    const text = runsToCsv([summarize(a), summarize(b)]);
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = readCsv(text);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows.every((r) => r.length === CSV_COLUMNS.length)).toBe(true);
    const get = (r: string[], k: (typeof CSV_COLUMNS)[number]) => r[CSV_COLUMNS.indexOf(k)];
    const ra = rows[1];
    expect(get(ra, 'name')).toBe('span, "long" run\nnumber 2');
    expect(get(ra, 'corpus')).toBe('fairy-tales');
    expect(get(ra, 'tokenizer')).toBe('wordpiece:2048');
    expect(get(ra, 'vocab_size')).toBe('1024');
    expect([get(ra, 'model_preset'), get(ra, 'L'), get(ra, 'C'), get(ra, 'NH'), get(ra, 'F'), get(ra, 'T')]).toEqual([
      'tiny',
      '2',
      '64',
      '2',
      '256',
      '64',
    ]);
    expect([get(ra, 'strategy'), get(ra, 'objective'), get(ra, 'strategy_params')]).toEqual([
      'span',
      'mlm',
      'rate=0.15; maxSpan=5',
    ]);
    expect([get(ra, 'batch'), get(ra, 'seed'), get(ra, 'steps_done'), get(ra, 'steps_total')]).toEqual([
      '4',
      '7',
      '30',
      '30',
    ]);
    expect(Number(get(ra, 'final_train_loss'))).toBe(a.metrics[29].loss);
    expect([get(ra, 'final_heldout_loss'), get(ra, 'final_heldout_accuracy'), get(ra, 'heldout_step')]).toEqual([
      '5.25',
      '0.125',
      '30',
    ]);
    expect([get(ra, 'tokens_per_s'), get(ra, 'ms_per_step'), get(ra, 'state')]).toEqual(['1235', '207.4', 'done']);
    // A run with no steps, no evaluation and no info: empty cells, model shape from the preset, marked interrupted.
    const rb = rows[2];
    expect([
      get(rb, 'final_train_loss'),
      get(rb, 'final_heldout_loss'),
      get(rb, 'vocab_size'),
      get(rb, 'parameters'),
    ]).toEqual(['', '', '', '']);
    expect([get(rb, 'C'), get(rb, 'state')]).toEqual(['64', 'interrupted']);
  });
});

describe('JSON', () => {
  it('exports full records and reads them back (NaN written as null comes back as NaN)', () => {
    const a = fakeRecord('a', 50);
    a.metrics[3].loss = NaN;
    const b = fakeRecord('b', 2, { state: 'failed', message: 'loss was NaN', interrupted: true });
    delete b.cases;
    const c = fakeRecord('c', 4, { state: 'diverged', message: 'Training diverged at step 4.' });
    const text = runsToJson([a, b, c], Date.UTC(2025, 0, 1));
    expect(JSON.parse(text)).toMatchObject({
      format: 'masklab-runs',
      version: 1,
      exportedAt: '2025-01-01T00:00:00.000Z',
    });
    expect(parseRunsJson(text)).toEqual([a, b, c]);
  });

  it("keeps a toy-language run's agreement per kind and syntax scores", () => {
    const a = fakeRecord('toy', 3);
    a.evals[0] = {
      ...a.evals[0],
      agreement: { plain: 0.9, attractor: 0.6, kinds: { bare: 0.9, pp: 0.7, src: 0.5, orc: 0.3 } },
      syntax: {
        sentences: 384,
        margin: 0.1,
        relations: [
          {
            id: 'verb_subject_attractor',
            units: 256,
            offset: { offset: -5, score: 0.6445 },
            nearestNoun: 0,
            head: { layer: 1, head: 0, score: 0.25 },
            path: {
              hops: [
                { layer: 0, head: 1 },
                { layer: 1, head: 0 },
              ],
              score: 0.9,
            },
          },
        ],
        heads: [{ layer: 0, head: 1, relation: 'noun_det', score: 0.8, syntactic: false }],
      },
    };
    expect(parseRunsJson(runsToJson([a]))).toEqual([a]);
    const bad = JSON.parse(runsToJson([a])) as { runs: { evals: { syntax: { relations: { id: string }[] } }[] }[] };
    bad.runs[0].evals[0].syntax.relations[0].id = 'verb_everything';
    expect(() => parseRunsJson(JSON.stringify(bad))).toThrow(/relations\[0\]\.id is not a relation/);
  });

  const file = (runs: unknown[]) => JSON.stringify({ format: 'masklab-runs', version: 1, runs });
  const good = () => JSON.parse(JSON.stringify(fakeRecord('g', 3))) as Record<string, unknown>;

  it.each([
    ['not json {', /not JSON/],
    ['[1,2]', /not a MaskLab runs export/],
    [JSON.stringify({ format: 'other', runs: [] }), /not a MaskLab runs export/],
    [JSON.stringify({ format: 'masklab-runs', version: 9, runs: [] }), /version 9/],
    [JSON.stringify({ format: 'masklab-runs', version: 1 }), /no list of runs/],
    [file([7]), /runs\[0\] must be an object/],
    [file([{ ...good(), id: '' }]), /runs\[0\]\.id must not be empty/],
    [file([good(), { ...good(), state: 'flying' }]), /runs\[1\]\.state must be one of/],
    [file([{ ...good(), metrics: [{ step: 0, loss: 'low' }] }]), /runs\[0\]\.metrics\[0\]\.loss must be a number/],
    [file([{ ...good(), metrics: 'none' }]), /runs\[0\]\.metrics must be a list/],
    [file([{ ...good(), evals: [{ step: 1.5, loss: 1, accuracy: 0 }] }]), /evals\[0\]\.step must be a whole number/],
    [
      file([{ ...good(), config: { ...(good().config as object), masking: { strategy: 'nope', objective: 'mlm' } } }]),
      /config is not a valid experiment: strategy=nope/,
    ],
    [file([{ ...good(), config: { ...(good().config as object), seed: -1 } }]), /config\.seed must be at least 0/],
    [file([{ ...good(), info: { V: 10 } }]), /info\.model must be an object/],
  ])('rejects a bad file with a clear reason: %#', (text, reason) => {
    expect(() => parseRunsJson(text)).toThrow(RunImportError);
    expect(() => parseRunsJson(text)).toThrow(reason);
  });

  it('keeps a valid config as the URL codec reads it', () => {
    const [r] = parseRunsJson(file([good()]));
    expect(r.config).toEqual(fakeRecord('g', 3).config);
  });
});

// A comparison as files: CSV (one row per run: config columns and evaluation columns with intervals and independent
// units, for a spreadsheet) and JSON (the comparison record with its runs' full records and per-passage totals,
// importable again after validation; reuses runsExport).
import type { AttentionSnapshot, RunRecord } from './records';
import type { MaskingConfig } from '../masking/types';
import { BUDGET_KINDS, budgetError, type BudgetKind } from './computeBudget';
import { modelShape } from './config';
import type { NextTokenResult, ProbeResults } from './probes';
import { DOWNSTREAM_TASKS, type DownstreamTaskId, type DownstreamTaskResult } from './downstream';
import type { Estimate, UnitTotals } from './stats';
import {
  entryConfig,
  schemeLabel,
  type ComparisonEntry,
  type ComparisonRecord,
  type ComparisonState,
  type EntryState,
  type RunResult,
} from './comparisonRecord';
import {
  csvField,
  isObj,
  parseExperimentConfig,
  parseRunList,
  Reader,
  readExportFile,
  RunImportError,
} from './runsExport';

export const COMPARISON_FILE_FORMAT = 'masklab-comparison';
export const COMPARISON_FILE_VERSION = 1;

export const COMPARISON_CSV_COLUMNS = [
  'run_id',
  'name',
  'comparison_id',
  'comparison',
  'scheme',
  'strategy',
  'objective',
  'rate',
  'strategy_params',
  'objective_params',
  'seed',
  'state',
  'corpus',
  'tokenizer',
  'model_preset',
  'L',
  'C',
  'NH',
  'F',
  'T',
  'batch',
  'steps',
  'lr',
  'tokens',
  'eval_kind',
  'eval_loss',
  'eval_accuracy',
  'objective_eval_loss',
  'pseudo_perplexity',
  'mlm_probe_loss',
  'mlm_probe_accuracy',
  'mlm_probe_pseudo_perplexity',
  'mlm_probe_steps',
  'downstream_accuracy',
  'downstream_chance',
  'downstream_test_examples',
  'tokens_per_s',
  'ms_per_step',
  'probe_loss',
  'probe_loss_lo',
  'probe_loss_hi',
  'probe_accuracy',
  'probe_accuracy_lo',
  'probe_accuracy_hi',
  'probe_targets',
  'probe_independent_units',
  'probe_output_layer',
  'frequency_loss',
  'frequency_accuracy',
  'own_eval_kind',
  'own_eval_loss',
  'next_token_loss',
  'next_token_loss_lo',
  'next_token_loss_hi',
  'next_token_accuracy',
  'next_token_accuracy_lo',
  'next_token_accuracy_hi',
  'next_token_independent_units',
  ...DOWNSTREAM_TASKS.flatMap((t) => [
    `${t.id}_accuracy`,
    `${t.id}_lo`,
    `${t.id}_hi`,
    `${t.id}_test_examples`,
    `${t.id}_independent_units`,
  ]),
  'flops_per_step',
  'flops',
] as const;
type Column = (typeof COMPARISON_CSV_COLUMNS)[number];

const params = (p: MaskingConfig['strategyParams']) =>
  Object.entries(p ?? {})
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('; ');

/** One header line and one line per planned run, CRLF line ends; `names` maps run ids to their saved names. */
export function comparisonToCsv(c: ComparisonRecord, names: ReadonlyMap<string, string> = new Map()): string {
  const lines = [COMPARISON_CSV_COLUMNS.join(',')];
  for (const e of c.entries) {
    const cfg = entryConfig(c, e);
    const shape = modelShape(cfg, 2);
    const r: RunResult | undefined = e.result;
    const m = cfg.masking;
    const mlm = r?.probes?.mlm;
    const next = r?.probes?.nextToken;
    const down = r?.probes?.downstream;
    const own = r?.probes?.ownEvalKind ?? r?.evalKind;
    const tasks: Partial<Record<Column, number>> = {};
    for (const t of r?.probes?.tasks ?? []) {
      Object.assign(tasks, {
        [`${t.id}_accuracy`]: t.accuracy.value,
        [`${t.id}_lo`]: t.accuracy.lo,
        [`${t.id}_hi`]: t.accuracy.hi,
        [`${t.id}_test_examples`]: t.testExamples,
        [`${t.id}_independent_units`]: t.units ?? t.accuracy.units,
      });
    }
    const fps = r?.probes?.trainFlopsPerStep;
    const row: Record<Column, string | number | undefined> = {
      ...tasks,
      probe_loss: mlm?.loss,
      probe_loss_lo: mlm?.lossEstimate?.lo,
      probe_loss_hi: mlm?.lossEstimate?.hi,
      probe_accuracy: mlm?.accuracy,
      probe_accuracy_lo: mlm?.accuracyEstimate?.lo,
      probe_accuracy_hi: mlm?.accuracyEstimate?.hi,
      probe_targets: mlm?.targets,
      probe_independent_units: mlm?.accuracyEstimate?.units,
      probe_output_layer: mlm ? (mlm.ownOutput ? 'own' : 'tied') : undefined,
      frequency_loss: mlm?.frequencyLoss,
      frequency_accuracy: mlm?.frequencyAccuracy,
      own_eval_kind: own,
      own_eval_loss: r?.evalLoss,
      next_token_loss: next?.loss ?? (own === 'next-token' ? r?.evalLoss : undefined),
      next_token_loss_lo: next?.lossEstimate.lo,
      next_token_loss_hi: next?.lossEstimate.hi,
      next_token_accuracy: next?.accuracy,
      next_token_accuracy_lo: next?.accuracyEstimate.lo,
      next_token_accuracy_hi: next?.accuracyEstimate.hi,
      next_token_independent_units: next?.accuracyEstimate.units,
      flops_per_step: fps,
      flops: fps && r ? fps * r.steps : undefined,
      run_id: e.runId,
      name: e.runId ? names.get(e.runId) : undefined,
      comparison_id: c.id,
      comparison: c.name,
      scheme: schemeLabel(m),
      strategy: m.strategy,
      objective: m.objective,
      rate: typeof m.strategyParams?.rate === 'number' ? m.strategyParams.rate : undefined,
      strategy_params: params(m.strategyParams),
      objective_params: params(m.objectiveParams),
      seed: cfg.seed,
      state: e.state,
      corpus: cfg.corpus,
      tokenizer:
        cfg.tokenizer.vocabSize === undefined ? cfg.tokenizer.kind : `${cfg.tokenizer.kind}:${cfg.tokenizer.vocabSize}`,
      model_preset: cfg.model.preset,
      L: shape.L,
      C: shape.C,
      NH: shape.NH,
      F: shape.F,
      T: shape.T,
      batch: cfg.train.B,
      steps: r?.steps ?? cfg.train.steps,
      lr: cfg.train.lr,
      tokens: r?.tokens ?? cfg.train.steps * cfg.train.B * shape.T,
      eval_kind: r?.evalKind,
      eval_loss: own === 'mlm' ? r?.evalLoss : undefined,
      eval_accuracy: own === 'mlm' ? r?.evalAccuracy : undefined,
      objective_eval_loss: own === 'objective' ? r?.evalLoss : undefined,
      pseudo_perplexity: r?.pseudoPerplexity,
      mlm_probe_loss: mlm?.loss,
      mlm_probe_accuracy: mlm?.accuracy,
      mlm_probe_pseudo_perplexity: mlm?.pseudoPerplexity,
      mlm_probe_steps: mlm?.steps,
      downstream_accuracy: down?.accuracy,
      downstream_chance: down?.chance,
      downstream_test_examples: down?.testExamples,
      tokens_per_s: r && r.tokensPerS > 0 ? Math.round(r.tokensPerS) : undefined,
      ms_per_step: r && r.msPerStep > 0 ? Number(r.msPerStep.toFixed(3)) : undefined,
    };
    lines.push(COMPARISON_CSV_COLUMNS.map((k) => csvField(row[k])).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

/** The JSON file: the comparison (attention maps as plain number lists) and its runs' full records. */
export function comparisonToJson(c: ComparisonRecord, runs: readonly RunRecord[], now = Date.now()): string {
  const comparison = {
    ...c,
    entries: c.entries.map((e) =>
      e.attention ? { ...e, attention: { ...e.attention, attention: Array.from(e.attention.attention) } } : e,
    ),
  };
  return JSON.stringify(
    {
      format: COMPARISON_FILE_FORMAT,
      version: COMPARISON_FILE_VERSION,
      exportedAt: new Date(now).toISOString(),
      comparison,
      runs,
    },
    null,
    1,
  );
}

// ------------------------------------------------------------------------------------------------------ import

const COMPARISON_STATES: readonly ComparisonState[] = ['running', 'done', 'stopped', 'interrupted'];
const ENTRY_STATES: readonly EntryState[] = ['pending', 'training', 'probing', 'done', 'failed', 'stopped'];
const nullable = { nullable: true };

function readEstimate(r: Reader): Estimate {
  const e: Estimate = {
    value: r.num('value', nullable),
    lo: r.num('lo', nullable),
    hi: r.num('hi', nullable),
    se: r.num('se', nullable),
    n: r.num('n', { int: true, min: 0 }),
  };
  const units = r.optNum('units', { int: true, min: 0 });
  if (units !== undefined) e.units = units;
  return e;
}

/** Per-unit totals: a key and two equal-length lists of numbers (counts whole and positive). */
function readTotals(r: Reader): UnitTotals {
  const sums = r.o.sums;
  const counts = r.o.counts;
  if (!Array.isArray(sums) || !sums.every((x) => typeof x === 'number' && Number.isFinite(x)))
    r.fail('sums', 'must be a list of numbers');
  if (
    !Array.isArray(counts) ||
    counts.length !== sums.length ||
    !counts.every((x) => Number.isInteger(x) && (x as number) > 0)
  )
    r.fail('counts', `must be ${sums.length} whole numbers above 0`);
  return { key: r.str('key', 200), sums: sums as number[], counts: counts as number[] };
}

const optTotals = (r: Reader, key: string) => (r.o[key] === undefined ? undefined : readTotals(r.obj(key)));

function readTask(r: Reader): DownstreamTaskResult {
  const id = r.str('id') as DownstreamTaskId;
  const spec = DOWNSTREAM_TASKS.find((t) => t.id === id);
  if (!spec) r.fail('id', `must be one of ${DOWNSTREAM_TASKS.map((t) => t.id).join(', ')}`);
  return {
    id,
    name: spec.name,
    closeTo: spec.closeTo,
    accuracy: readEstimate(r.obj('accuracy')),
    trainAccuracy: r.num('trainAccuracy', nullable),
    chance: r.num('chance'),
    majority: r.num('majority', nullable),
    trainExamples: r.num('trainExamples', { int: true, min: 0 }),
    testExamples: r.num('testExamples', { int: true, min: 0 }),
    ...(r.o.totals !== undefined ? { totals: readTotals(r.obj('totals')) } : {}),
    ...(r.o.units !== undefined ? { units: r.num('units', { int: true, min: 0 }) } : {}),
  };
}

function readNextToken(r: Reader): NextTokenResult {
  return {
    loss: r.num('loss', nullable),
    accuracy: r.num('accuracy', nullable),
    targets: r.num('targets', { int: true, min: 0 }),
    lossEstimate: readEstimate(r.obj('lossEstimate')),
    accuracyEstimate: readEstimate(r.obj('accuracyEstimate')),
    lossTotals: readTotals(r.obj('lossTotals')),
    accuracyTotals: readTotals(r.obj('accuracyTotals')),
  };
}

function readProbes(r: Reader): ProbeResults | undefined {
  if (r.o.probes === undefined) return undefined;
  const p = r.obj('probes');
  const out: ProbeResults = { ms: p.optNum('ms', nullable) ?? 0 };
  if (p.o.mlm !== undefined) {
    const m = p.obj('mlm');
    out.mlm = {
      loss: m.num('loss', nullable),
      accuracy: m.num('accuracy', nullable),
      targets: m.num('targets', { min: 0 }),
      pseudoPerplexity: m.optNum('pseudoPerplexity', nullable),
      steps: m.num('steps', { int: true, min: 0 }),
      trainLoss: m.num('trainLoss', nullable),
    };
    if (m.o.lossEstimate !== undefined) out.mlm.lossEstimate = readEstimate(m.obj('lossEstimate'));
    if (m.o.accuracyEstimate !== undefined) out.mlm.accuracyEstimate = readEstimate(m.obj('accuracyEstimate'));
    const fl = m.optNum('frequencyLoss', nullable);
    const fa = m.optNum('frequencyAccuracy', nullable);
    if (fl !== undefined) out.mlm.frequencyLoss = fl;
    if (fa !== undefined) out.mlm.frequencyAccuracy = fa;
    if (m.o.maskRow === true) out.mlm.maskRow = true;
    if (m.o.ownOutput === true) out.mlm.ownOutput = true;
    const lt = optTotals(m, 'lossTotals');
    const at = optTotals(m, 'accuracyTotals');
    if (lt) out.mlm.lossTotals = lt;
    if (at) out.mlm.accuracyTotals = at;
  }
  if (p.o.nextToken !== undefined) out.nextToken = readNextToken(p.obj('nextToken'));
  if (p.o.tasks !== undefined) out.tasks = p.list('tasks').map(readTask);
  const kind = p.optStr('ownEvalKind');
  if (kind !== undefined) {
    if (kind === 'mlm' || kind === 'objective' || kind === 'next-token') out.ownEvalKind = kind;
    else p.fail('ownEvalKind', 'must be "mlm", "objective" or "next-token"');
  }
  const fps = p.optNum('trainFlopsPerStep', { min: 0 });
  if (fps !== undefined) out.trainFlopsPerStep = fps;
  if (p.o.downstream !== undefined) {
    const d = p.obj('downstream');
    out.downstream = {
      accuracy: d.num('accuracy', nullable),
      trainAccuracy: d.num('trainAccuracy', nullable),
      chance: d.num('chance'),
      trainExamples: d.num('trainExamples', { int: true, min: 0 }),
      testExamples: d.num('testExamples', { int: true, min: 0 }),
    };
  }
  const err = p.optStr('downstreamError');
  if (err !== undefined) out.downstreamError = err;
  return out;
}

function readResult(r: Reader): RunResult | undefined {
  if (r.o.result === undefined) return undefined;
  const x = r.obj('result');
  const evalKind = x.str('evalKind') as RunResult['evalKind'];
  if (evalKind !== 'mlm' && evalKind !== 'objective' && evalKind !== 'next-token')
    x.fail('evalKind', 'must be "mlm", "objective" or "next-token"');
  const out: RunResult = {
    evalKind,
    evalLoss: x.optNum('evalLoss', nullable),
    evalAccuracy: x.optNum('evalAccuracy', nullable),
    evalStep: x.optNum('evalStep', { int: true, min: 0 }),
    pseudoPerplexity: x.optNum('pseudoPerplexity', nullable),
    steps: x.num('steps', { int: true, min: 0 }),
    tokens: x.num('tokens', { min: 0 }),
    tokensPerS: x.optNum('tokensPerS', nullable) ?? 0,
    msPerStep: x.optNum('msPerStep', nullable) ?? 0,
  };
  const probes = readProbes(x);
  if (probes) out.probes = probes;
  return out;
}

function readAttention(r: Reader): AttentionSnapshot | undefined {
  if (r.o.attention === undefined) return undefined;
  const a = r.obj('attention');
  const tokens = a.o.tokens as string[];
  if (!Array.isArray(tokens) || !tokens.every((t: unknown) => typeof t === 'string'))
    a.fail('tokens', 'must be a list of text');
  const L = a.num('L', { int: true, min: 1 });
  const NH = a.num('NH', { int: true, min: 1 });
  const values = a.o.attention;
  const n = tokens.length;
  if (
    !Array.isArray(values) ||
    values.length !== L * NH * n * n ||
    !values.every((v) => typeof v === 'number' && Number.isFinite(v))
  ) {
    a.fail('attention', `must be a list of ${L * NH * n * n} numbers (layers x heads x tokens x tokens)`);
  }
  return {
    step: a.num('step', { int: true, min: 0 }),
    tokens,
    L,
    NH,
    attention: Float32Array.from(values as number[]),
  };
}

function readComparison(r: Reader): ComparisonRecord {
  const id = r.str('id', 200);
  if (id.trim() === '') r.fail('id', 'must not be empty');
  const base = parseExperimentConfig(r.o.base, `${r.path}.base`);
  const rawSchemes = r.o.schemes;
  if (!Array.isArray(rawSchemes) || rawSchemes.length < 2)
    r.fail('schemes', 'must be a list of at least two masking schemes');
  const schemes = rawSchemes.map(
    (m, i) => parseExperimentConfig({ ...base, masking: m }, `${r.path}.schemes[${i}]`).masking,
  );
  const seeds = r.o.seeds;
  if (!Array.isArray(seeds) || seeds.length === 0 || !seeds.every((s) => Number.isInteger(s) && (s as number) >= 0))
    r.fail('seeds', 'must be a list of whole numbers');
  const b = r.obj('budget');
  const state = r.str('state') as ComparisonState;
  if (!COMPARISON_STATES.includes(state)) r.fail('state', `must be one of ${COMPARISON_STATES.join(', ')}`);
  const entries = r.list('entries').map((e): ComparisonEntry => {
    const scheme = e.num('scheme', { int: true, min: 0 });
    if (scheme >= schemes.length) e.fail('scheme', `must be below ${schemes.length}`);
    const st = e.str('state') as EntryState;
    if (!ENTRY_STATES.includes(st)) e.fail('state', `must be one of ${ENTRY_STATES.join(', ')}`);
    const out: ComparisonEntry = { scheme, seed: e.num('seed', { int: true, min: 0 }), state: st };
    const runId = e.optStr('runId');
    if (runId !== undefined) out.runId = runId;
    const message = e.optStr('message');
    if (message !== undefined) out.message = message;
    const result = readResult(e);
    if (result) out.result = result;
    const attention = readAttention(e);
    if (attention) out.attention = attention;
    return out;
  });
  const createdAt = r.num('createdAt', { min: 0 });
  const rec: ComparisonRecord = {
    id,
    name: r.str('name', 300),
    createdAt,
    updatedAt: r.optNum('updatedAt', { min: 0 }) ?? createdAt,
    base,
    schemes,
    seeds: seeds as number[],
    budget: {
      mlmSteps: b.num('mlmSteps', { int: true, min: 1 }),
      mlmWarmup: b.num('mlmWarmup', { int: true, min: 0 }),
      mlmLr: b.num('mlmLr', { min: 0 }),
      downstreamSequences: b.num('downstreamSequences', { int: true, min: 2 }),
    },
    probeText: r.str('probeText', 2000),
    state,
    entries,
  };
  const preset = r.optStr('preset');
  if (preset !== undefined) rec.preset = preset;
  const reference = r.optNum('reference', { int: true, min: 0 });
  if (reference !== undefined) {
    if (reference >= schemes.length) r.fail('reference', `must be below ${schemes.length}`);
    rec.reference = reference;
  }
  if (r.o.compute !== undefined) {
    const cb = r.obj('compute');
    const kind = cb.str('kind') as BudgetKind;
    if (!BUDGET_KINDS.some((k) => k.id === kind))
      cb.fail('kind', `must be one of ${BUDGET_KINDS.map((k) => k.id).join(', ')}`);
    const amount = cb.optNum('amount', { min: 0 });
    rec.compute = amount === undefined ? { kind } : { kind, amount };
    const err = budgetError(rec.compute);
    if (err) cb.fail('amount', err);
  }
  if (r.o.schemeSteps !== undefined) {
    const steps = r.o.schemeSteps;
    if (
      !Array.isArray(steps) ||
      steps.length !== schemes.length ||
      !steps.every((x) => Number.isInteger(x) && (x as number) >= 1)
    )
      r.fail('schemeSteps', `must be ${schemes.length} whole numbers of steps, at least 1`);
    rec.schemeSteps = steps as number[];
  }
  const message = r.optStr('message');
  if (message !== undefined) rec.message = message;
  return rec;
}

/** Parses and validates a comparison file; throws RunImportError with a readable reason (nothing half-read). */
export function parseComparisonJson(text: string): { comparison: ComparisonRecord; runs: RunRecord[] } {
  const data = readExportFile(text, {
    format: COMPARISON_FILE_FORMAT,
    version: COMPARISON_FILE_VERSION,
    what: 'comparison',
    panel: 'Compare',
  });
  if (!isObj(data.comparison)) throw new RunImportError('This comparison file has no comparison ("comparison").');
  if (!Array.isArray(data.runs)) throw new RunImportError('This comparison file has no list of runs ("runs").');
  let comparison: ComparisonRecord;
  try {
    comparison = readComparison(new Reader(data.comparison, 'comparison'));
  } catch (e) {
    if (e instanceof RunImportError) throw new RunImportError(`The file was not imported: ${e.message}.`);
    throw e;
  }
  return { comparison, runs: parseRunList(data.runs) };
}

// Saved runs as files: JSON (full records, importable again after validation) and CSV (one row per run, for a
// spreadsheet: what was trained, how, and how well it did on held-out text).
import type { RunEval, RunInfo, RunRecord, RunState, RunSummary, StepRow } from './records';
import { PAIR_KINDS } from '../data/toyLanguage';
import { SYNTAX_RELATIONS, type HeadRef, type SyntaxRelationId } from './syntax';
import { MODEL_PRESETS } from '../engine/config';
import type { ParamValues } from '../masking/types';
import type { ExperimentConfig } from './config';
import type { LossByCase } from './lossCases';
import { decodeExperiment, encodeExperiment } from './experimentUrl';

export const RUNS_FILE_FORMAT = 'masklab-runs';
export const RUNS_FILE_VERSION = 1;

/** The JSON file: full records. NaN (a diverged loss) is written as null and read back as NaN. */
export function runsToJson(records: readonly RunRecord[], now = Date.now()): string {
  // Kept weights stay in this browser (download them from the run's row): the file carries metrics and settings.
  const runs = records.map(({ weights: _w, ...r }) => r);
  return JSON.stringify(
    { format: RUNS_FILE_FORMAT, version: RUNS_FILE_VERSION, exportedAt: new Date(now).toISOString(), runs },
    null,
    1,
  );
}

// ---------------------------------------------------------------------------------------------------------- CSV

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; inner quotes doubled. */
export function csvField(v: string | number | boolean | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = String(v);
  // A text cell starting like a formula would run in a spreadsheet (CSV injection): prefix it with an apostrophe.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function paramsText(p: ParamValues | undefined): string {
  return Object.entries(p ?? {})
    .map(([k, v]) => `${k}=${String(v)}`)
    .join('; ');
}

/** The column names of the CSV, in order. */
export const CSV_COLUMNS = [
  'id',
  'name',
  'created_at',
  'state',
  'corpus',
  'tokenizer',
  'vocab_size',
  'model_preset',
  'L',
  'C',
  'NH',
  'F',
  'T',
  'parameters',
  'strategy',
  'objective',
  'strategy_params',
  'objective_params',
  'rate_schedule',
  'static_masks',
  'batch',
  'lr',
  'lr_decay',
  'warmup',
  'weight_decay',
  'clip',
  'eval_every',
  'seed',
  'steps_done',
  'steps_total',
  'final_train_loss',
  'train_loss_last10_mean',
  'final_heldout_loss',
  'final_heldout_accuracy',
  'heldout_step',
  'tokens_per_s',
  'ms_per_step',
] as const;

type Row = Record<(typeof CSV_COLUMNS)[number], string | number | boolean | undefined>;

function csvRow(s: RunSummary): Row {
  const c = s.config;
  const preset = c.model.preset === 'custom' ? MODEL_PRESETS.tiny : MODEL_PRESETS[c.model.preset];
  const shape = s.info?.model ?? { ...preset, ...c.model.overrides };
  const t = c.train;
  return {
    id: s.id,
    name: s.name,
    created_at: new Date(s.createdAt).toISOString(),
    state: s.interrupted ? 'interrupted' : s.state,
    corpus: c.corpus,
    tokenizer: c.tokenizer.vocabSize === undefined ? c.tokenizer.kind : `${c.tokenizer.kind}:${c.tokenizer.vocabSize}`,
    vocab_size: s.info?.V,
    model_preset: c.model.preset,
    L: shape.L,
    C: shape.C,
    NH: shape.NH,
    F: shape.F,
    T: shape.T,
    parameters: s.info?.params,
    strategy: c.masking.strategy,
    objective: c.masking.objective,
    strategy_params: paramsText(c.masking.strategyParams),
    objective_params: paramsText(c.masking.objectiveParams),
    rate_schedule: paramsText(c.masking.schedule),
    static_masks: c.masking.staticMasks ? `seed ${c.masking.staticSeed ?? 0}` : 'no',
    batch: t.B,
    lr: t.lr,
    lr_decay: t.decay,
    warmup: t.warmup,
    weight_decay: t.weightDecay,
    clip: t.maxGradNorm,
    eval_every: t.evalEvery,
    seed: c.seed,
    steps_done: s.step,
    steps_total: s.totalSteps,
    final_train_loss: s.finalTrainLoss,
    train_loss_last10_mean: s.trainLossLast10,
    final_heldout_loss: s.lastEval?.loss,
    final_heldout_accuracy: s.lastEval?.accuracy,
    heldout_step: s.lastEval?.step,
    tokens_per_s: s.tokensPerS > 0 ? Math.round(s.tokensPerS) : undefined,
    ms_per_step: s.msPerStep > 0 ? Number(s.msPerStep.toFixed(3)) : undefined,
  };
}

/** One header line and one line per run, CRLF line ends (RFC 4180). Empty cells mean "not measured". */
export function runsToCsv(runs: readonly RunSummary[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const s of runs) {
    const row = csvRow(s);
    lines.push(CSV_COLUMNS.map((k) => csvField(row[k])).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

// ------------------------------------------------------------------------------------------------------ import

/** A file that is not a MaskLab runs file, or holds a run that does not check out. */
export class RunImportError extends Error {}

type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const RUN_STATES: readonly RunState[] = ['preparing', 'training', 'paused', 'done', 'stopped', 'failed', 'diverged'];

/** Reads fields of one object, naming the path of the first bad one (also used by the comparison file). */
export class Reader {
  constructor(
    readonly o: Obj,
    readonly path: string,
  ) {}
  fail(key: string, what: string): never {
    throw new RunImportError(`${this.path}.${key} ${what}`);
  }
  str(key: string, max = 10_000): string {
    const v = this.o[key];
    if (typeof v !== 'string' || v.length > max)
      this.fail(key, `must be text${max < 10_000 ? ` of at most ${max} characters` : ''}`);
    return v;
  }
  optStr(key: string): string | undefined {
    return this.o[key] === undefined ? undefined : this.str(key);
  }
  /** A number; JSON null (how NaN is written) reads as NaN when `nullable`. */
  num(key: string, opts: { int?: boolean; min?: number; nullable?: boolean } = {}): number {
    const v = this.o[key];
    if (v === null && opts.nullable) return NaN;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, 'must be a number');
    if (opts.int && !Number.isInteger(v)) this.fail(key, 'must be a whole number');
    if (opts.min !== undefined && v < opts.min) this.fail(key, `must be at least ${opts.min}`);
    return v;
  }
  optNum(key: string, opts: { int?: boolean; min?: number; nullable?: boolean } = {}): number | undefined {
    return this.o[key] === undefined ? undefined : this.num(key, opts);
  }
  obj(key: string): Reader {
    const v = this.o[key];
    if (!isObj(v)) this.fail(key, 'must be an object');
    return new Reader(v, `${this.path}.${key}`);
  }
  list(key: string): Reader[] {
    const v = this.o[key];
    if (!Array.isArray(v)) this.fail(key, 'must be a list');
    return v.map((x, i) => {
      if (!isObj(x)) throw new RunImportError(`${this.path}.${key}[${i}] must be an object`);
      return new Reader(x, `${this.path}.${key}[${i}]`);
    });
  }
}

/** Checks the shape of a config, then round-trips it through the URL codec, which validates every value. */
function readConfig(r: Reader): ExperimentConfig {
  const c = r.obj('config');
  c.str('corpus');
  c.obj('tokenizer').str('kind');
  c.obj('model').str('preset');
  const m = c.obj('masking');
  m.str('strategy');
  m.str('objective');
  for (const k of ['strategyParams', 'objectiveParams', 'schedule'])
    if (m.o[k] !== undefined)
      for (const [pk, pv] of Object.entries(m.obj(k).o))
        if (!['number', 'string', 'boolean'].includes(typeof pv))
          throw new RunImportError(`${m.path}.${k}.${pk} must be a number, text or true/false`);
  if (c.o.model && isObj(c.o.model) && c.o.model.overrides !== undefined) c.obj('model').obj('overrides');
  const t = c.obj('train');
  for (const k of ['B', 'steps', 'lr', 'warmup', 'minLrRatio', 'weightDecay', 'maxGradNorm', 'evalEvery']) t.num(k);
  t.str('decay');
  c.num('seed', { int: true, min: 0 });
  let decoded;
  try {
    decoded = decodeExperiment(encodeExperiment(c.o as unknown as ExperimentConfig)); // shape checked just above
  } catch (e) {
    throw new RunImportError(`${c.path} is not a valid experiment: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (decoded.ignored.length > 0)
    throw new RunImportError(`${c.path} is not a valid experiment: ${decoded.ignored.join('; ')}`);
  return decoded.config;
}

/** Validates an experiment read from a file (as a run's config is); `where` names it in the error. */
export function parseExperimentConfig(value: unknown, where: string): ExperimentConfig {
  return readConfig(new Reader({ config: value }, where));
}

function readInfo(r: Reader): RunInfo | undefined {
  if (r.o.info === undefined) return undefined;
  const i = r.obj('info');
  const m = i.obj('model');
  const int = { int: true, min: 0 };
  return {
    V: i.num('V', int),
    trainSequences: i.num('trainSequences', int),
    heldOutSequences: i.num('heldOutSequences', int),
    params: i.num('params', int),
    dispatchesPerStep: i.num('dispatchesPerStep', int),
    model: { L: m.num('L', int), C: m.num('C', int), NH: m.num('NH', int), F: m.num('F', int), T: m.num('T', int) },
    evalTargets: i.num('evalTargets', int),
    adapter: i.str('adapter', 500),
  };
}

function readCases(r: Reader): LossByCase | undefined {
  if (r.o.cases === undefined || r.o.cases === null) return undefined;
  const c = r.obj('cases');
  const stat = (k: string) => {
    const s = c.obj(k);
    return { loss: s.num('loss', { nullable: true }), count: s.num('count', { int: true, min: 0 }) };
  };
  return {
    masked: stat('masked'),
    replaced: stat('replaced'),
    kept: stat('kept'),
    frequent: stat('frequent'),
    rare: stat('rare'),
    steps: c.num('steps', { int: true, min: 0 }),
  };
}

/** A toy-language evaluation's agreement per kind and syntax scores, when the file has them. */
function readEvalExtras(e: Reader): Pick<RunEval, 'agreement' | 'syntax'> {
  const out: Pick<RunEval, 'agreement' | 'syntax'> = {};
  const share = (x: Reader, k: string) => x.num(k, { min: 0, nullable: true });
  if (e.o.agreement !== undefined) {
    const a = e.obj('agreement');
    out.agreement = { plain: share(a, 'plain'), attractor: share(a, 'attractor') };
    if (a.o.kinds !== undefined) {
      const k = a.obj('kinds');
      out.agreement.kinds = Object.fromEntries(
        PAIR_KINDS.filter((p) => k.o[p] !== undefined).map((p) => [p, share(k, p)]),
      );
    }
  }
  if (e.o.syntax !== undefined) {
    const s = e.obj('syntax');
    const head = (x: Reader): HeadRef => ({
      layer: x.num('layer', { int: true, min: 0 }),
      head: x.num('head', { int: true, min: 0 }),
    });
    const relation = (x: Reader, key: string): SyntaxRelationId => {
      const id = x.str(key, 40);
      if (!SYNTAX_RELATIONS.some((d) => d.id === id)) x.fail(key, `is not a relation (${id})`);
      return id as SyntaxRelationId;
    };
    out.syntax = {
      sentences: s.num('sentences', { int: true, min: 0 }),
      margin: share(s, 'margin'),
      relations: s.list('relations').map((x) => {
        const o = x.obj('offset');
        const p = x.o.path !== undefined ? x.obj('path') : undefined;
        return {
          id: relation(x, 'id'),
          units: x.num('units', { int: true, min: 0 }),
          offset: { offset: o.num('offset', { int: true }), score: share(o, 'score') },
          ...(x.o.nearestNoun !== undefined ? { nearestNoun: share(x, 'nearestNoun') } : {}),
          head: { ...head(x.obj('head')), score: share(x.obj('head'), 'score') },
          ...(p ? { path: { hops: p.list('hops').map(head), score: share(p, 'score') } } : {}),
        };
      }),
      heads: s.list('heads').map((x) => ({
        ...head(x),
        relation: relation(x, 'relation'),
        score: share(x, 'score'),
        syntactic: x.o.syntactic === true,
      })),
    };
  }
  return out;
}

function readRun(r: Reader): RunRecord {
  const id = r.str('id', 200);
  if (id.trim() === '') r.fail('id', 'must not be empty');
  const state = r.str('state') as RunState;
  if (!RUN_STATES.includes(state)) r.fail('state', `must be one of ${RUN_STATES.join(', ')}`);
  if (r.o.interrupted !== undefined && typeof r.o.interrupted !== 'boolean')
    r.fail('interrupted', 'must be true or false');
  const createdAt = r.num('createdAt', { min: 0 });
  const metrics: StepRow[] = r.list('metrics').map((m) => {
    const row: StepRow = {
      step: m.num('step', { int: true, min: 0 }),
      loss: m.num('loss', { nullable: true }),
      accuracy: m.num('accuracy', { nullable: true }),
      targets: m.num('targets', { min: 0, nullable: true }),
      gradNorm: m.num('gradNorm', { nullable: true }),
      lr: m.num('lr', { nullable: true }),
    };
    const rate = m.optNum('maskRate', { nullable: true });
    if (rate !== undefined) row.maskRate = rate;
    return row;
  });
  const evals = r.list('evals').map((e) => ({
    step: e.num('step', { int: true, min: 0 }),
    loss: e.num('loss', { nullable: true }),
    accuracy: e.num('accuracy', { nullable: true }),
    ...readEvalExtras(e),
  }));
  const rec: RunRecord = {
    id,
    name: r.str('name', 300),
    createdAt,
    updatedAt: r.optNum('updatedAt', { min: 0 }) ?? createdAt,
    config: readConfig(r),
    state,
    step: r.num('step', { int: true, min: 0 }),
    totalSteps: r.num('totalSteps', { int: true, min: 0 }),
    metrics,
    evals,
    tokensPerS: r.optNum('tokensPerS', { nullable: true }) ?? 0,
    msPerStep: r.optNum('msPerStep', { nullable: true }) ?? 0,
  };
  const message = r.optStr('message');
  if (message !== undefined) rec.message = message;
  const comparisonId = r.optStr('comparisonId');
  if (comparisonId !== undefined) rec.comparisonId = comparisonId;
  if (r.o.interrupted === true) rec.interrupted = true;
  const info = readInfo(r);
  if (info) rec.info = info;
  const cases = readCases(r);
  if (cases) rec.cases = cases;
  if (r.o.external !== undefined) {
    const x = r.obj('external');
    rec.external = {
      tool: x.str('tool', 200),
      device: x.str('device', 200),
      processes: x.num('processes', { int: true, min: 1 }),
      mixedPrecision: x.str('mixedPrecision', 20),
    };
    const link = x.optStr('link');
    if (link !== undefined) rec.external.link = link;
  }
  return rec;
}

/** What an export file says it is: its "format" and "version", what to call it, and the panel that writes it. */
export interface ExportKind {
  format: string;
  version: number;
  what: string;
  panel: string;
}

/** Parses an export file's JSON and checks its format and version; throws RunImportError naming what was expected. */
export function readExportFile(text: string, kind: ExportKind): Record<string, unknown> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new RunImportError(
      `This file is not JSON (${e instanceof Error ? e.message : String(e)}). Choose a file exported from MaskLab's ${kind.panel} panel.`,
    );
  }
  if (!isObj(data) || data.format !== kind.format) {
    throw new RunImportError(
      `This JSON file is not a MaskLab ${kind.what} export (it has no "format": "${kind.format}"). Choose a file exported from the ${kind.panel} panel.`,
    );
  }
  if (data.version !== kind.version) {
    throw new RunImportError(
      `This ${kind.what} file has version ${JSON.stringify(data.version)}; this MaskLab reads version ${kind.version}.`,
    );
  }
  return data;
}

/** Parses and validates a runs file. Throws RunImportError with a readable reason; nothing is half-read. */
export function parseRunsJson(text: string): RunRecord[] {
  const data = readExportFile(text, {
    format: RUNS_FILE_FORMAT,
    version: RUNS_FILE_VERSION,
    what: 'runs',
    panel: 'Runs',
  });
  if (!Array.isArray(data.runs)) throw new RunImportError('This runs file has no list of runs ("runs").');
  return parseRunList(data.runs);
}

/** Validates a list of run records (the "runs" of a runs file, or of a comparison file). */
export function parseRunList(runs: readonly unknown[], where = 'runs'): RunRecord[] {
  return runs.map((x, i) => {
    const at = `${where}[${i}]`;
    if (!isObj(x)) throw new RunImportError(`${at} must be an object`);
    try {
      return readRun(new Reader(x, at));
    } catch (e) {
      if (e instanceof RunImportError) throw new RunImportError(`The file was not imported: ${e.message}.`);
      throw e;
    }
  });
}

// Learning benchmark (not a test): runs the class presets in Node (scripts/train.ts, MaskLab's own engine) and
// writes, per preset and adapter, the steps, tokens and seconds to the plateau exit (2 points over the frequency
// guess) and to +10 points, with the agreement figures of the toy language, to bench/results/learn-<adapter>.json.
//   npm run bench:learn                                  # every preset at its own length
//   npm run bench:learn -- --presets toy-language --steps 500 --eval-every 50
//   npm run bench:learn -- --presets toy-language --from run.json   # a saved `npm run train -- --preset ... --json` output
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CLASS_PRESETS } from '../src/session/presets';

const a = parseArgs({
  args: process.argv.slice(2).filter((x) => x !== '--'),
  options: {
    presets: { type: 'string' },
    steps: { type: 'string' },
    'eval-every': { type: 'string' },
    out: { type: 'string' },
    from: { type: 'string' },
  },
}).values;
const ids = a.presets ? a.presets.split(',') : CLASS_PRESETS.map((p) => p.id);

interface EvalRow {
  step: number;
  accuracy: number;
  seconds: number;
  agreement?: number;
  agreement_attractor?: number;
}
interface Summary {
  adapter: string;
  steps: number;
  batch: number;
  model: { T: number };
  baseline_eval_accuracy: number;
  final_eval_accuracy: number;
  plateau_exit_step: number | null;
  plus10_step: number | null;
  agreement_accuracy: number | null;
  agreement_accuracy_attractor: number | null;
  seconds: number;
  eval_seconds: number;
  ms_per_step: number;
  tokens_per_s: number;
  evals: EvalRow[];
}

const results: Record<string, unknown>[] = [];
let adapter = 'unknown';
for (const id of ids) {
  const args = ['vite-node', 'scripts/train.ts', '--', '--preset', id, '--json'];
  if (a.steps) args.push('--steps', a.steps);
  if (a['eval-every']) args.push('--eval-every', a['eval-every']);
  process.stderr.write(`bench:learn: ${id} (${args.slice(4).join(' ')})\n`);
  const r = a.from
    ? { status: 0, stdout: readFileSync(a.from, 'utf8') }
    : spawnSync('npx', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 28 });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('{')) {
    results.push({ preset: id, error: `train exited with ${r.status}` });
    continue;
  }
  const s = JSON.parse(last) as Summary;
  adapter = s.adapter;
  const tokensPerStep = s.batch * s.model.T;
  const at = (step: number | null) => {
    if (step === null) return null;
    const e = s.evals.find((x) => x.step === step);
    return { step, tokens: step * tokensPerStep, seconds: e?.seconds ?? null };
  };
  const firstAgreement80 = s.evals.find((e) => (e.agreement ?? 0) >= 0.8);
  results.push({
    preset: id,
    steps: s.steps,
    tokens_per_step: tokensPerStep,
    baseline_eval_accuracy: s.baseline_eval_accuracy,
    final_eval_accuracy: s.final_eval_accuracy,
    points_over_baseline: (s.final_eval_accuracy - s.baseline_eval_accuracy) * 100,
    plateau_exit: at(s.plateau_exit_step),
    plus10: at(s.plus10_step),
    agreement_accuracy: s.agreement_accuracy,
    agreement_accuracy_attractor: s.agreement_accuracy_attractor,
    agreement_80_step: firstAgreement80?.step ?? null,
    seconds: s.seconds,
    eval_seconds: s.eval_seconds,
    ms_per_step: s.ms_per_step,
    tokens_per_s: s.tokens_per_s,
    evals: s.evals,
  });
}
const slug = adapter
  .toLowerCase()
  .replace(/[^a-z0-9]+/g, '-')
  .replace(/^-|-$/g, '');
const file = a.out ?? `bench/results/learn-${slug}.json`;
mkdirSync('bench/results', { recursive: true });
// One entry per preset and length: a later run of the same preset and steps replaces the earlier one.
const old = existsSync(file)
  ? (JSON.parse(readFileSync(file, 'utf8')) as { results: Record<string, unknown>[] }).results
  : [];
const merged = [...old.filter((o) => !results.some((n) => n.preset === o.preset && n.steps === o.steps)), ...results];
writeFileSync(file, JSON.stringify({ adapter, date: new Date().toISOString(), results: merged }, null, 1) + '\n');
for (const r of results) console.log(JSON.stringify({ ...r, evals: undefined }));
console.error(`wrote ${file}`);

// A whole comparison without a page (the Node CLI, tests): every pending entry trained with TrainingRun, its own-head
// evaluation, then the very probes the page's worker runs (runProbes), into the same ComparisonRecord; and the
// report (per run and per scheme, paired differences and verdicts) that the CLI prints and the JSON export carries.
import type { PreparedData } from '../data/dataset';
import type { Kernels } from '../engine/kernels';
import { entryConfig, type ComparisonRecord, type RunResult, schemeLabel } from './comparisonRecord';
import { runProbes } from './probes';
import { prepareExperimentData, TrainingRun } from './run';

export interface ComparisonRunHooks {
  log?: (line: string) => void;
  /** Called after each entry finishes (the record is updated in place). */
  onEntry?: (rec: ComparisonRecord, index: number) => void;
}

/** Trains and probes every pending entry of `rec` in order, on `text`; entries get state done/failed and a result. */
export async function runComparison(
  k: Kernels,
  rec: ComparisonRecord,
  text: string,
  hooks: ComparisonRunHooks = {},
): Promise<ComparisonRecord> {
  const log = hooks.log ?? (() => {});
  const dataBySeed = new Map<number, PreparedData>();
  for (const [i, e] of rec.entries.entries()) {
    if (e.state !== 'pending') continue;
    const cfg = entryConfig(rec, e);
    const label = `${schemeLabel(rec.schemes[e.scheme])} · seed ${e.seed}`;
    let data = dataBySeed.get(cfg.seed);
    if (!data) dataBySeed.set(cfg.seed, (data = prepareExperimentData(text, cfg)));
    let run: TrainingRun | undefined;
    try {
      let last = -1;
      run = new TrainingRun(k, cfg, data, { onMetrics: (m) => (last = m.loss) });
      const t0 = performance.now();
      for (let s = 0; s < cfg.train.steps; s++) {
        run.step();
        if (s % 4 === 3) await new Promise((r) => setTimeout(r, 0));
        if ((s + 1) % Math.max(1, Math.round(cfg.train.steps / 5)) === 0)
          log(
            `[${i + 1}/${rec.entries.length}] ${label}: step ${s + 1}/${cfg.train.steps}${last >= 0 ? `, loss ${last.toFixed(4)}` : ''}`,
          );
      }
      await run.trainer.flush();
      const seconds = (performance.now() - t0) / 1000;
      log(`[${i + 1}/${rec.entries.length}] ${label}: trained in ${seconds.toFixed(1)} s`);
      let tp = performance.now();
      const phase = (what: string) => {
        const now = performance.now();
        log(`[${i + 1}/${rec.entries.length}] ${label}: ${what} in ${((now - tp) / 1000).toFixed(1)} s`);
        tp = now;
      };
      const own = await run.evaluate();
      const tokens = run.trainer.step * cfg.train.B * run.model.T;
      const result: RunResult = {
        evalKind: run.evalKind,
        evalLoss: own.loss,
        evalAccuracy: own.accuracy,
        evalStep: run.trainer.step,
        steps: run.trainer.step,
        tokens,
        tokensPerS: tokens / Math.max(1e-9, seconds),
        msPerStep: (1000 * seconds) / Math.max(1, run.trainer.step),
      };
      const pppl = await run.pseudoPerplexity();
      if (pppl !== undefined) result.pseudoPerplexity = pppl;
      phase('own-head evaluation');
      log(`[${i + 1}/${rec.entries.length}] ${label}: probing`);
      const probes = await runProbes(k, run, rec.budget, {
        onPhase: (what, ms) => log(`[${i + 1}/${rec.entries.length}] ${label}: ${what} in ${(ms / 1000).toFixed(1)} s`),
      });
      phase('probes');
      if (probes) result.probes = probes;
      rec.entries[i] = {
        ...e,
        state: 'done',
        result,
        ...(probes?.downstreamError ? { message: `Some downstream tasks did not run: ${probes.downstreamError}` } : {}),
      };
    } catch (err) {
      rec.entries[i] = { ...e, state: 'failed', message: err instanceof Error ? err.message : String(err) };
      log(`[${i + 1}/${rec.entries.length}] ${label}: failed: ${rec.entries[i].message}`);
    } finally {
      run?.destroy();
    }
    rec.updatedAt = Date.now();
    hooks.onEntry?.(rec, i);
  }
  rec.state = 'done';
  return rec;
}

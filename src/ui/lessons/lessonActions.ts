// What a lesson's one click does: set up its experiment (or comparison) with the steps the time allows at the
// measured speed, start it, and remember what was started; lesson 3's mask survey; showing a panel of the lab.
import { planSteps, type PlannedSteps } from '../../lessons/budget';
import { maskSurveySummary, splitShareAnswer } from '../../lessons/summaries';
import { surveyMasks } from '../../lessons/maskSurvey';
import type { Lesson, PanelId } from '../../lessons/types';
import { DEFAULT_PROBE_BUDGET } from '../../session/probes';
import type { ExperimentConfig } from '../../session/config';
import { experimentText } from '../../session/text';
import { seedList } from '../../session/comparisonRecord';
import {
  currentPreparedCorpus,
  pmiLexiconFor,
  preparedDataFor,
  useDataStore,
  type PreparedCorpus,
} from '../../store/data';
import { useExperimentStore } from '../../store/experiment';
import { useLessonsStore } from '../../store/lessons';
import type { LiveRun } from '../../session/records';
import { useTrainingStore } from '../../store/training';
import { comparisonStore } from '../compare/comparisonApp';

/** How many runs a lesson's click starts (a comparison: every scheme at every seed). */
export function runsOf(lesson: Lesson): number {
  return lesson.setup.kind === 'compare' ? lesson.setup.schemes.length * lesson.setup.seeds : 1;
}

/** The steps this lesson gets now, with the sentence that says why. */
export function lessonPlan(lesson: Lesson): PlannedSteps | undefined {
  const s = lesson.setup;
  if (s.kind === 'masks') return undefined;
  const { seconds, speed } = useLessonsStore.getState().progress;
  return planSteps(s.budget, s.config(), seconds, speed, runsOf(lesson));
}

/** The lesson's experiment at `steps`, with about eight evaluations over the run. */
export function withSteps(config: ExperimentConfig, steps: number, fixed: boolean): ExperimentConfig {
  const c = structuredClone(config);
  c.train.steps = steps;
  c.train.warmup = Math.min(c.train.warmup, Math.max(1, Math.floor(steps / 10)));
  if (!fixed) c.train.evalEvery = Math.max(5, Math.round(steps / 8));
  return c;
}

/** Why the click cannot start now, or undefined. */
export function blockedReason(
  gpuReady: boolean,
  comparisonRunning: boolean,
  run: LiveRun | undefined,
): string | undefined {
  if (!gpuReady) return 'Needs a GPU (see the message above).';
  if (comparisonRunning) return 'A comparison is running: let it finish or stop it in the Compare panel.';
  if (run && ['preparing', 'training'].includes(run.state))
    return 'A run is training: let it finish or reset it in the Train panel.';
  return undefined;
}

export async function setUpAndRun(lesson: Lesson): Promise<void> {
  const s = lesson.setup;
  const plan = lessonPlan(lesson);
  if (s.kind === 'masks' || !plan) return;
  const lessons = useLessonsStore.getState();
  const config = withSteps(s.config(), plan.steps, s.budget.fixedSteps !== undefined);
  useExperimentStore.getState().replace(config);
  const fresh = { summary: undefined, finishedAt: undefined, steps: plan.steps, budgetNote: plan.note };
  if (s.kind === 'train') {
    const text = await experimentText(config.corpus);
    const training = useTrainingStore.getState();
    training.reset();
    if (s.probeText) training.setProbeText(s.probeText);
    training.start(structuredClone(config), text);
    lessons.patch(lesson.n, { ...fresh, runId: useTrainingStore.getState().run?.id, comparisonId: undefined });
    return;
  }
  const rec = await comparisonStore.getState().start({
    name: `Lesson ${lesson.n}: ${lesson.title}`,
    base: config,
    schemes: structuredClone(s.schemes),
    seeds: seedList(config.seed, s.seeds),
    // The probes' own training scales with the run, so they do not dwarf a short lesson.
    budget: {
      ...DEFAULT_PROBE_BUDGET,
      mlmSteps: Math.max(20, Math.min(DEFAULT_PROBE_BUDGET.mlmSteps, Math.round(plan.steps / 2))),
    },
    probeText: useTrainingStore.getState().probeText,
    ...(s.compute ? { compute: s.compute, reference: s.reference } : {}),
  });
  lessons.patch(lesson.n, { ...fresh, comparisonId: rec.id, runId: undefined });
}

/** Shows one of lesson 3's schemes in the mask preview. */
export function showScheme(lesson: Lesson, index: number): void {
  if (lesson.setup.kind !== 'masks') return;
  const config = lesson.setup.config();
  config.masking = structuredClone(lesson.setup.schemes[index].masking);
  useExperimentStore.getState().replace(config);
  showPanel('mask-preview');
}

/** The prepared text of `config` (tokenizer trained), once the data store has it; sets the experiment up if needed. */
async function preparedFor(config: ExperimentConfig, timeoutMs = 180_000): Promise<PreparedCorpus> {
  const matches = (p: PreparedCorpus | undefined) =>
    p &&
    p.corpus === config.corpus &&
    p.spec.kind === config.tokenizer.kind &&
    p.spec.vocabSize === config.tokenizer.vocabSize &&
    p.seed === config.seed;
  const now = currentPreparedCorpus();
  if (matches(now)) return now!;
  const e = useExperimentStore.getState().config;
  useExperimentStore.getState().replace({ ...config, masking: e.masking });
  return new Promise((resolve, reject) => {
    const timer = window.setTimeout(() => {
      stop();
      reject(new Error('The text took too long to prepare.'));
    }, timeoutMs);
    const stop = useDataStore.subscribe((s) => {
      if (s.status.state === 'error') {
        window.clearTimeout(timer);
        stop();
        reject(new Error(s.status.message));
      } else if (s.status.state === 'ready' && matches(s.status.data)) {
        window.clearTimeout(timer);
        stop();
        resolve(s.status.data);
      }
    });
  });
}

/** Lesson 3's count over many sequences of the lesson's text, with the answer the count bears out. */
export async function runMaskSurvey(lesson: Lesson): Promise<string[]> {
  if (lesson.setup.kind !== 'masks') return [];
  const config = lesson.setup.config();
  const p = await preparedFor(config);
  const T = 64;
  const data = preparedDataFor(p, T);
  const rows = lesson.setup.schemes.map((sc) =>
    surveyMasks({
      set: data.train,
      vocab: p.vocab,
      masking: sc.masking,
      label: sc.label,
      sequences: lesson.setup.kind === 'masks' ? lesson.setup.sequences : 0,
      seed: config.seed,
      lexicon: sc.masking.strategy === 'pmi' ? pmiLexiconFor(p, 10, 1000) : undefined,
    }),
  );
  const lines = maskSurveySummary(rows);
  const found = splitShareAnswer(rows[0]);
  const option = lesson.question.options.find((o) => o.id === found);
  const answer = useLessonsStore.getState().progress.lessons[lesson.n]?.answer;
  lines.push(
    `On ${p.name} with this ${p.tokenizer.vocabSize.toLocaleString('en-US')}-piece vocabulary the count bears out "${option?.text ?? found}"` +
      (answer
        ? answer === found
          ? ': your answer.'
          : `; you answered "${lesson.question.options.find((o) => o.id === answer)?.text ?? answer}".`
        : '.'),
  );
  useLessonsStore.getState().patch(lesson.n, { summary: lines, finishedAt: Date.now() });
  return lines;
}

const PANEL_SELECTORS: Record<PanelId, string[]> = {
  'mask-preview': ['[data-testid="mask-preview"]'],
  strategy: ['[data-testid="strategy-choices"]'],
  train: ['.panel.training'],
  charts: ['[data-testid="loss-chart"]', '.panel.training'],
  predictions: ['[data-testid="prediction-probe"]', '.panel.training'],
  attention: ['[data-testid="attention-map"]', '.panel.training'],
  syntax: ['[data-testid="syntax-view"]', '.panel.training'],
  'loss-by-case': ['[data-testid="loss-by-case"]', '.panel.training'],
  compare: ['[data-testid="compare-panel"]'],
};

/** Scrolls to a panel of the lab (opening the details it sits in) and highlights it for a moment. */
export function showPanel(panel: PanelId): boolean {
  const el = PANEL_SELECTORS[panel].map((s) => document.querySelector<HTMLElement>(s)).find((e) => e !== null);
  if (!el) return false;
  for (let d = el.closest('details'); d; d = d.parentElement?.closest('details') ?? null) d.open = true;
  el.scrollIntoView({ behavior: 'smooth', block: 'start' });
  el.classList.add('lesson-highlight');
  window.setTimeout(() => el.classList.remove('lesson-highlight'), 2500);
  return true;
}

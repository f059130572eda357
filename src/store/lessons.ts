// The lessons' state in the page: start screen, lab or lessons; the open lesson (its "#lesson=N" address);
// answers, runs set up and after-run texts kept in localStorage; and the watcher that computes those texts from
// the live run or the comparison when they finish, and records this device's measured speed.
import { create, type StoreApi } from 'zustand';
import { configStepFlops, type SpeedSample } from '../lessons/budget';
import { getLesson, LESSONS } from '../lessons';
import {
  emptyProgress,
  parseProgress,
  PROGRESS_KEY,
  type LessonProgress,
  type LessonRecord,
  type PageMode,
} from '../lessons/progress';
import { experimentPart, hasLessonKey, joinHash, lessonFromHash } from '../lessons/route';
import { syntaxSummary } from '../lessons/syntaxSummary';
import {
  comparisonSummary,
  learningSummary,
  probeSummary,
  type ComparisonNumbers,
  type PairedDiff,
  type ProbeGuesses,
} from '../lessons/summaries';
import { PLATEAU_MARGIN, plateauExitStep } from '../session/baseline';
import { schemeLabel, type ComparisonRecord } from '../session/comparisonRecord';
import { sharedFigures, summarize } from '../session/comparisonSummary';
import { pairedDifference, type SeedFigure } from '../session/stats';
import type { LiveRun, ProbeView } from '../session/records';
import { encodeExperiment } from '../session/experimentUrl';
import { useExperimentStore } from './experiment';

export type Mode = 'start' | PageMode;

/** Start screen, lab or lessons: a lesson address opens the lessons, an experiment link the lab, else the last choice. */
export function initialMode(hash: string, stored: PageMode | undefined): Mode {
  if (hasLessonKey(hash)) return 'lessons';
  if (experimentPart(hash).trim() !== '') return 'lab';
  return stored ?? 'start';
}

function readProgress(): LessonProgress {
  try {
    return parseProgress(globalThis.localStorage?.getItem(PROGRESS_KEY) ?? null, LESSONS.length);
  } catch {
    return emptyProgress();
  }
}

function writeProgress(p: LessonProgress): void {
  try {
    localStorage.setItem(PROGRESS_KEY, JSON.stringify(p));
  } catch {
    // storage blocked or full: progress lasts as long as the page
  }
}

export interface LessonsStore {
  mode: Mode;
  progress: LessonProgress;
  /** The open lesson. */
  lesson: number;
  choose(mode: PageMode): void;
  open(n: number): void;
  answer(n: number, option: string): void;
  setSeconds(seconds: number): void;
  patch(n: number, patch: Partial<LessonRecord>): void;
  recordSpeed(s: SpeedSample): void;
}

const here = typeof location !== 'undefined';

function setHash(lesson: number | undefined, push: boolean): void {
  if (!here) return;
  // The start screen's address has no settings: put the current ones back when leaving it.
  const full = joinHash(
    experimentPart(location.hash) || encodeExperiment(useExperimentStore.getState().config),
    lesson,
  );
  if (location.hash.slice(1) === full) return;
  const url = `${location.pathname}${location.search}${full ? `#${full}` : ''}`;
  if (push) history.pushState(history.state, '', url);
  else history.replaceState(history.state, '', url);
}

export const useLessonsStore = create<LessonsStore>((set, get) => {
  const progress = readProgress();
  const hash = here ? location.hash : '';
  const mode = initialMode(hash, progress.mode);
  const fromHash = lessonFromHash(hash, LESSONS.length);
  if (mode === 'lessons') {
    progress.mode = 'lessons';
    if (fromHash) progress.current = fromHash;
  }
  const update = (f: (p: LessonProgress) => LessonProgress) => {
    const p = f(get().progress);
    writeProgress(p);
    set({ progress: p });
  };
  return {
    mode,
    progress,
    lesson: progress.current,
    choose(m) {
      update((p) => ({ ...p, mode: m }));
      set({ mode: m });
      if (m === 'lab') setHash(undefined, false);
      else setHash(get().lesson, false);
    },
    open(n) {
      if (!getLesson(n)) return;
      update((p) => ({ ...p, mode: 'lessons', current: n }));
      set({ mode: 'lessons', lesson: n });
      setHash(n, true);
    },
    answer(n, option) {
      update((p) => ({ ...p, lessons: { ...p.lessons, [n]: { ...p.lessons[n], answer: option } } }));
    },
    setSeconds(seconds) {
      update((p) => ({ ...p, seconds }));
    },
    patch(n, patch) {
      update((p) => ({ ...p, lessons: { ...p.lessons, [n]: { ...p.lessons[n], ...patch } } }));
    },
    recordSpeed(s) {
      update((p) => ({ ...p, speed: s }));
    },
  };
});

/**
 * Follows lesson addresses the user types or reaches with Back/Forward. Call once from the page, after
 * syncExperimentWithPage (which writes the settings into the hash). Returns a function that stops it.
 */
export function syncLessonWithPage(): () => void {
  const s = useLessonsStore.getState();
  if (s.mode === 'lessons') setHash(s.lesson, false);
  // The start screen's address carries no settings (they are in localStorage), so a reload shows it again.
  if (s.mode === 'start' && location.hash)
    history.replaceState(history.state, '', `${location.pathname}${location.search}`);
  const onNav = () => {
    const n = lessonFromHash(location.hash, LESSONS.length);
    const st = useLessonsStore.getState();
    // An experiment link without a lesson opens the lab, as it does on a fresh load.
    if (!hasLessonKey(location.hash) && experimentPart(location.hash).trim() !== '' && st.mode !== 'lab') {
      useLessonsStore.setState({ mode: 'lab' });
      return;
    }
    if (n === undefined || (n === st.lesson && st.mode === 'lessons')) return;
    const p: LessonProgress = { ...st.progress, mode: 'lessons', current: n };
    writeProgress(p);
    useLessonsStore.setState({ mode: 'lessons', lesson: n, progress: p });
  };
  window.addEventListener('hashchange', onNav);
  window.addEventListener('popstate', onNav);
  return () => {
    window.removeEventListener('hashchange', onNav);
    window.removeEventListener('popstate', onNav);
  };
}

// ------------------------------------------------------------------------------------------ after-run numbers

/** The top guesses at the first [MASK] of a probe. */
export function firstMaskGuesses(p: ProbeView): ProbeGuesses | undefined {
  const first = [...p.predictions].sort((a, b) => a.position - b.position)[0];
  return first ? { step: p.step, top: first.top } : undefined;
}

/** Lesson 1 and 2's texts from the finished live run (and, for lesson 1, the probes at its start and end). */
export function trainSummary(n: number, run: LiveRun, before?: ProbeView, after?: ProbeView): string[] {
  const V = run.info?.V ?? 2;
  const evals = run.evals.map((e) => ({ step: e.step, loss: e.loss, accuracy: e.accuracy }));
  if (n === 1) {
    return probeSummary({
      V,
      evals,
      before: before && firstMaskGuesses(before),
      after: after && firstMaskGuesses(after),
    });
  }
  const baseline = run.info?.baseline;
  const withAgreement = [...run.evals].filter((e) => e.agreement).sort((a, b) => b.step - a.step)[0];
  const exit = baseline
    ? plateauExitStep(
        [...evals].sort((a, b) => a.step - b.step),
        baseline.accuracy,
      )
    : undefined;
  const learning = learningSummary({
    V,
    steps: run.step,
    evals,
    baseline,
    margin: PLATEAU_MARGIN,
    plateauExitStep: exit,
    agreement: withAgreement?.agreement
      ? {
          step: withAgreement.step,
          withoutAttractor: withAgreement.agreement.plain,
          withAttractor: withAgreement.agreement.attractor,
          objectRelative: withAgreement.agreement.kinds?.orc,
        }
      : undefined,
  });
  // Lesson 2's syntax questions, answered from the run's own heads (toy language only).
  return [...learning, ...syntaxSummary({ evals: run.evals, plateauExitStep: exit }, run.info?.model.L ?? 2)];
}

/** The budget a comparison gave its schemes: its kind, each scheme's steps and the FLOPs its runs spent (mean). */
function budgetOf(rec: ComparisonRecord, summary: ReturnType<typeof summarize>): ComparisonNumbers['budget'] {
  const kind = rec.compute?.kind ?? 'steps';
  const flops = summary.map((r) => r.flops?.mean);
  return {
    kind: kind === 'tokens' ? 'tokens' : kind === 'steps' ? 'steps' : 'FLOPs',
    steps: rec.schemes.map((_, s) => rec.schemeSteps?.[s] ?? rec.base.train.steps),
    ...(flops.some((f) => f !== undefined) ? { flops } : {}),
  };
}

/**
 * A finished comparison's paired verdicts against the lesson's reference scheme: the shared probe's accuracy with the
 * comparison's own paired differences (summarize); records from before the shared probe pair their mixed figures.
 */
export function comparisonNumbers(rec: ComparisonRecord, reference: number): ComparisonNumbers {
  const summary = summarize({ ...rec, reference });
  const probed = rec.entries.filter((e) => e.state === 'done' && e.result).every((e) => e.result!.probes?.mlm);
  const ref = summary[reference];
  if (probed && ref?.probeAccuracy) {
    return {
      metric: summary.some((r) => r.probeTied)
        ? "held-out masked-token accuracy through the shared probe (as saved then: a fresh head decoding through each run's own token embedding, which favours MLM)"
        : 'held-out masked-token accuracy through the shared probe (a fresh head with its own output layer on each frozen encoder)',
      reference: ref.label,
      rows: summary.map((r) => ({ label: r.label, isReference: r.scheme === reference, diff: r.pairedAccuracy })),
      budget: budgetOf(rec, summary),
      scoring: 'same evaluation',
      frequency:
        ref.frequencyAccuracy !== undefined
          ? { reference: ref.probeAccuracy.mean, baseline: ref.frequencyAccuracy }
          : undefined,
    };
  }
  const perScheme = rec.schemes.map((_, s) => {
    const m = new Map<number, SeedFigure>();
    for (const e of rec.entries) {
      if (e.scheme !== s || e.state !== 'done' || !e.result) continue;
      const acc = sharedFigures(e.result).accuracy;
      if (acc !== undefined) m.set(e.seed, { value: acc });
    }
    return m;
  });
  const results = rec.entries.filter((e) => e.result).map((e) => sharedFigures(e.result!));
  const mixed = results.some((r) => r.viaProbe) && results.some((r) => !r.viaProbe);
  return {
    metric: mixed
      ? 'held-out masked-token accuracy (own vocabulary head, or the MLM probe for the other heads)'
      : 'held-out masked-token accuracy',
    reference: schemeLabel(rec.schemes[reference]),
    rows: rec.schemes.map((m, s) => ({
      label: schemeLabel(m),
      isReference: s === reference,
      diff: s === reference ? undefined : seedsOnly(perScheme[reference], perScheme[s]),
    })),
    budget: budgetOf(rec, summary),
    scoring: mixed ? 'own head for vocabulary heads' : 'same evaluation',
  };
}

/**
 * The paired difference of figures that carry no test-noise estimate (records from before the shared probe): the
 * interval comes from the seeds alone, so one seed gives the mean with no interval and no verdict.
 */
function seedsOnly(
  reference: ReadonlyMap<number, SeedFigure>,
  scheme: ReadonlyMap<number, SeedFigure>,
): PairedDiff | undefined {
  const d = pairedDifference(reference, scheme, true);
  return d && d.n < 2 ? { mean: d.mean, n: d.n } : d;
}

interface WatchDeps {
  training: Pick<StoreApi<{ run?: LiveRun; probe?: ProbeView }>, 'getState' | 'subscribe'>;
  comparisons: Pick<StoreApi<{ list: ComparisonRecord[] }>, 'getState' | 'subscribe'>;
}

const ENDED = new Set(['done', 'paused', 'stopped', 'failed', 'diverged']);

/**
 * Computes a lesson's after-run text when the run or comparison it set up finishes, keeps the probe of the run's
 * first step (lesson 1 compares it with the last), and records the device's speed from every run that ends.
 */
export function watchLessonRuns(deps: WatchDeps): () => void {
  // The probe shown belongs to the current run (the training store drops other runs' messages and clears it on start).
  const firstProbe = new Map<string, ProbeView>();
  const probeRun = new WeakMap<ProbeView, string>();
  const lessonOfRun = (id: string) => {
    const { lessons } = useLessonsStore.getState().progress;
    return Object.entries(lessons).find(([, r]) => r.runId === id);
  };
  const onTraining = (s: { run?: LiveRun; probe?: ProbeView }, prev: { run?: LiveRun; probe?: ProbeView }) => {
    const run = s.run;
    if (s.probe && s.probe !== prev.probe && run) {
      probeRun.set(s.probe, run.id);
      if (!firstProbe.has(run.id)) firstProbe.set(run.id, s.probe);
    }
    if (!run || (run.state === prev.run?.state && run.id === prev.run?.id)) return;
    if (ENDED.has(run.state) && run.msPerStep > 0 && run.step >= 5 && run.info) {
      useLessonsStore.getState().recordSpeed({
        msPerStep: run.msPerStep,
        flopsPerStep: configStepFlops(run.config, run.info.V),
        adapter: run.info.adapter,
      });
    }
    if (run.state !== 'done') return;
    const hit = lessonOfRun(run.id);
    if (!hit) return;
    const n = Number(hit[0]);
    const after = s.probe && probeRun.get(s.probe) === run.id ? s.probe : undefined;
    useLessonsStore
      .getState()
      .patch(n, { summary: trainSummary(n, run, firstProbe.get(run.id), after), finishedAt: Date.now() });
  };
  const onComparisons = (s: { list: ComparisonRecord[] }) => {
    const { lessons } = useLessonsStore.getState().progress;
    for (const [k, r] of Object.entries(lessons)) {
      if (!r.comparisonId || r.summary) continue;
      const rec = s.list.find((c) => c.id === r.comparisonId);
      const lesson = getLesson(Number(k));
      if (!rec || rec.state !== 'done' || !lesson || lesson.setup.kind !== 'compare') continue;
      const q = lesson.question;
      const predicted = q.options.find((o) => o.id === r.answer)?.outcome;
      const summary = comparisonSummary(lesson.n, comparisonNumbers(rec, lesson.setup.reference), q.pair, predicted);
      useLessonsStore.getState().patch(lesson.n, { summary, finishedAt: Date.now() });
    }
  };
  const a = deps.training.subscribe(onTraining);
  const b = deps.comparisons.subscribe(onComparisons);
  onComparisons(deps.comparisons.getState());
  return () => {
    a();
    b();
  };
}

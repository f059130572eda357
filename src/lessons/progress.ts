// What the browser keeps of a student's path (localStorage): the start-screen choice, the open lesson, answers,
// the run or comparison each lesson set up, the texts computed when it finished, the time given, the speed measured.
import type { SpeedSample } from './budget';
import { TIME_CHOICES } from './budget';

export type PageMode = 'lab' | 'lessons';

export interface LessonRecord {
  /** The option the student chose before running. */
  answer?: string;
  /** The live run or the comparison this lesson set up last. */
  runId?: string;
  comparisonId?: string;
  /** Steps the page chose, and the sentence that said why. */
  steps?: number;
  budgetNote?: string;
  /** The after-run text, computed from the run's numbers when it finished. */
  summary?: string[];
  finishedAt?: number;
}

export interface LessonProgress {
  mode?: PageMode;
  current: number;
  seconds: number;
  speed?: SpeedSample;
  lessons: Record<number, LessonRecord>;
}

export const PROGRESS_KEY = 'masklab.lessons';

export function emptyProgress(): LessonProgress {
  return { current: 1, seconds: TIME_CHOICES[1].seconds, lessons: {} };
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Reads stored progress; anything malformed is dropped field by field (a bad entry never loses the others). */
export function parseProgress(raw: string | null, count = 6): LessonProgress {
  const p = emptyProgress();
  if (!raw) return p;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return p;
  }
  if (!v || typeof v !== 'object') return p;
  const o = v as Record<string, unknown>;
  if (o.mode === 'lab' || o.mode === 'lessons') p.mode = o.mode;
  if (isNum(o.current) && Number.isInteger(o.current) && o.current >= 1 && o.current <= count) p.current = o.current;
  if (isNum(o.seconds) && TIME_CHOICES.some((t) => t.seconds === o.seconds)) p.seconds = o.seconds;
  const s = o.speed as Record<string, unknown> | undefined;
  if (s && isNum(s.msPerStep) && isNum(s.flopsPerStep) && isStr(s.adapter) && s.msPerStep > 0 && s.flopsPerStep > 0) {
    p.speed = { msPerStep: s.msPerStep, flopsPerStep: s.flopsPerStep, adapter: s.adapter };
  }
  const lessons = o.lessons as Record<string, unknown> | undefined;
  if (lessons && typeof lessons === 'object') {
    for (const [k, r] of Object.entries(lessons)) {
      const n = Number(k);
      if (!Number.isInteger(n) || n < 1 || n > count || !r || typeof r !== 'object') continue;
      const e = r as Record<string, unknown>;
      const rec: LessonRecord = {};
      if (isStr(e.answer)) rec.answer = e.answer;
      if (isStr(e.runId)) rec.runId = e.runId;
      if (isStr(e.comparisonId)) rec.comparisonId = e.comparisonId;
      if (isNum(e.steps)) rec.steps = e.steps;
      if (isStr(e.budgetNote)) rec.budgetNote = e.budgetNote;
      if (Array.isArray(e.summary) && e.summary.every(isStr)) rec.summary = e.summary;
      if (isNum(e.finishedAt)) rec.finishedAt = e.finishedAt;
      p.lessons[n] = rec;
    }
  }
  return p;
}

/** Lessons with a computed after-run text. */
export function finishedLessons(p: LessonProgress): number[] {
  return Object.entries(p.lessons)
    .filter(([, r]) => r.summary && r.summary.length > 0)
    .map(([n]) => Number(n))
    .sort((a, b) => a - b);
}

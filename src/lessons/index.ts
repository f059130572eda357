// The lessons in order, and lookups by number or slug.
import { LESSON_1, LESSON_2, LESSON_3 } from './content';
import { LESSON_4, LESSON_5, LESSON_6 } from './content2';
import type { Lesson } from './types';

export const LESSONS: readonly Lesson[] = [LESSON_1, LESSON_2, LESSON_3, LESSON_4, LESSON_5, LESSON_6];

export function getLesson(n: number): Lesson | undefined {
  return LESSONS.find((l) => l.n === n);
}

export type { Lesson, LessonSetup, PanelId, Question, QuestionOption, StepBudget, Verdict, WatchItem } from './types';

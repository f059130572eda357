// The lessons in order, and lookups by number or slug. Each lesson is a file of content/ named after its slug; the
// experiments several lessons share are in content/experiments.ts.
import { LESSON_1 } from './content/whatAMaskedLmPredicts';
import { LESSON_2 } from './content/watchingAModelLearn';
import { LESSON_3 } from './content/wordsAndPieces';
import { LESSON_4 } from './content/howMuchToMask';
import { LESSON_5 } from './content/beyondPredictingTokens';
import { LESSON_6 } from './content/taskComplexity';
import type { Lesson } from './types';

export const LESSONS: readonly Lesson[] = [LESSON_1, LESSON_2, LESSON_3, LESSON_4, LESSON_5, LESSON_6];

export function getLesson(n: number): Lesson | undefined {
  return LESSONS.find((l) => l.n === n);
}

export type { Lesson, LessonSetup, PanelId, Question, QuestionOption, StepBudget, Verdict, WatchItem } from './types';

// What a lesson is, as data: its paragraphs and papers, the question asked before the run, what to watch (and
// which panel of the lab to show), the experiment one click sets up, and what a toy run can and cannot show.
import type { ComputeBudget } from '../session/computeBudget';
import type { MaskingConfig, PaperRef } from '../masking/types';
import type { ExperimentConfig } from '../session/config';

/** Panels of the live lab a lesson can point at (the page highlights and scrolls to them). */
export type PanelId =
  | 'mask-preview'
  | 'strategy'
  | 'train'
  | 'charts'
  | 'predictions'
  | 'attention'
  | 'syntax'
  | 'loss-by-case'
  | 'compare';

export interface WatchItem {
  panel: PanelId;
  text: string;
}

/** A comparison's verdict for one scheme against the reference scheme. */
export type Verdict = 'better' | 'worse' | 'inside noise';

export interface QuestionOption {
  id: string;
  text: string;
  /** For a prediction about a comparison: the verdict of `Question.pair` this option predicts. */
  outcome?: Verdict;
}

/**
 * Asked before the run. Either a fact with its answer (`answer`), or a prediction the run settles: then `pair`
 * names the comparison's scheme whose verdict against the reference decides which option came true.
 */
export interface Question {
  prompt: string;
  options: QuestionOption[];
  answer?: string;
  pair?: number;
  /** Shown once answered: why, with the papers. */
  explanation: string;
}

/** How many steps a run gets: fixed, or as many as the chosen time allows at the measured speed, within bounds. */
export interface StepBudget {
  fixedSteps?: number;
  minSteps: number;
  maxSteps: number;
}

export type LessonSetup =
  | {
      kind: 'train';
      /** The class preset this lesson rests on (issue "Learning that shows"), when the page has it. */
      preset?: string;
      config(): ExperimentConfig;
      budget: StepBudget;
      /** The fill-in probe's sentence for this lesson (the lab's own otherwise). */
      probeText?: string;
    }
  | {
      kind: 'compare';
      config(): ExperimentConfig;
      schemes: MaskingConfig[];
      /** The scheme the others are measured against (0: the comparison view's default reference too). */
      reference: number;
      seeds: number;
      budget: StepBudget;
      /** How the runs' budget is made equal (default: steps); the lesson's steps are the reference scheme's. */
      compute?: ComputeBudget;
    }
  | {
      kind: 'masks';
      config(): ExperimentConfig;
      /** Shown one after another on the same sentence, and surveyed over many sequences. */
      schemes: { label: string; masking: MaskingConfig }[];
      sequences: number;
    };

export interface Lesson {
  n: number;
  slug: string;
  title: string;
  /** One line for the list of lessons. */
  summary: string;
  paragraphs: string[];
  references: readonly PaperRef[];
  question: Question;
  /** Questions the run itself answers: its after-run text gives the answers from the run's own numbers. */
  runQuestions?: readonly string[];
  watch: WatchItem[];
  setup: LessonSetup;
  /** What this toy run can and cannot show next to the papers, and why. */
  limits: string;
}

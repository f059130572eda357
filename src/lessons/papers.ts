// Papers the lessons cite beyond the masking catalogue's bibliography (REFS): training dynamics, agreement with
// attractors and the WordPiece tokenizer. Same shape as the catalogue's PaperRef, so one renderer shows both.
import type { PaperRef } from '../masking/types';

export const LESSON_REFS = {
  chen2024: {
    authors: 'Angelica Chen, Ravid Shwartz-Ziv, Kyunghyun Cho, Matthew L. Leavitt, Naomi Saphra',
    year: 2024,
    title: 'Sudden Drops in the Loss: Syntax Acquisition, Phase Transitions, and Simplicity Bias in MLMs',
    arxiv: '2309.07311',
  },
  linzen2016: {
    authors: 'Tal Linzen, Emmanuel Dupoux, Yoav Goldberg',
    year: 2016,
    title: 'Assessing the Ability of LSTMs to Learn Syntax-Sensitive Dependencies',
    arxiv: '1611.01368',
  },
  goldberg2019: {
    authors: 'Yoav Goldberg',
    year: 2019,
    title: "Assessing BERT's Syntactic Abilities",
    arxiv: '1901.05287',
  },
  clark2019: {
    authors: 'Kevin Clark, Urvashi Khandelwal, Omer Levy, Christopher D. Manning',
    year: 2019,
    title: "What Does BERT Look At? An Analysis of BERT's Attention",
    arxiv: '1906.04341',
  },
  marvin2018: {
    authors: 'Rebecca Marvin, Tal Linzen',
    year: 2018,
    title: 'Targeted Syntactic Evaluation of Language Models',
    arxiv: '1808.09031',
  },
  wordpiece: {
    authors: 'Yonghui Wu, Mike Schuster, Zhifeng Chen, Quoc V. Le, Mohammad Norouzi, et al.',
    year: 2016,
    title: "Google's Neural Machine Translation System: Bridging the Gap between Human and Machine Translation",
    arxiv: '1609.08144',
  },
} as const satisfies Record<string, PaperRef>;

/** "Devlin et al. 2019" for a reference (first author's family name). */
export function shortCite(r: PaperRef): string {
  const authors = r.authors
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a && a !== 'et al.');
  const family = (a: string) => a.split(' ').pop() ?? a;
  if (authors.length === 1) return `${family(authors[0])} ${r.year}`;
  if (authors.length === 2) return `${family(authors[0])} and ${family(authors[1])} ${r.year}`;
  return `${family(authors[0])} et al. ${r.year}`;
}

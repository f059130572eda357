// A lesson's own address: "#lesson=2" in the URL hash, alone or in front of the experiment's settings
// ("#lesson=2&corpus=..."), so share links of experiments keep working and a lesson link opens its lesson.
export const LESSON_KEY = 'lesson';
const LESSON_PAIR = /^lesson=([^&]*)$/;

function parts(hash: string): string[] {
  return hash
    .replace(/^#/, '')
    .split('&')
    .filter((p) => p !== '');
}

/** The lesson number in a hash (1..count), or undefined when there is none or it is not a lesson. */
export function lessonFromHash(hash: string, count = 6): number | undefined {
  for (const p of parts(hash)) {
    const m = LESSON_PAIR.exec(p);
    if (!m) continue;
    const n = Number(m[1]);
    return Number.isInteger(n) && n >= 1 && n <= count ? n : undefined;
  }
  return undefined;
}

/** Whether the hash names a lesson at all (even one that does not exist: it is not an experiment setting). */
export function hasLessonKey(hash: string): boolean {
  return parts(hash).some((p) => LESSON_PAIR.test(p));
}

/** The hash without its lesson part: what the experiment decoder reads. */
export function experimentPart(hash: string): string {
  return parts(hash)
    .filter((p) => !LESSON_PAIR.test(p))
    .join('&');
}

/** "lesson=N&<experiment>" (or the experiment alone when no lesson is open); no leading '#'. */
export function joinHash(experiment: string, lesson?: number): string {
  const e = experimentPart(experiment);
  if (lesson === undefined) return e;
  return e ? `${LESSON_KEY}=${lesson}&${e}` : `${LESSON_KEY}=${lesson}`;
}

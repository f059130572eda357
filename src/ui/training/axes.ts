// Chart axes that fit their labels: one tick style, fmtTick's compact text, and a width from the longest label.
import { fmtTick, tickStep } from './format';

/** Tick text style for every chart axis (the page's font at 16 px would need wider axes). */
export const TICK = { fontSize: 12 } as const;

/** Room a 12 px tick label takes per character, and the tick line and gap beside it. */
const CHAR_PX = 7;
const PAD_PX = 12;

/**
 * A value axis over `values`: the tick formatter (fmtTick with the spacing of about `ticks` ticks) and a width
 * that fits the longest label it can show (with `unit` appended, as recharts does), at least 36 px.
 */
export function valueAxis(
  values: readonly (number | undefined)[],
  opts: { unit?: string; ticks?: number } = {},
): { tickFormatter: (v: number) => string; width: number } {
  const step = tickStep(values, opts.ticks ?? 5);
  const tickFormatter = (v: number) => fmtTick(v, step);
  const finite = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  const lo = finite.length > 0 ? Math.min(...finite) : 0;
  const hi = finite.length > 0 ? Math.max(...finite) : 0;
  // Ticks land near these: the ends and the even steps between (nice ticks round them, to text no longer).
  const n = opts.ticks ?? 5;
  const samples = Array.from({ length: n }, (_, i) => (i === n - 1 ? hi : lo + (step ?? 0) * i));
  const chars = Math.max(...samples.map((v) => tickFormatter(v).length)) + (opts.unit?.length ?? 0);
  return { tickFormatter, width: Math.max(36, Math.ceil(chars * CHAR_PX + PAD_PX)) };
}

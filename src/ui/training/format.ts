// Number formatting for the training panels.

export function fmtDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  if (m < 60) return `${m} min ${s.toString().padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${(m % 60).toString().padStart(2, '0')} min`;
}

export function fmtRate(n: number): string {
  if (!Number.isFinite(n) || n <= 0) return '–';
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(0);
}

/** Bytes in binary units: "812 B", "34.5 KiB", "8.25 MiB", "1.20 GiB". */
export function fmtBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  if (u === 0) return `${n} B`;
  return `${n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)} ${units[u]}`;
}

export function fmtPct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

const SUFFIXES: readonly [number, string][] = [
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/** `x` to `sig` significant digits, trailing zeros dropped ("7.66", "10.5", "3"). */
const sigDigits = (x: number, sig: number) => String(Number(x.toPrecision(sig)));

/**
 * The text of a chart axis tick, short enough for a narrow axis: 3 significant digits; thousands and up with
 * k, M, G, T (14000 -> "14k", 10500 -> "10.5k"), beyond that and below 0.01 as a short exponent (3e-3, 2.5e-4,
 * 3.2e15); 0 as "0". With `step`, the distance between neighbouring ticks, below-1000 values get the decimals
 * that tell them apart (7.645 and 7.656 stay two labels), and rounding noise next to 0 reads "0".
 */
export function fmtTick(v: number, step?: number): string {
  if (!Number.isFinite(v)) return '';
  const a = Math.abs(v);
  if (a === 0 || (step !== undefined && step > 0 && a < step * 1e-6)) return '0';
  const sign = v < 0 ? '-' : '';
  if (a >= 1e15 || a < 0.01) {
    const [m, e] = a.toExponential(2).split('e');
    return `${sign}${Number(m)}e${Number(e)}`;
  }
  if (a >= 1000) {
    for (let i = 0; i < SUFFIXES.length; i++) {
      const [unit, name] = SUFFIXES[i];
      if (a < unit) continue;
      const text = sigDigits(a / unit, 3);
      // 999,600 rounds to "1000k": say "1M" (the next larger unit) instead.
      if (Number(text) >= 1000 && i > 0) return `${sign}${sigDigits(a / SUFFIXES[i - 1][0], 3)}${SUFFIXES[i - 1][1]}`;
      return `${sign}${text}${name}`;
    }
  }
  let text = sigDigits(a, 3);
  if (step !== undefined && step > 0 && step < 1) {
    const decimals = Math.min(6, Math.ceil(-Math.log10(step) - 1e-9));
    if (decimals > (text.split('.')[1]?.length ?? 0)) text = String(Number(a.toFixed(decimals)));
  }
  if (Number(text) >= 1000) return `${sign}1k`; // 999.7 rounds up
  return `${sign}${text}`;
}

/** The tick step to pass fmtTick for an axis over these values (about `ticks` ticks), or undefined when empty. */
export function tickStep(values: readonly (number | undefined)[], ticks = 5): number | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v === undefined || !Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (hi < lo) return undefined;
  return hi > lo ? (hi - lo) / (ticks - 1) : undefined;
}

// Learning-rate schedule: linear warmup, then constant, linear or cosine decay to a floor (as in BERT and nanoGPT).

export interface LrSchedule {
  /** Peak learning rate, reached at the end of warmup. */
  lr: number;
  warmupSteps: number;
  totalSteps: number;
  decay: 'constant' | 'linear' | 'cosine';
  /** The floor as a fraction of lr (0 = decay to zero). */
  minRatio: number;
}

/** Learning rate at 0-based `step`. */
export function learningRate(s: LrSchedule, step: number): number {
  if (s.warmupSteps > 0 && step < s.warmupSteps) return (s.lr * (step + 1)) / s.warmupSteps;
  if (s.decay === 'constant') return s.lr;
  const span = Math.max(1, s.totalSteps - s.warmupSteps);
  const p = Math.min(1, Math.max(0, (step - s.warmupSteps) / span));
  const min = s.lr * s.minRatio;
  if (s.decay === 'linear') return min + (s.lr - min) * (1 - p);
  return min + (s.lr - min) * 0.5 * (1 + Math.cos(Math.PI * p));
}

export function validateSchedule(s: LrSchedule): void {
  if (!(s.lr > 0) || !Number.isFinite(s.lr)) throw new Error(`learning rate must be a positive number (got ${s.lr})`);
  if (!Number.isInteger(s.totalSteps) || s.totalSteps < 1)
    throw new Error(`steps must be a positive integer (got ${s.totalSteps})`);
  if (!Number.isInteger(s.warmupSteps) || s.warmupSteps < 0 || s.warmupSteps > s.totalSteps)
    throw new Error(`warmup must be between 0 and the number of steps ${s.totalSteps} (got ${s.warmupSteps})`);
  if (!(s.minRatio >= 0 && s.minRatio <= 1))
    throw new Error(`the learning-rate floor must be between 0 and 1 (got ${s.minRatio})`);
}

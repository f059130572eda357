// Benchmark inputs: the configs (tiny, mini) and seeded random MLM batches (random ids, 15% targets corrupted the
// BERT way) that both trainers consume, so TF.js and MaskLab see identical data.
import { Rng } from '../../src/data/rng';
import { modelConfig, type ModelConfig } from '../../src/engine/config';
import type { TfBatch } from '../tfjs/model';

export interface BenchConfig {
  name: string;
  model: ModelConfig;
  B: number;
}

export const BENCH_CONFIGS: Record<string, BenchConfig> = {
  tiny: { name: 'tiny', model: modelConfig('tiny', 2048), B: 16 },
  mini: { name: 'mini', model: modelConfig('mini', 8192), B: 32 },
};

export function benchConfig(name: string): BenchConfig {
  const c = BENCH_CONFIGS[name];
  if (!c) throw new Error(`unknown config "${name}" (known: ${Object.keys(BENCH_CONFIGS).join(', ')})`);
  return c;
}

/** Special ids as in every MaskLab vocabulary: [PAD]=0 ... [MASK]=4; ordinary tokens from 5. */
const PAD = 0;
const MASK = 4;
const FIRST_WORD = 5;
export const TARGET_RATE = 0.15;

/** Target capacity per batch: 15% of B*T (every batch fills it, unless padding leaves fewer real tokens). */
export function targetCapacity(B: number, T: number): number {
  return Math.max(1, Math.round(TARGET_RATE * B * T));
}

export interface BatchOptions {
  /** Odd sequences end with 1 to max(1, T/4) padding tokens (exercises the key-padding mask). */
  pad?: boolean;
}

/** `count` batches for (cfg, B), all from `seed`: the same arrays on every run and platform. */
export function randomBatches(
  cfg: ModelConfig,
  B: number,
  count: number,
  seed: number | string,
  o: BatchOptions = {},
): TfBatch[] {
  const { T, V } = cfg;
  const M = targetCapacity(B, T);
  const out: TfBatch[] = [];
  for (let n = 0; n < count; n++) {
    const rng = Rng.from(seed, 'bench-batch', n);
    const ids = new Int32Array(B * T);
    const valid = new Int32Array(B * T);
    const real: number[] = [];
    for (let b = 0; b < B; b++) {
      const len = o.pad && b % 2 === 1 ? T - 1 - rng.int(Math.max(1, Math.floor(T / 4))) : T;
      for (let t = 0; t < T; t++) {
        const r = b * T + t;
        if (t < len) {
          ids[r] = FIRST_WORD + rng.int(V - FIRST_WORD);
          valid[r] = 1;
          real.push(r);
        } else ids[r] = PAD;
      }
    }
    const chosen = rng
      .shuffle(real)
      .slice(0, M)
      .sort((a, b) => a - b);
    const positions = new Int32Array(M).fill(-1);
    const targets = new Int32Array(M).fill(-1);
    const weights = new Float32Array(M);
    chosen.forEach((r, i) => {
      positions[i] = r;
      targets[i] = ids[r];
      weights[i] = 1 / chosen.length;
      const u = rng.float();
      if (u < 0.8) ids[r] = MASK;
      else if (u < 0.9) ids[r] = FIRST_WORD + rng.int(V - FIRST_WORD);
    });
    out.push({ ids, valid, positions, targets, weights });
  }
  return out;
}

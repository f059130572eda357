// Seeded random numbers for everything in MaskLab that must be reproducible: data split, batch order, masking.
// xoshiro128** (Blackman & Vigna) seeded through splitmix32; no Math.random anywhere.
//
// How to use it (masking, data, init):
//   const rng = Rng.from(seed);                 // seed: number or string
//   rng.float(); rng.int(n); rng.bernoulli(p); rng.shuffle(arr); rng.permutation(n)
//   const child = rng.fork('masking', step);    // PURE: depends only on the parent's seed and the keys, never on
//                                               // how many numbers the parent has drawn. Use it to give each
//                                               // (purpose, epoch, step, sequence) its own stream, so that adding a
//                                               // draw somewhere never shifts the numbers somewhere else.
//   const next = rng.split();                   // STATEFUL: draws from the parent to seed an independent child.
// Same seed and keys give the same numbers on every platform (only 32-bit integer arithmetic is used).

export type SeedKey = number | string;

/** 32-bit mix (the splitmix32 / murmur3 finalizer). */
function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

/** Hashes a seed or key to 32 bits. Numbers keep all their integer bits (up to 2^53); strings go through FNV-1a. */
export function hashKey(key: SeedKey): number {
  if (typeof key === 'number') {
    if (!Number.isFinite(key)) throw new Error(`seed key must be finite, got ${key}`);
    const v = Math.trunc(key);
    const lo = v >>> 0;
    const hi = Math.floor(Math.abs(v) / 4294967296) >>> 0;
    return mix32(lo ^ mix32(hi ^ (v < 0 ? 0x5bd1e995 : 0) ^ 0x9e3779b9));
  }
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h ^ 0x2545f491);
}

/** Expands 32 bits into four state words with splitmix32 (never all zero). */
function expand(seed: number): Uint32Array {
  const s = new Uint32Array(4);
  let a = seed >>> 0;
  for (let i = 0; i < 4; i++) {
    a = (a + 0x9e3779b9) >>> 0;
    s[i] = mix32(a);
  }
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  return s;
}

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** The 128-bit key this generator started from; fork() derives children from it. */
  private readonly key: Uint32Array;

  private constructor(key: Uint32Array) {
    this.key = Uint32Array.from(key);
    if ((key[0] | key[1] | key[2] | key[3]) === 0) this.key[0] = 1;
    this.s0 = this.key[0];
    this.s1 = this.key[1];
    this.s2 = this.key[2];
    this.s3 = this.key[3];
  }

  /** A generator for a seed, optionally narrowed by keys: Rng.from(seed, 'split') === Rng.from(seed).fork('split'). */
  static from(seed: SeedKey, ...keys: SeedKey[]): Rng {
    const root = new Rng(expand(hashKey(seed)));
    return keys.length ? root.fork(...keys) : root;
  }

  /** A generator continuing from a saved state() (its fork() keys then derive from that state). */
  static fromState(state: ArrayLike<number>): Rng {
    if (state.length !== 4) throw new Error(`Rng state must have 4 words, got ${state.length}`);
    return new Rng(Uint32Array.from(state));
  }

  /** The current 128-bit state, to save and resume with Rng.fromState. */
  state(): Uint32Array {
    return Uint32Array.of(this.s0, this.s1, this.s2, this.s3);
  }

  /** A child stream that depends only on this generator's seed and the keys (not on draws made so far). */
  fork(...keys: SeedKey[]): Rng {
    const k = Uint32Array.from(this.key);
    for (const key of keys) {
      const h = hashKey(key);
      for (let i = 0; i < 4; i++) k[i] = mix32(k[i] ^ mix32(h + Math.imul(i + 1, 0x9e3779b9)) ^ k[(i + 3) & 3]);
    }
    return new Rng(k);
  }

  /** A child seeded from four draws of this generator (advances this one). */
  split(): Rng {
    return new Rng(Uint32Array.of(mix32(this.u32()), mix32(this.u32()), mix32(this.u32()), mix32(this.u32())));
  }

  /** Uniform 32-bit unsigned integer (xoshiro128**). */
  u32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform float in [0, 1) with 32 bits of resolution. */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n), without modulo bias; n in 1..2^32. */
  int(n: number): number {
    if (!(n >= 1 && n <= 4294967296) || !Number.isInteger(n))
      throw new Error(`Rng.int: n must be an integer in 1..2^32, got ${n}`);
    if (n === 4294967296) return this.u32();
    const threshold = (4294967296 - n) % n;
    for (;;) {
      const r = this.u32();
      if (r >= threshold) return r % n;
    }
  }

  /** Uniform integer in [lo, hi] (both inclusive). */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return this.float() < p;
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.float(); // (0, 1]
    const v = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** One element of a non-empty array. */
  choice<E>(items: ArrayLike<E>): E {
    if (items.length === 0) throw new Error('Rng.choice: empty array');
    return items[this.int(items.length)];
  }

  /** Fisher-Yates shuffle in place; returns the same array. */
  shuffle<A extends { length: number; [i: number]: unknown }>(items: A): A {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

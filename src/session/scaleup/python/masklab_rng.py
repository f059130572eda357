"""MaskLab's seeded random numbers in Python, bit for bit: xoshiro128** seeded through splitmix32 with MaskLab's
key hashing and fork() (src/data/rng.ts), and the draws masking makes on top (src/masking/sampling.ts): categorical
laws by binary search, random replacement tokens, JavaScript's Math.round, the static-mask row hash.
Standard library only.
"""
import math

M32 = 0xFFFFFFFF
PAD, UNK, CLS, SEP, MASK = 0, 1, 2, 3, 4

# ----------------------------------------------------------------------------------------------------------- RNG
def pcg_hash(v):
    """The PCG-style 32-bit hash of ELECTRA's sampler (shaders/electra.wgsl, src/engine/reference/sample.ts)."""
    state = (_imul(v, 747796405) + 2891336453) & M32
    word = _imul((state >> ((state >> 28) + 4)) ^ state, 277803737)
    return ((word >> 22) ^ word) & M32


def sample_uniform(seed, step, m, v):
    """The uniform in (0, 1) ELECTRA's sampler draws for (seed, step, target slot m, id v) (reference/sample.ts)."""
    base = pcg_hash((m + pcg_hash((step + pcg_hash(seed)) & M32)) & M32)
    return ((pcg_hash((base + v) & M32) >> 8) + 0.5) / 16777216


def _imul(a, b):
    return (a * b) & M32


def _mix32(x):
    x &= M32
    x = _imul(x ^ (x >> 16), 0x21F0AAAD)
    x = _imul(x ^ (x >> 15), 0x735A2D97)
    return (x ^ (x >> 15)) & M32


def _rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


def hash_key(key):
    """src/data/rng.ts hashKey: integers keep their bits (up to 2^53), strings go through FNV-1a over UTF-16 units."""
    if isinstance(key, bool):
        raise TypeError("seed keys are numbers or strings")
    if isinstance(key, (int, float)):
        if isinstance(key, float) and not math.isfinite(key):
            raise ValueError("seed key must be finite, got %r" % key)
        v = int(key)  # Math.trunc
        lo = v & M32
        hi = (abs(v) // 4294967296) & M32
        return _mix32(lo ^ _mix32(hi ^ (0x5BD1E995 if v < 0 else 0) ^ 0x9E3779B9))
    h = 0x811C9DC5
    units = str(key).encode("utf-16-le")
    for i in range(0, len(units), 2):
        h ^= units[i] | (units[i + 1] << 8)
        h = _imul(h, 0x01000193)
    return _mix32(h ^ 0x2545F491)


def _expand(seed):
    s = []
    a = seed & M32
    for _ in range(4):
        a = (a + 0x9E3779B9) & M32
        s.append(_mix32(a))
    if (s[0] | s[1] | s[2] | s[3]) == 0:
        s[0] = 1
    return s


class Rng:
    """xoshiro128**; Rng.create(seed, *keys) == Rng.from(seed, ...keys) in MaskLab."""

    def __init__(self, key):
        self.key = [k & M32 for k in key]
        if (self.key[0] | self.key[1] | self.key[2] | self.key[3]) == 0:
            self.key[0] = 1
        self.s0, self.s1, self.s2, self.s3 = self.key

    @staticmethod
    def create(seed, *keys):
        root = Rng(_expand(hash_key(seed)))
        return root.fork(*keys) if keys else root

    def fork(self, *keys):
        k = list(self.key)
        for key in keys:
            h = hash_key(key)
            for i in range(4):
                k[i] = _mix32(k[i] ^ _mix32((h + (i + 1) * 0x9E3779B9) & M32) ^ k[(i + 3) & 3])
        return Rng(k)

    def u32(self):
        result = _imul(_rotl(_imul(self.s1, 5), 7), 9)
        t = (self.s1 << 9) & M32
        self.s2 ^= self.s0
        self.s3 ^= self.s1
        self.s1 ^= self.s2
        self.s0 ^= self.s3
        self.s2 ^= t
        self.s3 = _rotl(self.s3, 11)
        return result

    def float(self):
        return self.u32() / 4294967296.0

    def int(self, n):
        if not (1 <= n <= 4294967296) or int(n) != n:
            raise ValueError("Rng.int: n must be an integer in 1..2^32, got %r" % n)
        if n == 4294967296:
            return self.u32()
        threshold = (4294967296 - n) % n
        while True:
            r = self.u32()
            if r >= threshold:
                return r % n

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.int(i + 1)
            items[i], items[j] = items[j], items[i]
        return items

    def permutation(self, n):
        return self.shuffle(list(range(n)))


# ------------------------------------------------------------------------------------------------------ sampling
def js_round(x):
    """JavaScript's Math.round: the nearest integer, halves toward +infinity (Python's round() is banker's)."""
    r = math.floor(x)
    return r + 1 if x - r >= 0.5 else r


class Categorical:
    """A discrete law drawn by binary search on its cumulative sum (src/masking/sampling.ts)."""

    def __init__(self, weights=None, cdf=None):
        if cdf is not None:
            self.cdf = list(cdf)
            return
        total = 0.0
        for w in weights:
            total += w
        self.cdf = []
        acc = 0.0
        for w in weights:
            acc += w
            self.cdf.append(acc / total)
        self.cdf[-1] = 1.0

    def draw(self, rng):
        u = rng.float()
        lo, hi = 0, len(self.cdf) - 1
        while lo < hi:
            mid = (lo + hi) >> 1
            if u < self.cdf[mid]:
                hi = mid
            else:
                lo = mid + 1
        return lo


_INVERSE_N = {}


def inverse_n_law(max_n):
    if max_n not in _INVERSE_N:
        _INVERSE_N[max_n] = Categorical([1.0 / n for n in range(1, max_n + 1)])
    return _INVERSE_N[max_n]


class ReplacementSampler:
    def __init__(self, vocab_size, special, law, counts=None):
        self.ids = [i for i in range(vocab_size) if not special[i]]
        self.law = Categorical([max(0.0, counts[i]) + 1 for i in self.ids]) if law == "unigram" else None

    def draw(self, rng, avoid=-1):
        tok = self._once(rng)
        tries = 0
        while tok == avoid and tries < 64:
            tok = self._once(rng)
            tries += 1
        return tok

    def _once(self, rng):
        return self.ids[self.law.draw(rng) if self.law else rng.int(len(self.ids))]


def hash_tokens(ids, valid):
    h = 0x811C9DC5
    for i in range(len(ids)):
        if not valid[i]:
            continue
        h = _imul(h ^ (ids[i] + 1), 0x01000193)
        h = _imul(h ^ (i & 0xFFFF), 0x01000193)
    return h

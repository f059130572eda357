"""MaskLab's masking strategies in Python, bit for bit (src/masking/row.ts, src/masking/strategies/*.ts): a row's
words and maskable positions, the budget, units, and the strategies random, whole-word, span, ngram, pmi,
informative (rare-token) and hard, with the rate schedules (src/masking/schedule.ts). Standard library only.
"""
import math

from masklab_rng import inverse_n_law, js_round

# ----------------------------------------------------------------------------------------------------------- rows
class Row:
    """One sequence as strategies see it (src/masking/row.ts rowView)."""

    def __init__(self, ids, word_ids, valid, special):
        self.T = len(ids)
        self.ids = ids
        self.valid = valid
        self.maskable = [0] * self.T
        self.word_of = [-1] * self.T
        self.words = []  # [start, end) pairs
        self.candidates = []
        for t in range(self.T):
            if not valid[t] or special[ids[t]]:
                continue
            self.maskable[t] = 1
            self.candidates.append(t)
            w = word_ids[t]
            prev = self.words[-1] if self.words else None
            if prev is not None and prev[1] == t and w >= 0 and word_ids[t - 1] == w:
                prev[1] = t + 1
            else:
                self.words.append([t, t + 1])
            self.word_of[t] = len(self.words) - 1
        self.n = len(self.candidates)


def budget(rate, n, rounding="round"):
    if not (rate > 0) or n == 0:
        return 0
    k = math.ceil(rate * n - 1e-9) if rounding == "ceil" else js_round(rate * n)
    return min(n, max(1, k))


def finish_units(row, units):
    rename, word_unit, nxt = {}, {}, 0
    for t in range(row.T):
        if not row.maskable[t]:
            units[t] = -1
            continue
        raw = units[t]
        table, key = (rename, raw) if raw >= 0 else (word_unit, row.word_of[t])
        if key not in table:
            table[key] = nxt
            nxt += 1
        units[t] = table[key]


def run_units(row, selected, units):
    run, next_run = -1, 0
    for t in range(row.T):
        if selected[t]:
            if t == 0 or not selected[t - 1]:
                run = next_run
                next_run += 1
            units[t] = run
        else:
            units[t] = -1
    finish_units(row, units)


# ----------------------------------------------------------------------------------------------------- strategies
def _token_units(row, units):
    for t in row.candidates:
        units[t] = t
    finish_units(row, units)


def select_random(row, sel, units, env):
    p = env.params
    if p["counting"] == "bernoulli":
        for t in row.candidates:
            if env.rng.float() < env.rate:
                sel[t] = 1
    else:
        order = env.rng.shuffle(list(row.candidates))
        n = row.n
        if p.get("countSpecials"):
            n += sum(1 for t in range(row.T) if row.valid[t] and not row.maskable[t])
        k = min(budget(env.rate, n), env.capacity, row.n)
        for i in range(k):
            sel[order[i]] = 1
    _token_units(row, units)


def select_whole_word(row, sel, units, env):
    k = min(budget(env.rate, row.n), env.capacity)
    order = env.rng.permutation(len(row.words))
    count = 0
    for i in range(len(order)):
        if count >= k:
            break
        start, end = row.words[order[i]]
        if count + end - start > k:
            continue
        for t in range(start, end):
            sel[t] = 1
        count += end - start
    finish_units(row, units)


def select_span(row, sel, units, env):
    k = min(budget(env.rate, row.n, "ceil"), env.capacity)
    law = env.tables["span_length"]
    count = 0
    while count < k:
        length = law.draw(env.rng) + 1
        anchor = row.candidates[env.rng.int(row.n)]
        while sel[anchor]:
            anchor = row.candidates[env.rng.int(row.n)]
        w = row.word_of[anchor]
        taken = 0
        while taken < length and count < k:
            if w >= len(row.words):
                break
            if taken > 0 and row.words[w - 1][1] != row.words[w][0]:
                break
            start, end = row.words[w]
            t = start
            while t < end and count < k:
                if not sel[t]:
                    sel[t] = 1
                    count += 1
                t += 1
            taken += 1
            w += 1
    run_units(row, sel, units)


def select_ngram(row, sel, units, env):
    k = min(budget(env.rate, row.n), env.capacity)
    max_n = env.params["maxN"]
    words = row.words
    W = len(words)
    covered = [0] * W
    order = env.rng.permutation(W)
    count = unit = 0
    for i in range(len(order)):
        if count >= k:
            break
        start = order[i]
        avail = 1
        while avail < max_n and start + avail < W and words[start + avail - 1][1] == words[start + avail][0]:
            avail += 1
        if covered[start]:
            continue
        n = inverse_n_law(avail).draw(env.rng) + 1

        def pieces(m):
            return words[start + m - 1][1] - words[start][0]

        def clashes(m):
            return any(covered[w] for w in range(start, start + m))

        # As ALBERT: shorter n while the n-gram overflows the budget; skipped if it still does or overlaps a chosen one.
        while n > 1 and count + pieces(n) > k:
            n -= 1
        if count + pieces(n) > k or clashes(n):
            continue
        for w in range(start, start + n):
            covered[w] = 1
            for t in range(words[w][0], words[w][1]):
                sel[t] = 1
                units[t] = unit
        unit += 1
        count += pieces(n)
    finish_units(row, units)


def segment_row(row, lexicon_keys, max_n, rng):
    """src/masking/pmiLexicon.ts segmentRow: longest lexicon match wins, overlaps taken in random order."""
    W = len(row.words)
    keys = [",".join(str(row.ids[t]) for t in range(s, e)) for s, e in row.words]
    matches = []
    for i in range(W):
        key = keys[i]
        n = 2
        while n <= max_n and i + n <= W:
            if row.words[i + n - 2][1] != row.words[i + n - 1][0]:
                break
            key += " " + keys[i + n - 1]
            if key in lexicon_keys:
                matches.append((i, i + n))
            n += 1
    outer = [m for j, m in enumerate(matches)
             if not any(o_j != j and o[0] <= m[0] and m[1] <= o[1] and o[1] - o[0] > m[1] - m[0]
                        for o_j, o in enumerate(matches))]
    rng.shuffle(outer)
    owner = [-1] * W
    chosen = []
    for m in outer:
        if any(owner[w] >= 0 for w in range(m[0], m[1])):
            continue
        for w in range(m[0], m[1]):
            owner[w] = len(chosen)
        chosen.append(m)
    out = []
    w = 0
    while w < W:
        if owner[w] >= 0:
            m = chosen[owner[w]]
            out.append(m)
            w = m[1]
        else:
            out.append((w, w + 1))
            w += 1
    return out


def select_pmi(row, sel, units, env):
    lex = env.tables["lexicon"]
    segs = segment_row(row, lex["keys"], lex["maxN"], env.rng)
    k = min(budget(env.rate, row.n), env.capacity)
    order = env.rng.permutation(len(segs))
    count = 0
    for i in range(len(order)):
        if count >= k:
            break
        a, b = segs[order[i]]
        lo, hi = row.words[a][0], row.words[b - 1][1]
        if count + hi - lo > k:
            continue
        for t in range(lo, hi):
            sel[t] = 1
        count += hi - lo
    for i, (a, b) in enumerate(segs):
        for t in range(row.words[a][0], row.words[b - 1][1]):
            units[t] = i
    finish_units(row, units)


def informative_probabilities(weights, counts, rate, cache):
    """src/masking/strategies/informative.ts informativeProbabilities over the exported weights."""
    key = rate
    if key in cache:
        return cache[key]
    total = 0.0
    for c in counts:
        total += max(0.0, c)

    def mean_at(s):
        m = 0.0
        for i in range(len(weights)):
            m += max(0.0, counts[i]) * min(1.0, s * rate * weights[i])
        return m / total if total > 0 else min(1.0, s * rate)

    lo = hi = 1.0
    if rate > 0 and mean_at(1.0) < rate - 1e-12:
        while mean_at(hi) < rate - 1e-12 and hi < 1e9:
            hi *= 2
        for _ in range(60):
            mid = (lo + hi) / 2
            if mean_at(mid) < rate:
                lo = mid
            else:
                hi = mid
    p = [1.0 if rate >= 1 else min(1.0, hi * rate * w) for w in weights]
    if len(cache) > 64:
        cache.clear()
    cache[key] = p
    return p


def select_informative(row, sel, units, env):
    w = env.tables["information_weights"]
    if env.params["counting"] == "bernoulli":
        prob = informative_probabilities(w, env.tables["unigram_counts"], env.rate, env.tables["prob_cache"])
        for t in row.candidates:
            if env.rng.float() < prob[row.ids[t]]:
                sel[t] = 1
    else:
        k = min(budget(env.rate, row.n), env.capacity)
        keyed = [(t, math.log(env.rng.float() + 1e-300) / w[row.ids[t]]) for t in row.candidates]
        keyed.sort(key=lambda x: (-x[1], x[0]))
        for i in range(k):
            sel[keyed[i][0]] = 1
    _token_units(row, units)


class TokenLossEma:
    """Per-vocabulary-id moving average of the training loss (src/masking/strategies/hard.ts)."""

    def __init__(self, size, decay=0.99):
        self.size, self.decay = size, decay
        self.values = [0.0] * size
        self.seen = [0] * size
        self.total = 0.0
        self.seen_count = 0

    def update(self, ids, losses):
        for tok, loss in zip(ids, losses):
            if tok < 0 or tok >= self.size or not math.isfinite(loss):
                continue
            old = self.values[tok]
            if self.seen[tok]:
                self.values[tok] = self.decay * old + (1 - self.decay) * loss
                self.total += self.values[tok] - old
            else:
                self.seen[tok] = 1
                self.seen_count += 1
                self.values[tok] = loss
                self.total += loss

    def score(self, tok):
        if 0 <= tok < self.size and self.seen[tok]:
            return self.values[tok]
        return self.total / self.seen_count if self.seen_count else 0.0


def hard_share(max_hard, ramp_end, progress):
    return max_hard * min(1.0, max(0.0, progress) / ramp_end)


def select_hard(row, sel, units, env):
    if env.hardness is None:
        raise ValueError("hard strategy: pass a TokenLossEma (the model's per-token losses) to the collator")
    k = min(budget(env.rate, row.n), env.capacity)
    share = hard_share(env.params["maxHard"], env.params["rampEnd"], env.progress)
    n_hard = js_round(share * k)
    order = env.rng.shuffle(list(row.candidates))
    scored = sorted(((t, env.hardness.score(row.ids[t]), i) for i, t in enumerate(order)), key=lambda x: (-x[1], x[2]))
    for i in range(n_hard):
        sel[scored[i][0]] = 1
    count = n_hard
    i = 0
    while i < len(order) and count < k:
        if not sel[order[i]]:
            sel[order[i]] = 1
            count += 1
        i += 1
    _token_units(row, units)


STRATEGIES = {
    "random": select_random, "whole-word": select_whole_word, "span": select_span, "ngram": select_ngram,
    "pmi": select_pmi, "informative": select_informative, "hard": select_hard,
}
SPLIT_PER_UNIT = ("span", "pmi")


def scheduled_rate(schedule, constant_rate, progress):
    t = min(1.0, max(0.0, progress))
    start, end = schedule["start"], schedule["end"]
    if schedule["kind"] == "linear":
        return start + (end - start) * t
    if schedule["kind"] == "cosine":
        return end + ((start - end) * (1 + math.cos(math.pi * t))) / 2
    return constant_rate

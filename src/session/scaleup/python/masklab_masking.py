"""MaskLab's masking in Python: the same seeded RNG (xoshiro128** through splitmix32, src/data/rng.ts), the same
batch order (src/data/batching.ts) and the same strategies, rate schedules and objectives (src/masking/), so a
batch built here from the same seed, step and sequences is bit for bit the one MaskLab trained on.

Standard library only: torch is used only when present (MaskLabCollator.torch_batch), so test_masking.py runs on
any python3. Covered: strategies random, whole-word, span, ngram, pmi (with the exported lexicon), informative and
hard (over the per-token losses you feed it); rate schedules constant, linear, cosine; static masks; objectives
mlm, slm, rts, shuffle and electra (its masks and generator targets; the generator's samples are drawn by the
model, in train.py, not here). Objectives whose heads transformers lacks (first-char, char-n, sbo, meap, position)
are refused with a message.
"""
import json
import os
import struct

from masklab_rng import (  # noqa: F401
    CLS, MASK, PAD, SEP, UNK, Categorical, ReplacementSampler, Rng, hash_tokens, sample_uniform,
)
from masklab_strategies import (  # noqa: F401
    SPLIT_PER_UNIT, STRATEGIES, Row, TokenLossEma, finish_units, scheduled_rate, segment_row,
)

UNTOUCHED, MASKED, REPLACED, KEPT = 0, 1, 2, 3
EXPORTABLE_OBJECTIVES = ("mlm", "slm", "rts", "shuffle", "electra")


# ----------------------------------------------------------------------------------------------------- objectives
def corrupt_with_split(row, sel, units, inp, tags, split, per, sampler, rng):
    choice = {}
    for t in range(row.T):
        if not sel[t]:
            continue
        if per == "unit":
            if units[t] not in choice:
                choice[units[t]] = rng.float()
            u = choice[units[t]]
        else:
            u = rng.float()
        if u < split[0]:
            inp[t] = MASK
            tags[t] = MASKED
        elif u < split[0] + split[1]:
            inp[t] = sampler.draw(rng, row.ids[t])
            tags[t] = KEPT if inp[t] == row.ids[t] else REPLACED
        else:
            tags[t] = KEPT


def _truncate(sel, capacity, rng):
    pos = [t for t in range(len(sel)) if sel[t]]
    if len(pos) <= capacity:
        return 0
    rng.shuffle(pos)
    for j in range(capacity, len(pos)):
        sel[pos[j]] = 0
    return len(pos) - capacity


class _Env:
    pass


class MaskingSpec:
    """masking.json: the resolved MaskLab masking of one experiment and the tables it needs (vocabulary, lexicon)."""

    def __init__(self, spec):
        self.spec = spec
        self.strategy = spec["strategy"]
        self.objective = spec["objective"]
        if self.objective not in EXPORTABLE_OBJECTIVES:
            raise ValueError("objective %r cannot be exported: transformers has no model for its head (exportable: %s)"
                             % (self.objective, ", ".join(EXPORTABLE_OBJECTIVES)))
        if self.strategy not in STRATEGIES:
            raise ValueError("unknown strategy %r" % self.strategy)
        self.sp = spec["strategy_params"]
        self.op = spec["objective_params"]
        self.V = spec["vocab_size"]
        self.special = [0] * self.V
        for i in (PAD, UNK, CLS, SEP, MASK):
            self.special[i] = 1
        counts = spec.get("unigram_counts")
        self.tables = {"unigram_counts": counts, "prob_cache": {}}
        if spec.get("span_length_cdf"):
            self.tables["span_length"] = Categorical(cdf=spec["span_length_cdf"])
        if spec.get("information_weights"):
            self.tables["information_weights"] = spec["information_weights"]
        if spec.get("lexicon"):
            self.tables["lexicon"] = {"keys": set(spec["lexicon"]["keys"]), "maxN": spec["lexicon"]["maxN"]}
        law = self.sp.get("replacement", "uniform")
        if self.strategy == "span":
            law = "uniform" if law == "uniform" else "unigram"
        self.replacement = ReplacementSampler(self.V, self.special, law, counts)
        self.uniform = ReplacementSampler(self.V, self.special, "uniform")
        self.capacity = spec["capacity"]
        self.selection_capacity = spec["selection_capacity"]

    def rate_at(self, progress):
        return scheduled_rate(self.spec["schedule"], self.sp["rate"], progress)

    def apply(self, ids, word_ids, valid, B, T, rng, progress=0.0, hardness=None):
        """applyMasking for a batch given as flat lists (B*T); returns a dict of flat lists."""
        rate = self.rate_at(progress)
        inp = list(ids)
        tags = [0] * (B * T)
        selected = [0] * (B * T)
        units = [-1] * (B * T)
        truncated = 0
        split = (self.sp["maskFrac"], self.sp["randomFrac"], max(0.0, 1 - self.sp["maskFrac"] - self.sp["randomFrac"]))
        per = "unit" if self.strategy in SPLIT_PER_UNIT else "token"
        select = STRATEGIES[self.strategy]
        for b in range(B):
            lo, hi = b * T, (b + 1) * T
            r_ids, r_valid = ids[lo:hi], valid[lo:hi]
            row_rng = Rng.create(self.spec.get("static_seed", 0), "static-mask", hash_tokens(r_ids, r_valid)) \
                if self.spec.get("static_masks") else rng
            row = Row(r_ids, word_ids[lo:hi], r_valid, self.special)
            sel = [0] * T
            unt = [-1] * T
            if row.n > 0:
                env = _Env()
                env.rng, env.rate, env.params, env.capacity = row_rng, rate, self.sp, self.selection_capacity
                env.progress, env.tables, env.hardness = progress, self.tables, hardness
                select(row, sel, unt, env)
                truncated += _truncate(sel, self.selection_capacity, row_rng)
            r_inp, r_tags = inp[lo:hi], [0] * T
            o = self.objective
            if o == "mlm":
                corrupt_with_split(row, sel, unt, r_inp, r_tags, split, per, self.replacement, row_rng)
            elif o in ("slm", "rts"):
                sampler = self.replacement if o == "slm" else self.uniform
                corrupt_with_split(row, sel, unt, r_inp, r_tags, (0, 1, 0), per, sampler, row_rng)
            elif o == "electra":
                m = self.op["maskFrac"]
                corrupt_with_split(row, sel, unt, r_inp, r_tags, (m, 0, 1 - m), "token", self.replacement, row_rng)
            elif o == "shuffle":
                # Yamaguchi et al.'s collator: a permutation of the row; a selected position takes the token the
                # permutation brings there unless that is a special token or padding.
                perm = row_rng.permutation(T)
                for t in range(T):
                    if not sel[t]:
                        continue
                    if row.maskable[perm[t]]:
                        r_inp[t] = r_ids[perm[t]]
                    r_tags[t] = KEPT if r_inp[t] == r_ids[t] else REPLACED
            inp[lo:hi], tags[lo:hi], selected[lo:hi], units[lo:hi] = r_inp, r_tags, sel, unt
        out = {"input_ids": inp, "original_ids": list(ids), "attention_mask": list(valid), "selected": selected,
               "tags": tags, "units": units, "rate": rate, "truncated": truncated, "B": B, "T": T}
        if self.objective in ("mlm", "slm", "electra"):
            for b in range(B):
                if sum(selected[b * T:(b + 1) * T]) > self.capacity:
                    raise ValueError("row %d has more targets than the capacity %d" % (b, self.capacity))
            out["labels"] = [ids[i] if selected[i] else -100 for i in range(B * T)]
        elif self.objective == "shuffle":
            out["labels"] = [selected[i] if valid[i] else -100 for i in range(B * T)]  # every picked position is 1
        else:
            out["labels"] = [(1 if inp[i] != ids[i] else 0) if valid[i] else -100 for i in range(B * T)]
        return out


# ---------------------------------------------------------------------------------------------------------- data
def read_safetensors(path):
    """The tensors of a safetensors file as (shape, flat list) with the standard library (I32 and F32 only)."""
    import array
    import sys
    with open(path, "rb") as f:
        data = f.read()
    (hlen,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + hlen].decode("utf-8"))
    base = 8 + hlen
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        a, b = e["data_offsets"]
        code = {"I32": "i", "F32": "f"}[e["dtype"]]
        arr = array.array(code)
        arr.frombytes(data[base + a:base + b])
        if sys.byteorder != "little":
            arr.byteswap()
        out[name] = (e["shape"], arr.tolist())
    return out


class SequenceSet:
    """Packed sequences of length T: ids, word ids and valid flags, flat row-major (src/data/batching.ts)."""

    def __init__(self, path):
        t = read_safetensors(path)
        (self.count, self.T), self.ids = t["ids"]
        self.word_ids = t["word_ids"][1]
        lengths = t["lengths"][1]
        self.valid = []
        for s in range(self.count):
            self.valid += [1] * lengths[s] + [0] * (self.T - lengths[s])

    def rows(self, rows, B):
        """A batch of B rows (rows past the list are [PAD], valid 0), as fillBatch builds it."""
        T = self.T
        ids, word_ids, valid = [], [], []
        for b in range(B):
            if b < len(rows):
                s = rows[b] * T
                ids += self.ids[s:s + T]
                word_ids += self.word_ids[s:s + T]
                valid += self.valid[s:s + T]
            else:
                ids += [PAD] * T
                word_ids += [-1] * T
                valid += [0] * T
        return ids, word_ids, valid


class BatchOrder:
    """Each epoch a permutation Rng.create(seed, 'data-order', epoch) of the sequences, cut into floor(count/B)."""

    def __init__(self, count, B, seed):
        if count < B:
            raise ValueError("only %d training sequences, fewer than the batch size %d" % (count, B))
        self.count, self.B, self.seed = count, B, seed
        self.per_epoch = count // B
        self._epoch, self._perm = -1, []

    def rows_at(self, step):
        epoch = step // self.per_epoch
        if epoch != self._epoch:
            self._perm = Rng.create(self.seed, "data-order", epoch).permutation(self.count)
            self._epoch = epoch
        k = step % self.per_epoch
        return self._perm[k * self.B:(k + 1) * self.B]


class MaskLabCollator:
    """The MaskLab batch of any training step, and the fixed held-out evaluation batches.

    collator = MaskLabCollator('.')            # the bundle folder (masking.json, data/)
    batch = collator.batch(step)               # dict of flat lists: input_ids, labels, attention_mask, ...
    collator(examples)                         # DataCollatorForLanguageModeling style: a list of
                                               # {'input_ids', 'word_ids', 'attention_mask'}, masked for
                                               # collator.step (set it before each batch)
    """

    def __init__(self, folder=".", hardness=None):
        with open(os.path.join(folder, "masking.json"), encoding="utf-8") as f:
            self.spec_json = json.load(f)
        self.masking = MaskingSpec(self.spec_json["masking"])
        self.eval_masking = MaskingSpec(self.spec_json["eval"]["masking"])
        self.seed = self.spec_json["seed"]
        self.steps = self.spec_json["steps"]
        self.B = self.spec_json["batch_size"]
        self.folder = folder
        self.step = 0
        if self.masking.strategy == "hard" and hardness is None:
            hardness = TokenLossEma(self.masking.V, self.masking.sp["emaDecay"])
        self.hardness = hardness
        self._train = None
        self._held = None
        self._order = None

    @property
    def train(self):
        if self._train is None:
            self._train = SequenceSet(os.path.join(self.folder, "data", "train.safetensors"))
        return self._train

    @property
    def held_out(self):
        if self._held is None:
            self._held = SequenceSet(os.path.join(self.folder, "data", "heldout.safetensors"))
        return self._held

    def progress(self, step):
        return step / max(1, self.steps)

    def rows_at(self, step):
        if self._order is None:
            self._order = BatchOrder(self.train.count, self.B, self.seed)
        return self._order.rows_at(step)

    def mask(self, ids, word_ids, valid, B, step):
        T = len(ids) // B
        rng = Rng.create(self.seed, "mask", step)
        return self.masking.apply(ids, word_ids, valid, B, T, rng, self.progress(step), self.hardness)

    def batch(self, step):
        rows = self.rows_at(step)
        ids, word_ids, valid = self.train.rows(rows, self.B)
        out = self.mask(ids, word_ids, valid, self.B, step)
        out["rows"] = list(rows)
        return out

    def __call__(self, examples):
        ids, word_ids, valid = [], [], []
        for e in examples:
            ids += list(e["input_ids"])
            word_ids += list(e.get("word_ids", [-1] * len(e["input_ids"])))
            valid += list(e.get("attention_mask", [1] * len(e["input_ids"])))
        return self.torch_batch(self.mask(ids, word_ids, valid, len(examples), self.step), len(examples))

    def eval_batches(self):
        """The fixed held-out masks every MaskLab run of this experiment is evaluated on."""
        ev = self.spec_json["eval"]
        B, held = ev["batch_size"], self.held_out
        out = []
        for i, s in enumerate(range(0, held.count, B)):
            if i >= ev["max_batches"]:
                break
            ids, word_ids, valid = held.rows(list(range(s, min(held.count, s + B))), B)
            # A hard strategy gets an empty score table at progress 0 (random masks, the same for every run).
            hard = TokenLossEma(self.eval_masking.V) if self.eval_masking.strategy == "hard" else None
            out.append(self.eval_masking.apply(ids, word_ids, valid, B, held.T, Rng.create(ev["seed"], i), 0.0, hard))
        return out

    @staticmethod
    def torch_batch(b, B):
        """The batch as torch tensors of shape (B, T) when torch is installed (the plain dict otherwise)."""
        try:
            import torch
        except ImportError:
            return b
        out = {}
        for k in ("input_ids", "original_ids", "attention_mask", "labels", "selected", "tags"):
            out[k] = torch.tensor(b[k], dtype=torch.long).view(B, -1)
        out["rate"] = b["rate"]
        return out

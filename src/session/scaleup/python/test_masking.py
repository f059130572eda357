"""Checks, with the standard library only, that masklab_masking.py rebuilds every batch in golden/ exactly: the
batch order (which sequences), the corrupted input ids, the labels, the selection, tags and units, the rate.

    python3 test_masking.py          # from the bundle folder; exit status 0 when every golden batch matches
"""
import glob
import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import masklab_masking as mm  # noqa: E402

FIELDS = ("input_ids", "original_ids", "attention_mask", "selected", "tags", "units", "labels")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b)) if len(a) != len(b) else -1


class GoldenBatches(unittest.TestCase):
    def setUp(self):
        self.files = sorted(glob.glob(os.path.join(HERE, "golden", "step_*.json")))
        self.assertTrue(self.files, "no golden/step_*.json next to test_masking.py")

    def check(self, name, want, got):
        for key in FIELDS:
            i = first_difference(want[key], got[key])
            self.assertEqual(i, -1, "%s: %s differs first at flat index %d (MaskLab %r, Python %r)"
                             % (name, key, i, want[key][i] if i < len(want[key]) else None,
                                got[key][i] if i < len(got[key]) else None))
        self.assertEqual(want["rate"], got["rate"], "%s: masking rate" % name)
        self.assertEqual(want["truncated"], got["truncated"], "%s: truncated selections" % name)

    def test_training_steps(self):
        for path in self.files:
            want = load(path)
            collator = mm.MaskLabCollator(HERE)
            self.assertEqual(collator.seed, want["seed"])
            if collator.hardness is not None:
                # Hard tokens: replay the per-token losses MaskLab fed its score table before this step.
                for u in want.get("hardness_updates", []) if want["step"] > 0 else []:
                    collator.hardness.update(u["ids"], u["losses"])
            got = collator.batch(want["step"])
            name = os.path.basename(path)
            self.assertEqual(want["rows"], got["rows"], "%s: batch order (sequence indices)" % name)
            ids, word_ids, _ = collator.train.rows(got["rows"], collator.B)
            self.assertEqual(want["word_ids"], word_ids, "%s: word ids of the packed sequences" % name)
            self.check(name, want, got)

    def test_learning_rate_schedule(self):
        # train.py's schedule against the learning rate MaskLab's trainer used at each golden step.
        import train  # imports torch and transformers only inside main()
        exp = load(os.path.join(HERE, "experiment.json"))
        for path in self.files:
            want = load(path)
            self.assertEqual(train.lr_at(exp["config"]["train"], want["step"]), want["lr"], os.path.basename(path))

    def test_evaluation_masks(self):
        path = os.path.join(HERE, "golden", "eval_000000.json")
        self.assertTrue(os.path.exists(path), "no golden/eval_000000.json")
        want = load(path)
        got = mm.MaskLabCollator(HERE).eval_batches()[0]
        self.check("eval_000000.json", want, got)

    def test_rng_matches_masklab(self):
        # Raw draws of MaskLab's src/data/rng.ts for several seeds and keys (numbers, negative, large, strings).
        ref = load(os.path.join(HERE, "golden", "rng.json"))
        for case in ref["cases"]:
            rng = mm.Rng.create(*case["keys"])
            self.assertEqual([rng.u32() for _ in range(len(case["u32"]))], case["u32"], "Rng.from%r" % (case["keys"],))

    def test_electra_sampler_uniforms(self):
        # The uniforms of ELECTRA's sampler (seed, step, target slot, id) as MaskLab's shaders/electra.wgsl draws
        # them; train.py computes the same hash with torch on the device.
        ref = load(os.path.join(HERE, "golden", "rng.json"))
        for c in ref["electra_uniform"]:
            self.assertEqual(mm.sample_uniform(c["seed"], c["step"], c["m"], c["v"]), c["u"], repr(c))


if __name__ == "__main__":
    unittest.main(verbosity=2)

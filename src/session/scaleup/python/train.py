"""Trains the exported MaskLab experiment with Hugging Face Transformers and Accelerate, on one GPU, on N GPUs of
one machine or on several machines, with MaskLab's batches and masks (masklab_masking.py), its optimizer and
schedule, and its fixed held-out evaluation. See README.md for the commands.

    python train.py                                  # one GPU (or the CPU)
    accelerate launch --num_processes 8 train.py     # 8 GPUs; the global batch stays MaskLab's
    torchrun --nproc_per_node 8 train.py             # the same with torchrun

Writes OUT/metrics.csv, OUT/metrics.jsonl and OUT/masklab-runs.json (import it in MaskLab's Runs panel: Import
JSON) and the final model in OUT/model/.
"""
import argparse
import contextlib
import json
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from masklab_masking import MaskLabCollator  # noqa: E402


def lr_at(train, step):
    """MaskLab's learning rate at 0-based step (src/engine/schedule.ts): linear warmup, then constant/linear/cosine."""
    lr, warmup, total = train["lr"], min(train["warmup"], train["steps"]), train["steps"]
    if warmup > 0 and step < warmup:
        return lr * (step + 1) / warmup
    if train["decay"] == "constant":
        return lr
    span = max(1, total - warmup)
    p = min(1.0, max(0.0, (step - warmup) / span))
    low = lr * train["minLrRatio"]
    if train["decay"] == "linear":
        return low + (lr - low) * (1 - p)
    return low + (lr - low) * 0.5 * (1 + math.cos(math.pi * p))


def split_batch(B, world, per_device=None):
    """(per-device batch, gradient-accumulation steps) that keep MaskLab's global batch B on `world` processes."""
    if per_device is None:
        if B % world:
            raise SystemExit("the global batch %d does not split over %d processes: pass --per-device-batch" % (B, world))
        per_device = B // world
    if B % (per_device * world):
        raise SystemExit("--per-device-batch %d x %d processes does not divide the global batch %d" % (per_device, world, B))
    return per_device, B // (per_device * world)


def parse_args(exp):
    t = exp["config"]["train"]
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=t["steps"], help="training steps (MaskLab's: %(default)s)")
    p.add_argument("--per-device-batch", type=int, default=None, help="rows per device and micro-step (default: global/processes)")
    p.add_argument("--eval-every", type=int, default=t["evalEvery"])
    p.add_argument("--mixed-precision", choices=("no", "fp16", "bf16"), default="no", help="fp32 by default, as MaskLab")
    p.add_argument("--init", choices=("masklab", "trained"), default="masklab",
                   help="masklab: MaskLab's initial weights (step 0); trained: the run's weights under trained/")
    p.add_argument("--out", default=os.path.join(HERE, "runs", time.strftime("%Y%m%d-%H%M%S")))
    p.add_argument("--check-golden", action="store_true", help="only compare the step-0 loss with golden/ and exit")
    return p.parse_args()


def main():
    import torch
    import torch.nn.functional as F
    from accelerate import Accelerator
    from transformers import BertForMaskedLM, ElectraForMaskedLM, ElectraForPreTraining

    with open(os.path.join(HERE, "experiment.json"), encoding="utf-8") as f:
        exp = json.load(f)
    args = parse_args(exp)
    cfg, train = exp["config"], dict(exp["config"]["train"])
    objective = cfg["masking"]["objective"]
    acc = Accelerator(mixed_precision=args.mixed_precision)
    dev = acc.device
    per_device, accum = split_batch(train["B"], acc.num_processes, args.per_device_batch)
    collator = MaskLabCollator(HERE)
    collator.steps = train["steps"]  # masking progress (schedules, hard ramp) stays MaskLab's t / T

    root = os.path.join(HERE, "trained") if args.init == "trained" else HERE
    if objective in ("mlm", "slm"):
        model = BertForMaskedLM.from_pretrained(root)
        generator = None
    else:
        model = ElectraForPreTraining.from_pretrained(root)
        # A kept ELECTRA run holds its discriminator only: the generator then starts from MaskLab's initial weights.
        gen_dir = os.path.join(root, "generator") if os.path.isdir(os.path.join(root, "generator")) else os.path.join(HERE, "generator")
        generator = ElectraForMaskedLM.from_pretrained(gen_dir) if objective == "electra" else None
    if generator is not None:
        # One set of embeddings for both networks (MaskLab shares them), and the generator's head tied to it.
        generator.electra.embeddings = model.electra.embeddings
        generator.generator_lm_head.weight = model.electra.embeddings.word_embeddings.weight
    disc_weight = cfg["masking"].get("objectiveParams", {}).get("discWeight", 50) if objective == "electra" else 1

    class Pretrainer(torch.nn.Module):
        """Both networks in one module, so DDP wraps (and all-reduces) everything through one forward."""

        def __init__(self):
            super().__init__()
            self.model, self.generator = model, generator
            self.sample = torch.Generator(device="cpu").manual_seed(int(cfg["seed"]))

        def forward(self, ids, mask, labels, orig):
            """Per-position losses: (B, T) cross-entropy at targets (vocabulary heads), or for binary heads the
            per-token binary loss with, for ELECTRA, the generator's cross-entropy at the masked positions."""
            if self.generator is None and objective in ("mlm", "slm"):
                logits = self.model(input_ids=ids, attention_mask=mask).logits.float()
                ce = F.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1), ignore_index=-100, reduction="none")
                hit = (logits.argmax(-1) == labels) & (labels != -100)
                return ce.view(labels.shape), None, hit
            disc_in, disc_labels, gen_ce = ids, labels.clamp(min=0).float(), None
            if self.generator is not None:
                g = self.generator(input_ids=ids, attention_mask=mask).logits.float()
                gen_ce = F.cross_entropy(g.view(-1, g.size(-1)), labels.view(-1), ignore_index=-100, reduction="none").view(labels.shape)
                with torch.no_grad():  # Gumbel-max sample at the masked positions, written into the original sequence
                    u = torch.rand(g.shape, generator=self.sample).to(g.device).clamp_(1e-9, 1 - 1e-9)
                    sample = (g - torch.log(-torch.log(u))).argmax(-1)
                    disc_in = torch.where(labels >= 0, sample, orig)
                    disc_labels = (disc_in != orig).float()
            logits = self.model(input_ids=disc_in, attention_mask=mask).logits.float()
            bce = F.binary_cross_entropy_with_logits(logits, disc_labels, reduction="none") * mask
            hit = ((logits > 0).float() == disc_labels) & (mask > 0)
            return bce, gen_ce, hit

    net = Pretrainer()
    named = list(dict(net.named_parameters()).items())
    groups = [
        {"params": [p for _, p in named if p.ndim == 2], "weight_decay": train["weightDecay"]},  # matrices only
        {"params": [p for _, p in named if p.ndim != 2], "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=train["lr"], betas=(0.9, 0.999), eps=1e-8)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_at(train, s) / train["lr"])
    wrapped, opt = acc.prepare(net, opt)
    T = collator.train.T

    def tensors(b, rows):
        return [torch.tensor(b[k], dtype=torch.long).view(-1, T)[rows].to(dev)
                for k in ("input_ids", "attention_mask", "labels", "original_ids")]

    def step_loss(module, b, rows, n_targets, n_tokens):
        """The loss of rows `rows` of a batch as MaskLab defines it: sums over the whole batch's denominators."""
        ids, mask, labels, orig = tensors(b, rows)
        per, gen_ce, hit = module(ids, mask, labels, orig)
        if objective in ("mlm", "slm"):
            return per.sum() / n_targets, per, labels, hit
        loss = disc_weight * per.sum() / n_tokens
        if gen_ce is not None:
            loss = loss + gen_ce.sum() / n_targets
        return loss, per, labels, hit

    def counts(b):
        return max(1, sum(1 for x in b["labels"] if x != -100)), max(1, sum(b["attention_mask"]))

    golden = os.path.join(HERE, "golden", "step_000000.json")
    if os.path.exists(golden) and args.init == "masklab":
        with open(golden, encoding="utf-8") as f:
            g = json.load(f)
        plain = acc.unwrap_model(wrapped)
        with torch.no_grad():
            n_t, n_v = counts(g)
            if objective == "electra":  # MaskLab's golden ELECTRA loss is the generator's MLM part (no sampling)
                ids, mask, labels, orig = tensors(g, slice(None))
                got = float(plain(ids, mask, labels, orig)[1].sum() / n_t)
            else:
                got = float(step_loss(plain, g, slice(None), n_t, n_v)[0])
        acc.print("step-0 loss on golden/step_000000.json: %.6f (MaskLab %.6f, |diff| %.2e)" % (got, g["loss"], abs(got - g["loss"])))
        if args.check_golden:
            sys.exit(0 if abs(got - g["loss"]) <= 1e-4 else 1)

    os.makedirs(args.out, exist_ok=True)
    rows_out, evals = [], []
    eval_batches = collator.eval_batches()
    plain = acc.unwrap_model(wrapped)

    def evaluate(step):
        """The fixed held-out masks: mean loss over all their targets (binary heads: tokens), top-1 accuracy."""
        plain.eval()
        tot = hits = n = 0.0
        with torch.no_grad():
            for e in eval_batches:
                n_t, n_v = counts(e)
                loss, per, labels, hit = step_loss(plain, e, slice(None), n_t, n_v)
                k = n_t if objective in ("mlm", "slm") else n_v
                tot, hits, n = tot + float(loss) * k, hits + float(hit.sum()), n + k
        plain.train()
        evals.append({"step": step, "loss": tot / max(1, n), "accuracy": hits / max(1, n)})
        acc.print("held-out at step %d: loss %.4f, accuracy %.1f%%" % (step, evals[-1]["loss"], 100 * evals[-1]["accuracy"]))

    if acc.is_main_process:
        evaluate(0)
    t0 = time.time()
    rank, span = acc.process_index, per_device * accum
    for step in range(args.steps):
        b = collator.batch(step)
        n_targets, n_tokens = counts(b)
        total = torch.zeros((), device=dev)
        mine = list(range(rank * span, (rank + 1) * span))
        for k in range(accum):
            rows = mine[k * per_device:(k + 1) * per_device]
            ctx = acc.no_sync(wrapped) if k < accum - 1 else contextlib.nullcontext()
            with ctx:
                loss, per, labels, _ = step_loss(wrapped, b, rows, n_targets, n_tokens)
                # DDP averages gradients over processes: scale back to MaskLab's sum over the global batch.
                acc.backward(loss * acc.num_processes)
            total += loss.detach()
            if collator.hardness is not None:
                # Hard tokens: every process feeds the same per-token losses (gathered) to its score table.
                orig = tensors(b, rows)[3]
                keep = (labels != -100) if objective in ("mlm", "slm") else (tensors(b, rows)[1] > 0)
                per_all, ids_all, keep_all = acc.gather(per.detach().float()), acc.gather(orig), acc.gather(keep)
                collator.hardness.update(ids_all[keep_all].tolist(), per_all[keep_all].tolist())
        gnorm = acc.clip_grad_norm_(wrapped.parameters(), train["maxGradNorm"]) if train["maxGradNorm"] > 0 else 0.0
        lr = opt.param_groups[0]["lr"]
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        row = {"step": step, "loss": float(acc.reduce(total, "sum")), "lr": lr, "grad_norm": float(gnorm),
               "mask_rate": b["rate"], "tokens": (step + 1) * train["B"] * T, "targets": n_targets}
        rows_out.append(row)
        if step % 10 == 0 or step == args.steps - 1:
            acc.print("step %d/%d  loss %.4f  lr %.2e  |g| %.3f" % (step + 1, args.steps, row["loss"], lr, row["grad_norm"]))
        if acc.is_main_process and (step + 1) % args.eval_every == 0 and step + 1 < args.steps:
            evaluate(step + 1)
        acc.wait_for_everyone()
    seconds = time.time() - t0
    if acc.is_main_process:
        evaluate(args.steps)
        write_metrics(args.out, exp, rows_out, evals, seconds, str(dev), acc.num_processes, args, torch.__version__)
        plain.model.save_pretrained(os.path.join(args.out, "model"))
        if plain.generator is not None:
            plain.generator.save_pretrained(os.path.join(args.out, "model", "generator"))
        acc.print("metrics and model in %s" % args.out)


def write_metrics(out, exp, rows, evals, seconds, device, processes, args, torch_version):
    """metrics.csv / metrics.jsonl, and masklab-runs.json: a MaskLab runs file its Runs panel imports."""
    import csv
    with open(os.path.join(out, "metrics.jsonl"), "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
        for e in evals:
            f.write(json.dumps({"step": e["step"], "eval_loss": e["loss"]}) + "\n")
    with open(os.path.join(out, "metrics.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["step", "loss", "lr", "grad_norm", "mask_rate", "tokens", "targets"])
        w.writeheader()
        w.writerows(rows)
    cfg = dict(exp["config"])
    cfg["train"] = dict(cfg["train"], steps=len(rows))
    m = exp["model"]
    now = int(time.time() * 1000)
    tokens = len(rows) * cfg["train"]["B"] * m["T"]
    record = {
        "id": "python-%d" % now, "name": "%s / %s (Transformers, train.py)" % (cfg["masking"]["strategy"], cfg["masking"]["objective"]),
        "createdAt": now, "updatedAt": now, "config": cfg, "state": "done", "step": len(rows), "totalSteps": len(rows),
        "info": {"V": m["V"], "trainSequences": 0, "heldOutSequences": 0, "params": 0, "dispatchesPerStep": 0,
                 "model": {k: m[k] for k in ("L", "C", "NH", "F", "T")}, "evalTargets": 0,
                 "adapter": "outside the page: PyTorch %s, %s x%d, mixed precision %s" % (torch_version, device, processes, args.mixed_precision)},
        # Training accuracy is not computed here: null (read back as "no value").
        "metrics": [{"step": r["step"], "loss": r["loss"], "accuracy": None, "targets": r["targets"], "gradNorm": r["grad_norm"],
                     "lr": r["lr"], "maskRate": r["mask_rate"]} for r in rows],
        "evals": [{"step": e["step"], "loss": e["loss"], "accuracy": e["accuracy"]} for e in evals],
        "tokensPerS": tokens / max(seconds, 1e-9), "msPerStep": 1000 * seconds / max(1, len(rows)),
        "external": {"tool": "train.py (Transformers + Accelerate)", "device": device, "processes": processes,
                     "mixedPrecision": args.mixed_precision, "link": exp.get("link")},
    }
    with open(os.path.join(out, "masklab-runs.json"), "w", encoding="utf-8") as f:
        json.dump({"format": "masklab-runs", "version": 1, "exportedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                   "runs": [record]}, f, indent=1)


if __name__ == "__main__":
    main()

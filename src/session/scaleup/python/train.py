"""Trains the exported MaskLab experiment with Hugging Face Transformers and Accelerate, on one GPU, on N GPUs of
one machine or on several machines, with MaskLab's batches and masks (masklab_masking.py), its optimizer and
schedule, ELECTRA's sampler and its fixed held-out evaluation. See README.md for the commands.

    python train.py                                  # one GPU (or the CPU)
    accelerate launch --num_processes 8 train.py     # 8 GPUs; the global batch stays MaskLab's
    torchrun --nproc_per_node 8 train.py             # the same with torchrun
    python train.py --init trained                   # continue the run saved under trained/ from its step

Writes OUT/metrics.csv, OUT/metrics.jsonl, OUT/masklab-runs.json (import it in MaskLab's Runs panel: Import
JSON), OUT/summary.json (device, versions, speed, step-0 agreement) and the final model in OUT/model/.
"""
import argparse
import contextlib
import json
import math
import os
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from masklab_masking import MaskLabCollator  # noqa: E402
from masklab_rng import M32, pcg_hash  # noqa: E402


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


def split_batch(B, world, per_device=None, accum=1):
    """(per-device batch, gradient-accumulation steps) that keep MaskLab's global batch B on `world` processes:
    --per-device-batch when given, else Accelerate's gradient_accumulation_steps (`accelerate config`)."""
    if per_device is None:
        if B % (world * accum):
            raise SystemExit("the global batch %d does not split over %d processes x %d accumulation steps: pass "
                             "--per-device-batch" % (B, world, accum))
        per_device = B // (world * accum)
    if per_device < 1 or B % (per_device * world):
        raise SystemExit("--per-device-batch %d x %d processes does not divide the global batch %d" % (per_device, world, B))
    return per_device, B // (per_device * world)


def parse_args(exp):
    t = exp["config"]["train"]
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=t["steps"],
                   help="train until this step (MaskLab's last: %(default)s); the schedule keeps MaskLab's length")
    p.add_argument("--per-device-batch", type=int, default=None,
                   help="rows per device and micro-step (default: global / processes / Accelerate's accumulation steps)")
    p.add_argument("--eval-every", type=int, default=t["evalEvery"])
    p.add_argument("--mixed-precision", choices=("no", "fp16", "bf16"), default=None,
                   help="overrides Accelerate's setting (`accelerate config`, `accelerate launch --mixed_precision`); "
                        "without either, fp32 as MaskLab")
    p.add_argument("--init", choices=("masklab", "trained"), default="masklab",
                   help="masklab: MaskLab's initial weights (step 0); trained: continue the run under trained/")
    p.add_argument("--out", default=os.path.join(HERE, "runs", time.strftime("%Y%m%d-%H%M%S")))
    p.add_argument("--check-golden", action="store_true", help="only compare the step-0 loss with golden/ and exit")
    return p.parse_args()


# ------------------------------------------------------------------------------------------- ELECTRA's sampler
def pcg_hash_t(v):
    """pcg_hash of shaders/electra.wgsl on an int64 tensor of values in [0, 2^32) (products stay below 2^62)."""
    state = (v * 747796405 + 2891336453) & M32
    word = (((state >> ((state >> 28) + 4)) ^ state) * 277803737) & M32
    return (word >> 22) ^ word


def gumbel_sample(torch, logits, slots, seed, step, chunk=1 << 24):
    """MaskLab's ELECTRA sample (shaders/electra.wgsl): for target slot m (row * capacity + k, the k-th target of
    its row) and id v, u = hash(seed, step, m, v) in (0, 1), then argmax of logits - log(-log(u)), ties to the lower
    id. Keyed by the slot of the global batch, so the draws are the same on any number of processes and equal
    MaskLab's (up to near-ties of the f32 scores). On the logits' device, `chunk` uniforms at a time."""
    n, V = logits.shape
    key = pcg_hash((step + pcg_hash(seed)) & M32)
    base = pcg_hash_t((slots.to(torch.int64) + key) & M32)
    ids = torch.arange(V, device=logits.device, dtype=torch.int64)
    out = torch.empty(n, dtype=torch.int64, device=logits.device)
    rows = max(1, chunk // max(1, V))
    for a in range(0, n, rows):
        h = pcg_hash_t((base[a:a + rows, None] + ids[None, :]) & M32)
        u = ((h >> 8).to(torch.float32) + 0.5) * (1.0 / 16777216.0)
        out[a:a + rows] = (logits[a:a + rows].float() - torch.log(-torch.log(u))).argmax(-1)
    return out


# ------------------------------------------------------------------------------------------------ trained state
def read_tensors(torch, path):
    """A safetensors file as {name: tensor} (F32/I32), read with torch alone."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    dtypes = {"F32": torch.float32, "I32": torch.int32}
    out = {}
    for name, e in header.items():
        if name != "__metadata__":
            a, b = e["data_offsets"]
            out[name] = torch.frombuffer(bytearray(data[8 + n + a:8 + n + b]), dtype=dtypes[e["dtype"]]).reshape(e["shape"])
    return out


def load_moments(torch, opt, modules, step):
    """AdamW's moments of a MaskLab checkpoint (trained/optimizer.safetensors, and generator/'s for ELECTRA: exp_avg.*
    and exp_avg_sq.* under each model's own parameter names) into torch's AdamW state, at MaskLab's step."""
    done = set()
    for module, path in modules:
        t = read_tensors(torch, path)
        params = module.state_dict(keep_vars=True)
        for key in t:
            if not key.startswith("exp_avg."):
                continue
            name = key[len("exp_avg."):]
            p = params.get(name)
            if p is None:
                raise SystemExit("%s: the model has no parameter %s" % (path, name))
            if id(p) in done:
                continue
            done.add(id(p))
            opt.state[p] = {"step": torch.tensor(float(step)), "exp_avg": t[key].to(p.dtype).clone(),
                            "exp_avg_sq": t["exp_avg_sq." + name].to(p.dtype).clone()}
    missing = [i for g in opt.param_groups for i, p in enumerate(g["params"]) if id(p) not in done]
    if missing:
        raise SystemExit("trained/: AdamW moments missing for %d parameters" % len(missing))


def starting_point(exp, args):
    """(step to start from, the trained/ folder or None, whether its AdamW moments are there)."""
    if args.init != "trained":
        return 0, None, False
    root = os.path.join(HERE, "trained")
    info = exp.get("trained") or {}
    if not os.path.isfile(os.path.join(root, "config.json")) or "step" not in info:
        raise SystemExit("--init trained: this bundle has no trained/ run (export it from a run with kept weights or "
                         "from a MaskLab checkpoint)")
    return int(info["step"]), root, os.path.isfile(os.path.join(root, "optimizer.safetensors"))


# -------------------------------------------------------------------------------------------------------- models
def load_models(cfg, root):
    """The model (and ELECTRA's generator) from `root`: the bundle (MaskLab's initial weights) or trained/."""
    from transformers import BertForMaskedLM, ElectraForMaskedLM, ElectraForPreTraining
    objective = cfg["masking"]["objective"]
    if objective in ("mlm", "slm"):
        return BertForMaskedLM.from_pretrained(root), None
    model = ElectraForPreTraining.from_pretrained(root)
    if objective != "electra":
        return model, None
    # A run kept as Hugging Face weights holds its discriminator only: its generator then starts from MaskLab's
    # initial weights (a MaskLab checkpoint exports both).
    gen_dir = os.path.join(root, "generator")
    generator = ElectraForMaskedLM.from_pretrained(gen_dir if os.path.isdir(gen_dir) else os.path.join(HERE, "generator"))
    # One set of embeddings for both networks (MaskLab shares them), and the generator's head tied to it.
    generator.electra.embeddings = model.electra.embeddings
    generator.generator_lm_head.weight = model.electra.embeddings.word_embeddings.weight
    # transformers' generator head hard-codes the exact (erf) GELU; MaskLab's uses the config's tanh form
    # (gelu_new) as everywhere else: train MaskLab's function.
    from transformers.activations import ACT2FN
    if hasattr(generator.generator_predictions, "activation"):
        generator.generator_predictions.activation = ACT2FN[generator.config.hidden_act]
    return model, generator


def make_pretrainer(torch, exp, model, generator):
    import torch.nn.functional as F
    cfg = exp["config"]
    objective = cfg["masking"]["objective"]
    capacity = exp["model"]["capacity"]
    sampler = exp.get("electra") or {}

    class Pretrainer(torch.nn.Module):
        """Both networks in one module, so DDP wraps (and all-reduces) everything through one forward."""

        def __init__(self):
            super().__init__()
            self.model, self.generator = model, generator

        def forward(self, ids, mask, labels, orig, rows, key):
            """Per-position losses: (B, T) cross-entropy at targets (vocabulary heads), or for binary heads the
            per-token binary loss with, for ELECTRA, the generator's cross-entropy at the masked positions. `rows`:
            the rows' indices in their global batch, `key`: (seed, step) of ELECTRA's sampler."""
            if objective in ("mlm", "slm"):
                logits = self.model(input_ids=ids, attention_mask=mask).logits.float()
                ce = F.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1), ignore_index=-100, reduction="none")
                hit = (logits.argmax(-1) == labels) & (labels != -100)
                return ce.view(labels.shape), None, hit
            disc_in, disc_labels, gen_ce = ids, labels.clamp(min=0).float(), None
            if self.generator is not None:
                g = self.generator(input_ids=ids, attention_mask=mask).logits.float()
                gen_ce = F.cross_entropy(g.view(-1, g.size(-1)), labels.view(-1), ignore_index=-100, reduction="none").view(labels.shape)
                with torch.no_grad():  # MaskLab's seeded Gumbel-max sample at the masked positions, into the original
                    sel = labels >= 0
                    k = sel.long().cumsum(1) - 1
                    slots = (rows.view(-1, 1) * capacity + k)[sel]
                    disc_in = orig.clone()
                    disc_in[sel] = gumbel_sample(torch, g[sel], slots, key[0], key[1])
                    disc_labels = (disc_in != orig).float()
            logits = self.model(input_ids=disc_in, attention_mask=mask).logits.float()
            bce = F.binary_cross_entropy_with_logits(logits, disc_labels, reduction="none") * mask
            hit = ((logits > 0).float() == disc_labels) & (mask > 0)
            return bce, gen_ce, hit

    net = Pretrainer()
    net.train_key = lambda step: (int(sampler.get("sample_seed", 0)), step)
    net.eval_key = lambda i: (int(sampler.get("eval_sample_seed", 0)), i)
    return net


# ------------------------------------------------------------------------------------------------------ training
class Batches:
    """MaskLab's batches as tensors on the device, and the loss as MaskLab defines it (sums over the whole batch's
    denominators, so any split of its rows adds up to the same loss)."""

    def __init__(self, torch, exp, dev):
        self.torch, self.dev = torch, dev
        self.objective = exp["config"]["masking"]["objective"]
        self.disc_weight = exp["config"]["masking"].get("objectiveParams", {}).get("discWeight", 50) \
            if self.objective == "electra" else 1

    def tensors(self, b, rows):
        """input ids, attention mask, labels and original ids of rows `rows` of batch `b` (flat lists, b["T"] wide)."""
        torch = self.torch
        return [torch.tensor(b[k], dtype=torch.long).view(-1, b["T"])[rows].to(self.dev)
                for k in ("input_ids", "attention_mask", "labels", "original_ids")]

    @staticmethod
    def counts(b):
        return max(1, sum(1 for x in b["labels"] if x != -100)), max(1, sum(b["attention_mask"]))

    def sums(self, module, b, rows, key):
        """(generator/vocabulary loss sum over targets, binary loss sum over tokens, hits, per-position losses)."""
        torch = self.torch
        ids, mask, labels, orig = self.tensors(b, rows)
        row_index = torch.arange(len(b["labels"]) // b["T"], device=self.dev)[rows]
        per, gen_ce, hit = module(ids, mask, labels, orig, row_index, key)
        if self.objective in ("mlm", "slm"):
            return per.sum(), None, hit.sum(), per
        return (gen_ce.sum() if gen_ce is not None else None), per.sum(), hit.sum(), per

    def loss(self, vocab_sum, binary_sum, n_targets, n_tokens):
        if self.objective in ("mlm", "slm"):
            return vocab_sum / n_targets
        loss = self.disc_weight * binary_sum / n_tokens
        return loss + vocab_sum / n_targets if vocab_sum is not None else loss


def hard_token_update(torch, acc, collator, b, local_losses, objective):
    """Hard tokens: every process feeds the whole global batch's per-token losses to its score table, once per step,
    in MaskLab's order (row-major; vocabulary heads: the targets, binary heads: every real non-special token)."""
    per_all = acc.gather(torch.cat(local_losses).detach().float()).cpu().view(-1).tolist()
    ids = b["original_ids"]
    if objective in ("mlm", "slm"):
        keep = [i for i, x in enumerate(b["labels"]) if x != -100]
    else:
        keep = [i for i, v in enumerate(b["attention_mask"]) if v and b["units"][i] >= 0]
    collator.hardness.update([ids[i] for i in keep], [per_all[i] for i in keep])


def evaluate(torch, net, batches, eval_batches, step, evals, acc):
    """The fixed held-out masks: the loss over all their targets (binary heads: tokens; ELECTRA: both parts) and
    top-1 accuracy, as MaskLab's evaluation sums them; ELECTRA's batch i draws MaskLab's evaluation stream i."""
    net.eval()
    vocab = binary = hits = n_t = n_v = 0.0
    with torch.no_grad():
        for i, e in enumerate(eval_batches):
            t, v = batches.counts(e)
            vs, bs, h, _ = batches.sums(net, e, slice(None), net.eval_key(i))
            vocab += float(vs) if vs is not None else 0.0
            binary += float(bs) if bs is not None else 0.0
            hits, n_t, n_v = hits + float(h), n_t + t, n_v + v
    net.train()
    binary_head = batches.objective not in ("mlm", "slm")
    has_vocab = batches.objective in ("mlm", "slm", "electra")
    loss = batches.loss(vocab if has_vocab else None, binary, max(1.0, n_t), max(1.0, n_v))
    evals.append({"step": step, "loss": float(loss), "accuracy": hits / max(1.0, n_v if binary_head else n_t)})
    acc.print("held-out at step %d: loss %.4f, accuracy %.1f%%" % (step, evals[-1]["loss"], 100 * evals[-1]["accuracy"]))


def check_golden(torch, net, batches, acc, args):
    """The step-0 loss of MaskLab's initial weights on golden/step_000000.json against MaskLab's CPU reference."""
    golden = os.path.join(HERE, "golden", "step_000000.json")
    if not os.path.exists(golden) or args.init != "masklab":
        return None
    with open(golden, encoding="utf-8") as f:
        g = json.load(f)
    k = int(g.get("loss_rows", g["B"]))
    rows = slice(0, k)
    sub = {key: g[key][:k * g["T"]] for key in ("labels", "attention_mask")}
    n_t, n_v = batches.counts(sub)
    with torch.no_grad():
        vs, bs, _, _ = batches.sums(net, g, rows, net.train_key(0))
        # MaskLab's golden ELECTRA loss is the generator's MLM part (no sampling)
        got = float(vs / n_t) if batches.objective == "electra" else float(batches.loss(vs, bs, n_t, n_v))
    acc.print("step-0 loss on golden/step_000000.json (%d rows): %.6f (MaskLab %.6f, |diff| %.2e)"
              % (k, got, g["loss"], abs(got - g["loss"])))
    if args.check_golden:
        sys.exit(0 if abs(got - g["loss"]) <= 1e-4 else 1)
    return {"rows": k, "loss": got, "masklab": g["loss"], "diff": abs(got - g["loss"]), "kind": g.get("loss_kind")}


def main():
    import torch
    from accelerate import Accelerator

    with open(os.path.join(HERE, "experiment.json"), encoding="utf-8") as f:
        exp = json.load(f)
    args = parse_args(exp)
    cfg, train = exp["config"], dict(exp["config"]["train"])
    objective = cfg["masking"]["objective"]
    # Accelerate's own settings (accelerate config, accelerate launch --mixed_precision ...) unless given here.
    acc = Accelerator(**({"mixed_precision": args.mixed_precision} if args.mixed_precision else {}))
    dev = acc.device
    per_device, accum = split_batch(train["B"], acc.num_processes, args.per_device_batch, acc.gradient_accumulation_steps)
    start, trained_dir, moments = starting_point(exp, args)
    if start >= args.steps:
        raise SystemExit("nothing to train: the run starts at step %d and --steps is %d" % (start, args.steps))
    collator = MaskLabCollator(HERE)
    collator.steps = train["steps"]  # masking progress (schedules, hard ramp) stays MaskLab's t / T

    model, generator = load_models(cfg, trained_dir or HERE)
    net = make_pretrainer(torch, exp, model, generator)
    net.train()
    named = list(dict(net.named_parameters()).items())
    groups = [
        {"params": [p for _, p in named if p.ndim == 2], "weight_decay": train["weightDecay"]},  # matrices only
        {"params": [p for _, p in named if p.ndim != 2], "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=train["lr"], betas=(0.9, 0.999), eps=1e-8)
    if moments:
        parts = [(model, os.path.join(trained_dir, "optimizer.safetensors"))]
        if generator is not None:
            parts.append((generator, os.path.join(trained_dir, "generator", "optimizer.safetensors")))
        load_moments(torch, opt, parts, start)
    elif trained_dir:
        acc.print("trained/ has weights but no AdamW moments (kept Hugging Face weights): AdamW restarts from zero "
                  "moments at step %d, so this continuation is close to MaskLab's, not equal" % start)
    # The schedule at MaskLab's absolute step (not passed to acc.prepare: Accelerate would step it once per process).
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_at(train, start + s) / train["lr"])
    wrapped, opt = acc.prepare(net, opt)
    plain = acc.unwrap_model(wrapped)
    batches = Batches(torch, exp, dev)
    golden = check_golden(torch, plain, batches, acc, args)

    os.makedirs(args.out, exist_ok=True)
    rows_out, evals = [], []
    eval_batches = collator.eval_batches()
    if acc.is_main_process:
        evaluate(torch, plain, batches, eval_batches, start, evals, acc)
    t0, collate = time.time(), 0.0
    rank, span = acc.process_index, per_device * accum
    mine = list(range(rank * span, (rank + 1) * span))
    for step in range(start, args.steps):
        c0 = time.time()
        b = collator.batch(step)
        collate += time.time() - c0
        n_targets, n_tokens = batches.counts(b)
        total = torch.zeros((), device=dev)
        local = []
        for k in range(accum):
            rows = mine[k * per_device:(k + 1) * per_device]
            ctx = acc.no_sync(wrapped) if k < accum - 1 else contextlib.nullcontext()
            with ctx:
                vs, bs, _, per = batches.sums(wrapped, b, rows, net.train_key(step))
                loss = batches.loss(vs, bs, n_targets, n_tokens)
                # DDP averages gradients over processes and acc.backward divides by Accelerate's accumulation
                # steps: scale back to MaskLab's sum over the global batch.
                acc.backward(loss * acc.num_processes * acc.gradient_accumulation_steps)
            total += loss.detach()
            local.append(per.detach())
        if collator.hardness is not None:
            hard_token_update(torch, acc, collator, b, local, objective)
        gnorm = acc.clip_grad_norm_(wrapped.parameters(), train["maxGradNorm"]) if train["maxGradNorm"] > 0 else 0.0
        lr = opt.param_groups[0]["lr"]
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        row = {"step": step, "loss": float(acc.reduce(total, "sum")), "lr": lr, "grad_norm": float(gnorm),
               "mask_rate": b["rate"], "tokens": (step + 1 - start) * train["B"] * b["T"], "targets": n_targets}
        rows_out.append(row)
        if step % 10 == 0 or step == args.steps - 1:
            acc.print("step %d/%d  loss %.6f  lr %.2e  |g| %.3f" % (step + 1, args.steps, row["loss"], lr, row["grad_norm"]))
        if acc.is_main_process and (step + 1) % args.eval_every == 0 and step + 1 < args.steps:
            evaluate(torch, plain, batches, eval_batches, step + 1, evals, acc)
    acc.wait_for_everyone()
    seconds = time.time() - t0
    if acc.is_main_process:
        evaluate(torch, plain, batches, eval_batches, args.steps, evals, acc)
        run = {"seconds": seconds, "device": str(dev), "processes": acc.num_processes, "mixed_precision": acc.mixed_precision,
               "torch": torch.__version__, "start": start, "stop": args.steps}
        write_metrics(args.out, exp, rows_out, evals, run)
        write_summary(args.out, exp, dict(run, collate_seconds=collate, golden=golden, steps=len(rows_out),
                                          tokens=len(rows_out) * train["B"] * collator.train.T), torch, dev)
        plain.model.save_pretrained(os.path.join(args.out, "model"))
        if plain.generator is not None:
            plain.generator.save_pretrained(os.path.join(args.out, "model", "generator"))
        acc.print("metrics and model in %s" % args.out)
    acc.wait_for_everyone()


def write_summary(out, exp, run, torch, dev):
    """OUT/summary.json: where and how fast it ran (device name, versions, tokens/s, time in the Python collator) and
    the step-0 agreement with MaskLab's golden loss."""
    import platform
    versions = {"python": platform.python_version(), "torch": torch.__version__}
    for name in ("transformers", "accelerate"):
        versions[name] = getattr(sys.modules.get(name), "__version__", None)
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else (platform.processor() or platform.machine())
    summary = dict(run, device_name=name, versions=versions, link=exp.get("link"),
                   tokens_per_s=run["tokens"] / max(run["seconds"], 1e-9),
                   ms_per_step=1000 * run["seconds"] / max(1, run["steps"]))
    with open(os.path.join(out, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)


def write_metrics(out, exp, rows, evals, run):
    """metrics.csv / metrics.jsonl, and masklab-runs.json: a MaskLab runs file its Runs panel imports. `run`: seconds,
    device, processes, mixed_precision, torch, and the steps it started at and stopped at."""
    import csv
    with open(os.path.join(out, "metrics.jsonl"), "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
        for e in evals:
            f.write(json.dumps({"step": e["step"], "eval_loss": e["loss"], "eval_accuracy": e["accuracy"]}) + "\n")
    with open(os.path.join(out, "metrics.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["step", "loss", "lr", "grad_norm", "mask_rate", "tokens", "targets"])
        w.writeheader()
        w.writerows(rows)
    cfg = exp["config"]  # MaskLab's own, steps included: the schedule and masking ran over its length
    m = exp["model"]
    total = cfg["train"]["steps"]
    now = int(time.time() * 1000)
    seconds = run["seconds"]
    tokens = len(rows) * cfg["train"]["B"] * m["T"]
    done = run["stop"] >= total
    record = {
        "id": "python-%d" % now, "name": "%s / %s (Transformers, train.py)" % (cfg["masking"]["strategy"], cfg["masking"]["objective"]),
        "createdAt": now, "updatedAt": now, "config": cfg, "state": "done" if done else "stopped",
        "step": run["stop"], "totalSteps": total,
        "info": {"V": m["V"], "trainSequences": 0, "heldOutSequences": 0, "params": 0, "dispatchesPerStep": 0,
                 "model": {k: m[k] for k in ("L", "C", "NH", "F", "T")}, "evalTargets": 0,
                 "adapter": "outside the page: PyTorch %s, %s x%d, mixed precision %s"
                            % (run["torch"], run["device"], run["processes"], run["mixed_precision"])},
        # Training accuracy is not computed here: null (read back as "no value").
        "metrics": [{"step": r["step"], "loss": r["loss"], "accuracy": None, "targets": r["targets"], "gradNorm": r["grad_norm"],
                     "lr": r["lr"], "maskRate": r["mask_rate"]} for r in rows],
        "evals": [{"step": e["step"], "loss": e["loss"], "accuracy": e["accuracy"]} for e in evals],
        "tokensPerS": tokens / max(seconds, 1e-9), "msPerStep": 1000 * seconds / max(1, len(rows)),
        "external": {"tool": "train.py (Transformers + Accelerate)", "device": run["device"], "processes": run["processes"],
                     "mixedPrecision": run["mixed_precision"], "link": exp.get("link")},
    }
    if not done:
        record["message"] = "train.py stopped at step %d of MaskLab's %d (--steps)" % (run["stop"], total)
    if run["start"] > 0:
        record["name"] += ", continued from step %d" % run["start"]
    with open(os.path.join(out, "masklab-runs.json"), "w", encoding="utf-8") as f:
        json.dump({"format": "masklab-runs", "version": 1, "exportedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                   "runs": [record]}, f, indent=1)


if __name__ == "__main__":
    main()

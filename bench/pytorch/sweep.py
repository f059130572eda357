"""A PyTorch replica of MaskLab's training, for sweeping class presets where SwiftShader is too slow.

Reads data exported by bench/pytorch/export.ts (MaskLab's own split, tokenizer, packed sequences, fixed held-out
masks, frequency baseline, toy-language minimal pairs), trains the same post-LN BERT (bench.py's MaskLabBert, the
gathered MLM head) with MaskLab's recipe: AdamW (0.9, 0.999, 1e-8, weight decay on matrices and embeddings),
linear warmup then linear/cosine decay to a floor, global-norm clip 1.0, random masking with exactly round(r n)
targets per sequence, 80/10/10 [MASK]/random/kept, batches in a seeded permutation per epoch. The training masks
are drawn by torch's RNG, not MaskLab's (same law, other draws). One CPU thread.

    OMP_NUM_THREADS=1 /usr/bin/python3 bench/pytorch/sweep.py --data /tmp/sweep/toy-128-16.json \
        --grid 'B=32,64;lr=1e-3,3e-3' --steps 500 --out bench/results/sweep-toy.json
Each run: held-out accuracy every --eval-every steps, steps to the plateau exit (+2 points over the frequency
guess) and to +10 points, agreement accuracy (toy). Results are appended to --out as they finish.
"""
import argparse
import itertools
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from bench import MaskLabBert  # noqa: E402

torch.set_num_threads(1)
MASK_ID, FIRST_WORD = 4, 5
MODELS = {"tiny": dict(L=2, C=64, NH=2, F=256), "tiny4": dict(L=4, C=64, NH=2, F=256), "c128": dict(L=2, C=128, NH=2, F=512),
          "l4c128": dict(L=4, C=128, NH=4, F=512)}


def lr_at(step, lr, warmup, total, decay, floor=0.1):
    if warmup > 0 and step < warmup:
        return lr * (step + 1) / warmup
    if decay == "constant":
        return lr
    p = min(1.0, max(0.0, (step - warmup) / max(1, total - warmup)))
    lo = lr * floor
    if decay == "linear":
        return lo + (lr - lo) * (1 - p)
    return lo + (lr - lo) * 0.5 * (1 + math.cos(math.pi * p))


def mask_batch(ids, valid, rate, V, gen):
    """Exactly round(rate * n) targets among each row's n real tokens; 80% [MASK], 10% random, 10% kept."""
    B, T = ids.shape
    inp = ids.clone()
    real = valid.bool() & (ids >= FIRST_WORD)
    scores = torch.rand(B, T, generator=gen)
    scores[~real] = 2.0
    n = real.sum(1)
    k = torch.clamp(torch.round(rate * n.float()).long(), min=1)
    order = scores.argsort(1)
    rank = torch.empty_like(order)
    rank.scatter_(1, order, torch.arange(T).expand(B, T).contiguous())
    chosen = (rank < k[:, None]) & real
    flat = chosen.reshape(-1).nonzero().squeeze(1)
    targets = ids.reshape(-1)[flat]
    u = torch.rand(flat.shape[0], generator=gen)
    rnd = torch.randint(FIRST_WORD, V, (flat.shape[0],), generator=gen)
    new = torch.where(u < 0.8, torch.full_like(targets, MASK_ID), torch.where(u < 0.9, rnd, targets))
    inp.view(-1)[flat] = new
    return inp, flat, targets


def evaluate(model, data_eval, T):
    model.eval()
    loss = correct = count = 0.0
    with torch.no_grad():
        for b in data_eval:
            h = model.encode(b["ids"], b["valid"])
            logits = model.logits(h.reshape(-1, h.shape[-1])[b["pos"]])
            loss += F.cross_entropy(logits, b["tgt"], reduction="sum").item()
            correct += (logits.argmax(1) == b["tgt"]).sum().item()
            count += b["tgt"].numel()
    model.train()
    return loss / count, correct / count


def agreement(model, pairs):
    if pairs is None:
        return None
    model.eval()
    with torch.no_grad():
        h = model.encode(pairs["ids"], pairs["valid"])
        C = h.shape[-1]
        rows = h[torch.arange(h.shape[0]), pairs["pos"]].reshape(-1, C)
        lp = torch.log_softmax(model.logits(rows), 1)
        good = lp.gather(1, pairs["good"][:, None]).squeeze(1)
        bad = lp.gather(1, pairs["bad"][:, None]).squeeze(1)
        win = (good > bad).float() + 0.5 * (good == bad).float()
    model.train()
    att = pairs["attractor"]
    return win[~att].mean().item(), win[att].mean().item()


def load(path):
    d = json.load(open(path))
    T = d["T"]
    tr = torch.tensor(d["train"]["ids"], dtype=torch.long).view(-1, T)
    tv = torch.tensor(d["train"]["valid"], dtype=torch.long).view(-1, T)
    ev = []
    for b in d["eval"]:
        ids = torch.tensor(b["ids"], dtype=torch.long).view(-1, T)
        pos = torch.tensor(b["positions"], dtype=torch.long)
        tgt = torch.tensor(b["targets"], dtype=torch.long)
        keep = (pos >= 0) & (tgt >= 0)
        ev.append(dict(ids=ids, valid=torch.tensor(b["valid"], dtype=torch.long).view(-1, T), pos=pos[keep], tgt=tgt[keep]))
    pairs = None
    if d["pairs"]:
        P = d["pairs"]
        pairs = dict(ids=torch.tensor([p["ids"] for p in P]), valid=torch.tensor([p["valid"] for p in P]),
                     pos=torch.tensor([p["position"] for p in P]), good=torch.tensor([p["good"] for p in P]),
                     bad=torch.tensor([p["bad"] for p in P]), attractor=torch.tensor([p["attractor"] for p in P]))
    return d, tr, tv, ev, pairs


def run_one(d, tr, tv, ev, pairs, cfg, steps, eval_every, seed):
    torch.manual_seed(seed)
    T, V = d["T"], d["V"]
    m = MODELS[cfg["model"]]
    model = MaskLabBert(m["L"], m["C"], m["NH"], m["F"], T, V)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    other = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": other, "weight_decay": 0.0}],
                            lr=cfg["lr"], betas=(0.9, 0.999), eps=1e-8)
    gen = torch.Generator().manual_seed(seed)
    base = d["baseline"]["accuracy"]
    B = cfg["B"]
    N = tr.shape[0]
    perm, at = torch.randperm(N, generator=gen), 0
    evals, exit_step, plus10, t0 = [], None, None, time.time()
    warmup = int(cfg["warmup"])
    for step in range(steps):
        if at + B > N:
            perm, at = torch.randperm(N, generator=gen), 0
        idx = perm[at:at + B]
        at += B
        ids, valid = tr[idx], tv[idx]
        inp, flat, targets = mask_batch(ids, valid, cfg["rate"], V, gen)
        for g in opt.param_groups:
            g["lr"] = lr_at(step, cfg["lr"], warmup, steps, cfg["decay"])
        h = model.encode(inp, valid)
        loss = F.cross_entropy(model.logits(h.reshape(-1, h.shape[-1])[flat]), targets)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if (step + 1) % eval_every == 0 or step + 1 == steps:
            el, ea = evaluate(model, ev, T)
            ag = agreement(model, pairs)
            evals.append(dict(step=step + 1, loss=el, accuracy=ea, agreement=ag[0] if ag else None,
                              agreement_attractor=ag[1] if ag else None))
            if exit_step is None and ea >= base + 0.02:
                exit_step = step + 1
            if plus10 is None and ea >= base + 0.10:
                plus10 = step + 1
    last = evals[-1]
    return dict(config=cfg, steps=steps, seconds=time.time() - t0, baseline_accuracy=base,
                baseline_loss=d["baseline"]["loss"], final_accuracy=last["accuracy"], final_loss=last["loss"],
                plateau_exit_step=exit_step, plus10_step=plus10, points_over_baseline=(last["accuracy"] - base) * 100,
                agreement=last["agreement"], agreement_attractor=last["agreement_attractor"], evals=evals)


def parse_grid(s):
    keys, vals = [], []
    for part in s.split(";"):
        k, v = part.split("=")
        keys.append(k)
        vals.append([x if k in ("decay", "model") else float(x) for x in v.split(",")])
    return [dict(zip(keys, c)) for c in itertools.product(*vals)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--grid", required=True, help="'B=32,64;lr=1e-3,3e-3;warmup=50;decay=linear;rate=0.15;model=tiny'")
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--eval-every", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    d, tr, tv, ev, pairs = load(args.data)
    defaults = dict(B=64, lr=1e-3, warmup=50, decay="linear", rate=0.15, model="tiny")
    results = json.load(open(args.out)) if os.path.exists(args.out) else []
    for g in parse_grid(args.grid):
        cfg = {**defaults, **g, "data": os.path.basename(args.data)}
        cfg["B"] = int(cfg["B"])
        r = run_one(d, tr, tv, ev, pairs, cfg, args.steps, args.eval_every, args.seed)
        results.append(r)
        json.dump(results, open(args.out, "w"), indent=1)
        ag = "" if r["agreement"] is None else f" agreement {r['agreement']*100:.0f}% / attractor {r['agreement_attractor']*100:.0f}%"
        print(f"{cfg}: acc {r['final_accuracy']*100:.1f}% (base {r['baseline_accuracy']*100:.1f}%), exit {r['plateau_exit_step']}, "
              f"+10 at {r['plus10_step']}{ag}, {r['seconds']:.0f} s", flush=True)


if __name__ == "__main__":
    main()
